import { DeployEnv, resolveIntrinsics } from './support/intrinsics';

const env: DeployEnv = { partition: 'aws-cn', region: 'cn-north-1', account: '111111111111' };
const resources = {
  Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'nodes' } },
  Repo: { Type: 'AWS::ECR::Repository', Properties: {} },
  Param: { Type: 'AWS::SSM::Parameter', Properties: {} },
};
const ctx = { stackName: 'Node', env, resources, exports: { RoleArn: 'arn:aws-cn:iam::111111111111:role/nodes' } };

describe('resolveIntrinsics (test support for the IAM simulation)', () => {
  test('resolves pseudo parameters, joins, GetAtt of roles and repositories, and imports', () => {
    expect(resolveIntrinsics({
      a: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':x:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }]] },
      b: [{ 'Fn::GetAtt': ['Role', 'Arn'] }, { 'Fn::GetAtt': ['Repo', 'Arn'] }, { Ref: 'Role' }],
      c: { 'Fn::ImportValue': 'RoleArn' },
    }, ctx)).toEqual({
      a: 'arn:aws-cn:x:cn-north-1:111111111111',
      b: ['arn:aws-cn:iam::111111111111:role/nodes', 'arn:aws-cn:ecr:cn-north-1:111111111111:repository/node-repo-generated', 'nodes'],
      c: 'arn:aws-cn:iam::111111111111:role/nodes',
    });
  });

  test.each([
    ['an unknown intrinsic', { 'Fn::Sub': 'x' }],
    ['a Ref to a resource it does not model', { Ref: 'Param' }],
    ['a GetAtt other than Arn', { 'Fn::GetAtt': ['Role', 'RoleId'] }],
    ['an import no stack exports', { 'Fn::ImportValue': 'Missing' }],
  ])('fails loudly on %s', (_name, value) => {
    expect(() => resolveIntrinsics({ Statement: [value] }, ctx)).toThrow(/cannot resolve/);
  });
});
