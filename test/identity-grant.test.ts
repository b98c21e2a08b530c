import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { App, Annotations as CoreAnnotations, Aspects, Aws, CfnParameter, Stack } from 'aws-cdk-lib/core';
import { AnyscaleEcrAccess, AnyscaleEcrAccessWarnings, AnyscaleNodeRole, IdentityPolicy } from '../lib';
import { NODE_ACCOUNT, READ_ONLY_POLICY_ARN, REGISTRY_ACCOUNT, stackIn } from './support/stacks';

const CLOUD_ROLE = 'cld_abc123-cluster_node_role';

function ownedRole(stack: Stack, id = 'NodeRole'): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
}

describe('owned role', () => {
  test('gets AmazonEC2ContainerRegistryReadOnly in its ManagedPolicyArns and no inline policy', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const role = ownedRole(stack);
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [new ecr.Repository(stack, 'Images')] });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: [READ_ONLY_POLICY_ARN] });
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('granted by two constructs, is attached the managed policy once', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const role = ownedRole(stack);
    // WHEN
    new AnyscaleEcrAccess(stack, 'First', { role, repositories: [new ecr.Repository(stack, 'A')] });
    new AnyscaleEcrAccess(stack, 'Second', { role, repositories: [new ecr.Repository(stack, 'B')] });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: [READ_ONLY_POLICY_ARN] });
  });

  test('keeps managed policies the user attached', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const role = ownedRole(stack);
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'));
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [new ecr.Repository(stack, 'Images')] });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [Match.objectLike({
        'Fn::Join': ['', Match.arrayWith([':iam::aws:policy/AmazonSSMManagedInstanceCore'])],
      }), READ_ONLY_POLICY_ARN],
    });
  });
});

describe('owned role whose managed policies are changed after the grant (the L1 escape hatch, an aspect)', () => {
  const clearings: Array<[string, (role: iam.Role) => void]> = [
    ['CfnRole.managedPolicyArns set', role => { (role.node.defaultChild as iam.CfnRole).managedPolicyArns = []; }],
    ['a property override', role => (role.node.defaultChild as iam.CfnRole).addPropertyOverride('ManagedPolicyArns', [])],
    ['a deletion override', role => (role.node.defaultChild as iam.CfnRole).addPropertyDeletionOverride('ManagedPolicyArns')],
    ['an aspect that removes AWS managed policies (a compliance rule)', role => Aspects.of(Stack.of(role)).add({
      visit: node => {
        if (node instanceof iam.CfnRole) {
          node.managedPolicyArns = undefined;
        }
      },
    })],
  ];

  test.each(clearings)('%s: synthesis fails, naming the role, the policy and the fix', (_name, clear) => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const role = ownedRole(stack);
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [new ecr.Repository(stack, 'Images')] });
    // WHEN
    clear(role);
    // THEN
    expect(() => Template.fromStack(stack)).toThrow(
      'Role Node/NodeRole no longer lists the AWS managed policy AmazonEC2ContainerRegistryReadOnly that Node/Access attached ' +
      'for the ECR pull: its ManagedPolicyArns were set directly on its CfnRole, overridden, or changed by an aspect, and the ' +
      'nodes could not pull. Attach managed policies with role.addManagedPolicy(...) instead; where a rule forbids AWS ' +
      'managed policies, grant with identityPolicy: IdentityPolicy.REPOSITORY_SCOPED (customer managed policies), or with ' +
      'IdentityPolicy.ALREADY_ATTACHED when the role gets its ECR permissions another way.');
  });

  test('an override that keeps the policy (a literal ARN of the stack\'s partition, beside another one) passes', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const role = ownedRole(stack);
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [new ecr.Repository(stack, 'Images')] });
    const arns = ['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore', 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly'];
    // WHEN
    (role.node.defaultChild as iam.CfnRole).addPropertyOverride('ManagedPolicyArns', arns);
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: arns });
  });

  test('a look-alike policy name does not count as the policy', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const role = ownedRole(stack);
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [new ecr.Repository(stack, 'Images')], identityPolicy: IdentityPolicy.PULL_ONLY });
    // WHEN
    (role.node.defaultChild as iam.CfnRole).addPropertyOverride('ManagedPolicyArns', ['arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnlyX']);
    // THEN
    expect(() => Template.fromStack(stack)).toThrow(/no longer lists the AWS managed policy AmazonEC2ContainerRegistryPullOnly that Node\/Access attached/);
  });
});

describe('role imported into a stack of its own account (the usual Anyscale case)', () => {
  test('gets an inline policy with the twelve read-only actions on *, attached by role name', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const role = AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123');
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [new ecr.Repository(stack, 'Images')] });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 1);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [CLOUD_ROLE],
      PolicyName: Match.stringLikeRegexp('^Node.*AnyscaleEcrReadOnly'),
      PolicyDocument: {
        Statement: [{ Effect: 'Allow', Action: AnyscaleEcrAccess.PULL_ACTIONS, Resource: '*' }],
      },
    });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('imported twice and granted by two constructs, gets one policy', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    // WHEN
    new AnyscaleEcrAccess(stack, 'First', {
      role: AnyscaleNodeRole.fromCloudId(stack, 'RoleA', 'cld_abc123'),
      repositories: [new ecr.Repository(stack, 'A')],
    });
    new AnyscaleEcrAccess(stack, 'Second', {
      role: iam.Role.fromRoleName(stack, 'RoleB', CLOUD_ROLE),
      repositories: [new ecr.Repository(stack, 'B')],
    });
    // THEN
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Policy', 1);
  });

  test('imported into two stacks, gets a policy in each, with names that do not collide', () => {
    // GIVEN
    const app = new App();
    const stacks = [stackIn(app, 'NodeA', NODE_ACCOUNT), stackIn(app, 'NodeB', NODE_ACCOUNT)];
    // WHEN
    for (const stack of stacks) {
      new AnyscaleEcrAccess(stack, 'Access', {
        role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123'),
        repositories: [ecr.Repository.fromRepositoryName(stack, 'Images', 'images')],
      });
    }
    // THEN
    const names = stacks.map(stack => {
      const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
      return Object.values(policies).map((policy: any) => policy.Properties.PolicyName);
    });
    expect(names[0]).toHaveLength(1);
    expect(names[1]).toHaveLength(1);
    expect(names[0][0]).not.toEqual(names[1][0]);
  });

  test('is granted in the stack that imported it, wherever the construct is', () => {
    // GIVEN
    const app = new App();
    const nodeStack = stackIn(app, 'Node', NODE_ACCOUNT);
    const registryStack = stackIn(app, 'Registry', REGISTRY_ACCOUNT);
    const role = AnyscaleNodeRole.fromCloudId(nodeStack, 'NodeRole', 'cld_abc123');
    // WHEN
    new AnyscaleEcrAccess(registryStack, 'Access', { role, repositories: [new ecr.Repository(registryStack, 'Images')] });
    // THEN
    Template.fromStack(nodeStack).hasResourceProperties('AWS::IAM::Policy', { Roles: [CLOUD_ROLE] });
    Template.fromStack(registryStack).resourceCountIs('AWS::IAM::Policy', 0);
  });
});

test('in a stack with the longest name CloudFormation allows, the inline policy name stays within IAM\'s 128 characters', () => {
  // GIVEN
  const stack = stackIn(new App(), 'S'.repeat(128), NODE_ACCOUNT);
  // WHEN
  new AnyscaleEcrAccess(stack, 'Access', {
    role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123'),
    repositories: [new ecr.Repository(stack, 'Images')],
  });
  // THEN
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
  expect(policies).toHaveLength(1);
  expect(policies[0].Properties.PolicyName).toHaveLength(128);
  expect(policies[0].Properties.PolicyName).toMatch(/^S+AnyscaleEcrReadOnly[0-9A-F]+-us-east-1$/);
});

test('one stack deployed to two regions (the same name in each) gets a policy name per region: neither overwrites the other', () => {
  // GIVEN the CDK_DEFAULT_REGION pattern: the same app synthesized for two regions of one account, with a global role
  const names = ['us-east-1', 'eu-west-1'].map(region => {
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT, region);
    new AnyscaleEcrAccess(stack, 'Access', {
      role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123'),
      repositories: [ecr.Repository.fromRepositoryName(stack, 'Images', 'images')],
    });
    return Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy'))[0].Properties.PolicyName;
  });
  // THEN
  expect(names[0]).not.toEqual(names[1]);
  expect(names).toEqual([expect.stringMatching(/-us-east-1$/), expect.stringMatching(/-eu-west-1$/)]);
});

test('an environment-agnostic stack names its inline policy with the region it is deployed to, within 128 characters', () => {
  const stack = new Stack(new App(), 'S'.repeat(128));
  new AnyscaleEcrAccess(stack, 'Access', {
    role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123', { account: NODE_ACCOUNT }),
    repositories: [ecr.Repository.fromRepositoryName(stack, 'Images', 'images')],
  });
  const name = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy'))[0].Properties.PolicyName;
  expect(name).toEqual({ 'Fn::Join': ['', [expect.stringMatching(/^S+AnyscaleEcrReadOnly[0-9A-F]+-$/), { Ref: 'AWS::Region' }]] });
  expect(name['Fn::Join'][1][0].length + 'ap-southeast-5'.length).toBeLessThanOrEqual(128);
});

describe('one role reached two ways in its own account\'s stack', () => {
  test('a literal arn:aws:... and fromCloudId (AWS::Partition) in a stack of a known region: one inline policy', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const repository = new ecr.Repository(stack, 'Images');
    // WHEN
    new AnyscaleEcrAccess(stack, 'Literal', {
      role: AnyscaleNodeRole.fromRoleArn(stack, 'LiteralRole', `arn:aws:iam::${NODE_ACCOUNT}:role/${CLOUD_ROLE}`),
      repositories: [repository],
    });
    new AnyscaleEcrAccess(stack, 'FromCloudId', { role: AnyscaleNodeRole.fromCloudId(stack, 'CloudRole', 'cld_abc123'), repositories: [repository] });
    // THEN
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Policy', 1);
  });

  test('REPOSITORY_SCOPED on a role this app names and the same name imported with fromRoleName: one set of policies, counted against the role', () => {
    // GIVEN the role with 19 managed policies of the user
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const owned = new iam.Role(stack, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), roleName: 'nodes' });
    for (let i = 0; i < 19; i++) {
      owned.addManagedPolicy(iam.ManagedPolicy.fromManagedPolicyArn(stack, `P${i}`, `arn:aws:iam::${NODE_ACCOUNT}:policy/p${i}`));
    }
    const repository = new ecr.Repository(stack, 'Images');
    // WHEN
    new AnyscaleEcrAccess(stack, 'Owned', { role: owned, repositories: [repository], identityPolicy: IdentityPolicy.REPOSITORY_SCOPED });
    new AnyscaleEcrAccess(stack, 'ByName', {
      role: AnyscaleNodeRole.fromRoleName(stack, 'SameRole', 'nodes'),
      repositories: [repository, new ecr.Repository(stack, 'More')],
      identityPolicy: IdentityPolicy.REPOSITORY_SCOPED,
    });
    // THEN one policy names both repositories, and the role's 20 managed policies are within the quota...
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'));
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.PolicyDocument.Statement[0].Resource).toHaveLength(2);
    Annotations.fromStack(stack).hasWarning('/Node/Owned', Match.stringLikeRegexp('Role Node/NodeRole is attached 20 managed policies'));
  });

  test('...and one more managed policy of the user: the error, counting the policy attached by name', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const owned = new iam.Role(stack, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), roleName: 'nodes' });
    for (let i = 0; i < 20; i++) {
      owned.addManagedPolicy(iam.ManagedPolicy.fromManagedPolicyArn(stack, `P${i}`, `arn:aws:iam::${NODE_ACCOUNT}:policy/p${i}`));
    }
    // WHEN only the role imported by name is granted
    new AnyscaleEcrAccess(stack, 'ByName', {
      role: AnyscaleNodeRole.fromRoleName(stack, 'SameRole', 'nodes'),
      repositories: [new ecr.Repository(stack, 'Images')],
      identityPolicy: IdentityPolicy.REPOSITORY_SCOPED,
    });
    // THEN
    Annotations.fromStack(stack).hasError('/Node/ByName', Match.stringLikeRegexp('Role Node/SameRole is attached 21 managed policies in stack Node'));
  });
});

describe('role imported into a stack of another account', () => {
  test('is not changed, and one acknowledgeable warning says which account must attach the policy', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const role = AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123', { account: NODE_ACCOUNT });
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', {
      role,
      repositories: [new ecr.Repository(stack, 'A'), new ecr.Repository(stack, 'B')],
    });
    // THEN
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Policy', 0);
    const warnings = Annotations.fromStack(stack).findWarning('/Registry/Access',
      Match.stringLikeRegexp(AnyscaleEcrAccessWarnings.IDENTITY_NOT_APPLIED));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toEqual(
      `Role arn:<partition>:iam::${NODE_ACCOUNT}:role/${CLOUD_ROLE} belongs to account ${NODE_ACCOUNT}, but it is imported ` +
      `into stack Registry (account ${REGISTRY_ACCOUNT}), which cannot change it. In account ${NODE_ACCOUNT}, attach the ` +
      'AWS managed policy AmazonEC2ContainerRegistryReadOnly to the role: add an AnyscaleEcrAccess with this role to a ' +
      'stack of that account, or attach the policy in the IAM console. Then acknowledge this warning. ' +
      `[ack: ${AnyscaleEcrAccessWarnings.IDENTITY_NOT_APPLIED}]`);
  });

  test('with identityPolicy PULL_ONLY, the warning names that managed policy', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', {
      role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123', { account: NODE_ACCOUNT }),
      repositories: [new ecr.Repository(stack, 'A')],
      identityPolicy: IdentityPolicy.PULL_ONLY,
    });
    // THEN
    Annotations.fromStack(stack).hasWarning('/Registry/Access',
      Match.stringLikeRegexp('attach the AWS managed policy AmazonEC2ContainerRegistryPullOnly to the role'));
  });

  test('the warning can be acknowledged', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const access = new AnyscaleEcrAccess(stack, 'Access', {
      role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123', { account: NODE_ACCOUNT }),
      repositories: [new ecr.Repository(stack, 'A')],
    });
    // WHEN
    CoreAnnotations.of(access).acknowledgeWarning(AnyscaleEcrAccessWarnings.IDENTITY_NOT_APPLIED, 'node account team attaches it');
    // THEN
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('role imported with a literal account into an environment-agnostic stack', () => {
  test('gets the inline policy (a defined result) and a warning that its account is unverified', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Agnostic');
    const role = AnyscaleNodeRole.fromRoleArn(stack, 'NodeRole', `arn:aws:iam::${NODE_ACCOUNT}:role/${CLOUD_ROLE}`);
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [new ecr.Repository(stack, 'Images')] });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', { Roles: [CLOUD_ROLE] });
    Annotations.fromStack(stack).hasWarning('/Agnostic/Access',
      `Stack Agnostic has no account set, so it cannot be checked that role arn:aws:iam::${NODE_ACCOUNT}:role/${CLOUD_ROLE} ` +
      'is in the account the stack deploys to. The ECR policy is attached to the role by name and fails to deploy in any ' +
      'other account. Give the stack an explicit env: { account, region } to have this checked. ' +
      `[ack: ${AnyscaleEcrAccessWarnings.ROLE_ACCOUNT_UNVERIFIED}]`);
  });

  test('a role imported by name into an environment-agnostic stack is in that stack\'s account: no warning', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Agnostic');
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', {
      role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123'),
      repositories: [new ecr.Repository(stack, 'Images')],
    });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', { Roles: [CLOUD_ROLE] });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});

test('a role whose account is a parameter, in a stack with an account: the warning says which is unknown, not that the stack has none', () => {
  // GIVEN
  const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
  const account = new CfnParameter(stack, 'NodeAccount');
  // WHEN
  new AnyscaleEcrAccess(stack, 'Access', {
    role: AnyscaleNodeRole.fromRoleArn(stack, 'NodeRole', `arn:aws:iam::${account.valueAsString}:role/${CLOUD_ROLE}`),
    repositories: [ecr.Repository.fromRepositoryName(stack, 'Images', 'images')],
  });
  // THEN
  const warnings = Annotations.fromStack(stack).findWarning('/Node/Access', Match.stringLikeRegexp(AnyscaleEcrAccessWarnings.ROLE_ACCOUNT_UNVERIFIED));
  expect(warnings.map(w => w.entry.data)).toEqual([expect.stringMatching(
    /^The account of role arn:aws:iam::<deploy-time value>:role\/\S+ is known only at deploy time \(<deploy-time value>\), so it cannot be checked that it is account 111111111111 of stack Node\. The ECR policy is attached to the role by name and fails to deploy in any other account\. Import the role with a literal account to have this checked\./)]);
  expect(warnings[0].entry.data).not.toMatch(/Token\[/);
  expect(warnings[0].entry.data).not.toMatch(/has no account set/);
});

test('a role imported with account: Aws.ACCOUNT_ID into a stack with an account is of that account: no roleAccountUnverified', () => {
  // GIVEN
  const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
  // WHEN
  new AnyscaleEcrAccess(stack, 'Access', {
    role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123', { account: Aws.ACCOUNT_ID }),
    repositories: [new ecr.Repository(stack, 'Images')],
  });
  // THEN
  Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', { Roles: [CLOUD_ROLE] });
  Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
});

test('an iam.LazyRole is a role this app defines: it gets the AWS managed policy, not an inline policy by name, and no warning', () => {
  // GIVEN
  const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
  const role = new iam.LazyRole(stack, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  // WHEN
  new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [new ecr.Repository(stack, 'Images')] });
  // THEN
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: [READ_ONLY_POLICY_ARN] });
  template.resourceCountIs('AWS::IAM::Policy', 0);
  Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
});

describe('two roles whose short digests collide (node-33112 and node-80060 share the 8 hex digits a248f25b)', () => {
  test.each([
    ['READ_ONLY (an inline policy per imported role)', IdentityPolicy.READ_ONLY, 'AWS::IAM::Policy'],
    ['REPOSITORY_SCOPED (managed policies per role)', IdentityPolicy.REPOSITORY_SCOPED, 'AWS::IAM::ManagedPolicy'],
  ])('%s: each role gets its own policy, attached to it alone', (_, identityPolicy, type) => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const repository = new ecr.Repository(stack, 'Images');
    const names = ['node-33112', 'node-80060'];
    // WHEN
    names.forEach(name => new AnyscaleEcrAccess(stack, name, {
      role: iam.Role.fromRoleName(stack, `Role-${name}`, name), repositories: [repository], identityPolicy,
    }));
    // THEN
    const policies = Object.values<any>(Template.fromStack(stack).findResources(type));
    expect(policies.map(policy => policy.Properties.Roles).sort()).toEqual(names.map(name => [name]));
  });
});
