import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { App, Aws, CfnParameter, Annotations as CoreAnnotations, PhysicalName, Stack } from 'aws-cdk-lib/core';
import {
  AnyscaleEcrAccess, AnyscaleEcrAccessWarnings, AnyscaleEcrCreatedRepositoryAccess, AnyscaleEcrCreatedRepositoryAccessProps,
  AnyscaleEcrOrganizationAccess, AnyscaleNodeRole, OrganizationGrantee, RepositoryCreationScenario,
} from '../lib';
import { resolveIntrinsics } from './support/intrinsics';
import { NODE_ACCOUNT, REGION, REGISTRY_ACCOUNT, stackIn, THIRD_ACCOUNT } from './support/stacks';

const ORG = 'o-a1b2c3d4e5';
const NODE_ROLE_ARN = `arn:aws:iam::${NODE_ACCOUNT}:role/cld_abc123-cluster_node_role`;
const PULL_THROUGH_ACTIONS = [...AnyscaleEcrAccess.PULL_ACTIONS, 'ecr:BatchImportUpstreamImage'].sort();

let app: App;
let stack: Stack;
beforeEach(() => {
  app = new App();
  stack = stackIn(app, 'Registry', REGISTRY_ACCOUNT);
});

const nodeRole = (scope: Stack, id = 'NodeRole', arn = NODE_ROLE_ARN) => AnyscaleNodeRole.fromRoleArn(scope, id, arn);

/** The creation templates of a stack: prefix, scenarios and the repository policy as CloudFormation renders it. */
function templates(of: Stack): Array<{ prefix: string; appliedFor: string[]; policy: any }> {
  const ctx = { stackName: of.stackName, env: { partition: 'aws', region: REGION, account: REGISTRY_ACCOUNT }, resources: {}, exports: {} };
  return Object.values<any>(Template.fromStack(of).findResources('AWS::ECR::RepositoryCreationTemplate')).map(resource => ({
    prefix: resource.Properties.Prefix,
    appliedFor: resource.Properties.AppliedFor,
    policy: JSON.parse(resolveIntrinsics(resource.Properties.RepositoryPolicy, ctx)),
  }));
}

/** The JSON statement a warning holds for a person to paste. */
function pastedStatement(message: unknown): any {
  return JSON.parse(/Add this statement to it[^:]*\): (\{.*\})\. The node accounts/.exec(String(message))![1]);
}

describe('GIVEN node roles by ARN', () => {
  test('WHEN a pull-through cache prefix is granted THEN one template per prefix holds the pull statement and BatchImportUpstreamImage', () => {
    // WHEN
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'Cache', {
      prefixes: ['docker-hub', 'ecr-public'],
      roles: [nodeRole(stack), nodeRole(stack, 'Other', `arn:aws:iam::${THIRD_ACCOUNT}:role/cld_xyz-cluster_node_role`)],
    });
    // THEN
    Template.fromStack(stack).resourceCountIs('AWS::ECR::RepositoryCreationTemplate', 2);
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', {
      Prefix: 'docker-hub',
      AppliedFor: ['PULL_THROUGH_CACHE', 'REPLICATION'],
      RepositoryPolicy: Match.anyValue(),
    });
    expect(templates(stack)).toEqual(['docker-hub', 'ecr-public'].map(prefix => ({
      prefix,
      appliedFor: ['PULL_THROUGH_CACHE', 'REPLICATION'],
      policy: {
        Version: '2012-10-17',
        Statement: [{
          Sid: 'AnyscaleEcrPull',
          Effect: 'Allow',
          Principal: { AWS: [NODE_ROLE_ARN, `arn:aws:iam::${THIRD_ACCOUNT}:role/cld_xyz-cluster_node_role`] },
          Action: PULL_THROUGH_ACTIONS,
        }],
      },
    })));
  });

  test.each([
    [[RepositoryCreationScenario.REPLICATION], ['REPLICATION']],
    [[RepositoryCreationScenario.CREATE_ON_PUSH, RepositoryCreationScenario.REPLICATION, RepositoryCreationScenario.REPLICATION], ['CREATE_ON_PUSH', 'REPLICATION']],
  ])('WHEN appliedFor is %j (no pull-through cache) THEN the statement is exactly the pull statement and nothing is reported', (appliedFor, rendered) => {
    // WHEN
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'Replicas', { prefixes: ['team/images'], roles: [nodeRole(stack)], appliedFor });
    // THEN
    const [template] = templates(stack);
    expect(template.appliedFor).toEqual(rendered);
    expect(template.policy.Statement).toEqual([{
      Sid: 'AnyscaleEcrPull', Effect: 'Allow', Principal: { AWS: NODE_ROLE_ARN }, Action: AnyscaleEcrAccess.PULL_ACTIONS,
    }]);
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('WHEN pull-through cache is included THEN a warning holds the registry-policy statement, and acknowledging it removes it', () => {
    // WHEN
    const access = new AnyscaleEcrCreatedRepositoryAccess(stack, 'Cache', { prefixes: ['docker-hub/'], roles: [nodeRole(stack)] });
    // THEN
    const [warning] = Annotations.fromStack(stack).findWarning('/Registry/Cache', Match.stringLikeRegexp(AnyscaleEcrAccessWarnings.REGISTRY_POLICY_NOT_APPLIED));
    const message = warning.entry.data as string;
    expect(message).toMatch(/registry policy of account 222222222222, region us-east-1/);
    expect(message).toMatch(/AWS::ECR::RegistryPolicy\) would overwrite whole, so this construct does not write it/);
    expect(pastedStatement(message)).toEqual({
      Sid: expect.stringMatching(/^AnyscaleEcrPullThroughCache[0-9A-F]{8}$/),
      Effect: 'Allow',
      Principal: { AWS: NODE_ROLE_ARN },
      Action: ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'],
      Resource: 'arn:aws:ecr:us-east-1:222222222222:repository/docker-hub/*',
    });
    Template.fromStack(stack).resourceCountIs('AWS::ECR::RegistryPolicy', 0);
    // WHEN
    CoreAnnotations.of(access).acknowledgeWarning(AnyscaleEcrAccessWarnings.REGISTRY_POLICY_NOT_APPLIED, 'pasted into the registry policy');
    // THEN
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('WHEN the prefix is ROOT THEN the registry-policy statement names every repository of the registry', () => {
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'Everything', { prefixes: ['ROOT'], roles: [nodeRole(stack)] });
    const [warning] = Annotations.fromStack(stack).findWarning('*', Match.anyValue());
    expect(pastedStatement(warning.entry.data).Resource).toBe('arn:aws:ecr:us-east-1:222222222222:repository/*');
    expect(templates(stack)[0].prefix).toBe('ROOT');
  });

  test('WHEN a prefix is added twice (also with a trailing /) THEN it is one template and the same grant', () => {
    // GIVEN
    const access = new AnyscaleEcrCreatedRepositoryAccess(stack, 'Cache', { roles: [nodeRole(stack)] });
    // WHEN
    const first = access.addPrefix('docker-hub');
    const again = access.addPrefix('docker-hub/');
    // THEN
    expect(again).toBe(first);
    expect(access.prefixes).toEqual(['docker-hub']);
    Template.fromStack(stack).resourceCountIs('AWS::ECR::RepositoryCreationTemplate', 1);
  });

  test('WHEN a grant is applied before a resource THEN that resource depends on the template', () => {
    // GIVEN
    const access = new AnyscaleEcrCreatedRepositoryAccess(stack, 'Cache', { roles: [nodeRole(stack)] });
    const launcher = new iam.Role(stack, 'Launcher', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    // WHEN
    const grant = access.addPrefix('docker-hub');
    grant.applyBefore(launcher);
    // THEN
    expect(grant.success).toBe(true);
    expect(grant.resourceStatements.map(statement => statement.sid)).toEqual(['AnyscaleEcrPull']);
    Template.fromStack(stack).hasResource('AWS::IAM::Role', { DependsOn: [Match.stringLikeRegexp('^CacheTemplatedockerhub[0-9A-F]{8}$')] });
  });

  test('WHEN about 150 roles are named THEN synthesis fails on the 10,240-character repository policy, with the remedy', () => {
    // GIVEN
    const roles = Array.from({ length: 150 }, (_, i) =>
      nodeRole(stack, `Role${i}`, `arn:aws:iam::${NODE_ACCOUNT}:role/cld_${String(i).padStart(30, '0')}-cluster_node_role`));
    // WHEN
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'Many', { prefixes: ['docker-hub'], roles });
    // THEN
    expect(() => app.synth()).toThrow(/The repository policy of the creation templates of Registry\/Many is \d+ characters, over the AWS limit of 10240\. .*props\.grantee/);
  });

  test('WHEN the role is defined in a stack of the node account THEN the template names it across stacks and deploys after it', () => {
    // GIVEN
    const node = stackIn(app, 'Node', NODE_ACCOUNT);
    const role = new iam.Role(node, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), roleName: PhysicalName.GENERATE_IF_NEEDED });
    // WHEN
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'Cache', { prefixes: ['docker-hub'], roles: [role] });
    // THEN
    expect(stack.dependencies).toContain(node);
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).toMatch(/:role\/node\w*/);
  });

  test('WHEN a role defined in another environment has no physical name THEN the error names the prop and the fix', () => {
    const node = stackIn(app, 'Node', NODE_ACCOUNT);
    const role = new iam.Role(node, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    expect(() => new AnyscaleEcrCreatedRepositoryAccess(stack, 'Cache', { prefixes: ['docker-hub'], roles: [role] }))
      .toThrow(/AnyscaleEcrCreatedRepositoryAccess Registry\/Cache: props\.roles\[0\] Node\/NodeRole .*the creation templates of Registry\/Cache .*PhysicalName\.GENERATE_IF_NEEDED/);
  });
});

describe('GIVEN an organization-wide grantee', () => {
  test('WHEN granted THEN the template holds the same statement shape as AnyscaleEcrOrganizationAccess, plus BatchImportUpstreamImage', () => {
    // GIVEN the organization grant on a repository of the app, for comparison
    const other = stackIn(app, 'Other', REGISTRY_ACCOUNT);
    const repository = new ecr.Repository(other, 'Images');
    new AnyscaleEcrOrganizationAccess(other, 'AllClouds', { grantee: OrganizationGrantee.organization(ORG), repositories: [repository] });
    // WHEN
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'Cache', { prefixes: ['docker-hub'], grantee: OrganizationGrantee.organization(ORG) });
    // THEN
    const orgStatement = Object.values<any>(Template.fromStack(other).findResources('AWS::ECR::Repository'))[0].Properties.RepositoryPolicyText.Statement[0];
    const [statement] = templates(stack)[0].policy.Statement;
    expect(statement).toEqual({
      ...resolveIntrinsics(orgStatement, { stackName: 'Other', env: { partition: 'aws', region: REGION, account: REGISTRY_ACCOUNT }, resources: {}, exports: {} }),
      Action: PULL_THROUGH_ACTIONS,
    });
    expect(statement).toMatchObject({
      Principal: { AWS: '*' },
      Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG }, ArnLike: { 'aws:PrincipalArn': AnyscaleEcrOrganizationAccess.DEFAULT_ROLE_NAME_PATTERNS.map(p => `arn:aws:iam::*:role/${p}`) } },
    });
  });

  test('WHEN accounts and role-name patterns are given THEN the principals are the accounts\' roots, and the registry statement is limited alike', () => {
    // WHEN
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'Cache', {
      prefixes: ['quay'],
      grantee: OrganizationGrantee.accounts([NODE_ACCOUNT, THIRD_ACCOUNT]),
      roleNamePatterns: ['ray-autoscaler-v1'],
    });
    // THEN
    const [statement] = templates(stack)[0].policy.Statement;
    expect(statement.Principal).toEqual({ AWS: [`arn:aws:iam::${NODE_ACCOUNT}:root`, `arn:aws:iam::${THIRD_ACCOUNT}:root`] });
    expect(statement.Condition).toEqual({ ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/ray-autoscaler-v1'] } });
    const [warning] = Annotations.fromStack(stack).findWarning('*', Match.anyValue());
    expect(pastedStatement(warning.entry.data)).toMatchObject({
      Action: ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'],
      Resource: 'arn:aws:ecr:us-east-1:222222222222:repository/quay/*',
      Condition: { ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/ray-autoscaler-v1'] } },
    });
  });

  test('WHEN the stack is environment-agnostic THEN the pasted statement shows placeholders for what only deploy time knows', () => {
    const agnostic = stackIn(app, 'Agnostic');
    new AnyscaleEcrCreatedRepositoryAccess(agnostic, 'Cache', { prefixes: ['docker-hub'], grantee: OrganizationGrantee.organization(ORG) });
    const [warning] = Annotations.fromStack(agnostic).findWarning('*', Match.anyValue());
    expect(pastedStatement(warning.entry.data).Resource).toBe('arn:<partition>:ecr:<region>:<account>:repository/docker-hub/*');
    expect(warning.entry.data).toMatch(/registry policy of the account it is deployed to, its region/);
  });
});

describe('GIVEN prefixes of one app', () => {
  let roleCount = 0;
  const roles = (scope: Stack) => ({ roles: [nodeRole(scope, `NodeRole${roleCount++}`)] });

  test.each([
    ['the same prefix', 'docker-hub', 'docker-hub'],
    ['the same prefix with a trailing /', 'docker-hub', 'docker-hub/'],
  ])('WHEN two constructs of one registry have %s THEN the second fails, naming both and the fix', (_name, first, second) => {
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'First', { prefixes: [first], ...roles(stack) });
    const other = stackIn(app, 'Registry2', REGISTRY_ACCOUNT);
    expect(() => new AnyscaleEcrCreatedRepositoryAccess(other, 'Second', { prefixes: [second], ...roles(other) })).toThrow(
      new RegExp(`Registry2/Second: prefix '${second}' already has a creation template in account 222222222222, region us-east-1, ` +
        'from Registry/First\\. ECR keeps one template per prefix and registry.*Grant every node role of that prefix in one construct'));
  });

  test.each([
    ['another account', THIRD_ACCOUNT, REGION],
    ['another region', REGISTRY_ACCOUNT, 'eu-west-1'],
  ])('WHEN the same prefix is in %s THEN both are created (templates are per registry)', (_name, account, region) => {
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'First', { prefixes: ['docker-hub'], ...roles(stack) });
    const other = stackIn(app, 'Elsewhere', account, region);
    new AnyscaleEcrCreatedRepositoryAccess(other, 'Second', { prefixes: ['docker-hub'], ...roles(other) });
    Template.fromStack(other).resourceCountIs('AWS::ECR::RepositoryCreationTemplate', 1);
  });

  test.each([
    ['team', 'team/images', "repositories under 'team/images/' also fall under 'team/'"],
    ['team/images', 'team', "repositories under 'team/images/' also fall under 'team/'"],
    ['ROOT', 'docker-hub', "repositories under 'docker-hub/' also fall under ROOT"],
  ])('WHEN %s and %s nest THEN the later construct warns (ECR allows it, but applies one template per repository)', (first, second, detail) => {
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'First', { prefixes: [first], ...roles(stack), appliedFor: [RepositoryCreationScenario.REPLICATION] });
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'Second', { prefixes: [second], ...roles(stack), appliedFor: [RepositoryCreationScenario.REPLICATION] });
    Annotations.fromStack(stack).hasWarning('/Registry/Second', Match.stringLikeRegexp(
      `${escape(detail)}.*ECR gives a repository it creates the settings of one template.*${AnyscaleEcrAccessWarnings.NESTED_CREATION_TEMPLATE_PREFIX}`));
    Annotations.fromStack(stack).hasNoWarning('/Registry/First', Match.anyValue());
    Template.fromStack(stack).resourceCountIs('AWS::ECR::RepositoryCreationTemplate', 2);
  });

  test('WHEN prefixes only share characters (team, teams) THEN nothing is reported', () => {
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'Both', { prefixes: ['team', 'teams', 'team-b'], ...roles(stack), appliedFor: [RepositoryCreationScenario.REPLICATION] });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('WHEN the prefix is a token THEN it is neither checked nor compared', () => {
    const prefix = new CfnParameter(stack, 'Prefix').valueAsString;
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'A', { prefixes: [prefix, 'docker-hub'], ...roles(stack), appliedFor: [RepositoryCreationScenario.REPLICATION] });
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'B', { prefixes: [prefix], ...roles(stack), appliedFor: [RepositoryCreationScenario.REPLICATION] });
    Template.fromStack(stack).resourceCountIs('AWS::ECR::RepositoryCreationTemplate', 3);
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('GIVEN bad input THEN the error names the prop, the value and the fix', () => {
  const withRoles = (scope: Stack): AnyscaleEcrCreatedRepositoryAccessProps => ({ prefixes: ['docker-hub'], roles: [nodeRole(scope)] });

  test.each<[string, string, RegExp]>([
    ['capitals', 'Docker-Hub', /prefix has 'Docker-Hub' \(10 characters\), which is not a repository creation template prefix\. ECR takes .* Did you mean 'docker-hub'\?/],
    ['a leading /', '/docker-hub', /prefix has '\/docker-hub'.* Did you mean 'docker-hub'\?/],
    ['a wildcard', 'docker-hub/*', /prefix has 'docker-hub\/\*'.* A prefix has no wildcards/],
    ['ROOT in lowercase capitals mix', 'Root', /prefix has 'Root'.* Write 'ROOT' in capitals/],
    ['an empty string', '', /prefix has '' \(0 characters\)/],
    ['a double /', 'team//images', /prefix has 'team\/\/images'/],
    ['three underscores in a row', 'team___images', /prefix has 'team___images'/],
    ['two different separators in a row', 'team_-images', /prefix has 'team_-images'/],
    ['a trailing -', 'team-', /prefix has 'team-'/],
    ['257 characters', 'a'.repeat(257), /prefix has 'a{257}' \(257 characters\).*1 to 256 characters/],
  ])('a prefix with %s', (_name, prefix, message) => {
    expect(() => new AnyscaleEcrCreatedRepositoryAccess(stack, 'Cache', { ...withRoles(stack), prefixes: [prefix] }))
      .toThrow(new RegExp(`AnyscaleEcrCreatedRepositoryAccess Registry/Cache: ${message.source}`));
  });

  test.each<[string, (scope: Stack) => AnyscaleEcrCreatedRepositoryAccessProps, RegExp]>([
    ['an empty role list', () => ({ prefixes: ['docker-hub'], roles: [] }), /props\.roles is empty \(\[\]\), so no node role would be granted\. Pass the node roles/],
    ['both roles and grantee', scope => ({ ...withRoles(scope), grantee: OrganizationGrantee.organization(ORG) }), /give exactly one of props\.roles .* and props\.grantee \(both were given\)/],
    ['neither roles nor grantee', () => ({ prefixes: ['docker-hub'] }), /give exactly one of props\.roles .* \(neither was given\)/],
    ['role-name patterns with roles', scope => ({ ...withRoles(scope), roleNamePatterns: ['x'] }), /props\.roleNamePatterns \(\["x"\]\) applies only with props\.grantee/],
    ['an empty pattern list', () => ({ prefixes: ['q'], grantee: OrganizationGrantee.organization(ORG), roleNamePatterns: [] }), /props\.roleNamePatterns is empty \(\[\]\)\. Omit it/],
    ['a pattern that is no role name', () => ({ prefixes: ['q'], grantee: OrganizationGrantee.organization(ORG), roleNamePatterns: ['a:b'] }), /props\.roleNamePatterns has 'a:b'/],
    ['an empty appliedFor', scope => ({ ...withRoles(scope), appliedFor: [] }), /props\.appliedFor is empty \(\[\]\): ECR requires at least one scenario/],
    ['an appliedFor value that is no scenario', scope => ({ ...withRoles(scope), appliedFor: ['PULL' as RepositoryCreationScenario] }), /props\.appliedFor has 'PULL', which is not one of PULL_THROUGH_CACHE, REPLICATION, CREATE_ON_PUSH/],
    ['a session ARN as a role', scope => ({ prefixes: ['q'], roles: [iam.Role.fromRoleArn(scope, 'Session', `arn:aws:sts::${NODE_ACCOUNT}:assumed-role/nodes/i-0abc`)] }), /props\.roles\[0\] '.*' is not an IAM role ARN .*pass the role itself: arn:aws:iam::111111111111:role\/nodes/],
  ])('%s', (_name, props, message) => {
    expect(() => new AnyscaleEcrCreatedRepositoryAccess(stack, 'Cache', props(stack)))
      .toThrow(new RegExp(`AnyscaleEcrCreatedRepositoryAccess Registry/Cache: ${message.source}`));
  });

  test('no prefix by synthesis', () => {
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'Cache', { roles: [nodeRole(stack)] });
    expect(() => app.synth()).toThrow(/AnyscaleEcrCreatedRepositoryAccess Registry\/Cache: no prefix to grant .*call addPrefix/);
  });

  test('ROOT, lowercase root (an ordinary prefix) and an account token are accepted', () => {
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'Cache', { prefixes: ['ROOT', 'root/x'], roles: [nodeRole(stack, 'R', `arn:aws:iam::${Aws.ACCOUNT_ID}:role/n`)], appliedFor: [RepositoryCreationScenario.REPLICATION] });
    expect(templates(stack).map(t => t.prefix)).toEqual(['ROOT', 'root/x']);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

test('the registry-policy statement\'s Sid is a stable digest of the prefix and the grantee', () => {
  // GIVEN
  const registry = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
  // WHEN
  new AnyscaleEcrCreatedRepositoryAccess(registry, 'Cache', {
    prefixes: ['docker-hub'], roles: [AnyscaleNodeRole.fromCloudId(registry, 'Role', 'cld_abc123', { account: '111111111111' })],
  });
  new AnyscaleEcrCreatedRepositoryAccess(registry, 'Quay', {
    prefixes: ['quay'], grantee: OrganizationGrantee.organization('o-a1b2c3d4e5'), roleNamePatterns: ['*-cluster_node_role'],
  });
  // THEN
  const sids = Annotations.fromStack(registry).findWarning('*', Match.stringLikeRegexp(AnyscaleEcrAccessWarnings.REGISTRY_POLICY_NOT_APPLIED))
    .map(warning => (warning.entry.data as string).match(/AnyscaleEcrPullThroughCache[0-9A-F]+/)?.[0]);
  expect(sids).toEqual(['AnyscaleEcrPullThroughCache55A8FC23', 'AnyscaleEcrPullThroughCache292CCDF6']);
});

describe('messages, word for word', () => {
  const role = (s: Stack) => AnyscaleNodeRole.fromCloudId(s, 'MsgRole', 'cld_abc123', { account: NODE_ACCOUNT });
  const grantee = OrganizationGrantee.organization('o-a1b2c3d4e5');

  test.each([
    ['neither roles nor grantee', () => ({ prefixes: ['q'] }),
      "AnyscaleEcrCreatedRepositoryAccess Registry/Msg: give exactly one of props.roles (the node roles, by name) and props.grantee (neither was given). For example grantee: OrganizationGrantee.organization('o-...'), or roles: [AnyscaleNodeRole.fromRoleArn(this, 'NodeRole', '<role ARN>')]."],
    ['both roles and grantee', (s: Stack) => ({ prefixes: ['q'], roles: [role(s)], grantee }), '(both were given)'],
    ['an empty role list', () => ({ prefixes: ['q'], roles: [] }),
      "props.roles is empty ([]), so no node role would be granted. Pass the node roles, for example roles: [AnyscaleNodeRole.fromRoleArn(this, 'NodeRole', 'arn:aws:iam::111111111111:role/cld_abc123-cluster_node_role')], or grant" +
      "ee: OrganizationGrantee.organization('o-...') for every node role of an organization."],
    ['an empty appliedFor', (s: Stack) => ({ prefixes: ['q'], roles: [role(s)], appliedFor: [] }),
      'props.appliedFor is empty ([]): ECR requires at least one scenario. Omit it for the default (RepositoryCreationScenario.PULL_THROUGH_CACHE and REPLICATION).'],
  ] as Array<[string, (s: Stack) => AnyscaleEcrCreatedRepositoryAccessProps, string]>)('%s', (_name, props, message) => {
    const registry = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    expect(() => new AnyscaleEcrCreatedRepositoryAccess(registry, 'Msg', props(registry))).toThrow(message);
  });

  test('the nested-prefix warning', () => {
    const registry = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const appliedFor = [RepositoryCreationScenario.REPLICATION];
    new AnyscaleEcrCreatedRepositoryAccess(registry, 'Outer', { prefixes: ['team'], grantee, appliedFor });
    new AnyscaleEcrCreatedRepositoryAccess(registry, 'Inner', { prefixes: ['team/images'], grantee, appliedFor });
    const [warning] = Annotations.fromStack(registry).findWarning('/Registry/Inner', Match.anyValue());
    expect(warning.entry.data).toContain("The creation template of prefix 'team/images' overlaps the one of prefix 'team' (from " +
      "Registry/Outer) in account 222222222222, region us-east-1: repositories under 'team/images/' also fall under 'team/'. ECR " +
      'gives a repository it creates the settings of one template (ROOT only where no other template matches; for nested ' +
      'prefixes AWS does not document which), so those repositories get the policy of one of them only, not both. Grant the ' +
      "node roles of 'team' in the template of 'team/images' too, or use prefixes that do not nest.");
  });

  test('the registry-policy warning', () => {
    const registry = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    new AnyscaleEcrCreatedRepositoryAccess(registry, 'Cache', { prefixes: ['docker-hub'], roles: [role(registry)] });
    const [warning] = Annotations.fromStack(registry).findWarning('/Registry/Cache', Match.anyValue());
    expect(warning.entry.data).toMatch(new RegExp("^The first pull of an image under the pull-through cache prefix 'docker-hub' " +
      'creates its repository, which needs ecr:CreateRepository \\(and ecr:BatchImportUpstreamImage\\) for the node roles in ' +
      'the registry policy of .*: a repository policy cannot hold CreateRepository, since the repository does not exist yet\\. ' +
      'The registry policy is one document per registry and region, which CloudFormation \\(AWS::ECR::RegistryPolicy\\) would ' +
      'overwrite whole, so this construct does not write it\\..*The node accounts must also allow these two actions to their ' +
      'roles on .*\\. Until then, nodes of other accounts can pull only images the cache already holds\\.'));
  });
});

describe('appliedFor: the default leaves create-on-push off', () => {
  test('WHEN appliedFor is not given THEN the templates apply to pull-through cache and replication, not CREATE_ON_PUSH', () => {
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'Cache', { prefixes: ['docker-hub'], roles: [nodeRole(stack)] });
    expect(templates(stack).map(t => t.appliedFor)).toEqual([['PULL_THROUGH_CACHE', 'REPLICATION']]);
    expect(AnyscaleEcrCreatedRepositoryAccess.DEFAULT_APPLIED_FOR).toEqual([
      RepositoryCreationScenario.PULL_THROUGH_CACHE, RepositoryCreationScenario.REPLICATION,
    ]);
  });

  test('WHEN CREATE_ON_PUSH is asked for THEN the template lists it', () => {
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'Pushed', {
      prefixes: ['team/images'], roles: [nodeRole(stack)], appliedFor: [RepositoryCreationScenario.CREATE_ON_PUSH],
    });
    expect(templates(stack).map(t => t.appliedFor)).toEqual([['CREATE_ON_PUSH']]);
  });

  test.each([
    ['ALL_SCENARIOS', () => AnyscaleEcrCreatedRepositoryAccess.ALL_SCENARIOS],
    ['DEFAULT_APPLIED_FOR', () => AnyscaleEcrCreatedRepositoryAccess.DEFAULT_APPLIED_FOR],
  ])('%s is frozen: a change tried on it changes neither the default nor what is accepted', (_name, list) => {
    // WHEN
    try {
      list().push('BOGUS' as RepositoryCreationScenario);
    } catch {
      // frozen
    }
    try {
      list().splice(0, list().length, RepositoryCreationScenario.CREATE_ON_PUSH);
    } catch {
      // frozen
    }
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'Cache', { prefixes: ['docker-hub'], roles: [nodeRole(stack)] });
    // THEN
    expect(Object.isFrozen(list())).toBe(true);
    expect(templates(stack).map(t => t.appliedFor)).toEqual([['PULL_THROUGH_CACHE', 'REPLICATION']]);
    expect(() => new AnyscaleEcrCreatedRepositoryAccess(stack, 'Bogus', {
      prefixes: ['quay'], roles: [nodeRole(stack, 'Other')], appliedFor: ['BOGUS' as RepositoryCreationScenario],
    })).toThrow(/props\.appliedFor has 'BOGUS', which is not one of PULL_THROUGH_CACHE, REPLICATION, CREATE_ON_PUSH/);
  });
});

describe('settings every template gives the repositories ECR creates', () => {
  const LIFECYCLE = JSON.stringify({
    rules: [{
      rulePriority: 1,
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 },
      action: { type: 'expire' },
    }],
  });
  const KEY_ARN = `arn:aws:kms:${REGION}:${REGISTRY_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const ROLE_ARN = `arn:aws:iam::${REGISTRY_ACCOUNT}:role/ecr-template-role`;

  function resources(of: Stack): any[] {
    return Object.values<any>(Template.fromStack(of).findResources('AWS::ECR::RepositoryCreationTemplate')).map(r => r.Properties);
  }

  test('WHEN lifecycle policy, tag mutability, KMS key, tags and the custom role are given THEN every template has them', () => {
    // GIVEN
    const key = kms.Key.fromKeyArn(stack, 'Key', KEY_ARN);
    const customRole = iam.Role.fromRoleArn(stack, 'TemplateRole', ROLE_ARN);
    // WHEN
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'Cache', {
      prefixes: ['docker-hub', 'quay'],
      roles: [nodeRole(stack)],
      lifecyclePolicy: LIFECYCLE,
      imageTagMutability: ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION,
      imageTagMutabilityExclusionPatterns: ['latest', 'dev-*'],
      encryptionKey: key,
      resourceTags: { 'team': 'ml', 'cost-center': '1234' },
      customRole,
    });
    // THEN
    expect(resources(stack)).toEqual(['docker-hub', 'quay'].map(prefix => expect.objectContaining({
      Prefix: prefix,
      LifecyclePolicy: LIFECYCLE,
      ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      ImageTagMutabilityExclusionFilters: [
        { ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'latest' },
        { ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'dev-*' },
      ],
      EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: KEY_ARN },
      ResourceTags: [{ Key: 'team', Value: 'ml' }, { Key: 'cost-center', Value: '1234' }],
      CustomRoleArn: ROLE_ARN,
    })));
  });

  test('WHEN none is given THEN the templates carry none of them (ECR\'s defaults)', () => {
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'Cache', { prefixes: ['docker-hub'], roles: [nodeRole(stack)] });
    expect(Object.keys(resources(stack)[0]).sort()).toEqual(['AppliedFor', 'Description', 'Prefix', 'RepositoryPolicy']);
  });

  test.each([
    ['AES256 alone (no role needed)', { encryption: ecr.RepositoryEncryption.AES_256 }, { EncryptionType: 'AES256' }],
    ['KMS with the AWS managed key and a role', { encryption: ecr.RepositoryEncryption.KMS, role: true }, { EncryptionType: 'KMS' }],
    ['KMS_DSSE with a key and a role', { encryption: ecr.RepositoryEncryption.KMS_DSSE, key: true, role: true }, { EncryptionType: 'KMS_DSSE', KmsKey: KEY_ARN }],
  ])('encryption: %s', (_name, given, rendered) => {
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'Cache', {
      prefixes: ['docker-hub'],
      roles: [nodeRole(stack)],
      encryption: given.encryption,
      encryptionKey: 'key' in given ? kms.Key.fromKeyArn(stack, 'Key', KEY_ARN) : undefined,
      customRole: 'role' in given ? iam.Role.fromRoleArn(stack, 'TemplateRole', ROLE_ARN) : undefined,
    });
    expect(resources(stack)[0].EncryptionConfiguration).toEqual(rendered);
  });

  test('a key and a role the app defines in the registry stack are referenced', () => {
    const key = new kms.Key(stack, 'Key');
    const customRole = new iam.Role(stack, 'TemplateRole', { assumedBy: new iam.ServicePrincipal('ecr.amazonaws.com') });
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'Cache', { prefixes: ['docker-hub'], roles: [nodeRole(stack)], encryptionKey: key, customRole });
    const [template] = resources(stack);
    expect(template.EncryptionConfiguration).toEqual({ EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } });
    expect(template.CustomRoleArn).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(customRole.node.defaultChild as iam.CfnRole), 'Arn'] });
  });

  test('deploy-time values are passed through unchecked', () => {
    const lifecyclePolicy = new CfnParameter(stack, 'Lifecycle').valueAsString;
    const tagValue = new CfnParameter(stack, 'Team').valueAsString;
    const tagKey = new CfnParameter(stack, 'TagKey').valueAsString;
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'Cache', {
      prefixes: ['docker-hub'],
      roles: [nodeRole(stack)],
      lifecyclePolicy,
      resourceTags: { team: tagValue, [tagKey]: 'ml' },
      customRole: iam.Role.fromRoleArn(stack, 'TemplateRole', `arn:aws:iam::${Aws.ACCOUNT_ID}:role/ecr-template-role`),
    });
    const [template] = resources(stack);
    expect(template.LifecyclePolicy).toEqual({ Ref: 'Lifecycle' });
    expect(template.ResourceTags).toEqual([{ Key: 'team', Value: { Ref: 'Team' } }, { Key: { Ref: 'TagKey' }, Value: 'ml' }]);
  });

  describe('bad settings: the error names the prop, the value and the fix', () => {
    const key = (s: Stack, arn = KEY_ARN) => kms.Key.fromKeyArn(s, 'Key', arn);
    const role = (s: Stack, arn = ROLE_ARN) => iam.Role.fromRoleArn(s, 'TemplateRole', arn);
    test.each<[string, (s: Stack) => Partial<AnyscaleEcrCreatedRepositoryAccessProps>, string]>([
      ['a lifecycle policy that is not JSON', () => ({ lifecyclePolicy: 'expire untagged after 14 days' }),
        'props.lifecyclePolicy is not JSON ("expire untagged after 14 days"). Pass the text of an ECR lifecycle policy'],
      ['a lifecycle policy without rules', () => ({ lifecyclePolicy: JSON.stringify({ rules: [], description: 'x'.repeat(100) }) }),
        'has no rules: ECR requires an object with a non-empty "rules" list'],
      ['a lifecycle policy that is a list', () => ({ lifecyclePolicy: JSON.stringify([LIFECYCLE]) }), 'has no rules'],
      ['a lifecycle policy shorter than CloudFormation takes', () => ({ lifecyclePolicy: '{"rules":[{"rulePriority":1}]}' }),
        'props.lifecyclePolicy is 30 characters; a creation template takes 100 to 30720'],
      ['a lifecycle policy longer than CloudFormation takes', () => ({
        lifecyclePolicy: JSON.stringify({ rules: [{ rulePriority: 1, description: 'x'.repeat(30720) }] }),
      }), 'a creation template takes 100 to 30720'],
      ['a tag mutability that is not one', () => ({ imageTagMutability: 'FROZEN' as ecr.TagMutability }),
        "props.imageTagMutability is 'FROZEN', which is not one of MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION"],
      ['WITH_EXCLUSION without patterns', () => ({ imageTagMutability: ecr.TagMutability.MUTABLE_WITH_EXCLUSION }),
        'props.imageTagMutability MUTABLE_WITH_EXCLUSION needs props.imageTagMutabilityExclusionPatterns'],
      ['patterns without WITH_EXCLUSION', () => ({ imageTagMutability: ecr.TagMutability.IMMUTABLE, imageTagMutabilityExclusionPatterns: ['x'] }),
        'props.imageTagMutabilityExclusionPatterns (["x"]) applies only with imageTagMutability IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION, not IMMUTABLE'],
      ['patterns without any mutability', () => ({ imageTagMutabilityExclusionPatterns: ['x'] }), 'not the default (MUTABLE)'],
      ['six patterns', () => ({ imageTagMutability: ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION, imageTagMutabilityExclusionPatterns: ['a', 'b', 'c', 'd', 'e', 'f'] }),
        'props.imageTagMutabilityExclusionPatterns has 6 patterns; ECR takes 1 to 5'],
      ['no patterns', () => ({ imageTagMutability: ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION, imageTagMutabilityExclusionPatterns: [] }),
        'has 0 patterns; ECR takes 1 to 5'],
      ['a pattern with a character ECR rejects', () => ({ imageTagMutability: ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION, imageTagMutabilityExclusionPatterns: ['v1/*'] }),
        "props.imageTagMutabilityExclusionPatterns has 'v1/*', which is not a tag pattern"],
      ['KMS without a custom role', () => ({ encryption: ecr.RepositoryEncryption.KMS }),
        'props.encryption KMS needs props.customRole: ECR creates repositories with KMS encryption or tags only with a custom role of the registry account'],
      ['a key without a custom role', s => ({ encryptionKey: key(s) }), 'props.encryption KMS needs props.customRole'],
      ['tags without a custom role', () => ({ resourceTags: { team: 'ml' } }), 'props.resourceTags needs props.customRole'],
      ['an encryption type ECR does not know', () => ({
        encryption: new (class extends ecr.RepositoryEncryption {
          constructor() {
            super('SSE-C');
          }
        })(),
      }), "props.encryption is 'SSE-C', which is not one of AES256, KMS, KMS_DSSE"],
      ['a key with AES256', s => ({ encryption: ecr.RepositoryEncryption.AES_256, encryptionKey: key(s), customRole: role(s) }),
        'props.encryptionKey is given, but props.encryption is AES256, which uses no KMS key'],
      ['an alias as the key', s => ({ encryptionKey: key(s, `arn:aws:kms:${REGION}:${REGISTRY_ACCOUNT}:alias/ecr`), customRole: role(s) }),
        `props.encryptionKey is 'arn:aws:kms:${REGION}:${REGISTRY_ACCOUNT}:alias/ecr', which is not the ARN of a KMS key (an alias is not accepted`],
      ['a key of another region', s => ({ encryptionKey: key(s, KEY_ARN.replace(REGION, 'eu-west-1')), customRole: role(s) }),
        `is in region eu-west-1, but ECR creates the repositories in ${REGION}`],
      ['no tags', s => ({ resourceTags: {}, customRole: role(s) }), 'props.resourceTags has 0 tags; a creation template takes 1 to 50. Leave resourceTags out for none.'],
      ['51 tags', s => ({ resourceTags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])), customRole: role(s) }),
        'props.resourceTags has 51 tags; a creation template takes 1 to 50'],
      ['a tag key starting with aws:', s => ({ resourceTags: { 'AWS:team': 'ml' }, customRole: role(s) }),
        "props.resourceTags has the key 'AWS:team' (8 characters); ECR takes keys of 1 to 128 characters that do not start with 'aws:'"],
      ['a tag key of 129 characters', s => ({ resourceTags: { ['k'.repeat(129)]: 'v' }, customRole: role(s) }), '(129 characters); ECR takes keys of 1 to 128'],
      ['an empty tag key', s => ({ resourceTags: { '': 'v' }, customRole: role(s) }), "has the key '' (0 characters)"],
      ['a tag value of 257 characters', s => ({ resourceTags: { team: 'v'.repeat(257) }, customRole: role(s) }),
        "props.resourceTags['team'] is 257 characters; ECR takes values of at most 256"],
      ['a tag value of 257 characters under a deploy-time key', s => ({
        resourceTags: { [new CfnParameter(s, 'Key').valueAsString]: 'v'.repeat(257) }, customRole: role(s),
      }), 'is 257 characters; ECR takes values of at most 256'],
      ['a custom role with a path', s => ({ resourceTags: { team: 'ml' }, customRole: role(s, `arn:aws:iam::${REGISTRY_ACCOUNT}:role/ecr/template-role`) }),
        "has an IAM path; a creation template takes a role of the path '/'"],
      ['a custom role of another account', s => ({ resourceTags: { team: 'ml' }, customRole: role(s, `arn:aws:iam::${NODE_ACCOUNT}:role/template-role`) }),
        `props.customRole 'arn:aws:iam::${NODE_ACCOUNT}:role/template-role' is in account ${NODE_ACCOUNT}, but the templates are in the registry of account ${REGISTRY_ACCOUNT}`],
      ['a custom role the app defines in another account', () => ({
        resourceTags: { team: 'ml' },
        customRole: new iam.Role(stackIn(app, 'Node', NODE_ACCOUNT), 'TemplateRole', { assumedBy: new iam.ServicePrincipal('ecr.amazonaws.com') }),
      }), `props.customRole Node/TemplateRole is in account ${NODE_ACCOUNT}, but the templates are in the registry of account ${REGISTRY_ACCOUNT}`],
      ['a session ARN as the custom role', s => ({ resourceTags: { team: 'ml' }, customRole: role(s, `arn:aws:sts::${REGISTRY_ACCOUNT}:assumed-role/t/s`) }),
        'props.customRole \'arn:aws:sts::222222222222:assumed-role/t/s\' is not an IAM role ARN'],
    ])('%s', (_name, settings, message) => {
      const build = () => new AnyscaleEcrCreatedRepositoryAccess(stack, 'Cache', { prefixes: ['docker-hub'], roles: [nodeRole(stack)], ...settings(stack) });
      // Every message starts by naming the prop.
      expect(build).toThrow(new RegExp(`^AnyscaleEcrCreatedRepositoryAccess Registry/Cache: (?=props\\.)[^]*${escape(message)}`));
    });

    test('a lifecycle policy of exactly 100 and exactly 30,720 characters is accepted', () => {
      const sized = (length: number) => {
        const base = JSON.stringify({ rules: [{ rulePriority: 1, description: '' }] });
        return JSON.stringify({ rules: [{ rulePriority: 1, description: 'x'.repeat(length - base.length) }] });
      };
      expect(sized(100)).toHaveLength(100);
      expect(sized(30720)).toHaveLength(30720);
      new AnyscaleEcrCreatedRepositoryAccess(stack, 'A', { prefixes: ['a'], roles: [nodeRole(stack)], lifecyclePolicy: sized(100) });
      new AnyscaleEcrCreatedRepositoryAccess(stack, 'B', { prefixes: ['b'], roles: [nodeRole(stack, 'R2')], lifecyclePolicy: sized(30720) });
      expect(resources(stack).map(t => t.LifecyclePolicy.length)).toEqual([100, 30720]);
    });
  });
});

describe('ECR\'s own name rules for prefixes, not stricter ones', () => {
  test.each([
    ['double underscores and runs of -', 'team__ml/ray--images'],
    ['a run of three -', 'team---images'],
    ['a trailing / after such a name', 'team__ml/'],
  ])('a prefix with %s (%s) is accepted, as ECR and CloudFormation accept it', (_name, prefix) => {
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'Cache', { prefixes: [prefix], roles: [nodeRole(stack)], appliedFor: [RepositoryCreationScenario.REPLICATION] });
    expect(templates(stack).map(t => t.prefix)).toEqual([prefix]);
  });
});

describe('logical ids of the templates follow their prefixes, not their position', () => {
  function logicalIds(prefixes: string[], app2 = new App()): Record<string, string> {
    const registry = stackIn(app2, 'Registry', REGISTRY_ACCOUNT);
    new AnyscaleEcrCreatedRepositoryAccess(registry, 'Cached', { prefixes, roles: [nodeRole(registry)] });
    const resources = Template.fromStack(registry).findResources('AWS::ECR::RepositoryCreationTemplate');
    return Object.fromEntries(Object.entries<any>(resources).map(([id, r]) => [r.Properties.Prefix, id]));
  }

  test('removing the first of three prefixes leaves the logical ids of the others unchanged (no replacement, no collision)', () => {
    // GIVEN
    const before = logicalIds(['docker-hub', 'quay', 'ghcr']);
    // WHEN
    const after = logicalIds(['quay', 'ghcr']);
    // THEN
    expect(after).toEqual({ quay: before.quay, ghcr: before.ghcr });
    expect(new Set(Object.values(before)).size).toBe(3);
  });

  test('adding a prefix in front or reordering moves no template', () => {
    const before = logicalIds(['quay', 'ghcr']);
    expect(logicalIds(['ghcr', 'docker-hub', 'quay'])).toMatchObject(before);
  });

  test('prefixes that differ only in separators or case get distinct, valid logical ids', () => {
    const ids = logicalIds(['team/a', 'team-a', 'team--a', 'team_a', 'team__a', 'team.a', 'ROOT', 'root', 'x'.repeat(256)]);
    expect(new Set(Object.values(ids)).size).toBe(9);
    for (const id of Object.values(ids)) {
      expect(id).toMatch(/^[A-Za-z][A-Za-z0-9]{0,254}$/);
    }
  });

  test('the same prefix with and without a trailing / is one template', () => {
    expect(Object.values(logicalIds(['team', 'team/']))).toHaveLength(1);
  });

  test('prefixes that are tokens are numbered in the order they are added', () => {
    const registry = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const first = new CfnParameter(registry, 'First').valueAsString;
    const second = new CfnParameter(registry, 'Second').valueAsString;
    const access = new AnyscaleEcrCreatedRepositoryAccess(registry, 'Cached', { prefixes: [first, 'quay', second], roles: [nodeRole(registry)] });
    expect(access.node.children.map(child => child.node.id).filter(id => id.startsWith('Template'))).toEqual([
      'TemplateOfToken0', 'Template quay', 'TemplateOfToken1',
    ]);
  });
});

describe('the app\'s creation-template prefixes are kept in the construct tree', () => {
  test('a child of the app\'s root, without resources, holds them; apps do not see each other\'s prefixes', () => {
    // GIVEN two apps with the same prefix in the same registry
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'First', { prefixes: ['docker-hub'], roles: [nodeRole(stack)] });
    const other = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    new AnyscaleEcrCreatedRepositoryAccess(other, 'First', { prefixes: ['docker-hub'], roles: [nodeRole(other)] });
    // THEN
    expect(app.node.tryFindChild('AnyscaleEcrCreationTemplatePrefixes')).toBeDefined();
    expect(app.node.findAll().filter(c => c.node.id === 'AnyscaleEcrCreationTemplatePrefixes')).toHaveLength(1);
    expect(Template.fromStack(stack).toJSON().Resources).not.toHaveProperty('AnyscaleEcrCreationTemplatePrefixes');
    Template.fromStack(other).resourceCountIs('AWS::ECR::RepositoryCreationTemplate', 1);
  });

  test('two environment-agnostic stacks count as one registry (CDK deploys them to one environment); a stack of an explicit environment is another', () => {
    // GIVEN
    const agnosticApp = new App();
    const first = stackIn(agnosticApp, 'AgnosticOne');
    const second = stackIn(agnosticApp, 'AgnosticTwo');
    const explicit = stackIn(agnosticApp, 'Explicit', REGISTRY_ACCOUNT);
    new AnyscaleEcrCreatedRepositoryAccess(first, 'First', { prefixes: ['docker-hub'], roles: [nodeRole(first)] });
    // THEN
    expect(() => new AnyscaleEcrCreatedRepositoryAccess(second, 'Second', { prefixes: ['docker-hub'], roles: [nodeRole(second)] }))
      .toThrow(/prefix 'docker-hub' already has a creation template in the account it is deployed to, its region/);
    expect(() => new AnyscaleEcrCreatedRepositoryAccess(explicit, 'Third', { prefixes: ['docker-hub'], roles: [nodeRole(explicit)] })).not.toThrow();
  });

  test('a stack made without an app keeps them under its root (the app CDK makes for it)', () => {
    const lone = new Stack(undefined, 'Lone', { env: { account: REGISTRY_ACCOUNT, region: REGION } });
    new AnyscaleEcrCreatedRepositoryAccess(lone, 'First', { prefixes: ['docker-hub'], roles: [nodeRole(lone)] });
    expect(() => new AnyscaleEcrCreatedRepositoryAccess(lone, 'Second', { prefixes: ['docker-hub'], roles: [nodeRole(lone, 'R2')] }))
      .toThrow(/prefix 'docker-hub' already has a creation template/);
    expect(lone.node.root.node.tryFindChild('AnyscaleEcrCreationTemplatePrefixes')).toBeDefined();
  });
});

describe('an organizational-unit grantee', () => {
  test('WHEN granted THEN the template\'s statement and the registry-policy statement are limited to the OU paths', () => {
    const OU = `${ORG}/r-ab12/ou-ab12-11111111/`;
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'Cache', { prefixes: ['docker-hub'], grantee: OrganizationGrantee.organizationalUnits(ORG, [OU]) });
    const [statement] = templates(stack)[0].policy.Statement;
    expect(statement.Condition).toEqual({
      'ArnLike': { 'aws:PrincipalArn': AnyscaleEcrOrganizationAccess.DEFAULT_ROLE_NAME_PATTERNS.map(p => `arn:aws:iam::*:role/${p}`) },
      'StringEquals': { 'aws:PrincipalOrgID': ORG },
      'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': [`${OU}*`] },
    });
    const [warning] = Annotations.fromStack(stack).findWarning('*', Match.anyValue());
    expect(pastedStatement(warning.entry.data).Condition['ForAnyValue:StringLike']).toEqual({ 'aws:PrincipalOrgPaths': [`${OU}*`] });
  });
});
