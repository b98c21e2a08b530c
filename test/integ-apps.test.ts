import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cxapi from 'aws-cdk-lib/cx-api';

// The integ apps (test/integ.*.ts) deploy only with AWS credentials. Here they are synthesized, as integ-runner
// would before deploying, to keep them compiling and to check that each asserts through the AWS APIs.
function synthesize(file: string): cxapi.CloudAssembly {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'anyscale-integ-'));
  const previous = process.env.CDK_OUTDIR;
  process.env.CDK_OUTDIR = outdir;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    jest.isolateModules(() => require(path.join(__dirname, file)));
  } finally {
    process.env.CDK_OUTDIR = previous;
  }
  return new cxapi.CloudAssembly(outdir);
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
