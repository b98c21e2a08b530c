import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { App, Fn, PhysicalName, Stack } from 'aws-cdk-lib/core';
import { AnyscaleEcrAccess, AnyscaleEcrAccessWarnings, AnyscaleEcrCreatedRepositoryAccess, AnyscaleNodeRole } from '../lib';
import {
  awsPrincipals, NODE_ACCOUNT, partitionArn, READ_ONLY_POLICY_ARN, REGISTRY_ACCOUNT, repositoryStatements, stackIn,
  THIRD_ACCOUNT,
} from './support/stacks';

const NODE_ROLE_ARN = `arn:aws:iam::${NODE_ACCOUNT}:role/cld_abc123-cluster_node_role`;

const PULL_STATEMENT = {
  Sid: 'AnyscaleEcrPull',
  Effect: 'Allow',
  Principal: { AWS: NODE_ROLE_ARN },
  Action: AnyscaleEcrAccess.PULL_ACTIONS,
};

describe('repository in the role\'s account', () => {
  test('gets no statement: the identity policy is enough', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', {
      role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123'),
      repositories: [new ecr.Repository(stack, 'Images'), ecr.Repository.fromRepositoryName(stack, 'Old', 'old')],
    });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECR::Repository', { RepositoryPolicyText: Match.absent() });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('owned repository in another account than the role', () => {
  test('gets one statement: Allow, the role ARN, exactly the twelve pull actions, no Resource', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const role = AnyscaleNodeRole.fromRoleArn(stack, 'NodeRole', NODE_ROLE_ARN);
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [new ecr.Repository(stack, 'Images')] });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryPolicyText: { Version: '2012-10-17', Statement: [PULL_STATEMENT] },
    });
    expect(repositoryStatements(template)[0]).not.toHaveProperty('Resource');
    expect(AnyscaleEcrAccess.PULL_ACTIONS).toHaveLength(12);
  });

  test('keeps the statements the repository already had', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const repository = new ecr.Repository(stack, 'Images');
    repository.grantPull(new iam.AccountPrincipal(THIRD_ACCOUNT));
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', {
      role: AnyscaleNodeRole.fromRoleArn(stack, 'NodeRole', NODE_ROLE_ARN),
      repositories: [repository],
    });
    // THEN
    const statements = repositoryStatements(Template.fromStack(stack));
    expect(statements).toHaveLength(2);
    expect(statements).toContainEqual(PULL_STATEMENT);
  });

  test('the same repository passed twice, or by two constructs for the same role, gets one statement with one principal', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const repository = new ecr.Repository(stack, 'Images');
    // WHEN
    const first = new AnyscaleEcrAccess(stack, 'First', {
      role: AnyscaleNodeRole.fromRoleArn(stack, 'RoleA', NODE_ROLE_ARN),
      repositories: [repository, repository],
    });
    first.addRepository(repository);
    new AnyscaleEcrAccess(stack, 'Second', {
      role: AnyscaleNodeRole.fromRoleArn(stack, 'RoleB', NODE_ROLE_ARN),
      repositories: [repository],
    });
    // THEN
    expect(repositoryStatements(Template.fromStack(stack))).toEqual([PULL_STATEMENT]);
  });

  test('granted to two roles, gets one statement that names both', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const repository = new ecr.Repository(stack, 'Images');
    const otherRoleArn = `arn:aws:iam::${THIRD_ACCOUNT}:role/cld_xyz789-cluster_node_role`;
    // WHEN
    new AnyscaleEcrAccess(stack, 'First', { role: AnyscaleNodeRole.fromRoleArn(stack, 'RoleA', NODE_ROLE_ARN), repositories: [repository] });
    new AnyscaleEcrAccess(stack, 'Second', { role: AnyscaleNodeRole.fromRoleArn(stack, 'RoleB', otherRoleArn), repositories: [repository] });
    // THEN
    const statements = repositoryStatements(Template.fromStack(stack));
    expect(statements).toHaveLength(1);
    expect(awsPrincipals(statements[0])).toEqual([NODE_ROLE_ARN, otherRoleArn]);
  });
});

describe('owned role in stack A (node account), owned repository in stack B (registry account), one app', () => {
  function twoStackApp(roleName?: string) {
    const app = new App();
    const nodeStack = stackIn(app, 'Node', NODE_ACCOUNT);
    const registryStack = stackIn(app, 'Registry', REGISTRY_ACCOUNT);
    const role = new iam.Role(nodeStack, 'NodeRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      roleName,
    });
    const repository = new ecr.Repository(registryStack, 'Images');
    return { nodeStack, registryStack, role, repository };
  }

  test('applies both sides, names the role by its physical name, and deploys the registry stack after the node stack', () => {
    // GIVEN
    const { nodeStack, registryStack, role, repository } = twoStackApp(PhysicalName.GENERATE_IF_NEEDED);
    // WHEN
    new AnyscaleEcrAccess(registryStack, 'Access', { role, repositories: [repository] });
    // THEN
    const nodeRoles = Template.fromStack(nodeStack).findResources('AWS::IAM::Role', {
      Properties: { ManagedPolicyArns: [READ_ONLY_POLICY_ARN] },
    });
    const generatedName = Object.values(nodeRoles)[0].Properties.RoleName;
    expect(generatedName).toMatch(/^[a-z0-9]+$/);
    const statements = repositoryStatements(Template.fromStack(registryStack));
    expect(statements).toHaveLength(1);
    expect(statements[0].Principal.AWS).toEqual(partitionArn(`:iam::${NODE_ACCOUNT}:role/${generatedName}`));
    expect(registryStack.dependencies).toContain(nodeStack);
  });

  test('a fixed role name works the same way', () => {
    // GIVEN
    const { nodeStack, registryStack, role, repository } = twoStackApp('anyscale-nodes');
    // WHEN
    new AnyscaleEcrAccess(nodeStack, 'Access', { role, repositories: [repository] });
    // THEN
    expect(repositoryStatements(Template.fromStack(registryStack))[0].Principal.AWS)
      .toEqual(partitionArn(`:iam::${NODE_ACCOUNT}:role/anyscale-nodes`));
    expect(registryStack.dependencies).toContain(nodeStack);
  });

  test('without a physical name, throws an error that says how to give it one', () => {
    // GIVEN
    const { registryStack, role, repository } = twoStackApp();
    // WHEN / THEN
    expect(() => new AnyscaleEcrAccess(registryStack, 'Access', { role, repositories: [repository] }))
      .toThrow(new RegExp(
        `^AnyscaleEcrAccess: props\\.role Node/NodeRole is defined in stack Node \\(account ${NODE_ACCOUNT}, region us-east-1\\), ` +
        `and repository Registry/Images in stack Registry \\(account ${REGISTRY_ACCOUNT}, region us-east-1\\) must name it in ` +
        "its policy\\. Give the role a physical name: new iam\\.Role\\(this, 'NodeRole', \\{ roleName: " +
        'PhysicalName\\.GENERATE_IF_NEEDED, \\.\\.\\. \\}\\) or a fixed roleName\\. \\(CDK: .*cross-environment.*\\)$'));
  });

  test('the check is made once per role and stack: a second repository, granted by a second construct, is named too', () => {
    // GIVEN
    const { nodeStack, registryStack, role, repository } = twoStackApp('anyscale-nodes');
    const second = new ecr.Repository(registryStack, 'More');
    // WHEN
    new AnyscaleEcrAccess(registryStack, 'Access', { role, repositories: [repository] });
    new AnyscaleEcrAccess(registryStack, 'MoreAccess', { role, repositories: [second] });
    // THEN
    const principals = repositoryStatements(Template.fromStack(registryStack)).map(statement => statement.Principal.AWS);
    expect(principals).toEqual([partitionArn(`:iam::${NODE_ACCOUNT}:role/anyscale-nodes`), partitionArn(`:iam::${NODE_ACCOUNT}:role/anyscale-nodes`)]);
    expect(registryStack.dependencies).toEqual([nodeStack]);
  });

  test('the check is remembered per stack: one role named by repositories of two stacks makes each deploy after it', () => {
    // GIVEN
    const { nodeStack, registryStack, role, repository } = twoStackApp('anyscale-nodes');
    const thirdStack = stackIn(nodeStack.node.scope as App, 'Third', THIRD_ACCOUNT);
    // WHEN
    new AnyscaleEcrAccess(registryStack, 'Access', { role, repositories: [repository] });
    new AnyscaleEcrAccess(thirdStack, 'Access', { role, repositories: [new ecr.Repository(thirdStack, 'Images')] });
    // THEN
    expect(registryStack.dependencies).toEqual([nodeStack]);
    expect(thirdStack.dependencies).toEqual([nodeStack]);
  });

  test('creation templates named after a repository grant of the same role and stack still deploy after the role', () => {
    // GIVEN a repository grant that checked the role in the registry stack
    const { nodeStack, registryStack, role, repository } = twoStackApp('anyscale-nodes');
    new AnyscaleEcrAccess(registryStack, 'Access', { role, repositories: [repository] });
    // WHEN
    new AnyscaleEcrCreatedRepositoryAccess(registryStack, 'Cache', { prefixes: ['docker-hub'], roles: [role] });
    // THEN
    expect(registryStack.dependencies).toEqual([nodeStack]);
    expect(JSON.stringify(Template.fromStack(registryStack).toJSON())).toContain(':role/anyscale-nodes');
  });

  test('a failed check is not remembered: the role without a physical name fails again on the next repository', () => {
    // GIVEN
    const { registryStack, role, repository } = twoStackApp();
    expect(() => new AnyscaleEcrAccess(registryStack, 'Access', { role, repositories: [repository] })).toThrow(/Give the role a physical name/);
    // WHEN / THEN
    expect(() => new AnyscaleEcrAccess(registryStack, 'MoreAccess', { role, repositories: [new ecr.Repository(registryStack, 'More')] }))
      .toThrow(/Give the role a physical name/);
  });
});

describe('imported repository in another account than the role', () => {
  test.each([
    ['fromRepositoryArn', (s: Stack) => ecr.Repository.fromRepositoryArn(s, 'Images',
      `arn:aws:ecr:us-east-1:${REGISTRY_ACCOUNT}:repository/images`)],
    ['fromRepositoryAttributes', (s: Stack) => ecr.Repository.fromRepositoryAttributes(s, 'Images', {
      repositoryArn: `arn:aws:ecr:us-east-1:${REGISTRY_ACCOUNT}:repository/images`, repositoryName: 'images',
    })],
  ])('imported with %s: nothing is dropped silently, a warning gives the statement to add', (_name, importRepository) => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', {
      role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123'),
      repositories: [importRepository(stack)],
    });
    // THEN
    const warnings = Annotations.fromStack(stack).findWarning('/Node/Access',
      Match.stringLikeRegexp(AnyscaleEcrAccessWarnings.REPOSITORY_POLICY_NOT_APPLIED));
    expect(warnings).toHaveLength(1);
    const message = warnings[0].entry.data as string;
    expect(message.slice(0, message.indexOf('{'))).toEqual(
      `Role arn:<partition>:iam::${NODE_ACCOUNT}:role/cld_abc123-cluster_node_role (account ${NODE_ACCOUNT}) needs a ` +
      `statement in the policy of repository images (account ${REGISTRY_ACCOUNT}), but repository images is imported, ` +
      'and CDK cannot change the resource policy of a repository it does not define. Import the repository in a stack ' +
      'of its own account and set existingRepositoryPolicy: ExistingRepositoryPolicy.MERGE there, or add the statement ' +
      'by hand (ECR console > Repositories > images > Permissions > Edit policy JSON, keeping the statements already there): ');
    const json = JSON.parse(message.slice(message.indexOf('{'), message.lastIndexOf('}') + 1));
    expect(json).toEqual({
      Sid: 'AnyscaleEcrPull',
      Effect: 'Allow',
      Principal: { AWS: `arn:<partition>:iam::${NODE_ACCOUNT}:role/cld_abc123-cluster_node_role` },
      Action: AnyscaleEcrAccess.PULL_ACTIONS,
    });
  });

  test('imported with a whole-token ARN (account unknown): warns, because a statement may be needed', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const repository = ecr.Repository.fromRepositoryAttributes(stack, 'Images', {
      repositoryArn: Fn.importValue('ImagesArn'), repositoryName: 'images',
    });
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', { role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123'), repositories: [repository] });
    // THEN
    Annotations.fromStack(stack).hasWarning('/Node/Access',
      Match.stringLikeRegexp(AnyscaleEcrAccessWarnings.REPOSITORY_POLICY_NOT_APPLIED));
  });
});

describe('role imported with its account into the node stack, owned repository in the registry stack', () => {
  test('the statement names the role\'s literal ARN, and the registry stack does not wait for the node stack', () => {
    // GIVEN
    const app = new App();
    const nodeStack = stackIn(app, 'Node', NODE_ACCOUNT);
    const registryStack = stackIn(app, 'Registry', REGISTRY_ACCOUNT);
    // WHEN
    new AnyscaleEcrAccess(nodeStack, 'Access', {
      role: AnyscaleNodeRole.fromRoleArn(nodeStack, 'NodeRole', NODE_ROLE_ARN),
      repositories: [new ecr.Repository(registryStack, 'Images')],
    });
    // THEN
    expect(repositoryStatements(Template.fromStack(registryStack))).toEqual([PULL_STATEMENT]);
    expect(registryStack.dependencies).toEqual([]);
    Annotations.fromStack(nodeStack).hasNoWarning('*', Match.anyValue());
  });
});

describe('accounts unknown at synth time', () => {
  test('environment-agnostic registry stack and a literal role ARN: the statement is added (safe superset)', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Registry');
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', {
      role: AnyscaleNodeRole.fromRoleArn(stack, 'NodeRole', NODE_ROLE_ARN),
      repositories: [new ecr.Repository(stack, 'Images')],
    });
    // THEN
    expect(repositoryStatements(Template.fromStack(stack))).toEqual([PULL_STATEMENT]);
  });

  test('a role ARN from another stack\'s export: the statement names the imported value', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', {
      role: iam.Role.fromRoleArn(stack, 'NodeRole', Fn.importValue('NodeRoleArn')),
      repositories: [new ecr.Repository(stack, 'Images')],
    });
    // THEN
    expect(repositoryStatements(Template.fromStack(stack))[0].Principal).toEqual({ AWS: { 'Fn::ImportValue': 'NodeRoleArn' } });
  });

  test('a role imported into an environment-agnostic stack cannot be named from a registry stack: warning', () => {
    // GIVEN
    const app = new App();
    const nodeStack = new Stack(app, 'Node');
    const registryStack = stackIn(app, 'Registry', REGISTRY_ACCOUNT);
    // WHEN
    new AnyscaleEcrAccess(nodeStack, 'Access', {
      role: AnyscaleNodeRole.fromCloudId(nodeStack, 'NodeRole', 'cld_abc123'),
      repositories: [new ecr.Repository(registryStack, 'Images')],
    });
    // THEN
    expect(repositoryStatements(Template.fromStack(registryStack))).toEqual([]);
    const [warning] = Annotations.fromStack(nodeStack).findWarning('/Node/Access', Match.anyValue());
    expect(warning.entry.data).toMatch(new RegExp(
      '^Role arn:<partition>:iam::<account>:role/cld_abc123-cluster_node_role \\(account <account>\\) needs a statement ' +
      `in the policy of repository \\S+ \\(account ${REGISTRY_ACCOUNT}\\), ` +
      'but the role was imported into stack Node without a known account, so its ARN cannot be written into stack ' +
      'Registry\\. Import the role with its account \\(AnyscaleNodeRole\\.fromCloudId\\(scope, id, cloudId, ' +
      '\\{ account: \'111111111111\' \\}\\)\\), or give stack Node an explicit env\\. \\[ack: '));
  });
});

describe('partitions', () => {
  test.each([
    ['aws-cn', 'cn-north-1'],
    ['aws-us-gov', 'us-gov-west-1'],
  ])('a %s role ARN is written as given', (partition, region) => {
    // GIVEN
    const stack = new Stack(new App(), 'Registry', { env: { account: REGISTRY_ACCOUNT, region } });
    const roleArn = `arn:${partition}:iam::${NODE_ACCOUNT}:role/ray-autoscaler-v1`;
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', {
      role: AnyscaleNodeRole.fromRoleArn(stack, 'NodeRole', roleArn),
      repositories: [new ecr.Repository(stack, 'Images')],
    });
    // THEN
    expect(repositoryStatements(Template.fromStack(stack))[0].Principal).toEqual({ AWS: roleArn });
  });

  test('a role imported by name takes the partition of the stack it is deployed in', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Registry', { env: { account: REGISTRY_ACCOUNT, region: 'cn-north-1' } });
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', {
      role: AnyscaleNodeRole.rayAutoscalerV1(stack, 'NodeRole', { account: NODE_ACCOUNT }),
      repositories: [new ecr.Repository(stack, 'Images')],
    });
    // THEN
    expect(repositoryStatements(Template.fromStack(stack))[0].Principal)
      .toEqual({ AWS: partitionArn(`:iam::${NODE_ACCOUNT}:role/ray-autoscaler-v1`) });
  });

  test('a role and a repository of different partitions: throws', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const repository = ecr.Repository.fromRepositoryArn(stack, 'Images', `arn:aws:ecr:us-east-1:${REGISTRY_ACCOUNT}:repository/images`);
    // WHEN / THEN
    expect(() => new AnyscaleEcrAccess(stack, 'Access', {
      role: AnyscaleNodeRole.fromRoleArn(stack, 'NodeRole', `arn:aws-cn:iam::${NODE_ACCOUNT}:role/ray-autoscaler-v1`),
      repositories: [repository],
    })).toThrow(new Error(
      `AnyscaleEcrAccess: props.role arn:aws-cn:iam::${NODE_ACCOUNT}:role/ray-autoscaler-v1 is in partition aws-cn, but ` +
      'repository images is in partition aws. IAM cannot grant ' +
      'across partitions: use a node role and a repository of the same partition.'));
  });

  test.each([
    ['a repository this app defines', (s: Stack) => new ecr.Repository(s, 'Images'), 'Registry/Images'],
    ['a repository imported with AWS::Partition', (s: Stack) => ecr.Repository.fromRepositoryName(s, 'Images', 'images'), 'images'],
  ])('a literal arn:aws role and %s in a cn-north-1 stack (the region fixes the partition): throws, as with a literal aws-cn ARN', (_name, makeRepository, shown) => {
    // GIVEN
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT, 'cn-north-1');
    // WHEN / THEN
    expect(() => new AnyscaleEcrAccess(stack, 'Access', {
      role: AnyscaleNodeRole.fromRoleArn(stack, 'NodeRole', `arn:aws:iam::${NODE_ACCOUNT}:role/ray-autoscaler-v1`),
      repositories: [makeRepository(stack)],
    })).toThrow(new Error(
      `AnyscaleEcrAccess: props.role arn:aws:iam::${NODE_ACCOUNT}:role/ray-autoscaler-v1 is in partition aws, but ` +
      `repository ${shown} is in partition aws-cn. IAM cannot grant across partitions: use a node role and a repository of the same partition.`));
  });

  test.each([
    ['a role ARN of the same partition', (s: Stack) => AnyscaleNodeRole.fromRoleArn(s, 'NodeRole', NODE_ROLE_ARN)],
    ['an owned role, whose partition is known only at deploy time',
      (s: Stack) => new iam.Role(s, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') })],
  ])('%s and an imported aws repository of another account: no partition error, the repository warning', (_name, makeRole) => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const repository = ecr.Repository.fromRepositoryArn(stack, 'Images', `arn:aws:ecr:us-east-1:${REGISTRY_ACCOUNT}:repository/images`);
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', { role: makeRole(stack), repositories: [repository] });
    // THEN
    Annotations.fromStack(stack).hasWarning('/Node/Access',
      Match.stringLikeRegexp(AnyscaleEcrAccessWarnings.REPOSITORY_POLICY_NOT_APPLIED));
  });
});
