import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnResource, Stage } from 'aws-cdk-lib/core';
import { checkInternals, INTERNALS, unsupported } from '../lib/private/cdk-internals/cdk-internals';

// The library relies on a few aws-cdk-lib internals (lib/private/cdk-internals/). Each is checked against a probe app
// before its first use: an aws-cdk-lib whose internals changed gets the library's error, never a silent fallback.

test('the aws-cdk-lib under test passes every check', () => {
  expect(checkInternals()).toEqual([]);
});

test.each([
  ['ImmutableRole fields renamed', { isImmutableRole: (role: iam.IRole) => '_addGrantsToResources' in role },
    ['an ImmutableRole from Role.fromRoleArn(..., { mutable: false }) is recognised', 'an ImmutableRole from Role.withoutPolicyUpdates() is recognised']],
  ['every role taken for immutable', { isImmutableRole: () => true },
    ['a mutable imported role is not taken for an ImmutableRole', 'a Role is not taken for an ImmutableRole']],
  ['rawOverrides renamed', { hasRawOverrides: (resource: CfnResource) => Object.keys((resource as any)._rawOverrides ?? {}).length > 0 },
    ['addPropertyOverride is seen as a raw override']],
  ['_toCloudFormation gone', { renderedProperties: (resource: CfnResource) => (resource as any)._renderCloudFormation().Properties },
    [expect.stringMatching(/^a resource renders with its overrides applied \(.+\)$/)]],
  ['overrides no longer applied by the rendering', { renderedProperties: (resource: CfnResource) => (resource as any).cfnProperties },
    ['a resource renders with its overrides applied']],
  ['Stage.assembly renamed', { isSynthesized: (stage: Stage) => (stage as any)._assembly !== undefined },
    ['a stage is synthesized after Stage.synth()']],
])('an aws-cdk-lib with %s fails the check, naming the internal', (_name, changed, failures) => {
  // WHEN
  const found = checkInternals({ ...INTERNALS, ...changed } as any);
  // THEN
  expect(found).toEqual(failures);
});

test('the error says the aws-cdk-lib version is not supported and lists what failed', () => {
  expect(unsupported(['a', 'b']).message).toBe(
    'This aws-cdk-lib version is not supported by cdk-anyscale-ecr-access: it relies on aws-cdk-lib internals that no ' +
    'longer behave as expected (a; b). Use the aws-cdk-lib version this release was tested with, or a newer release of ' +
    'cdk-anyscale-ecr-access.');
});

test('an aws-cdk-lib whose ImmutableRole fields are renamed: a role imported with mutable: false gets the error, never a policy', () => {
  jest.isolateModules(() => {
    // GIVEN an aws-cdk-lib whose ImmutableRole keeps addGrantsToResources under another name
    /* eslint-disable @typescript-eslint/no-require-imports */
    const cdk = require('aws-cdk-lib/core') as typeof import('aws-cdk-lib/core');
    const isolatedIam = require('aws-cdk-lib/aws-iam') as typeof iam;
    const ecr = require('aws-cdk-lib/aws-ecr') as typeof import('aws-cdk-lib/aws-ecr');
    const { Template } = require('aws-cdk-lib/assertions') as typeof import('aws-cdk-lib/assertions');
    const fromRoleArn = isolatedIam.Role.fromRoleArn;
    jest.spyOn(isolatedIam.Role, 'fromRoleArn').mockImplementation((...args) => {
      const role = fromRoleArn(...args) as any;
      if ('addGrantsToResources' in role) {
        role._addGrantsToResources = role.addGrantsToResources;
        delete role.addGrantsToResources;
      }
      return role;
    });
    const { AnyscaleEcrAccess } = require('../lib') as typeof import('../lib');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const stack = new cdk.Stack(new cdk.App(), 'Node', { env: { account: '111111111111', region: 'us-east-1' } });
    const role = isolatedIam.Role.fromRoleArn(stack, 'NodeRole', 'arn:aws:iam::111111111111:role/nodes', { mutable: false });
    // WHEN / THEN
    expect(() => new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [new ecr.Repository(stack, 'Images')] }))
      .toThrow(/^This aws-cdk-lib version is not supported by cdk-anyscale-ecr-access: .*an ImmutableRole from Role\.fromRoleArn\(\.\.\., \{ mutable: false \}\) is recognised/);
    expect(Template.fromStack(stack).findResources('AWS::IAM::Policy')).toEqual({});
  });
});
