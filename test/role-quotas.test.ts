import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Annotations as CoreAnnotations, App, Aspects, CfnParameter, Fn, Stack } from 'aws-cdk-lib/core';
import { AnyscaleEcrAccess, AnyscaleEcrAccessWarnings, AnyscaleNodeRole, IdentityPolicy } from '../lib';
import { NODE_ACCOUNT, stackIn } from './support/stacks';

describe('managed policies per role', () => {
  function ownedRoleWith(userPolicies: number, maxManagedPoliciesPerRole?: number): Stack {
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const role = new iam.Role(stack, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    for (let i = 0; i < userPolicies; i++) {
      role.addManagedPolicy(iam.ManagedPolicy.fromManagedPolicyArn(stack, `P${i}`, `arn:aws:iam::${NODE_ACCOUNT}:policy/p${i}`));
    }
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [new ecr.Repository(stack, 'Images')], maxManagedPoliciesPerRole });
    return stack;
  }

  test('10 in all (9 of the user, 1 of the grant): no warning', () => {
    Annotations.fromStack(ownedRoleWith(9)).hasNoWarning('*', Match.anyValue());
  });

  test('11 in all: a warning that names the count, the default quota and the raised one', () => {
    Annotations.fromStack(ownedRoleWith(10)).hasWarning('/Node/Access', Match.stringLikeRegexp(
      `attached 11 managed policies in stack Node, over the default IAM quota of 10 \\(raise it in Service Quotas before deploying; the account's highest is taken as 20\\).*${AnyscaleEcrAccessWarnings.MANAGED_POLICY_QUOTA}`));
  });

  test('20 in all: still only a warning; 21: an error', () => {
    Annotations.fromStack(ownedRoleWith(19)).hasNoError('*', Match.anyValue());
    Annotations.fromStack(ownedRoleWith(20)).hasError('/Node/Access',
      'Role Node/NodeRole is attached 21 managed policies in stack Node, over the account\'s highest IAM quota of 20 ' +
      '(maxManagedPoliciesPerRole). Grant fewer repositories with IdentityPolicy.REPOSITORY_SCOPED, use ' +
      'IdentityPolicy.READ_ONLY, or, if AWS raised the account\'s quota further, set maxManagedPoliciesPerRole to it.');
  });

  test.each([
    [10, 25, 'none'], [11, 25, 'warning'], [25, 25, 'warning'], [26, 25, 'error'],
    [10, 10, 'none'], [11, 10, 'error'],
  ])('%i in all with maxManagedPoliciesPerRole %i: %s', (inAll, maximum, expected) => {
    // WHEN
    const annotations = Annotations.fromStack(ownedRoleWith(inAll - 1, maximum));
    // THEN
    const warnings = annotations.findWarning('/Node/Access', Match.stringLikeRegexp(`attached ${inAll} managed policies`));
    const errors = annotations.findError('/Node/Access', Match.stringLikeRegexp(`attached ${inAll} managed policies.*highest IAM quota of ${maximum}`));
    expect([warnings.length, errors.length]).toEqual(expected === 'none' ? [0, 0] : expected === 'warning' ? [1, 0] : [0, 1]);
  });

  test.each([9, 10.5, Number.NaN])('maxManagedPoliciesPerRole %d: throws naming the prop, the value and the fix', maximum => {
    expect(() => ownedRoleWith(0, maximum)).toThrow(new RegExp(
      `props\\.maxManagedPoliciesPerRole is ${maximum}, but an account's quota of managed policies per role is a whole number of at least 10`));
  });

  describe('several constructs grant one role', () => {
    function twoGrants(first: number | undefined, second: number | undefined) {
      const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
      const role = new iam.Role(stack, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      for (let i = 0; i < 21; i++) {
        role.addManagedPolicy(iam.ManagedPolicy.fromManagedPolicyArn(stack, `P${i}`, `arn:aws:iam::${NODE_ACCOUNT}:policy/p${i}`));
      }
      new AnyscaleEcrAccess(stack, 'First', { role, repositories: [new ecr.Repository(stack, 'A')], maxManagedPoliciesPerRole: first });
      new AnyscaleEcrAccess(stack, 'Second', { role, repositories: [new ecr.Repository(stack, 'B')], maxManagedPoliciesPerRole: second });
      return stack;
    }

    test('different values: the second throws, naming both constructs, both values and the fix', () => {
      expect(() => twoGrants(25, 30)).toThrow(new Error(
        'AnyscaleEcrAccess Node/Second: props.maxManagedPoliciesPerRole is 30, but Node/First grants the same role ' +
        'Node/NodeRole with 25. The role\'s account has one quota: pass the same number to both, or leave it out of one.'));
    });

    test.each([[25, undefined], [undefined, 25], [25, 25]])('%p then %p: the value given counts for the role, whichever construct was given it', (first, second) => {
      // 22 managed policies: under a quota of 25 a warning, not the error of the default 20
      const annotations = Annotations.fromStack(twoGrants(first, second));
      annotations.hasNoError('*', Match.anyValue());
      annotations.hasWarning('/Node/First', Match.stringLikeRegexp("attached 22 managed policies .* the account's highest is taken as 25"));
    });
  });

  test('policies that a user\'s aspect attaches are counted: the count runs after them, as a read-only aspect', () => {
    // GIVEN an aspect of the user's, of default priority, added after the construct, that attaches 10 more policies
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const role = new iam.Role(stack, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [new ecr.Repository(stack, 'Images')] });
    Aspects.of(stack).add({
      visit: node => {
        if (node === role) {
          for (let i = 0; i < 10; i++) {
            role.addManagedPolicy(iam.ManagedPolicy.fromManagedPolicyArn(stack, `Late${i}`, `arn:aws:iam::${NODE_ACCOUNT}:policy/late${i}`));
          }
        }
      },
    });
    // THEN
    Annotations.fromStack(stack).hasWarning('/Node/Access', Match.stringLikeRegexp('attached 11 managed policies'));
  });

  test('a managed policy of the stack attached to no role (a group\'s) is not counted', () => {
    const stack = ownedRoleWith(9);
    new iam.ManagedPolicy(stack, 'GroupPolicy', {
      groups: [new iam.Group(stack, 'Admins')],
      statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })],
    });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('customer managed policies that name the role count; those of another role do not', () => {
    // GIVEN: 8 in the role's list, 1 of the grant, 2 that name the role (one also another role), 3 that name only another role
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const role = new iam.Role(stack, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const other = new iam.Role(stack, 'OtherRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    for (let i = 0; i < 8; i++) {
      role.addManagedPolicy(iam.ManagedPolicy.fromManagedPolicyArn(stack, `P${i}`, `arn:aws:iam::${NODE_ACCOUNT}:policy/p${i}`));
    }
    const statements = [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })];
    new iam.ManagedPolicy(stack, 'Mine', { roles: [role], statements });
    new iam.ManagedPolicy(stack, 'Shared', { roles: [other, role], statements });
    for (let i = 0; i < 3; i++) {
      new iam.ManagedPolicy(stack, `Theirs${i}`, { roles: [other], statements });
    }
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [new ecr.Repository(stack, 'Images')] });
    // THEN
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('managed policies in stack Node'));
    expect(warnings.map(w => [w.id, w.entry.data])).toEqual([[
      '/Node/Access',
      'Role Node/NodeRole is attached 11 managed policies in stack Node, over the default IAM quota of 10 (raise it in ' +
      'Service Quotas before deploying; the account\'s highest is taken as 20), not counting policies attached outside this stack. ' +
      `[ack: ${AnyscaleEcrAccessWarnings.MANAGED_POLICY_QUOTA}]`,
    ]]);
  });

  test('the warning is on the construct the user holds, so acknowledging it there (as the README says) silences it', () => {
    // GIVEN
    const stack = ownedRoleWith(10);
    const access = stack.node.findChild('Access');
    // WHEN
    CoreAnnotations.of(access).acknowledgeWarning(AnyscaleEcrAccessWarnings.MANAGED_POLICY_QUOTA, 'quota raised to 20 in this account');
    // THEN
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('managed policies in stack Node'));
  });

  test('a role granted by two constructs is counted once, and warned once, on the first construct', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const role = new iam.Role(stack, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    for (let i = 0; i < 10; i++) {
      role.addManagedPolicy(iam.ManagedPolicy.fromManagedPolicyArn(stack, `P${i}`, `arn:aws:iam::${NODE_ACCOUNT}:policy/p${i}`));
    }
    // WHEN
    new AnyscaleEcrAccess(stack, 'First', { role, repositories: [new ecr.Repository(stack, 'A')] });
    new AnyscaleEcrAccess(stack, 'Second', { role, repositories: [new ecr.Repository(stack, 'B')] });
    // THEN
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('attached 11 managed policies in stack Node'));
    expect(warnings.map(w => w.id)).toEqual(['/Node/First']);
  });
});

describe('inline policies per role', () => {
  const LIMIT = 10_240;

  /** An imported role with the grant's inline policy and one of the user's, `padding` characters long. */
  function importedRoleWith(padding: number): Stack {
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const role = AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123');
    new iam.Policy(stack, 'UserPolicy', {
      roles: [role],
      statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::${'b'.repeat(padding)}`] })],
    });
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [new ecr.Repository(stack, 'Images')] });
    return stack;
  }

  function inlineTotal(stack: Stack): number {
    return Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .reduce((total, policy) => total + JSON.stringify(policy.Properties.PolicyDocument).length, 0);
  }

  const padding = () => 100 + LIMIT - inlineTotal(importedRoleWith(100));

  test('exactly 10,240 characters together synthesizes', () => {
    expect(inlineTotal(importedRoleWith(padding()))).toBe(LIMIT);
  });

  test('one character more fails, naming the role, the size and the limit', () => {
    const stack = importedRoleWith(padding() + 1);
    expect(() => Template.fromStack(stack)).toThrow(
      'The inline policies of role Node/NodeRole in stack Node is 10241 characters, over the AWS limit of 10240. Move ' +
      'statements into customer managed policies (for the ECR grant: identityPolicy: IdentityPolicy.REPOSITORY_SCOPED).');
  });

  test('deploy-time values in the policies are counted as empty and reported in the error', () => {
    // GIVEN
    const stack = importedRoleWith(padding() + 1);
    new iam.Policy(stack, 'Imported', {
      roles: [iam.Role.fromRoleName(stack, 'SameRole', 'cld_abc123-cluster_node_role')],
      statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [Fn.importValue('BucketArn')] })],
    });
    // WHEN / THEN
    expect(() => Template.fromStack(stack)).toThrow(/characters \(plus 1 deploy-time values not counted\), over the AWS limit/);
  });

  test('each role of the stack is checked on its own: only the role over the limit fails, with its own size', () => {
    // GIVEN one role at the limit and a second role granted in the same stack, over it
    const stack = importedRoleWith(padding());
    const other = AnyscaleNodeRole.fromCloudId(stack, 'OtherNodeRole', 'cld_def456');
    new iam.Policy(stack, 'OtherUserPolicy', {
      roles: [other],
      statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::${'b'.repeat(LIMIT)}`] })],
    });
    new AnyscaleEcrAccess(stack, 'OtherAccess', { role: other, repositories: [new ecr.Repository(stack, 'OtherImages')] });
    // WHEN / THEN
    expect(() => Template.fromStack(stack)).toThrow(/The inline policies of role Node\/OtherNodeRole in stack Node is \d+ characters/);
    expect(() => Template.fromStack(stack)).not.toThrow(/role Node\/NodeRole /);
  });

  test.each([
    ['the same role object', (stack: Stack) => stack.node.findChild('NodeRole') as iam.IRole],
    ['a second import of the same name', (stack: Stack) => AnyscaleNodeRole.fromCloudId(stack, 'SameNodeRole', 'cld_abc123')],
  ])('a role with two inline policies of the library (READ_ONLY and PULL_ONLY) over the limit is reported once: %s', (_, roleIn) => {
    // GIVEN
    const stack = importedRoleWith(padding() + 1);
    // WHEN
    new AnyscaleEcrAccess(stack, 'PullOnly', { role: roleIn(stack), repositories: [new ecr.Repository(stack, 'More')], identityPolicy: IdentityPolicy.PULL_ONLY });
    // THEN
    let message = '';
    try {
      Template.fromStack(stack);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.match(/The inline policies of role [^ ]+ in stack Node is \d+ characters/g)).toHaveLength(1);
  });

  test('a policy that names two granted roles counts for each of them', () => {
    // GIVEN two imported roles granted in one stack, and one policy of the user attached to both
    const stack = importedRoleWith(padding());
    const other = AnyscaleNodeRole.fromCloudId(stack, 'OtherNodeRole', 'cld_def456');
    new AnyscaleEcrAccess(stack, 'OtherAccess', { role: other, repositories: [new ecr.Repository(stack, 'OtherImages')] });
    new iam.Policy(stack, 'SharedPolicy', {
      roles: [iam.Role.fromRoleName(stack, 'SameRole', 'cld_abc123-cluster_node_role'), other],
      statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::${'b'.repeat(LIMIT - 500)}`] })],
    });
    // WHEN / THEN both roles are over the limit, and each is named
    expect(() => Template.fromStack(stack)).toThrow(/role Node\/NodeRole in stack Node is \d+ characters[^]*role Node\/OtherNodeRole in stack Node is \d+ characters/);
  });

  test('a policy of the user\'s that joins a list parameter synthesizes (its size counted as unknown)', () => {
    // GIVEN
    const stack = importedRoleWith(100);
    const buckets = new CfnParameter(stack, 'Buckets', { type: 'CommaDelimitedList' }).valueAsList;
    new iam.Policy(stack, 'ListPolicy', {
      roles: [stack.node.findChild('NodeRole') as iam.IRole],
      statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [Fn.join(',', buckets)] })],
    });
    // WHEN / THEN
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('inline policies of another role in the stack are not counted', () => {
    // GIVEN
    const stack = importedRoleWith(padding());
    new iam.Policy(stack, 'OtherPolicy', {
      roles: [iam.Role.fromRoleName(stack, 'OtherRole', 'someone-else')],
      statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::${'b'.repeat(9000)}`] })],
    });
    // WHEN / THEN
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});
