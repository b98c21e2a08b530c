import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { App, PhysicalName, Stack } from 'aws-cdk-lib/core';
import {
  AnyscaleEcrAccess, AnyscaleEcrCreatedRepositoryAccess, AnyscaleEcrOrganizationAccess, AnyscaleNodeRole, ExistingRepositoryPolicy,
  IdentityPolicy, OrganizationGrantee,
} from '../lib';
import { pythonFailure } from './support/python';
import { NODE_ACCOUNT, REGISTRY_ACCOUNT } from './support/stacks';
import { synthesizeExample } from '../scripts/example-apps';
import { INTEG_APPS, snapshotDir } from '../scripts/integ-apps';

// cfn-lint (AWS's CloudFormation linter, with the resource schemas of every region; an implementation no one here
// wrote) checks the templates users deploy: every example app, every integ app's committed snapshot, and an app with
// each kind of resource the library writes. It runs for a region of each of the three partitions.
//
// Left out: the deprecation rules of Lambda runtimes (E2533, W2531) depend on the calendar date, not on the template:
// they would start failing this test on a date. The handler's runtime is chosen in .projenrc.ts (lambdaOptions).

const REGIONS = ['us-east-1', 'us-gov-west-1', 'cn-north-1'];
const DATE_DEPENDENT_RULES = ['E2533', 'W2531'];

/** Findings that are not the library's, each with the reason it is accepted; each must still occur (no stale entry). */
const KNOWN: Array<{ rule: string; file: RegExp; path: RegExp; reason: string }> = [
  {
    rule: 'W3005',
    file: /\.template\.json$/,
    path: /^Resources\/AnyscaleEcrExistingRepositoryHandler[0-9A-F]{8}\/DependsOn\//,
    reason: 'aws-cdk-lib\'s lambda.Function makes the function depend on its role, which it also names with Fn::GetAtt',
  },
  {
    rule: 'E3006',
    file: /AnyscaleCreatedRepositories\.template\.json$/,
    path: /^Resources\/DockerHub\/Type$/,
    reason: 'the example\'s own AWS::ECR::PullThroughCacheRule, which exists only in the aws partition (the example app deploys to us-east-1)',
  },
];

interface Finding {
  readonly Rule: { readonly Id: string };
  readonly Filename: string;
  readonly Location: { readonly Path: Array<string | number> };
  readonly Message: string;
}

let outRoot: string;
let findings: Finding[];

/** An app with every kind of resource the library writes, in two accounts. */
function everyResourceKind(outdir: string): string[] {
  const app = new App({ outdir });
  const node = new Stack(app, 'Node', { env: { account: NODE_ACCOUNT, region: 'us-east-1' } });
  const registry = new Stack(app, 'Registry', { env: { account: REGISTRY_ACCOUNT, region: 'us-east-1' } });
  const role = new iam.Role(node, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), roleName: PhysicalName.GENERATE_IF_NEEDED });
  const images = new ecr.Repository(registry, 'Images', { repositoryName: 'team/images' });
  const models = new ecr.Repository(registry, 'Models', { repositoryName: 'team/models' });
  new AnyscaleEcrAccess(node, 'Scoped', { role, repositories: [images, models], identityPolicy: IdentityPolicy.REPOSITORY_SCOPED });
  new AnyscaleEcrAccess(node, 'Inline', { role: AnyscaleNodeRole.fromCloudId(node, 'CloudRole', 'cld_abc123'), repositories: [images] });
  new AnyscaleEcrOrganizationAccess(registry, 'Organization', { grantee: OrganizationGrantee.organization('o-a1b2c3d4e5'), repositories: [models] });
  new AnyscaleEcrAccess(registry, 'Merge', {
    role: AnyscaleNodeRole.fromCloudId(registry, 'MergeRole', 'cld_abc123', { account: NODE_ACCOUNT }),
    repositories: [ecr.Repository.fromRepositoryName(registry, 'Existing', 'existing-images')],
    existingRepositoryPolicy: ExistingRepositoryPolicy.MERGE,
  });
  new AnyscaleEcrCreatedRepositoryAccess(registry, 'Created', {
    prefixes: ['docker-hub'],
    roles: [AnyscaleNodeRole.fromCloudId(registry, 'CreatedRole', 'cld_abc123', { account: NODE_ACCOUNT })],
  });
  return app.synth().stacks.map(stack => stack.templateFullPath);
}

beforeAll(async () => {
  outRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'anyscale-cfn-lint-'));
  const examplesDir = path.join(__dirname, '..', 'examples');
  const examples = fs.readdirSync(examplesDir).filter(file => file.endsWith('.ts')).flatMap(file =>
    synthesizeExample(path.join(examplesDir, file), path.join(outRoot, path.basename(file, '.ts'))).stacks.map(stack => stack.templateFullPath));
  const integ = INTEG_APPS.flatMap(file => fs.readdirSync(snapshotDir(file)).filter(name => name.endsWith('.template.json'))
    .map(name => path.join(snapshotDir(file), name)));
  const templates = [...examples, ...integ, ...everyResourceKind(path.join(outRoot, 'every-resource-kind'))];
  expect(templates.length).toBeGreaterThan(10);
  // cfn-lint exits non-zero when it finds something; its JSON report is on stdout either way.
  const run = promisify(execFile)('python3', ['-c', 'import sys; from cfnlint.runner import main; sys.argv[0] = "cfn-lint"; main()',
    '--format', 'json', '--regions', ...REGIONS, '--ignore-checks', ...DATE_DEPENDENT_RULES, '--', ...templates], { maxBuffer: 64 * 1024 * 1024 });
  const stdout = await run.then(result => result.stdout, (error: { stdout?: string; stderr?: string; code?: number | string; message?: string }) => {
    if (!error.stdout?.trim().startsWith('[')) {
      throw pythonFailure('cfn-lint failed to run', error);
    }
    return error.stdout;
  });
  findings = JSON.parse(stdout);
}, 120_000);
afterAll(() => fs.rmSync(outRoot, { recursive: true, force: true }));

const isKnown = (finding: Finding) => KNOWN.find(known => known.rule === finding.Rule.Id && known.file.test(finding.Filename) &&
  known.path.test(finding.Location.Path.join('/')));

test('cfn-lint finds nothing in the templates but the findings listed as not the library\'s', () => {
  const unexpected = findings.filter(finding => !isKnown(finding))
    .map(finding => `${finding.Rule.Id} ${path.basename(finding.Filename)} ${finding.Location.Path.join('/')}: ${finding.Message}`);
  expect(unexpected).toEqual([]);
});

test.each(KNOWN.map(known => [known.rule, known.reason, known] as const))('the known finding %s (%s) still occurs', (_rule, _reason, known) => {
  expect(findings.filter(finding => isKnown(finding) === known).length).toBeGreaterThan(0);
});
