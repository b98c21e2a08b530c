import { createHash } from 'crypto';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { App, Aws, CfnParameter, CfnResource, Fn, Stack, Validations } from 'aws-cdk-lib/core';
import { AnyscaleEcrAccess, AnyscaleEcrAccessWarnings, AnyscaleEcrOrganizationAccess, AnyscaleNodeRole, OrganizationGrantee } from '../lib';
import { acknowledgements } from './support/acknowledgements';
import { AwsSolutionsChecks } from './support/cdk-nag';
import { awsPrincipals, REGISTRY_ACCOUNT, repositoryStatements, stackIn } from './support/stacks';

const ORG = 'o-a1b2c3d4e5';
const rolePattern = (pattern: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::*:role/${pattern}`]] });
const NODE_ROLE_PATTERN = rolePattern('*-cluster_node_role');
const DEFAULT_PATTERNS = ['*-cluster_node_role', '*-cluster-node-role', 'anyscale-cluster-node-*', '*/anyscale-cluster-node-*', 'ray-autoscaler-v1'];

let stack: Stack;
let repository: ecr.Repository;
beforeEach(() => {
  stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
  repository = new ecr.Repository(stack, 'Images');
});

test('an organization grant: principal * limited by aws:PrincipalOrgID and the node role name pattern', () => {
  // WHEN
  new AnyscaleEcrOrganizationAccess(stack, 'AllClouds', { repositories: [repository], grantee: OrganizationGrantee.organization(ORG) });
  // THEN
  const statements = repositoryStatements(Template.fromStack(stack));
  expect(statements).toEqual([{
    Sid: expect.stringMatching(/^AnyscaleEcrPullOrg[0-9A-F]{8}$/),
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: AnyscaleEcrAccess.PULL_ACTIONS,
    Condition: {
      ArnLike: { 'aws:PrincipalArn': DEFAULT_PATTERNS.map(rolePattern) },
      StringEquals: { 'aws:PrincipalOrgID': ORG },
    },
  }]);
});

test('an account list grant: the accounts\' roots as principals, limited by the role name patterns', () => {
  // WHEN
  new AnyscaleEcrOrganizationAccess(stack, 'Clouds', {
    repositories: [repository],
    grantee: OrganizationGrantee.accounts(['111111111111', '333333333333']),
    roleNamePatterns: ['*-cluster_node_role', 'ray-autoscaler-v1'],
  });
  // THEN
  const [statement] = repositoryStatements(Template.fromStack(stack));
  expect(awsPrincipals(statement)).toEqual(['111111111111', '333333333333'].map(account =>
    ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:root`]] })));
  expect(statement.Condition).toEqual({
    ArnLike: {
      'aws:PrincipalArn': [NODE_ROLE_PATTERN,
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/ray-autoscaler-v1']] }],
    },
  });
});

test('DEFAULT_ROLE_NAME_PATTERNS are the five named patterns, one per source, and include ray-autoscaler-v1', () => {
  expect(AnyscaleEcrOrganizationAccess.DEFAULT_ROLE_NAME_PATTERNS).toEqual([
    AnyscaleEcrOrganizationAccess.CLI_ROLE_NAME_PATTERN, AnyscaleEcrOrganizationAccess.TERRAFORM_COMMON_NAME_ROLE_NAME_PATTERN,
    AnyscaleEcrOrganizationAccess.TERRAFORM_PREFIX_ROLE_NAME_PATTERN, AnyscaleEcrOrganizationAccess.TERRAFORM_PREFIX_UNDER_PATH_ROLE_NAME_PATTERN,
    AnyscaleEcrOrganizationAccess.RAY_AUTOSCALER_ROLE_NAME_PATTERN,
  ]);
  expect(AnyscaleEcrOrganizationAccess.DEFAULT_ROLE_NAME_PATTERNS).toEqual(DEFAULT_PATTERNS);
});

test('EKS_NODE_ROLE_NAME_PATTERNS are the five named EKS patterns, and none of them is in the default', () => {
  expect(AnyscaleEcrOrganizationAccess.EKS_NODE_ROLE_NAME_PATTERNS).toEqual([
    AnyscaleEcrOrganizationAccess.EKS_TERRAFORM_NODE_GROUP_ROLE_NAME_PATTERN, AnyscaleEcrOrganizationAccess.EKSCTL_NODE_ROLE_NAME_PATTERN,
    AnyscaleEcrOrganizationAccess.KARPENTER_GUIDE_NODE_ROLE_NAME_PATTERN,
    AnyscaleEcrOrganizationAccess.EKS_TERRAFORM_KARPENTER_NODE_ROLE_NAME_PATTERN, AnyscaleEcrOrganizationAccess.HYPERPOD_EXECUTION_ROLE_NAME_PATTERN,
  ]);
  expect(AnyscaleEcrOrganizationAccess.EKS_NODE_ROLE_NAME_PATTERNS).toEqual([
    '*-eks-node-group-*', 'eksctl-*-nodegroup-*-NodeInstanceRole-*', 'KarpenterNodeRole-*', 'Karpenter-*', '*-SMHP-Exec-Role-*',
  ]);
  expect(AnyscaleEcrOrganizationAccess.EKS_NODE_ROLE_NAME_PATTERNS.filter(p => DEFAULT_PATTERNS.includes(p))).toEqual([]);
});

test('the EKS patterns are granted beside the default when asked for', () => {
  // WHEN
  new AnyscaleEcrOrganizationAccess(stack, 'Eks', {
    grantee: OrganizationGrantee.organization(ORG),
    repositories: [repository],
    roleNamePatterns: [...AnyscaleEcrOrganizationAccess.DEFAULT_ROLE_NAME_PATTERNS, ...AnyscaleEcrOrganizationAccess.EKS_NODE_ROLE_NAME_PATTERNS],
  });
  // THEN
  expect(repositoryStatements(Template.fromStack(stack))[0].Condition.ArnLike['aws:PrincipalArn'])
    .toEqual([...DEFAULT_PATTERNS, ...AnyscaleEcrOrganizationAccess.EKS_NODE_ROLE_NAME_PATTERNS].map(rolePattern));
});

test('the deprecated single DEFAULT_ROLE_NAME_PATTERN is gone (the package was never released with it)', () => {
  expect(Object.getOwnPropertyNames(AnyscaleEcrOrganizationAccess)).not.toContain('DEFAULT_ROLE_NAME_PATTERN');
});

describe('public lists cannot change later grants', () => {
  /** Changes a list as a caller might, in JavaScript (a frozen list throws in strict mode) or in another language. */
  function tamper(list: string[], value: string): void {
    try {
      list.push(value);
    } catch {
      // a frozen list: nothing changed
    }
    try {
      list[0] = value;
    } catch {
      // idem
    }
  }

  test.each([
    ['DEFAULT_ROLE_NAME_PATTERNS', () => AnyscaleEcrOrganizationAccess.DEFAULT_ROLE_NAME_PATTERNS],
    ['EKS_NODE_ROLE_NAME_PATTERNS', () => AnyscaleEcrOrganizationAccess.EKS_NODE_ROLE_NAME_PATTERNS],
  ])('%s is frozen, and a change tried on it leaves the default grant as it was', (_name, list) => {
    // WHEN
    tamper(list(), '*');
    new AnyscaleEcrOrganizationAccess(stack, 'AllClouds', { grantee: OrganizationGrantee.organization(ORG), repositories: [repository] });
    // THEN
    expect(Object.isFrozen(list())).toBe(true);
    expect(list()).not.toContain('*');
    expect(repositoryStatements(Template.fromStack(stack))[0].Condition.ArnLike['aws:PrincipalArn']).toEqual(DEFAULT_PATTERNS.map(rolePattern));
  });

  test('the caller\'s own pattern list changed after the construct was made does not change a later addRepository', () => {
    // GIVEN
    const patterns = ['*-cluster_node_role'];
    const access = new AnyscaleEcrOrganizationAccess(stack, 'AllClouds', { grantee: OrganizationGrantee.organization(ORG), roleNamePatterns: patterns });
    // WHEN
    patterns.push('*');
    access.addRepository(repository);
    // THEN
    expect(repositoryStatements(Template.fromStack(stack))[0].Condition.ArnLike['aws:PrincipalArn']).toEqual([NODE_ROLE_PATTERN]);
  });

  test('a grantee\'s account list is frozen: a change tried on it grants no other account', () => {
    // GIVEN
    const grantee = OrganizationGrantee.accounts(['111111111111']);
    // WHEN
    tamper(grantee.accountIds!, '999999999999');
    new AnyscaleEcrOrganizationAccess(stack, 'Accounts', { grantee, repositories: [repository] });
    // THEN
    expect(awsPrincipals(repositoryStatements(Template.fromStack(stack))[0])).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] },
    ]);
  });
});

describe('terraformNamePrefixPattern (Anyscale\'s Terraform modules with common_prefix or a node role name prefix)', () => {
  test('the prefix followed by one ? for each of the 26 characters Terraform appends', () => {
    expect(AnyscaleEcrOrganizationAccess.terraformNamePrefixPattern('ml-prod-')).toBe(`ml-prod-${'?'.repeat(26)}`);
  });

  test('granted with the default patterns, in the statement', () => {
    new AnyscaleEcrOrganizationAccess(stack, 'AllClouds', {
      grantee: OrganizationGrantee.organization(ORG),
      repositories: [repository],
      roleNamePatterns: [...AnyscaleEcrOrganizationAccess.DEFAULT_ROLE_NAME_PATTERNS, AnyscaleEcrOrganizationAccess.terraformNamePrefixPattern('ml-prod-')],
    });
    expect(repositoryStatements(Template.fromStack(stack))[0].Condition.ArnLike['aws:PrincipalArn'])
      .toEqual([...DEFAULT_PATTERNS, `ml-prod-${'?'.repeat(26)}`].map(rolePattern));
  });

  test.each([
    ['an empty prefix', '', "namePrefix '' (0 characters)"],
    ['a prefix too long for IAM\'s 64 characters with the suffix', 'a'.repeat(39), `namePrefix '${'a'.repeat(39)}' (39 characters) is not a prefix Terraform can name a role with: 1 to 38 characters`],
    ['a wildcard', 'ml-*', "namePrefix 'ml-*' (4 characters)"],
  ])('%s: throws naming the value and the rule', (_name, prefix, message) => {
    expect(() => AnyscaleEcrOrganizationAccess.terraformNamePrefixPattern(prefix)).toThrow(`AnyscaleEcrOrganizationAccess.terraformNamePrefixPattern: ${message}`);
  });

  test('a prefix of 38 characters and a deploy-time prefix are accepted', () => {
    expect(AnyscaleEcrOrganizationAccess.terraformNamePrefixPattern('a'.repeat(38))).toHaveLength(64);
    const prefix = new CfnParameter(stack, 'Prefix').valueAsString;
    expect(AnyscaleEcrOrganizationAccess.terraformNamePrefixPattern(prefix)).toBe(`${prefix}${'?'.repeat(26)}`);
  });
});

test('a pattern with a path is accepted and written after role/', () => {
  // WHEN
  new AnyscaleEcrOrganizationAccess(stack, 'Teams', {
    grantee: OrganizationGrantee.accounts(['111111111111']), repositories: [repository], roleNamePatterns: ['anyscale/*'],
  });
  // THEN
  expect(repositoryStatements(Template.fromStack(stack))[0].Condition.ArnLike['aws:PrincipalArn']).toEqual([rolePattern('anyscale/*')]);
});

test('the policy does not grow with the number of clouds, and one grant twice is written once', () => {
  // WHEN
  new AnyscaleEcrOrganizationAccess(stack, 'A', { repositories: [repository], grantee: OrganizationGrantee.organization(ORG) });
  new AnyscaleEcrOrganizationAccess(stack, 'B', { repositories: [repository], grantee: OrganizationGrantee.organization(ORG) });
  // THEN
  expect(repositoryStatements(Template.fromStack(stack))).toHaveLength(1);
});

test('sits beside the per-role statement of AnyscaleEcrAccess', () => {
  // WHEN
  new AnyscaleEcrOrganizationAccess(stack, 'AllClouds', { repositories: [repository], grantee: OrganizationGrantee.organization(ORG) });
  new AnyscaleEcrAccess(stack, 'OneCloud', {
    role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123', { account: '111111111111' }),
    repositories: [repository],
  });
  // THEN
  expect(repositoryStatements(Template.fromStack(stack)).map(s => s.Sid)).toEqual([
    expect.stringMatching(/^AnyscaleEcrPullOrg/), 'AnyscaleEcrPull',
  ]);
});

test('acknowledges nothing on the user\'s repository by default', () => {
  new AnyscaleEcrOrganizationAccess(stack, 'AllClouds', { repositories: [repository], grantee: OrganizationGrantee.organization(ORG) });
  expect(acknowledgements(stack)).toEqual({});
});

test('acknowledges cdk-nag AwsSolutions-ECR1 (the * principal) on the repository, with the reason, when asked to', () => {
  // WHEN
  new AnyscaleEcrOrganizationAccess(stack, 'AllClouds', { repositories: [repository], grantee: OrganizationGrantee.organization(ORG), acknowledgeNagOpenAccessFinding: true });
  // THEN
  expect(acknowledgements(stack)).toEqual({
    'Registry/Images': {
      'AwsSolutions-ECR1': 'The principal * is limited to one AWS Organization (aws:PrincipalOrgID) and to node role names ' +
        '(aws:PrincipalArn): granted by AnyscaleEcrOrganizationAccess (acknowledgeNagOpenAccessFinding: true).',
    },
  });
});

test('an account list grant names account roots, not *, so it acknowledges nothing', () => {
  // WHEN
  new AnyscaleEcrOrganizationAccess(stack, 'Accounts', { repositories: [repository], grantee: OrganizationGrantee.accounts(['111111111111']) });
  // THEN
  expect(acknowledgements(stack)).toEqual({});
});

test('different grants on one repository get separate statements', () => {
  // WHEN
  new AnyscaleEcrOrganizationAccess(stack, 'OrgA', { repositories: [repository], grantee: OrganizationGrantee.organization(ORG) });
  new AnyscaleEcrOrganizationAccess(stack, 'OrgB', { repositories: [repository], grantee: OrganizationGrantee.organization('o-f6g7h8i9j0') });
  new AnyscaleEcrOrganizationAccess(stack, 'OrgARay', { repositories: [repository], grantee: OrganizationGrantee.organization(ORG), roleNamePatterns: ['ray-autoscaler-v1'] });
  // THEN
  const sids = repositoryStatements(Template.fromStack(stack)).map(statement => statement.Sid);
  expect(new Set(sids).size).toBe(3);
});

test('an imported repository: a warning with the statement to add', () => {
  // WHEN
  new AnyscaleEcrOrganizationAccess(stack, 'AllClouds', {
    repositories: [ecr.Repository.fromRepositoryName(stack, 'Old', 'old-images')],
    grantee: OrganizationGrantee.organization(ORG),
  });
  // THEN
  Annotations.fromStack(stack).hasWarning('/Registry/AllClouds', Match.stringLikeRegexp(
    `Repository old-images is imported.*aws:PrincipalOrgID.*${AnyscaleEcrAccessWarnings.REPOSITORY_POLICY_NOT_APPLIED}`));
  const [warning] = Annotations.fromStack(stack).findWarning('/Registry/AllClouds', Match.anyValue());
  expect(warning.entry.data).toMatch(new RegExp('^Repository old-images is imported, and CDK cannot change the resource policy of a ' +
    'repository it does not define\\. Define it in a stack of its account and pass it here, or add this statement to its ' +
    'permissions: \\{"Action":'));
  // The statement can be pasted: no CloudFormation intrinsic, the partition shown as a placeholder.
  const statement = JSON.parse((warning.entry.data as string).split('permissions: ')[1].replace(/ \[ack: .*$/, ''));
  expect(statement.Condition.ArnLike['aws:PrincipalArn']).toEqual(DEFAULT_PATTERNS.map(p => `arn:<partition>:iam::*:role/${p}`));
  expect(warning.entry.data).not.toMatch(/Fn::|Ref/);
});

test('an imported repository whose name is known only at deploy time: the warning names its construct path, never a token', () => {
  // WHEN
  new AnyscaleEcrOrganizationAccess(stack, 'AllClouds', {
    repositories: [ecr.Repository.fromRepositoryAttributes(stack, 'Shared', {
      repositoryArn: Fn.importValue('SharedRepositoryArn'), repositoryName: Fn.importValue('SharedRepositoryName'),
    })],
    grantee: OrganizationGrantee.organization(ORG),
  });
  // THEN
  const [warning] = Annotations.fromStack(stack).findWarning('/Registry/AllClouds', Match.anyValue());
  expect(warning.entry.data).toMatch(/^Repository Registry\/Shared is imported/);
  expect(warning.entry.data).not.toMatch(/\$\{Token/);
});

describe('bad input', () => {
  test.each([
    ['a malformed organization id', () => OrganizationGrantee.organization('o-ABC'),
      /OrganizationGrantee\.organization: 'o-ABC' is not an organization id: 'o-' followed by 10 to 32/],
    ['a malformed account', () => OrganizationGrantee.accounts(['1234']), /OrganizationGrantee\.accounts: '1234' is not a 12-digit AWS account id/],
    ['no accounts', () => OrganizationGrantee.accounts([]), /OrganizationGrantee\.accounts: the list is empty/],
    ['a role pattern with a character IAM rejects', () => new AnyscaleEcrOrganizationAccess(stack, 'Bad', {
      grantee: OrganizationGrantee.organization(ORG), repositories: [repository], roleNamePatterns: ['team:*'],
    }), /props\.roleNamePatterns has 'team:\*', which is not a role name, optionally after its path, from letters, digits, '\+=,\.@_-\/' and the wildcards \* and \?/],
    ['no role patterns', () => new AnyscaleEcrOrganizationAccess(stack, 'Bad', {
      grantee: OrganizationGrantee.organization(ORG), repositories: [repository], roleNamePatterns: [],
    }), /props\.roleNamePatterns is empty \(\[\]\)\. Omit it to grant every node role name Anyscale's tools create \(AnyscaleEcrOrganizationAccess\.DEFAULT_ROLE_NAME_PATTERNS\)\./],
  ])('%s: throws naming the prop and the value', (_name, build, message) => {
    expect(build).toThrow(message);
  });

  test('deploy-time values are not checked', () => {
    const organization = new CfnParameter(stack, 'Organization').valueAsString;
    expect(OrganizationGrantee.organization(organization).organizationId).toBe(organization);
    expect(OrganizationGrantee.accounts([Aws.ACCOUNT_ID]).accountIds).toEqual([Aws.ACCOUNT_ID]);
  });

  test.each([[[]], [undefined]])('no repositories (%j) by synthesis: an error that names the prop and the fix', repositories => {
    // WHEN
    new AnyscaleEcrOrganizationAccess(stack, 'Bad', { grantee: OrganizationGrantee.organization(ORG), repositories });
    // THEN
    expect(() => Template.fromStack(stack)).toThrow(
      /AnyscaleEcrOrganizationAccess Registry\/Bad: no repository to grant \(props\.repositories is empty or not given, and addRepository was not called\)/);
  });
});

describe('addRepository', () => {
  test('adds the statement and returns the grant, whose applyBefore orders a resource after the repository', () => {
    // GIVEN
    const access = new AnyscaleEcrOrganizationAccess(stack, 'AllClouds', { grantee: OrganizationGrantee.organization(ORG) });
    const consumer = new CfnResource(stack, 'Consumer', { type: 'Custom::Consumer' });
    // WHEN
    const grant = access.addRepository(repository);
    grant.applyBefore(consumer);
    // THEN
    expect(grant.success).toBe(true);
    expect(grant.resourceStatements.map(s => s.sid)).toEqual([expect.stringMatching(/^AnyscaleEcrPullOrg/)]);
    expect(access.addRepository(repository)).toBe(grant);
    const template = Template.fromStack(stack);
    expect(repositoryStatements(template)).toHaveLength(1);
    expect(template.toJSON().Resources.Consumer.DependsOn).toEqual([stack.getLogicalId(repository.node.defaultChild as ecr.CfnRepository)]);
  });

  test('an imported repository gives a dropped grant', () => {
    // WHEN
    const grant = new AnyscaleEcrOrganizationAccess(stack, 'AllClouds', { grantee: OrganizationGrantee.accounts(['111111111111']) })
      .addRepository(ecr.Repository.fromRepositoryName(stack, 'Old', 'old-images'));
    // THEN
    expect(grant.success).toBe(false);
  });
});

describe('cdk-nag AwsSolutionsChecks', () => {
  function nagErrors(build: (stack: Stack) => void): string {
    const app = new App();
    const registry = stackIn(app, 'Registry', REGISTRY_ACCOUNT);
    build(registry);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    try {
      app.synth();
      return '';
    } catch (e) {
      return (e as Error).message;
    }
  }

  test('the organization statement passes when the user opts in to the acknowledgement; a bare * principal fails', () => {
    // WHEN
    const granted = nagErrors(s => new AnyscaleEcrOrganizationAccess(s, 'AllClouds', {
      repositories: [new ecr.Repository(s, 'Images', { imageScanOnPush: true })],
      grantee: OrganizationGrantee.organization(ORG),
      acknowledgeNagOpenAccessFinding: true,
    }));
    const open = nagErrors(s => new ecr.Repository(s, 'Open', { imageScanOnPush: true }).addToResourcePolicy(
      new iam.PolicyStatement({ actions: ['ecr:BatchGetImage'], principals: [new iam.AnyPrincipal()] })));
    // THEN
    expect(granted).toBe('');
    expect(open).toMatch(/The ECR Repository allows open access[\s\S]*Registry\/Open/);
  });
});

describe('two different grants whose Sid digests collide (8 hex digits: one pair in 2³²)', () => {
  // sha256('o-a1b2c3d4e5|team1359-*') and sha256('o-a1b2c3d4e5|team79641-*') both begin with EF051407.
  const [FIRST, SECOND] = ['team1359-*', 'team79641-*'];
  const grant = (id: string, pattern: string) => new AnyscaleEcrOrganizationAccess(stack, id, {
    grantee: OrganizationGrantee.organization(ORG), repositories: [repository], roleNamePatterns: [pattern],
  });

  test('the premise: the two grants digest to the same 8 hex digits', () => {
    const digest = (pattern: string) => createHash('sha256').update(`${ORG}|${pattern}`).digest('hex').slice(0, 8).toUpperCase();
    expect(digest(FIRST)).toBe('EF051407');
    expect(digest(SECOND)).toBe('EF051407');
  });

  test('each is written, under a Sid of its own, and synthesis passes the policy check', () => {
    // WHEN
    grant('First', FIRST);
    grant('Second', SECOND);
    // THEN
    expect(repositoryStatements(Template.fromStack(stack)).map(s => [s.Sid, s.Condition.ArnLike['aws:PrincipalArn']])).toEqual([
      ['AnyscaleEcrPullOrgEF051407', [rolePattern(FIRST)]],
      ['AnyscaleEcrPullOrgEF051407N2', [rolePattern(SECOND)]],
    ]);
  });

  test('the second grant again is the same statement, written once', () => {
    // WHEN
    grant('First', FIRST);
    grant('Second', SECOND);
    grant('SecondAgain', SECOND);
    grant('FirstAgain', FIRST);
    // THEN
    expect(repositoryStatements(Template.fromStack(stack)).map(s => s.Sid)).toEqual(['AnyscaleEcrPullOrgEF051407', 'AnyscaleEcrPullOrgEF051407N2']);
  });

  test('roles at one path in two stacks: their names digest alike before synthesis, and each grant keeps a Sid of its own', () => {
    // GIVEN: two team stacks whose node roles have the same logical id; before synthesis each name resolves to that id
    const app = new App();
    const registry = stackIn(app, 'Registry', REGISTRY_ACCOUNT);
    const images = new ecr.Repository(registry, 'Images');
    const roleNames = ['TeamA', 'TeamB'].map(team => new iam.Role(stackIn(app, team, REGISTRY_ACCOUNT), 'NodeRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    }).roleName);
    // WHEN
    roleNames.forEach((roleName, i) => new AnyscaleEcrOrganizationAccess(registry, `Team${i}`, {
      grantee: OrganizationGrantee.organization(ORG), repositories: [images], roleNamePatterns: [roleName],
    }));
    // THEN: two statements, each naming its own stack's role
    const statements = repositoryStatements(Template.fromStack(registry));
    expect(statements.map(s => s.Sid)).toEqual([expect.stringMatching(/^AnyscaleEcrPullOrg[0-9A-F]{8}$/), `${statements[0].Sid}N2`]);
    expect(statements.map(s => JSON.stringify(s.Condition.ArnLike['aws:PrincipalArn']))).toEqual([
      expect.stringContaining('"TeamA:ExportsOutputRefNodeRole'), expect.stringContaining('"TeamB:ExportsOutputRefNodeRole'),
    ]);
  });

  test('a grant on another repository keeps its Sid: Sids are per policy', () => {
    // GIVEN
    const other = new ecr.Repository(stack, 'Other');
    grant('First', FIRST);
    // WHEN
    new AnyscaleEcrOrganizationAccess(stack, 'Second', { grantee: OrganizationGrantee.organization(ORG), repositories: [repository, other], roleNamePatterns: [SECOND] });
    // THEN
    const template = Template.fromStack(stack);
    const policies = Object.values(template.findResources('AWS::ECR::Repository')).map(r => r.Properties.RepositoryPolicyText.Statement.map((s: { Sid: string }) => s.Sid));
    expect(policies).toEqual([['AnyscaleEcrPullOrgEF051407', 'AnyscaleEcrPullOrgEF051407N2'], ['AnyscaleEcrPullOrgEF051407']]);
  });
});

test('Sids are stable across releases: the same grant writes the same Sid (an upgrade does not replace the statement)', () => {
  // WHEN: the grants of earlier releases (which named *-cluster_node_role by default)
  new AnyscaleEcrOrganizationAccess(stack, 'Org', {
    grantee: OrganizationGrantee.organization(ORG), repositories: [repository], roleNamePatterns: ['*-cluster_node_role'],
  });
  new AnyscaleEcrOrganizationAccess(stack, 'Accounts', {
    grantee: OrganizationGrantee.accounts(['111111111111', '333333333333']), repositories: [repository], roleNamePatterns: ['*-cluster_node_role'],
  });
  // THEN: the first 8 hex digits of sha256('<organization or accounts>|<patterns>'), as release 80cccc9 wrote them
  expect(repositoryStatements(Template.fromStack(stack)).map(s => s.Sid)).toEqual(['AnyscaleEcrPullOrgA4AC5D53', 'AnyscaleEcrPullOrg1B93FC54']);
});

test.each([
  ['a leading slash, as IAM writes paths', '/anyscale/*-node-role'],
  ['a double slash', 'a//b'],
  ['a trailing slash', 'anyscale/'],
])('a role-name pattern with %s would match no role: throws with the pattern to write', (_name, pattern) => {
  expect(() => new AnyscaleEcrOrganizationAccess(stack, 'Bad', {
    grantee: OrganizationGrantee.organization(ORG), repositories: [repository], roleNamePatterns: [pattern],
  })).toThrow(`props.roleNamePatterns has '${pattern}', which would match no role: the pattern follows 'role/' in the role's ARN, ` +
    "so write a path without its leading '/', end with the name, and use single slashes (for example 'anyscale/*' for the " +
    "roles under the path '/anyscale/').");
});

test('the Sid digests every pattern, comma-separated', () => {
  // WHEN
  new AnyscaleEcrOrganizationAccess(stack, 'Two', {
    grantee: OrganizationGrantee.organization(ORG), repositories: [repository], roleNamePatterns: ['*-cluster_node_role', 'ray-autoscaler-v1'],
  });
  // THEN
  expect(repositoryStatements(Template.fromStack(stack)).map(s => s.Sid)).toEqual(['AnyscaleEcrPullOrg63D2B7D8']);
});

test('a deploy-time role-name pattern is not checked', () => {
  const pattern = new CfnParameter(stack, 'Pattern').valueAsString;
  expect(() => new AnyscaleEcrOrganizationAccess(stack, 'Token', {
    grantee: OrganizationGrantee.organization(ORG), repositories: [repository], roleNamePatterns: [pattern],
  })).not.toThrow();
});

describe('OrganizationGrantee.organizationalUnits', () => {
  const OU = `${ORG}/r-ab12/ou-ab12-11111111/`;
  const CHILD_OU = `${ORG}/r-ab12/ou-ab12-11111111/ou-ab12-22222222/`;
  const OTHER_OU = `${ORG}/r-ab12/ou-ab12-33333333/`;

  test('principal * limited by aws:PrincipalOrgID and by aws:PrincipalOrgPaths on each path followed by *', () => {
    // WHEN
    new AnyscaleEcrOrganizationAccess(stack, 'Teams', {
      grantee: OrganizationGrantee.organizationalUnits(ORG, [OU, OTHER_OU]), repositories: [repository],
    });
    // THEN
    expect(repositoryStatements(Template.fromStack(stack))).toEqual([{
      Sid: expect.stringMatching(/^AnyscaleEcrPullOrg[0-9A-F]{8}$/),
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: AnyscaleEcrAccess.PULL_ACTIONS,
      Condition: {
        'ArnLike': { 'aws:PrincipalArn': DEFAULT_PATTERNS.map(rolePattern) },
        'StringEquals': { 'aws:PrincipalOrgID': ORG },
        'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': [`${OU}*`, `${OTHER_OU}*`] },
      },
    }]);
  });

  test('the grantee holds the paths, once each, in a frozen list', () => {
    const grantee = OrganizationGrantee.organizationalUnits(ORG, [OU, OU, CHILD_OU]);
    expect(grantee.organizationId).toBe(ORG);
    expect(grantee.organizationalUnitPaths).toEqual([OU, CHILD_OU]);
    expect(Object.isFrozen(grantee.organizationalUnitPaths)).toBe(true);
    expect(grantee.accountIds).toBeUndefined();
  });

  test('an OU grant, the organization grant and another OU grant are separate statements (their Sids differ)', () => {
    new AnyscaleEcrOrganizationAccess(stack, 'Org', { grantee: OrganizationGrantee.organization(ORG), repositories: [repository] });
    new AnyscaleEcrOrganizationAccess(stack, 'Ou', { grantee: OrganizationGrantee.organizationalUnits(ORG, [OU]), repositories: [repository] });
    new AnyscaleEcrOrganizationAccess(stack, 'Other', { grantee: OrganizationGrantee.organizationalUnits(ORG, [OTHER_OU]), repositories: [repository] });
    new AnyscaleEcrOrganizationAccess(stack, 'OuAgain', { grantee: OrganizationGrantee.organizationalUnits(ORG, [OU]), repositories: [repository] });
    const sids = repositoryStatements(Template.fromStack(stack)).map(statement => statement.Sid);
    expect(new Set(sids).size).toBe(3);
    expect(sids).toHaveLength(3);
  });

  test.each([
    ['no paths', ORG, [], "OrganizationGrantee.organizationalUnits: ouPaths is empty ([]). Pass the entity paths of the OUs, for example ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/'], or grant the whole organization with OrganizationGrantee.organization."],
    ['a malformed organization id', 'o-ABC', [OU], "OrganizationGrantee.organizationalUnits: 'o-ABC' is not an organization id"],
    ['a path of another organization', ORG, ['o-zzzzzzzzzz/r-ab12/ou-ab12-11111111/'],
      "OrganizationGrantee.organizationalUnits: ouPaths has 'o-zzzzzzzzzz/r-ab12/ou-ab12-11111111/', which is in organization o-zzzzzzzzzz, not o-a1b2c3d4e5. A principal belongs to one organization: pass paths of the organization granted."],
    ['a path without its trailing /', ORG, [OU.slice(0, -1)], `is not the entity path of an organizational unit: '<organization id>/<root id>/<OU id>/', with up to five OU ids from the root down, each followed by '/' (for example 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/'). Did you mean '${OU}'?`],
    ['a path with a wildcard', ORG, [`${OU}*`], 'Leave out the wildcard: the grant already covers the OUs under each path.'],
    ['an OU id alone', ORG, ['ou-ab12-11111111'], 'This is an OU id alone; the path also names the organization and the root'],
    ['the root alone', ORG, [`${ORG}/r-ab12/`], `ouPaths has '${ORG}/r-ab12/', which is not the entity path of an organizational unit`],
    ['six levels of OUs', ORG, [`${ORG}/r-ab12/${'ou-ab12-11111111/'.repeat(6)}`], 'with up to five OU ids from the root down'],
    ['capitals', ORG, [`${ORG}/r-AB12/ou-ab12-11111111/`], 'is not the entity path of an organizational unit'],
  ])('%s: throws naming the value and the fix', (_name, organizationId, paths, message) => {
    expect(() => OrganizationGrantee.organizationalUnits(organizationId, paths)).toThrow(message);
  });

  test('five levels of OUs and deploy-time values are accepted', () => {
    expect(OrganizationGrantee.organizationalUnits(ORG, [`${ORG}/r-ab12/${'ou-ab12-11111111/'.repeat(5)}`]).organizationalUnitPaths).toHaveLength(1);
    const organization = new CfnParameter(stack, 'Organization').valueAsString;
    const path = new CfnParameter(stack, 'Path').valueAsString;
    expect(OrganizationGrantee.organizationalUnits(organization, [OU]).organizationalUnitPaths).toEqual([OU]);
    expect(OrganizationGrantee.organizationalUnits(ORG, [path]).organizationalUnitPaths).toEqual([path]);
  });
});
