import { App, Aws, CfnParameter, Annotations as CoreAnnotations, PhysicalName, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
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
      AppliedFor: ['PULL_THROUGH_CACHE', 'REPLICATION', 'CREATE_ON_PUSH'],
      RepositoryPolicy: Match.anyValue(),
    });
    expect(templates(stack)).toEqual(['docker-hub', 'ecr-public'].map(prefix => ({
      prefix,
      appliedFor: ['PULL_THROUGH_CACHE', 'REPLICATION', 'CREATE_ON_PUSH'],
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
    Template.fromStack(stack).hasResource('AWS::IAM::Role', { DependsOn: [Match.stringLikeRegexp('^CacheTemplate0')] });
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
      'props.appliedFor is empty ([]): ECR requires at least one scenario. Omit it for all three (RepositoryCreationScenario.PULL_THROUGH_CACHE, REPLICATION and CREATE_ON_PUSH).'],
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
