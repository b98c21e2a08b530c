import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { INTEG_APPS, snapshotDir, synthesizeIntegApp, templates } from '../scripts/integ-apps';

// The integ apps (test/integ.*.ts) deploy only with AWS credentials. Here they are synthesized, as integ-runner
// would before deploying, to keep them compiling, to check that each asserts through the AWS APIs, and to compare
// their templates with the committed snapshots (what `integ-runner` checks without AWS access; see CONTRIBUTING.md).
function synthesize(file: string): cxapi.CloudAssembly {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'anyscale-integ-'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return synthesizeIntegApp(file, outdir, modulePath => jest.isolateModules(() => require(modulePath)));
}

const assertionCalls = (assembly: cxapi.CloudAssembly) => assembly.stacks.flatMap(stack =>
  Object.values<any>(stack.template.Resources ?? {})
    .filter(resource => String(resource.Type).startsWith('Custom::DeployAssert@SdkCall'))
    .map(resource => `${resource.Properties.service}.${resource.Properties.api}`));

test('integ.same-account: one stack, and an IAM assertion on the role\'s managed policies', () => {
  const assembly = synthesize('integ.same-account.ts');
  expect(assembly.stacks.map(s => s.stackName)).toContain('AnyscaleEcrSameAccount');
  expect(assertionCalls(assembly)).toEqual(['IAM.listAttachedRolePolicies']);
});

test('integ.cross-account: node and registry stacks, and an ECR assertion run in the registry account', () => {
  const assembly = synthesize('integ.cross-account.ts');
  const registry = assembly.getStackByName('AnyscaleEcrRegistry');
  expect(JSON.stringify(registry.template)).toContain('AnyscaleEcrPull');
  expect(registry.dependencies.map(d => d.id)).toContain('AnyscaleEcrNode');
  expect(assembly.getStackByName('AnyscaleEcrRegistryAssertions').environment.account).toBe(registry.environment.account);
  expect(assertionCalls(assembly)).toEqual(['ECR.getRepositoryPolicy']);
});

test.each(INTEG_APPS)('%s synthesizes the templates of its committed snapshot', file => {
  // GIVEN the snapshot written by `npx projen integ:snapshot`
  expect(fs.existsSync(snapshotDir(file))).toBe(true);
  // WHEN
  const assembly = synthesize(file);
  // THEN the same stacks with the same templates: a change shows up here and in the snapshot's diff
  expect(templates(assembly.directory)).toEqual(templates(snapshotDir(file)));
});
