import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { App, Aws, CfnParameter, Stack } from 'aws-cdk-lib/core';
import { AnyscaleEcrAccess, AnyscaleEcrAccessWarnings, AnyscaleNodeRole, IdentityPolicy } from '../lib';
import { NODE_ACCOUNT, REGISTRY_ACCOUNT, stackIn } from './support/stacks';

let stack: Stack;
beforeEach(() => {
  stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
});

function resolvedArn(arn: string): unknown {
  return stack.resolve(arn);
}

function arnIn(account: string, roleName: string) {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:role/${roleName}`]] };
}

describe('factories', () => {
  test('fromCloudId names the role <cloud-id>-cluster_node_role in the stack\'s account and partition', () => {
    // WHEN
    const role = AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123');
    // THEN
    expect(role.roleName).toBe('cld_abc123-cluster_node_role');
    expect(resolvedArn(role.roleArn)).toEqual(arnIn(NODE_ACCOUNT, 'cld_abc123-cluster_node_role'));
  });

  test('fromCloudId with options.account names the role in that account', () => {
    // WHEN
    const role = AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123', { account: REGISTRY_ACCOUNT });
    // THEN
    expect(resolvedArn(role.roleArn)).toEqual(arnIn(REGISTRY_ACCOUNT, 'cld_abc123-cluster_node_role'));
    expect(role.env.account).toBe(REGISTRY_ACCOUNT);
  });

  test('rayAutoscalerV1 names the role ray-autoscaler-v1', () => {
    // WHEN
    const role = AnyscaleNodeRole.rayAutoscalerV1(stack, 'NodeRole');
    // THEN
    expect(resolvedArn(role.roleArn)).toEqual(arnIn(NODE_ACCOUNT, 'ray-autoscaler-v1'));
  });

  test('fromRoleName and fromRoleArn pass a role you bring through, keeping the ARN\'s partition', () => {
    // WHEN
    const byName = AnyscaleNodeRole.fromRoleName(stack, 'ByName', 'my-nodes');
    const byArn = AnyscaleNodeRole.fromRoleArn(stack, 'ByArn', `arn:aws-us-gov:iam::${NODE_ACCOUNT}:role/teams/my-nodes`);
    // THEN
    expect(resolvedArn(byName.roleArn)).toEqual(arnIn(NODE_ACCOUNT, 'my-nodes'));
    expect(byArn.roleArn).toBe(`arn:aws-us-gov:iam::${NODE_ACCOUNT}:role/teams/my-nodes`);
    expect(byArn.roleName).toBe('my-nodes');
  });

  test('cloudNodeRoleName gives the name without importing anything', () => {
    expect(AnyscaleNodeRole.cloudNodeRoleName('cld_abc123')).toBe('cld_abc123-cluster_node_role');
  });

  test('a cloud id that is a token (a parameter) is not checked', () => {
    // GIVEN
    const cloudId = new CfnParameter(stack, 'CloudId').valueAsString;
    // WHEN
    const role = AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', cloudId);
    // THEN
    expect(resolvedArn(role.roleArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${NODE_ACCOUNT}:role/`, { Ref: 'CloudId' }, '-cluster_node_role']],
    });
  });
});

describe('bad input', () => {
  test.each([
    ['empty', '', /cloudId '' cannot be part of an IAM role name.*'anyscale cloud list'/],
    ['a slash', 'cld/abc', /cloudId 'cld\/abc' cannot be part of an IAM role name: use only letters, digits/],
    ['a space', 'cld abc', /cloudId 'cld abc' cannot be part of an IAM role name/],
    ['47 characters (role name of 65)', `cld_${'a'.repeat(43)}`,
      /cloudId gives the role name 'cld_a+-cluster_node_role' \(65 characters\), which IAM rejects: a role name has 1 to 64/],
  ])('fromCloudId rejects a cloud id with %s', (_name, cloudId, message) => {
    expect(() => AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', cloudId)).toThrow(message);
  });

  test('fromCloudId accepts a cloud id of 46 characters (role name of 64)', () => {
    expect(AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', `cld_${'a'.repeat(42)}`).roleName).toHaveLength(64);
  });

  test.each([
    ['too long', 'r'.repeat(65), /roleName gives the role name 'r+' \(65 characters\)/],
    ['a colon', 'team:nodes', /roleName gives the role name 'team:nodes'/],
    ['empty', '', /roleName gives the role name '' \(0 characters\)/],
  ])('fromRoleName rejects a name that is %s', (_name, roleName, message) => {
    expect(() => AnyscaleNodeRole.fromRoleName(stack, 'NodeRole', roleName)).toThrow(message);
  });

  test('a rejected role name gets the whole rule and where to check the value', () => {
    expect(() => AnyscaleNodeRole.fromRoleName(stack, 'NodeRole', 'team:nodes')).toThrow(new Error(
      "AnyscaleNodeRole: roleName gives the role name 'team:nodes' (10 characters), which IAM rejects: a role name has " +
      "1 to 64 characters from letters, digits and '+=,.@_-'. Check the value against the role shown in the IAM console.",
    ));
  });

  test.each([
    ['an IAM user', `arn:aws:iam::${NODE_ACCOUNT}:user/alice`, /resource 'user'\)\. IAM users cannot be the node role/],
    ['an assumed-role ARN without a role name', `arn:aws:sts::${NODE_ACCOUNT}:assumed-role`,
      new RegExp(`assumed-role session ARN; pass the role itself: arn:aws:iam::${NODE_ACCOUNT}:role/\\.`)],
    ['an assumed-role session', `arn:aws:sts::${NODE_ACCOUNT}:assumed-role/cld_abc123-cluster_node_role/i-0abc`,
      new RegExp(`assumed-role session ARN; pass the role itself: arn:aws:iam::${NODE_ACCOUNT}:role/cld_abc123-cluster_node_role\\.`)],
    // CDK's Role.fromRoleArn fails on this one with a TypeError.
    ['an account root', `arn:aws:iam::${NODE_ACCOUNT}:root`, /An account root is not a role/],
    ['another service', 'arn:aws:ecr:us-east-1:111111111111:repository/images', /service 'ecr', resource 'repository'/],
    ['not an ARN', 'cld_abc123-cluster_node_role', /roleArn 'cld_abc123-cluster_node_role' is not an ARN/],
  ])('fromRoleArn rejects %s, naming the prop and the value', (_name, roleArn, message) => {
    expect(() => AnyscaleNodeRole.fromRoleArn(stack, 'NodeRole', roleArn)).toThrow(/^AnyscaleNodeRole: roleArn/);
    expect(() => AnyscaleNodeRole.fromRoleArn(new Stack(), 'NodeRole', roleArn)).toThrow(message);
  });

  test.each([
    ['a federated user session of STS', `arn:aws:sts::${NODE_ACCOUNT}:federated-user/alice`, 'sts', 'federated-user'],
    ['a user of another service', `arn:aws:quicksight:us-east-1:${NODE_ACCOUNT}:user/default/alice`, 'quicksight', 'user'],
    ['an IAM group', `arn:aws:iam::${NODE_ACCOUNT}:group/admins`, 'iam', 'group'],
    ['a resource of another service named root', 'arn:aws:s3:::root', 's3', 'root'],
    ['an object of a bucket named role', 'arn:aws:s3:::role/nodes', 's3', 'role'],
    ['an object of a bucket named assumed-role', 'arn:aws:s3:::assumed-role/nodes/i-0abc', 's3', 'assumed-role'],
  ])('fromRoleArn rejects %s with the general fix, not one meant for another kind of ARN', (_name, roleArn, service, resource) => {
    expect(() => AnyscaleNodeRole.fromRoleArn(stack, 'NodeRole', roleArn)).toThrow(new Error(
      `AnyscaleNodeRole: roleArn '${roleArn}' is not an IAM role ARN (service '${service}', resource '${resource}'). ` +
      'Pass the ARN of the IAM role that the Anyscale nodes run with: arn:<partition>:iam::<account>:role/<name>.',
    ));
  });

  test.each([
    ['its partition and account as tokens', () => `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/cld_abc123-cluster_node_role`],
    ['its service as a token', () => `arn:aws:${new CfnParameter(stack, 'Service').valueAsString}::${NODE_ACCOUNT}:role/x`],
    ['its resource type as a token', () => `arn:aws:iam::${NODE_ACCOUNT}:${new CfnParameter(stack, 'Type').valueAsString}/x`],
  ])('fromRoleArn accepts an ARN with %s: only deploy time can check them', (_name, makeArn) => {
    const roleArn = makeArn();
    expect(AnyscaleNodeRole.fromRoleArn(stack, 'NodeRole', roleArn).roleArn).toBe(roleArn);
  });
});

describe('AnyscaleNodeRoleOptions extends iam.FromRoleArnOptions', () => {
  test.each([
    ['fromRoleName with mutable: false', (s: Stack) => AnyscaleNodeRole.fromRoleName(s, 'NodeRole', 'nodes', { mutable: false })],
    ['fromCloudId with mutable: false', (s: Stack) => AnyscaleNodeRole.fromCloudId(s, 'NodeRole', 'cld_abc123', { mutable: false })],
    ['fromRoleArn with mutable: false', (s: Stack) => AnyscaleNodeRole.fromRoleArn(s, 'NodeRole', `arn:aws:iam::${NODE_ACCOUNT}:role/nodes`, { mutable: false })],
    ['an owned role without policy updates', (s: Stack) => new iam.Role(s, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }).withoutPolicyUpdates()],
  ])('%s: nothing is attached to the role, and a warning says its ECR permissions are yours to give', (_name, importRole) => {
    // GIVEN
    const nodeStack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    // WHEN
    new AnyscaleEcrAccess(nodeStack, 'Access', { role: importRole(nodeStack), repositories: [new ecr.Repository(nodeStack, 'Images')] });
    // THEN
    const template = Template.fromStack(nodeStack);
    expect(Object.keys(template.findResources('AWS::IAM::Policy'))).toEqual([]);
    expect(JSON.stringify(template.toJSON())).not.toContain('AmazonEC2ContainerRegistryReadOnly');
    Annotations.fromStack(nodeStack).hasWarning('/Node/Access', Match.stringLikeRegexp(
      `is immutable \\(imported with mutable: false, or role\\.withoutPolicyUpdates\\(\\)\\), so this app attaches nothing to it.*${AnyscaleEcrAccessWarnings.IDENTITY_NOT_APPLIED}`));
  });

  test.each([
    [IdentityPolicy.PULL_ONLY, 'AmazonEC2ContainerRegistryPullOnly'],
    [IdentityPolicy.REPOSITORY_SCOPED, 'AmazonEC2ContainerRegistryReadOnly'],
  ])('the warning names the policy to give (%s), and asks for the acknowledgement', (identityPolicy, policyName) => {
    // GIVEN
    const nodeStack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    // WHEN
    new AnyscaleEcrAccess(nodeStack, 'Access', {
      role: AnyscaleNodeRole.fromRoleName(nodeStack, 'NodeRole', 'nodes', { mutable: false }),
      repositories: [new ecr.Repository(nodeStack, 'Images')],
      identityPolicy,
    });
    // THEN
    Annotations.fromStack(nodeStack).hasWarning('/Node/Access', Match.stringLikeRegexp(
      `Give it ECR permissions yourself \\(the AWS managed policy ${policyName}\\), or pass the role itself to let this construct attach them\\. Then acknowledge this warning\\.`));
  });

  test('defaultPolicyName and the other options reach iam.Role.fromRoleArn', () => {
    // GIVEN
    const nodeStack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    // WHEN
    const role = AnyscaleNodeRole.fromRoleName(nodeStack, 'NodeRole', 'nodes', { defaultPolicyName: 'EcrTeamPolicy' });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    // THEN
    Template.fromStack(nodeStack).hasResourceProperties('AWS::IAM::Policy', { PolicyName: Match.stringLikeRegexp('^NodeRoleEcrTeamPolicy') });
  });
});

describe('role paths', () => {
  test.each([
    ['fromRoleName', (s: Stack) => AnyscaleNodeRole.fromRoleName(s, 'NodeRole', 'anyscale-cluster-node-a1b2', { path: '/anyscale/' }),
      'anyscale/anyscale-cluster-node-a1b2', 'anyscale-cluster-node-a1b2'],
    ['fromCloudId', (s: Stack) => AnyscaleNodeRole.fromCloudId(s, 'NodeRole', 'cld_abc123', { path: '/teams/ml/' }),
      'teams/ml/cld_abc123-cluster_node_role', 'cld_abc123-cluster_node_role'],
    ['fromRoleArn (keeps the ARN\'s path)', (s: Stack) => AnyscaleNodeRole.fromRoleArn(s, 'NodeRole', `arn:aws:iam::${NODE_ACCOUNT}:role/anyscale/nodes-cluster-node-role`),
      'anyscale/nodes-cluster-node-role', 'nodes-cluster-node-role'],
  ])('%s: the ARN holds the path, the name (by which IAM attaches policies) does not', (_name, importRole, resource, name) => {
    // WHEN
    const role = importRole(stack);
    // THEN
    expect(JSON.stringify(stack.resolve(role.roleArn))).toContain(`:iam::${NODE_ACCOUNT}:role/${resource}`);
    expect(stack.resolve(role.roleName)).toBe(name);
  });

  test('the inline policy of an imported role with a path is attached by its name', () => {
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', {
      role: AnyscaleNodeRole.fromRoleName(stack, 'NodeRole', 'nodes', { path: '/anyscale/' }),
      repositories: [new ecr.Repository(stack, 'Images')],
    });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', { Roles: ['nodes'] });
  });

  test.each([
    ['no leading slash', 'anyscale/'],
    ['no trailing slash', '/anyscale'],
    ['a space', '/any scale/'],
    ['a non-ASCII character', '/ansçale/'],
    ['513 characters', `/${'a'.repeat(511)}/`],
  ])('a path with %s: throws, naming the prop, the value and the rule', (_name, path) => {
    expect(() => AnyscaleNodeRole.fromRoleName(stack, 'NodeRole', 'nodes', { path })).toThrow(
      `AnyscaleNodeRole: options.path is '${path}' (${path.length} characters), which IAM rejects: a path starts and ends with '/', has at most 512 characters`);
  });

  test('a path of 512 characters is accepted', () => {
    const role = AnyscaleNodeRole.fromRoleName(stack, 'Long', 'nodes', { path: `/${'a'.repeat(510)}/` });
    expect(JSON.stringify(stack.resolve(role.roleArn))).toContain(`:role/${'a'.repeat(510)}/nodes`);
  });

  test('a deploy-time path: throws, saying it must be known at synth time and what to do instead', () => {
    expect(() => AnyscaleNodeRole.fromRoleName(stack, 'Param', 'nodes', { path: new CfnParameter(stack, 'Path').valueAsString }))
      .toThrow(/AnyscaleNodeRole: options\.path is a deploy-time value .*: the role's path must be known at synth time.*import the role by ARN with fromRoleArn/);
  });
});
