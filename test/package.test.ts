import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';

// npm pack with srcdir 'lib' can silently produce a package with no JavaScript. This packs the real tarball
// (the test task compiles first) and checks that what package.json points at is inside it.
const root = path.join(__dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
let entries: string[];
let packDir: string;

beforeAll(() => {
  // Inside the project, so that the unpacked package resolves aws-cdk-lib from the project's node_modules.
  fs.mkdirSync(path.join(root, 'artifacts'), { recursive: true });
  packDir = fs.mkdtempSync(path.join(root, 'artifacts', 'pack-check-'));
  const output = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], {
    cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [{ filename }] = JSON.parse(output);
  const tarball = path.join(packDir, filename);
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
    'dist/private/existing-repository/handler/merge-policy-function.js', 'assets/lib/private/existing-repository/handler/merge-policy.lambda/index.js',
  ]));
});

test('the tarball holds only what users of the package need at its top level', () => {
  expect([...new Set(entries.map(entry => entry.split('/')[0]))].sort()).toEqual(
    ['.jsii', 'API.md', 'LICENSE', 'README.md', 'assets', 'dist', 'package.json']);
});

test('the tarball leaves out sources, tests, examples and build output of other tools', () => {
  const unwanted = entries.filter(entry =>
    /^(lib|test|examples|scripts|artifacts|cdk\.out|coverage|node_modules)\//.test(entry) ||
    (entry.endsWith('.ts') && !entry.endsWith('.d.ts')));
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
