import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { App, CfnParameter, Lazy, Stack } from 'aws-cdk-lib/core';
import { AnyscaleEcrAccess, AnyscaleEcrOrganizationAccess, AnyscaleNodeRole, OrganizationGrantee } from '../lib';
import { awsPrincipals, REGISTRY_ACCOUNT, repositoryStatements, stackIn } from './support/stacks';

const LIMIT = 10_240;

/** A literal role ARN of another account, `extra` characters longer than the plain one. */
function roleArn(index: number, extra = 0): string {
  const path = extra > 0 ? `${'p'.repeat(extra - 1)}/` : '';
  return `arn:aws:iam::${String(100000000000 + index)}:role/${path}cld_${String(index).padStart(4, '0')}-cluster_node_role`;
}

function registryWithRoles(arns: string[]): { stack: Stack; repository: ecr.Repository } {
  const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
  const repository = new ecr.Repository(stack, 'Images');
  arns.forEach((arn, i) => new AnyscaleEcrAccess(stack, `Cloud${i}`, {
    role: iam.Role.fromRoleArn(stack, `Role${i}`, arn),
    repositories: [repository],
  }));
  return { stack, repository };
}

function policyText(stack: Stack): string {
  const repositories = Template.fromStack(stack).findResources('AWS::ECR::Repository');
  return JSON.stringify(Object.values(repositories)[0].Properties.RepositoryPolicyText);
}

describe('one statement per repository', () => {
  test('principals of every construct are merged, sorted and de-duplicated, whatever the order of the grants', () => {
    // GIVEN
    const arns = [roleArn(3), roleArn(1), roleArn(2), roleArn(1)];
    // WHEN
    const { stack } = registryWithRoles(arns);
    // THEN
    const statements = repositoryStatements(Template.fromStack(stack));
    expect(statements).toHaveLength(1);
    expect(statements[0].Sid).toBe('AnyscaleEcrPull');
    expect(awsPrincipals(statements[0])).toEqual([roleArn(1), roleArn(2), roleArn(3)]);
  });

  test('adding a cloud changes only the principal list', () => {
    // GIVEN
    const before = repositoryStatements(Template.fromStack(registryWithRoles([roleArn(1), roleArn(3)]).stack))[0];
    // WHEN
    const after = repositoryStatements(Template.fromStack(registryWithRoles([roleArn(1), roleArn(3), roleArn(2)]).stack))[0];
    // THEN
    expect({ ...after, Principal: undefined }).toEqual({ ...before, Principal: undefined });
    expect(awsPrincipals(after)).toEqual([roleArn(1), roleArn(2), roleArn(3)]);
  });

  test('120 distinct role ARNs of about 75 characters fit one repository policy', () => {
    // GIVEN
    const arns = Array.from({ length: 120 }, (_, i) => roleArn(i, 75 - roleArn(i).length));
    expect(arns.every(arn => arn.length === 75)).toBe(true);
    // WHEN
    const { stack } = registryWithRoles(arns);
    // THEN
    const text = policyText(stack);
    expect(text.length).toBeLessThanOrEqual(LIMIT);
    expect(awsPrincipals(repositoryStatements(Template.fromStack(stack))[0])).toHaveLength(120);
  });

  test('roles imported by name are sorted by their rendered ARNs', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const repository = new ecr.Repository(stack, 'Images');
    // WHEN
    for (const cloud of ['cld_b', 'cld_a']) {
      new AnyscaleEcrAccess(stack, cloud, {
        role: AnyscaleNodeRole.fromCloudId(stack, `${cloud}Role`, cloud, { account: '111111111111' }),
        repositories: [repository],
      });
    }
    // THEN
    const principals = awsPrincipals(repositoryStatements(Template.fromStack(stack))[0]) as any[];
    expect(principals.map(p => p['Fn::Join'][1][2])).toEqual([
      ':iam::111111111111:role/cld_a-cluster_node_role',
      ':iam::111111111111:role/cld_b-cluster_node_role',
    ]);
  });
});

test('one role reached two ways (owned with a fixed name in its stack, imported by cloud id in the registry stack) is one principal', () => {
  // GIVEN
  const app = new App();
  const node = stackIn(app, 'Node', '111111111111');
  const registry = stackIn(app, 'Registry', REGISTRY_ACCOUNT);
  const owned = new iam.Role(node, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), roleName: 'cld_abc-cluster_node_role' });
  const repository = new ecr.Repository(registry, 'Images');
  // WHEN
  new AnyscaleEcrAccess(node, 'Owned', { role: owned, repositories: [repository] });
  new AnyscaleEcrAccess(registry, 'Imported', {
    role: AnyscaleNodeRole.fromCloudId(registry, 'NodeRole', 'cld_abc', { account: '111111111111' }),
    repositories: [repository],
  });
  // THEN
  const statements = repositoryStatements(Template.fromStack(registry));
  expect(statements).toHaveLength(1);
  expect(awsPrincipals(statements[0])).toHaveLength(1);
});

describe('repository policy size check at synth', () => {
  // Literal ARNs render as themselves, so the template's policy text is exactly what ECR measures.
  const base = Array.from({ length: 100 }, (_, i) => roleArn(i));
  const padding = () => LIMIT - policyText(registryWithRoles(base).stack).length;

  test('a policy of exactly 10,240 characters synthesizes', () => {
    // GIVEN
    const arns = [roleArn(0, padding()), ...base.slice(1)];
    // WHEN
    const { stack } = registryWithRoles(arns);
    // THEN
    expect(policyText(stack).length).toBe(LIMIT);
  });

  test('one character more fails, naming the repository, the size, the limit and the remedy', () => {
    // GIVEN
    const arns = [roleArn(0, padding() + 1), ...base.slice(1)];
    const { stack } = registryWithRoles(arns);
    // WHEN / THEN
    expect(() => Template.fromStack(stack)).toThrow(
      'The policy of repository Registry/Images is 10241 characters, over the AWS limit of 10240. Grant fewer node roles ' +
      'here, or grant them all at once with AnyscaleEcrOrganizationAccess (an organization or account list with a ' +
      'role-name pattern), whose size does not grow with the number of clouds.');
  });
});

describe('roles whose account is known only at deploy time', () => {
  /** An app granting `count` roles imported by an ARN whose account is a parameter. */
  function rolesWithParameterAccount(count: number): Stack {
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const repository = new ecr.Repository(stack, 'Images');
    const account = new CfnParameter(stack, 'NodeAccount').valueAsString;
    Array.from({ length: count }, (_, i) => new AnyscaleEcrAccess(stack, `Cloud${i}`, {
      role: iam.Role.fromRoleArn(stack, `Role${i}`, `arn:aws:iam::${account}:role/cld_${String(i).padStart(24, '0')}-cluster_node_role`),
      repositories: [repository],
    }));
    return stack;
  }

  test('the text of each ARN still counts: 160 of them fail the limit, with the accounts reported as not counted', () => {
    expect(() => Template.fromStack(rolesWithParameterAccount(160))).toThrow(
      /The policy of repository Registry\/Images is \d+ characters \(plus 160 deploy-time values not counted\), over the AWS limit of 10240/);
  });

  test('100 of them fit', () => {
    expect(() => Template.fromStack(rolesWithParameterAccount(100))).not.toThrow();
  });
});

describe('the size and meaning checked without resolving the policy, where it can only be the library\'s statements', () => {
  /** What synthesis says of the stack: 'pass', or the error's message. */
  const verdictOf = (stack: Stack): string => {
    try {
      Template.fromStack(stack);
      return 'pass';
    } catch (e) {
      return (e as Error).message;
    }
  };
  /** The sizes the error reports for each repository, by path. */
  const reportedSizes = (stack: Stack): Record<string, number> =>
    Object.fromEntries([...verdictOf(stack).matchAll(/The policy of repository (\S+) is (\d+) characters/g)].map(m => [m[1], Number(m[2])]));

  test('roles rendered with AWS::Partition, three repositories, one with an unrelated override (the full check): the same size', () => {
    // GIVEN 200 node roles imported by cloud id (their ARNs carry AWS::Partition) granted on three repositories
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const repositories = ['A', 'B', 'C'].map(id => new ecr.Repository(stack, id));
    Array.from({ length: 200 }, (_, i) => new AnyscaleEcrAccess(stack, `Cloud${i}`, {
      role: AnyscaleNodeRole.fromCloudId(stack, `Role${i}`, `cld_${String(i).padStart(24, '0')}`, { account: '111111111111' }),
      repositories,
    }));
    // WHEN B's policy can no longer be known without resolving it (an override elsewhere on the resource)
    (repositories[1].node.defaultChild as ecr.CfnRepository).addPropertyOverride('ImageTagMutability', 'IMMUTABLE');
    // THEN each is over the limit by the same count, the size the text renders to
    const sizes = reportedSizes(stack);
    expect(Object.keys(sizes).sort()).toEqual(['Registry/A', 'Registry/B', 'Registry/C']);
    expect(new Set(Object.values(sizes))).toEqual(new Set([sizes['Registry/B']]));
    expect(sizes['Registry/A']).toBeGreaterThan(LIMIT);
  });

  test('a condition added to the pull statement through the grant: synthesis fails, naming it', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const repository = new ecr.Repository(stack, 'Images');
    const grant = new AnyscaleEcrAccess(stack, 'Access', { role: iam.Role.fromRoleArn(stack, 'Role', roleArn(1)) }).addRepository(repository);
    // WHEN
    grant.resourceStatements[0].addCondition('Bool', { 'aws:SecureTransport': 'false' });
    // THEN
    expect(() => Template.fromStack(stack)).toThrow(
      'The statement AnyscaleEcrPull in the policy of repository Registry/Images was changed after the library wrote it (by ' +
      'an override, an aspect or repositoryPolicyText set on its CfnRepository): Condition added ({"Bool":{"aws:SecureTransport":"false"}}).');
  });

  /** An app's synthesis verdict, as it is and with an unrelated override on the repository (which takes the full check). */
  const bothWays = (build: () => { stack: Stack; repository: ecr.Repository }): { asIs: string; fullCheck: string } => {
    const verdict = (forceFullCheck: boolean) => {
      const { stack, repository } = build();
      if (forceFullCheck) {
        (repository.node.defaultChild as ecr.CfnRepository).addPropertyOverride('ImageTagMutability', 'IMMUTABLE');
      }
      return verdictOf(stack);
    };
    return { asIs: verdict(false), fullCheck: verdict(true) };
  };
  // Partition literals (a flag `cdk init` writes in cdk.json) leave no token in the organization statement.
  const context = { '@aws-cdk/core:enablePartitionLiterals': true };

  test('a list token (a CommaDelimitedList parameter) in a condition of the organization statement: the same verdict both ways', () => {
    // GIVEN 151 roles and an organization grant whose condition names a list parameter, just under the limit once resolved
    const { asIs, fullCheck } = bothWays(() => {
      const stack = stackIn(new App({ context }), 'Registry', REGISTRY_ACCOUNT);
      const repository = new ecr.Repository(stack, 'Images');
      Array.from({ length: 151 }, (_, i) => new AnyscaleEcrAccess(stack, `Cloud${i}`, {
        role: iam.Role.fromRoleArn(stack, `Role${i}`, roleArn(i)), repositories: [repository],
      }));
      const organization = new AnyscaleEcrOrganizationAccess(stack, 'Org', { grantee: OrganizationGrantee.organization('o-a1b2c3d4e5') });
      const endpoints = new CfnParameter(stack, 'Vpces', { type: 'CommaDelimitedList' });
      organization.addRepository(repository).resourceStatements[0].addCondition('StringEquals', { 'aws:SourceVpce': endpoints.valueAsList });
      return { stack, repository };
    });
    // THEN
    expect(asIs).toBe(fullCheck);
    expect(asIs).toBe('pass');
  });

  test('a repository class of its own whose addToResourcePolicy adds a changed copy: the same error both ways', () => {
    class SecureTransportRepository extends ecr.Repository {
      public addToResourcePolicy(statement: iam.PolicyStatement): iam.AddToResourcePolicyResult {
        return super.addToResourcePolicy(statement.copy({ conditions: { ...statement.conditions, Bool: { 'aws:SecureTransport': 'true' } } }));
      }
    }
    const { asIs, fullCheck } = bothWays(() => {
      const stack = stackIn(new App({ context }), 'Registry', REGISTRY_ACCOUNT);
      const repository = new SecureTransportRepository(stack, 'Images');
      new AnyscaleEcrOrganizationAccess(stack, 'Org', { grantee: OrganizationGrantee.organization('o-a1b2c3d4e5'), repositories: [repository] });
      return { stack, repository };
    });
    expect(asIs).toBe(fullCheck);
    expect(asIs).toMatch(/The statement AnyscaleEcrPullOrg\w+ in the policy of repository Registry\/Images was changed after the library wrote it/);
  });

  test('a statement of the user\'s own that takes the policy over the limit: the same size both ways, an error', () => {
    // GIVEN 100 roles, then a statement added with addToResourcePolicy (a CI role that pushes), padded to pass the limit
    const { asIs, fullCheck } = bothWays(() => {
      const { stack, repository } = registryWithRoles(Array.from({ length: 100 }, (_, i) => roleArn(i)));
      repository.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'Ci',
        principals: [new iam.ArnPrincipal(`arn:aws:iam::${REGISTRY_ACCOUNT}:role/${'c'.repeat(60)}`)],
        actions: Array.from({ length: 250 }, (_, i) => `ecr:PutImage${i}`),
      }));
      return { stack, repository };
    });
    // THEN
    expect(asIs).toBe(fullCheck);
    expect(asIs).toMatch(/The policy of repository Registry\/Images is \d+ characters, over the AWS limit of 10240/);
  });

  test('a role whose ARN is known only at deploy time (a parameter) among imported roles over the limit: the same error both ways', () => {
    const { asIs, fullCheck } = bothWays(() => {
      const { stack, repository } = registryWithRoles(Array.from({ length: 170 }, (_, i) => roleArn(i)));
      const parameter = new CfnParameter(stack, 'NodeRoleArn');
      new AnyscaleEcrAccess(stack, 'ParameterAccess', { role: iam.Role.fromRoleArn(stack, 'ParameterRole', parameter.valueAsString), repositories: [repository] });
      return { stack, repository };
    });
    expect(asIs).toBe(fullCheck);
    expect(asIs).toMatch(/is \d+ characters \(plus 1 deploy-time values not counted\), over the AWS limit of 10240/);
  });

  test('every role known only at deploy time (450 parameters): not counted, not measured as token text; the same verdict both ways', () => {
    // GIVEN only the library's statement, naming roles that resolve to a Ref each (as text, a token is about 20 characters)
    const { asIs, fullCheck } = bothWays(() => {
      const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
      const repository = new ecr.Repository(stack, 'Images');
      Array.from({ length: 450 }, (_, i) => new AnyscaleEcrAccess(stack, `Access${i}`, {
        role: iam.Role.fromRoleArn(stack, `Role${i}`, new CfnParameter(stack, `RoleArn${i}`).valueAsString),
        repositories: [repository],
      }));
      return { stack, repository };
    });
    // THEN
    expect(asIs).toBe(fullCheck);
    expect(asIs).toBe('pass');
  });

  test('an imported role whose ARN is a Lazy value, among roles over the limit: the same error both ways', () => {
    const { asIs, fullCheck } = bothWays(() => {
      const { stack, repository } = registryWithRoles(Array.from({ length: 170 }, (_, i) => roleArn(i)));
      const lazyArn = Lazy.string({ produce: () => roleArn(999, 40) });
      new AnyscaleEcrAccess(stack, 'LazyAccess', { role: iam.Role.fromRoleArn(stack, 'LazyRole', lazyArn), repositories: [repository] });
      return { stack, repository };
    });
    expect(asIs).toBe(fullCheck);
    expect(asIs).toMatch(/The policy of repository Registry\/Images is \d+ characters, over the AWS limit of 10240/);
  });

  test('the policy text of another repository set on this one: the library\'s statements are missing, the same error both ways', () => {
    // GIVEN two granted repositories, the first's CfnRepository then given the second's policy text (its own box)
    const { asIs, fullCheck } = bothWays(() => {
      const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
      const [images, models] = ['Images', 'Models'].map(id => new ecr.Repository(stack, id));
      new AnyscaleEcrAccess(stack, 'Access', { role: iam.Role.fromRoleArn(stack, 'Role', roleArn(1)), repositories: [images] });
      new AnyscaleEcrAccess(stack, 'Other', { role: iam.Role.fromRoleArn(stack, 'OtherRole', roleArn(2)), repositories: [models] });
      const cfn = (repository: ecr.Repository) => repository.node.defaultChild as ecr.CfnRepository;
      cfn(images).repositoryPolicyText = cfn(models).repositoryPolicyText;
      return { stack, repository: images };
    });
    expect(asIs).toBe(fullCheck);
    expect(asIs).toMatch(/The policy of repository Registry\/Images is set directly on its CfnRepository/);
  });

  test('repositoryPolicyText set to another document after the grant: the library\'s statements are missing, an error', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const repository = new ecr.Repository(stack, 'Images');
    new AnyscaleEcrAccess(stack, 'Access', { role: iam.Role.fromRoleArn(stack, 'Role', roleArn(1)), repositories: [repository] });
    // WHEN
    (repository.node.defaultChild as ecr.CfnRepository).repositoryPolicyText = new iam.PolicyDocument({
      statements: [new iam.PolicyStatement({ sid: 'Ci', principals: [new iam.ArnPrincipal(roleArn(2))], actions: ['ecr:PutImage'] })],
    });
    // THEN
    expect(() => Template.fromStack(stack)).toThrow(/the statement AnyscaleEcrPull that lets the node roles pull would be lost/);
  });
});

describe('the L1 escape hatch (CfnRepository.repositoryPolicyText set directly)', () => {
  const userPolicy = { Version: '2012-10-17', Statement: [{ Sid: 'Ci', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${REGISTRY_ACCOUNT}:role/ci` }, Action: 'ecr:PutImage' }] };

  test.each([
    ['before the grant', true],
    ['after the grant', false],
  ])('set %s: synthesis fails, naming the repository, the lost statement and the fix', (_, before) => {
    // GIVEN
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const repository = new ecr.Repository(stack, 'Images');
    const cfn = repository.node.defaultChild as ecr.CfnRepository;
    if (before) {
      cfn.repositoryPolicyText = userPolicy;
    }
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', { role: iam.Role.fromRoleArn(stack, 'Role', roleArn(1)), repositories: [repository] });
    if (!before) {
      cfn.repositoryPolicyText = userPolicy;
    }
    // THEN
    expect(() => Template.fromStack(stack)).toThrow(
      'The policy of repository Registry/Images is set directly on its CfnRepository (repositoryPolicyText or an override), ' +
      'which replaces the statements added with addToResourcePolicy: the statement AnyscaleEcrPull that lets the node roles ' +
      'pull would be lost. Add your statements with repository.addToResourcePolicy(...) instead.');
  });

  function grantedThenSet(text: unknown): Stack {
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const repository = new ecr.Repository(stack, 'Images');
    new AnyscaleEcrAccess(stack, 'Access', { role: iam.Role.fromRoleArn(stack, 'Role', roleArn(1)), repositories: [repository] });
    (repository.node.defaultChild as ecr.CfnRepository).repositoryPolicyText = text;
    return stack;
  }
  const ours = { Sid: 'AnyscaleEcrPull', Effect: 'Allow', Principal: { AWS: roleArn(1) }, Action: AnyscaleEcrAccess.PULL_ACTIONS };

  test('a text set as a JSON string (a raw override) is parsed: with the complete pull statement it passes', () => {
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const repository = new ecr.Repository(stack, 'Images');
    new AnyscaleEcrAccess(stack, 'Access', { role: iam.Role.fromRoleArn(stack, 'Role', roleArn(1)), repositories: [repository] });
    (repository.node.defaultChild as ecr.CfnRepository).addPropertyOverride('RepositoryPolicyText', JSON.stringify({ Version: '2012-10-17', Statement: [ours] }));
    expect(Object.values(Template.fromStack(stack).findResources('AWS::ECR::Repository'))[0].Properties.RepositoryPolicyText)
      .toBe(JSON.stringify({ Version: '2012-10-17', Statement: [ours] }));
  });

  test('a JSON string is measured by its own length', () => {
    const text = JSON.stringify({ Version: '2012-10-17', Statement: [ours] }) + ' '.repeat(LIMIT);
    expect(() => Template.fromStack(grantedThenSet(text))).toThrow(`The policy of repository Registry/Images is ${text.length} characters, over the AWS limit of 10240.`);
  });

  test('a string that is not JSON has no statement of ours: the escape-hatch error', () => {
    expect(() => Template.fromStack(grantedThenSet('not json'))).toThrow(/the statement AnyscaleEcrPull that lets the node roles pull would be lost/);
  });

  test('our Sid on a statement without a principal is caught as a copy without every role', () => {
    const { Principal: _principal, ...withoutPrincipal } = ours;
    expect(() => Template.fromStack(grantedThenSet({ Version: '2012-10-17', Statement: [withoutPrincipal] })))
      .toThrow(/the statement AnyscaleEcrPull \(present, but without every granted role\)/);
  });

  test('a raw property override after the grant is caught too', () => {
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const repository = new ecr.Repository(stack, 'Images');
    new AnyscaleEcrAccess(stack, 'Access', { role: iam.Role.fromRoleArn(stack, 'Role', roleArn(1)), repositories: [repository] });
    (repository.node.defaultChild as ecr.CfnRepository).addPropertyOverride('RepositoryPolicyText', userPolicy);
    expect(() => Template.fromStack(stack)).toThrow(/the statement AnyscaleEcrPull that lets the node roles pull would be lost/);
  });

  test('an override unrelated to the policy keeps the grant and passes', () => {
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const repository = new ecr.Repository(stack, 'Images');
    new AnyscaleEcrAccess(stack, 'Access', { role: iam.Role.fromRoleArn(stack, 'Role', roleArn(1)), repositories: [repository] });
    (repository.node.defaultChild as ecr.CfnRepository).addPropertyOverride('ImageTagMutability', 'IMMUTABLE');
    expect(repositoryStatements(Template.fromStack(stack)).map(statement => statement.Sid)).toEqual(['AnyscaleEcrPull']);
  });

  test.each([
    ['Effect turned into a Deny', 'Statement.0.Effect', 'Deny', 'Effect is "Deny", not "Allow"'],
    ['its actions shrunk', 'Statement.0.Action', ['ecr:BatchGetImage'],
      `Action without ${AnyscaleEcrAccess.PULL_ACTIONS.filter(action => action !== 'ecr:BatchGetImage').join(', ')}`],
    ['an action added', 'Statement.0.Action', [...AnyscaleEcrAccess.PULL_ACTIONS, 'ecr:PutImage'], 'Action with ecr:PutImage'],
    ['a Condition added', 'Statement.0.Condition', { Bool: { 'aws:SecureTransport': 'false' } }, 'Condition added ({"Bool":{"aws:SecureTransport":"false"}})'],
    ['a NotAction added', 'Statement.0.NotAction', 'ecr:BatchGetImage', 'NotAction added ("ecr:BatchGetImage")'],
  ])('the pull statement\'s meaning changed by an override (%s): synthesis fails, naming the change', (_name, path, value, change) => {
    // GIVEN a granted repository
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const repository = new ecr.Repository(stack, 'Images');
    new AnyscaleEcrAccess(stack, 'Access', { role: iam.Role.fromRoleArn(stack, 'Role', roleArn(1)), repositories: [repository] });
    // WHEN
    (repository.node.defaultChild as ecr.CfnRepository).addPropertyOverride(`RepositoryPolicyText.${path}`, value);
    // THEN
    expect(() => Template.fromStack(stack)).toThrow(
      'The statement AnyscaleEcrPull in the policy of repository Registry/Images was changed after the library wrote it (by ' +
      `an override, an aspect or repositoryPolicyText set on its CfnRepository): ${change}. The node roles would not get the ` +
      'pull access they were granted. Remove that change, and add statements of your own with repository.addToResourcePolicy(...).');
  });

  test('the pull statement copied into a text the user sets, actions reordered and principal as a one-element list: the same meaning, it passes', () => {
    const copy = { ...ours, Principal: { AWS: [roleArn(1)] }, Action: [...AnyscaleEcrAccess.PULL_ACTIONS].reverse() };
    expect(repositoryStatements(Template.fromStack(grantedThenSet({ Version: '2012-10-17', Statement: [copy] })))).toEqual([copy]);
  });

  test('an organization statement whose condition was overridden: synthesis fails, naming the change', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const repository = new ecr.Repository(stack, 'Images');
    new AnyscaleEcrOrganizationAccess(stack, 'Org', { grantee: OrganizationGrantee.organization('o-a1b2c3d4e5'), repositories: [repository] });
    // WHEN
    (repository.node.defaultChild as ecr.CfnRepository).addPropertyOverride('RepositoryPolicyText.Statement.0.Condition.StringEquals', { 'aws:PrincipalOrgID': 'o-zzzzzzzzzz' });
    // THEN
    expect(() => Template.fromStack(stack)).toThrow(/The statement AnyscaleEcrPullOrg\w* in the policy of repository Registry\/Images was changed after the library wrote it .*: Condition is \{.*"o-zzzzzzzzzz".*\}, not \{.*"o-a1b2c3d4e5".*\}\./);
  });

  test('a copy of the pull statement that lacks a role granted since is caught', () => {
    // GIVEN the user's text with a pull statement naming role 1, and grants for roles 1 and 2
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const repository = new ecr.Repository(stack, 'Images');
    [1, 2].forEach(i => new AnyscaleEcrAccess(stack, `Access${i}`, { role: iam.Role.fromRoleArn(stack, `Role${i}`, roleArn(i)), repositories: [repository] }));
    const copy = { Sid: 'AnyscaleEcrPull', Effect: 'Allow', Principal: { AWS: roleArn(1) }, Action: AnyscaleEcrAccess.PULL_ACTIONS };
    (repository.node.defaultChild as ecr.CfnRepository).repositoryPolicyText = { ...userPolicy, Statement: [...userPolicy.Statement, copy] };
    // THEN
    expect(() => Template.fromStack(stack)).toThrow(/the statement AnyscaleEcrPull \(present, but without every granted role\)/);
  });

  test('a text that the user set with the complete pull statement is still size-checked', () => {
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const repository = new ecr.Repository(stack, 'Images');
    new AnyscaleEcrAccess(stack, 'Access', { role: iam.Role.fromRoleArn(stack, 'Role', roleArn(1)), repositories: [repository] });
    const big = { ...userPolicy.Statement[0], Sid: 'Big', Condition: { StringEquals: { 'aws:PrincipalTag/x': 'y'.repeat(LIMIT) } } };
    (repository.node.defaultChild as ecr.CfnRepository).repositoryPolicyText = { Version: '2012-10-17', Statement: [big, ours] };
    expect(() => Template.fromStack(stack)).toThrow(/The policy of repository Registry\/Images is \d+ characters, over the AWS limit of 10240/);
  });

  test('a repository class of its own that takes the statement: granted, and its own to check', () => {
    // GIVEN an IRepository whose addToResourcePolicy takes statements, without an ecr.CfnRepository
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const taken: iam.PolicyStatement[] = [];
    const repository = Object.assign(ecr.Repository.fromRepositoryName(stack, 'Custom', 'custom'), {
      addToResourcePolicy: (statement: iam.PolicyStatement) => {
        taken.push(statement);
        return { statementAdded: true };
      },
    });
    // WHEN
    const grant = new AnyscaleEcrAccess(stack, 'Access', { role: iam.Role.fromRoleArn(stack, 'Role', roleArn(1)) }).addRepository(repository);
    // THEN
    expect(taken.map(statement => statement.sid)).toEqual(['AnyscaleEcrPull']);
    expect(grant.resourceStatements).toEqual(taken);
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('statements added with addToResourcePolicy are merged with ours, as before', () => {
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const repository = new ecr.Repository(stack, 'Images');
    repository.addToResourcePolicy(new iam.PolicyStatement({ sid: 'Ci', principals: [new iam.ArnPrincipal(`arn:aws:iam::${REGISTRY_ACCOUNT}:role/ci`)], actions: ['ecr:PutImage'] }));
    new AnyscaleEcrAccess(stack, 'Access', { role: iam.Role.fromRoleArn(stack, 'Role', roleArn(1)), repositories: [repository] });
    expect(repositoryStatements(Template.fromStack(stack)).map(statement => statement.Sid)).toEqual(['Ci', 'AnyscaleEcrPull']);
  });
});

describe('one role written once with a literal partition and once with AWS::Partition', () => {
  function grantedTwoWays(region?: string): Stack {
    const stack = region === undefined ? new Stack(new App(), 'Registry') : stackIn(new App(), 'Registry', REGISTRY_ACCOUNT, region);
    const repository = new ecr.Repository(stack, 'Images');
    const partition = region?.startsWith('cn-') ? 'aws-cn' : 'aws';
    new AnyscaleEcrAccess(stack, 'Literal', {
      role: AnyscaleNodeRole.fromRoleArn(stack, 'LiteralRole', `arn:${partition}:iam::111111111111:role/cld_abc-cluster_node_role`),
      repositories: [repository],
    });
    new AnyscaleEcrAccess(stack, 'FromCloudId', {
      role: AnyscaleNodeRole.fromCloudId(stack, 'CloudRole', 'cld_abc', { account: '111111111111' }),
      repositories: [repository],
    });
    return stack;
  }

  test.each(['us-east-1', 'cn-north-1'])('in a stack of region %s (the region fixes the partition): one principal, the literal ARN', region => {
    const principals = awsPrincipals(repositoryStatements(Template.fromStack(grantedTwoWays(region)))[0]);
    expect(principals).toEqual([`arn:${region.startsWith('cn-') ? 'aws-cn' : 'aws'}:iam::111111111111:role/cld_abc-cluster_node_role`]);
  });

  test('in an environment-agnostic stack (the partition is known only at deploy time): named twice, harmless to IAM', () => {
    expect(awsPrincipals(repositoryStatements(Template.fromStack(grantedTwoWays()))[0])).toHaveLength(2);
  });
});
