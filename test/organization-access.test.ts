import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AnyscaleEcrAccess, AnyscaleEcrAccessWarnings, AnyscaleEcrOrganizationAccess, AnyscaleNodeRole } from '../lib';
import { acknowledgements } from './support/acknowledgements';
import { awsPrincipals, REGISTRY_ACCOUNT, repositoryStatements, stackIn } from './support/stacks';

const ORG = 'o-a1b2c3d4e5';
const NODE_ROLE_PATTERN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/*-cluster_node_role']] };

let stack: Stack;
let repository: ecr.Repository;
beforeEach(() => {
  stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
  repository = new ecr.Repository(stack, 'Images');
});

test('an organization grant: principal * limited by aws:PrincipalOrgID and the node role name pattern', () => {
  // WHEN
  new AnyscaleEcrOrganizationAccess(stack, 'AllClouds', { repositories: [repository], organizationId: ORG });
  // THEN
  const statements = repositoryStatements(Template.fromStack(stack));
  expect(statements).toEqual([{
    Sid: expect.stringMatching(/^AnyscaleEcrPullOrg[0-9A-F]{8}$/),
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: AnyscaleEcrAccess.PULL_ACTIONS,
    Condition: {
      ArnLike: { 'aws:PrincipalArn': [NODE_ROLE_PATTERN] },
      StringEquals: { 'aws:PrincipalOrgID': ORG },
    },
  }]);
});

test('an account list grant: the accounts\' roots as principals, limited by the role name patterns', () => {
  // WHEN
  new AnyscaleEcrOrganizationAccess(stack, 'Clouds', {
    repositories: [repository],
    accounts: ['111111111111', '333333333333'],
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

test('the policy does not grow with the number of clouds, and one grant twice is written once', () => {
  // WHEN
  new AnyscaleEcrOrganizationAccess(stack, 'A', { repositories: [repository], organizationId: ORG });
  new AnyscaleEcrOrganizationAccess(stack, 'B', { repositories: [repository], organizationId: ORG });
  // THEN
  expect(repositoryStatements(Template.fromStack(stack))).toHaveLength(1);
});

test('sits beside the per-role statement of AnyscaleEcrAccess', () => {
  // WHEN
  new AnyscaleEcrOrganizationAccess(stack, 'AllClouds', { repositories: [repository], organizationId: ORG });
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
  new AnyscaleEcrOrganizationAccess(stack, 'AllClouds', { repositories: [repository], organizationId: ORG });
  expect(acknowledgements(stack)).toEqual({});
});

test('acknowledges cdk-nag AwsSolutions-ECR1 (the * principal) on the repository, with the reason, when asked to', () => {
  // WHEN
  new AnyscaleEcrOrganizationAccess(stack, 'AllClouds', { repositories: [repository], organizationId: ORG, acknowledgeNagOpenAccessFinding: true });
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
  new AnyscaleEcrOrganizationAccess(stack, 'Accounts', { repositories: [repository], accounts: ['111111111111'] });
  // THEN
  expect(acknowledgements(stack)).toEqual({});
});

test('different grants on one repository get separate statements', () => {
  // WHEN
  new AnyscaleEcrOrganizationAccess(stack, 'OrgA', { repositories: [repository], organizationId: ORG });
  new AnyscaleEcrOrganizationAccess(stack, 'OrgB', { repositories: [repository], organizationId: 'o-f6g7h8i9j0' });
  new AnyscaleEcrOrganizationAccess(stack, 'OrgARay', { repositories: [repository], organizationId: ORG, roleNamePatterns: ['ray-autoscaler-v1'] });
  // THEN
  const sids = repositoryStatements(Template.fromStack(stack)).map(statement => statement.Sid);
  expect(new Set(sids).size).toBe(3);
});

test('an imported repository: a warning with the statement to add', () => {
  // WHEN
  new AnyscaleEcrOrganizationAccess(stack, 'AllClouds', {
    repositories: [ecr.Repository.fromRepositoryName(stack, 'Old', 'old-images')],
    organizationId: ORG,
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
  expect(statement.Condition.ArnLike['aws:PrincipalArn']).toEqual(['arn:<partition>:iam::*:role/*-cluster_node_role']);
  expect(warning.entry.data).not.toMatch(/Fn::|Ref/);
});

describe('bad input', () => {
  test.each([
    ['no organization and no accounts', {}, /give exactly one of props\.organizationId \(got none\) and props\.accounts \(got none\)/],
    ['both', { organizationId: ORG, accounts: ['111111111111'] }, /give exactly one of props\.organizationId \(got o-a1b2c3d4e5\)/],
    ['a malformed organization id', { organizationId: 'o-ABC' }, /props\.organizationId has 'o-ABC', which is not an organization id: 'o-' followed by 10 to 32/],
    ['a malformed account', { accounts: ['1234'] }, /props\.accounts has '1234', which is not a 12-digit AWS account id/],
    ['no accounts', { accounts: [] }, /props\.accounts is empty/],
    ['a role pattern with a slash', { organizationId: ORG, roleNamePatterns: ['team/*'] },
      /props\.roleNamePatterns has 'team\/\*', which is not a role name of 1 to 64 characters from letters, digits, '\+=,\.@_-' and the wildcards \* and \?/],
    ['no role patterns', { organizationId: ORG, roleNamePatterns: [] }, /props\.roleNamePatterns is empty/],
  ])('%s: throws naming the prop and the value', (_name, props, message) => {
    expect(() => new AnyscaleEcrOrganizationAccess(stack, 'Bad', { repositories: [repository], ...props })).toThrow(message);
  });

  test('no repositories: throws', () => {
    expect(() => new AnyscaleEcrOrganizationAccess(stack, 'Bad', { repositories: [], organizationId: ORG }))
      .toThrow(/AnyscaleEcrOrganizationAccess Registry\/Bad: props\.repositories is empty/);
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
      organizationId: ORG,
      acknowledgeNagOpenAccessFinding: true,
    }));
    const open = nagErrors(s => new ecr.Repository(s, 'Open', { imageScanOnPush: true }).addToResourcePolicy(
      new iam.PolicyStatement({ actions: ['ecr:BatchGetImage'], principals: [new iam.AnyPrincipal()] })));
    // THEN
    expect(granted).toBe('');
    expect(open).toMatch(/The ECR Repository allows open access[\s\S]*Registry\/Open/);
  });
});
