import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as os from 'os';
import * as path from 'path';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { App, Stack, Stage } from 'aws-cdk-lib/core';

// npm pack with srcdir 'lib' can silently produce a package with no JavaScript. This packs the real tarball
// (the test task compiles first) and checks that what package.json points at is inside it.
const root = path.join(__dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
let entries: string[];
let packDir: string;
let tarball: string;

beforeAll(() => {
  // Inside the project, so that the unpacked package resolves aws-cdk-lib from the project's node_modules.
  fs.mkdirSync(path.join(root, 'artifacts'), { recursive: true });
  packDir = fs.mkdtempSync(path.join(root, 'artifacts', 'pack-check-'));
  const output = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], {
    cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [{ filename }] = JSON.parse(output);
  tarball = path.join(packDir, filename);
  entries = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n').filter(Boolean).map(entry => entry.replace(/^package\//, ''));
  execFileSync('tar', ['-xzf', tarball, '-C', packDir]);
}, 120_000);
afterAll(() => fs.rmSync(packDir, { recursive: true, force: true }));

test('main and types point into dist/, not at the TypeScript sources', () => {
  expect(manifest.main).toBe('dist/index.js');
  expect(manifest.types).toBe('dist/index.d.ts');
});

test('the tarball holds main, types, the jsii assembly and the compiled modules', () => {
  expect(entries).toEqual(expect.arrayContaining([
    manifest.main, manifest.types, '.jsii', 'package.json', 'README.md', 'LICENSE', 'API.md',
    'dist/anyscale-ecr-access.js', 'dist/node-role.js', 'dist/private/identity/identity-grant.js',
    'dist/private/repository/repository-grant.js', 'dist/organization-access.js', 'dist/created-repository-access.js',
    'dist/private/repository/repository-policy.js', 'dist/private/quotas/quotas.js', 'dist/private/creation-templates/prefix.js',
    'dist/private/existing-repository/merge-policy-function.js', 'assets/lib/private/existing-repository/handler/merge-policy.lambda/index.js',
    manifest.bin['cdk-anyscale-ecr-access'],
  ]));
});

test('the tarball holds only what users of the package need at its top level', () => {
  expect([...new Set(entries.map(entry => entry.split('/')[0]))].sort()).toEqual(
    ['.jsii', 'API.md', 'LICENSE', 'README.md', 'assets', 'dist', 'docs', 'package.json']);
});

test('the tarball leaves out sources, tests, examples and build output of other tools', () => {
  const unwanted = entries.filter(entry =>
    /^(lib|test|examples|scripts|artifacts|cdk\.out|coverage|node_modules)\//.test(entry) ||
    (entry.endsWith('.ts') && !entry.endsWith('.d.ts')) ||
    // jsii compiles the check command's modules too; the package runs only their bundle
    entry.startsWith('dist/private/pull-check/'));
  expect(unwanted).toEqual([]);
});

test('the unpacked package loads and exports the public API', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loads the unpacked JavaScript, not a source module
  const api = require(path.join(packDir, 'package', manifest.main));
  expect(Object.keys(api).sort()).toEqual([
    'AnyscaleEcrAccess', 'AnyscaleEcrAccessWarnings', 'AnyscaleEcrCreatedRepositoryAccess', 'AnyscaleEcrOrganizationAccess',
    'AnyscaleNodeRole', 'ExistingRepositoryPolicy', 'IdentityPolicy', 'OrganizationGrantee', 'RepositoryCreationScenario',
  ]);
});

test('the unpacked package finds its handler bundle when a stack merges into an existing repository', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loads the unpacked JavaScript, not a source module
  const api = require(path.join(packDir, 'package', manifest.main));
  const stack = new Stack(new App(), 'Registry', { env: { account: '222222222222', region: 'us-east-1' } });
  new api.AnyscaleEcrAccess(stack, 'Access', {
    role: api.AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc', { account: '111111111111' }),
    repositories: [ecr.Repository.fromRepositoryName(stack, 'Images', 'images')],
    existingRepositoryPolicy: api.ExistingRepositoryPolicy.MERGE,
  });
  const assembly = Stage.of(stack)!.synth();
  const assets = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'Registry.assets.json'), 'utf8'));
  const [source] = Object.values<any>(assets.files).map(file => file.source.path);
  expect(fs.readFileSync(path.join(assembly.directory, source, 'index.js'), 'utf8')).toContain('GetRepositoryPolicyCommand');
});

test('run as the CDK CLI runs an app (CDK_OUTDIR set), an app that uses the package exits 0 with only its own stacks', () => {
  // GIVEN an app that grants an imported role on a repository of another account (the checks of aws-cdk-lib's
  // internals run), run in a process of its own with the environment the CDK CLI gives an app: an App then synthesizes
  // itself again when the process ends, and so would any App the package made
  const outdir = fs.mkdtempSync(path.join(packDir, 'cli-outdir-'));
  const app = `
    const { App, Stack } = require('aws-cdk-lib');
    const ecr = require('aws-cdk-lib/aws-ecr');
    const iam = require('aws-cdk-lib/aws-iam');
    const api = require(${JSON.stringify(path.join(packDir, 'package', manifest.main))});
    const app = new App();
    const node = new Stack(app, 'Node', { env: { account: '111111111111', region: 'us-east-1' } });
    const registry = new Stack(app, 'Registry', { env: { account: '222222222222', region: 'us-east-1' } });
    const role = iam.Role.fromRoleArn(node, 'NodeRole', 'arn:aws:iam::111111111111:role/nodes', { mutable: false });
    new api.AnyscaleEcrAccess(node, 'Access', { role, repositories: [new ecr.Repository(registry, 'Images')] });
    app.synth();`;
  // WHEN
  const result = spawnSync(process.execPath, ['-e', app], { cwd: root, encoding: 'utf8', env: { ...process.env, CDK_OUTDIR: outdir } });
  // THEN
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  const manifestFile = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
  expect(Object.keys(manifestFile.artifacts).filter(id => manifestFile.artifacts[id].type === 'aws:cloudformation:stack').sort())
    .toEqual(['Node', 'Registry']);
});

describe('the cdk-anyscale-ecr-access command', () => {
  let installDir: string;

  beforeAll(() => {
    // Outside the project, so that nothing resolves from its node_modules: the bundle must carry what it needs.
    installDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pull-check-install-'));
    fs.writeFileSync(path.join(installDir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    // The peers (aws-cdk-lib, constructs) are not needed to run the command, and are not installed here.
    execFileSync('npm', ['install', '--offline', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', tarball],
      { cwd: installDir, stdio: ['ignore', 'pipe', 'pipe'] });
  }, 120_000);
  afterAll(() => fs.rmSync(installDir, { recursive: true, force: true }));

  test('package.json declares it as the bin, pointing at the bundle in assets/', () => {
    expect(manifest.bin).toEqual({ 'cdk-anyscale-ecr-access': 'assets/lib/private/pull-check/cli/index.js' });
  });

  test('installed from the tarball into an empty folder, `npx cdk-anyscale-ecr-access check --help` answers', () => {
    // WHEN
    const result = spawnSync('npx', ['--no', 'cdk-anyscale-ecr-access', 'check', '--help'], { cwd: installDir, encoding: 'utf8' });
    // THEN
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage: cdk-anyscale-ecr-access check --role-arn <node role ARN> \(--repository-uri <uri> \| --repository-arn <arn>\) \[options\]\n/);
  });

  test('the bundle requires nothing but Node.js built-in modules (the AWS SDK clients are inside it)', () => {
    // GIVEN
    const bundle = fs.readFileSync(path.join(installDir, 'node_modules', 'cdk-anyscale-ecr-access', manifest.bin['cdk-anyscale-ecr-access']), 'utf8');
    // WHEN
    // (a `[require("...")]` inside an error message of the SDK is text, not a call)
    const required = [...new Set([...bundle.matchAll(/(?<![[\w$.])require\("([^"]+)"\)/g)].map(m => m[1]))];
    // THEN
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter(name => !builtinModules.includes(name.replace(/^node:/, '')))).toEqual([]);
    expect(bundle.startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});
