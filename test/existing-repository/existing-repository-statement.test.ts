import * as fs from 'fs';
import * as path from 'path';
import { App, PhysicalName } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AnyscaleEcrAccess, AnyscaleEcrAccessWarnings, AnyscaleNodeRole, ExistingRepositoryPolicy } from '../../lib';
import { EXISTING_STATEMENT_RESOURCE_TYPE, MAX_REPOSITORIES_PER_HANDLER } from '../../lib/existing-repository/existing-repository-statement';
import { measure, QUOTAS } from '../../lib/quotas';
import { NODE_ACCOUNT, partitionArn, REGION, REGISTRY_ACCOUNT, stackIn, THIRD_ACCOUNT } from '../util';

const MERGE = { existingRepositoryPolicy: ExistingRepositoryPolicy.MERGE };
const NODE_ROLE_ARN = partitionArn(`:iam::${NODE_ACCOUNT}:role/cld_abc-cluster_node_role`);

function registry(app = new App(), id = 'Registry', account: string | undefined = REGISTRY_ACCOUNT) {
  const stack = stackIn(app, id, account);
  const role = AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc', { account: NODE_ACCOUNT });
  const repository = ecr.Repository.fromRepositoryName(stack, 'Images', 'images');
  return { app, stack, role, repository };
}

describe('with ExistingRepositoryPolicy.MERGE', () => {
  test('an imported repository of the stack\'s account gets the statement through a custom resource, and no repository warning', () => {
    // GIVEN
    const { stack, role, repository } = registry();
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [repository], ...MERGE });
    // THEN
    Template.fromStack(stack).hasResourceProperties(EXISTING_STATEMENT_RESOURCE_TYPE, {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AnyscaleEcrExistingRepositoryHandler'), 'Arn'] },
      RepositoryName: 'images',
      Sid: 'AnyscaleEcrPullRegistry',
      Principals: [NODE_ROLE_ARN],
      Actions: AnyscaleEcrAccess.PULL_ACTIONS,
    });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp(AnyscaleEcrAccessWarnings.REPOSITORY_POLICY_NOT_APPLIED));
    // The role's own account still has to attach the identity side: that warning stays.
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp(AnyscaleEcrAccessWarnings.IDENTITY_NOT_APPLIED));
  });

  test('the handler may only read, set and delete the policy of the repositories it serves', () => {
    const { stack, role, repository } = registry();
    const other = ecr.Repository.fromRepositoryName(stack, 'Models', 'team/models');
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [repository, other], ...MERGE });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Timeout: 300,
      Handler: 'index.handler',
      Description: 'cdk-anyscale-ecr-access: adds and removes the AnyscaleEcrPull statement in existing ECR repository policies',
    });
    const repositoryArn = (name: string) => partitionArn(`:ecr:${REGION}:${REGISTRY_ACCOUNT}:repository/${name}`);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: ['ecr:GetRepositoryPolicy', 'ecr:SetRepositoryPolicy', 'ecr:DeleteRepositoryPolicy'], Resource: repositoryArn('images') },
          { Effect: 'Allow', Action: ['ecr:GetRepositoryPolicy', 'ecr:SetRepositoryPolicy', 'ecr:DeleteRepositoryPolicy'], Resource: repositoryArn('team/models') },
        ],
      },
    });
    template.resourceCountIs(EXISTING_STATEMENT_RESOURCE_TYPE, 2);
  });

  test('every construct granting on one repository shares one custom resource, with sorted principals', () => {
    // GIVEN two clouds' node roles, added in reverse order
    const { stack, repository } = registry();
    const second = AnyscaleNodeRole.fromCloudId(stack, 'Second', 'cld_zzz', { account: NODE_ACCOUNT });
    const first = AnyscaleNodeRole.fromCloudId(stack, 'First', 'cld_aaa', { account: THIRD_ACCOUNT });
    // WHEN
    new AnyscaleEcrAccess(stack, 'SecondAccess', { role: second, repositories: [repository], ...MERGE });
    new AnyscaleEcrAccess(stack, 'FirstAccess', { role: first, repositories: [ecr.Repository.fromRepositoryName(stack, 'Again', 'images')], ...MERGE });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs(EXISTING_STATEMENT_RESOURCE_TYPE, 1);
    template.hasResourceProperties(EXISTING_STATEMENT_RESOURCE_TYPE, {
      Principals: [
        partitionArn(`:iam::${NODE_ACCOUNT}:role/cld_zzz-cluster_node_role`),
        partitionArn(`:iam::${THIRD_ACCOUNT}:role/cld_aaa-cluster_node_role`),
      ],
    });
  });

  test('two stacks merging into one repository write statements with different Sids', () => {
    const app = new App();
    const a = registry(app, 'RegistryA');
    const b = registry(app, 'Registry-B');
    new AnyscaleEcrAccess(a.stack, 'Access', { role: a.role, repositories: [a.repository], ...MERGE });
    new AnyscaleEcrAccess(b.stack, 'Access', { role: b.role, repositories: [b.repository], ...MERGE });
    Template.fromStack(a.stack).hasResourceProperties(EXISTING_STATEMENT_RESOURCE_TYPE, { Sid: 'AnyscaleEcrPullRegistryA' });
    Template.fromStack(b.stack).hasResourceProperties(EXISTING_STATEMENT_RESOURCE_TYPE, { Sid: 'AnyscaleEcrPullRegistryB' });
  });

  test('a node role defined in another account\'s stack is named by its physical name, and its stack deploys first', () => {
    // GIVEN the node role in the node account's stack, the imported repository in the registry account's stack
    const app = new App();
    const nodeStack = stackIn(app, 'Node', NODE_ACCOUNT);
    const role = new iam.Role(nodeStack, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), roleName: PhysicalName.GENERATE_IF_NEEDED });
    const { stack, repository } = registry(app);
    // WHEN
    new AnyscaleEcrAccess(nodeStack, 'Access', { role, repositories: [repository], ...MERGE });
    // THEN
    Template.fromStack(stack).hasResourceProperties(EXISTING_STATEMENT_RESOURCE_TYPE, {
      Principals: [partitionArn(Match.stringLikeRegexp(`^:iam::${NODE_ACCOUNT}:role/node`) as unknown as string)],
    });
    expect(stack.dependencies).toContain(nodeStack);
  });

  test('an environment-agnostic stack, whose accounts cannot be compared, still gets the statement', () => {
    const { stack, role, repository } = registry(new App(), 'Agnostic', undefined);
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [repository], ...MERGE });
    Template.fromStack(stack).resourceCountIs(EXISTING_STATEMENT_RESOURCE_TYPE, 1);
  });

  test('a repository of the role\'s own account needs no statement, so nothing is deployed for it', () => {
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const role = AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc');
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [ecr.Repository.fromRepositoryName(stack, 'Images', 'images')], ...MERGE });
    Template.fromStack(stack).resourceCountIs(EXISTING_STATEMENT_RESOURCE_TYPE, 0);
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('a repository this app defines keeps its policy in the template, as without the option', () => {
    const { stack, role } = registry();
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [new ecr.Repository(stack, 'Owned')], ...MERGE });
    const template = Template.fromStack(stack);
    template.resourceCountIs(EXISTING_STATEMENT_RESOURCE_TYPE, 0);
    template.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryPolicyText: { Statement: [Match.objectLike({ Sid: 'AnyscaleEcrPull', Principal: { AWS: NODE_ROLE_ARN } })] },
    });
  });

  test('a repository of a third account cannot be merged from here: the warning stays and says why', () => {
    const { stack, role } = registry();
    const elsewhere = ecr.Repository.fromRepositoryArn(stack, 'Elsewhere', `arn:aws:ecr:${REGION}:${THIRD_ACCOUNT}:repository/images`);
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [elsewhere], ...MERGE });
    Template.fromStack(stack).resourceCountIs(EXISTING_STATEMENT_RESOURCE_TYPE, 0);
    Annotations.fromStack(stack).hasWarning('/Registry/Access', Match.stringLikeRegexp(
      `ExistingRepositoryPolicy.MERGE only changes repositories of the importing stack's own account, and this one is in account ${THIRD_ACCOUNT}.*\\[ack: ${AnyscaleEcrAccessWarnings.REPOSITORY_POLICY_NOT_APPLIED}\\]`));
  });

  test('too many principals for one repository policy fail synthesis with the size and the limit', () => {
    const { stack, repository } = registry();
    for (let i = 0; i < 130; i++) {
      const role = AnyscaleNodeRole.fromCloudId(stack, `Role${i}`, `cld_${'x'.repeat(20)}${i}`, { account: NODE_ACCOUNT });
      new AnyscaleEcrAccess(stack, `Access${i}`, { role, repositories: [repository], ...MERGE });
    }
    // The statement as the handler writes it, principals in the account of the literal ARNs
    const principals = Array.from({ length: 130 }, (_, i) => `arn:aws:iam::${NODE_ACCOUNT}:role/cld_${'x'.repeat(20)}${i}-cluster_node_role`);
    const size = JSON.stringify({ Sid: 'AnyscaleEcrPullRegistry', Effect: 'Allow', Principal: { AWS: principals }, Action: AnyscaleEcrAccess.PULL_ACTIONS }).length;
    expect(() => Template.fromStack(stack)).toThrow(
      `The statement AnyscaleEcrPullRegistry for repository images is ${size} characters, over the AWS limit of 10240. ` +
      'Grant fewer node roles on this repository, or grant them all at once with AnyscaleEcrOrganizationAccess.');
  });
});

test.each([false, true])('100 imported repositories, the most one stack serves (minimizePolicies %s): each is named once, every policy within IAM limits', minimize => {
  // GIVEN more repository ARNs than one inline policy of 10,240 characters can hold
  const { stack, role } = registry(new App({ context: { '@aws-cdk/aws-iam:minimizePolicies': minimize } }));
  const names = Array.from({ length: MAX_REPOSITORIES_PER_HANDLER }, (_, i) => `team/repository-${i}-${'x'.repeat(40)}`);
  new AnyscaleEcrAccess(stack, 'Access', { role, repositories: names.map((name, i) => ecr.Repository.fromRepositoryName(stack, `Repo${i}`, name)), ...MERGE });
  // WHEN
  const template = Template.fromStack(stack);
  // THEN CDK spreads the statements over the inline policy and managed overflow policies, each within its limit
  const inline = Object.values<any>(template.findResources('AWS::IAM::Policy')).map(p => p.Properties.PolicyDocument);
  const managed = Object.values<any>(template.findResources('AWS::IAM::ManagedPolicy')).map(p => p.Properties.PolicyDocument);
  inline.forEach(document => expect(measure(stack, document).characters).toBeLessThanOrEqual(QUOTAS.inlinePolicyCharactersPerRole));
  managed.forEach(document => expect(measure(stack, document).characters).toBeLessThanOrEqual(QUOTAS.managedPolicyCharacters));
  expect(managed.length).toBeLessThanOrEqual(QUOTAS.managedPoliciesPerRole - 1); // AWSLambdaBasicExecutionRole is one
  const named = [...inline, ...managed].flatMap(d => d.Statement).flatMap((st: any) => {
    expect([...st.Action].sort()).toEqual(['ecr:DeleteRepositoryPolicy', 'ecr:GetRepositoryPolicy', 'ecr:SetRepositoryPolicy']);
    return [st.Resource].flat().map((arn: any) => arn['Fn::Join'][1][2].split('repository/')[1]);
  });
  expect(named.sort()).toEqual([...names].sort());
});

test('101 imported repositories in one stack fail synthesis, naming the stack and the remedy', () => {
  const { stack, role } = registry();
  const repositories = Array.from({ length: MAX_REPOSITORIES_PER_HANDLER + 1 }, (_, i) => ecr.Repository.fromRepositoryName(stack, `Repo${i}`, `team/r${i}`));
  new AnyscaleEcrAccess(stack, 'Access', { role, repositories, ...MERGE });
  expect(() => Template.fromStack(stack)).toThrow(
    /Stack Registry merges the pull statement into 101 imported repositories with ExistingRepositoryPolicy.MERGE; one stack serves at most 100.*Import the repositories in several stacks/);
});

describe('without the option', () => {
  test('an imported repository of the stack\'s account is left alone, and the warning names the option', () => {
    const { stack, role, repository } = registry();
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [repository] });
    Template.fromStack(stack).resourceCountIs(EXISTING_STATEMENT_RESOURCE_TYPE, 0);
    Annotations.fromStack(stack).hasWarning('/Registry/Access', Match.stringLikeRegexp(
      'Set existingRepositoryPolicy: ExistingRepositoryPolicy.MERGE to let a custom resource of stack Registry add the statement'));
  });

  test('an imported repository of another account: the warning says to merge it from that account', () => {
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const role = AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc');
    const repository = ecr.Repository.fromRepositoryArn(stack, 'Images', `arn:aws:ecr:${REGION}:${REGISTRY_ACCOUNT}:repository/images`);
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [repository] });
    Annotations.fromStack(stack).hasWarning('/Node/Access', Match.stringLikeRegexp(
      'Import the repository in a stack of its own account and set existingRepositoryPolicy: ExistingRepositoryPolicy.MERGE there'));
  });
});

test('the handler bundle exists where the function loads it from, and exports the handler', () => {
  const bundle = path.join(__dirname, '../../assets/lib/existing-repository/merge-policy.lambda/index.js');
  expect(fs.existsSync(bundle)).toBe(true);
  // The ECR client is inside the bundle: the Lambda runtime's own SDK version does not matter.
  expect(fs.readFileSync(bundle, 'utf8')).toContain('GetRepositoryPolicyCommand');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  expect(typeof require(bundle).handler).toBe('function');
});

