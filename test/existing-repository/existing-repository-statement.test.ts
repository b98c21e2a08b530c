import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { App, CfnParameter, PhysicalName } from 'aws-cdk-lib/core';
import { AnyscaleEcrAccess, AnyscaleEcrAccessWarnings, AnyscaleNodeRole, ExistingRepositoryPolicy } from '../../lib';
import { ALLOW_LIST_VARIABLE, STATEMENT_RESOURCE_TYPE } from '../../lib/private/existing-repository/contract';
import { MAX_REPOSITORIES_PER_HANDLER } from '../../lib/private/existing-repository/existing-repository-statement';
import { measure } from '../../lib/private/quotas/quotas';
import { NODE_ACCOUNT, partitionArn, REGION, REGISTRY_ACCOUNT, stackIn, THIRD_ACCOUNT } from '../support/stacks';

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
    // THEN the resource holds only the repository and principals: the Sid and the actions are the handler's
    Template.fromStack(stack).hasResource(STATEMENT_RESOURCE_TYPE, {
      Properties: {
        ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AnyscaleEcrExistingRepositoryHandler'), 'Arn'] },
        RepositoryName: 'images',
        RepositoryArn: partitionArn(`:ecr:${REGION}:${REGISTRY_ACCOUNT}:repository/images`),
        Principals: [NODE_ROLE_ARN],
        ServiceTimeout: '600',
      },
    });
    expect(Object.keys(Object.values<any>(Template.fromStack(stack).findResources(STATEMENT_RESOURCE_TYPE))[0].Properties).sort())
      .toEqual(['Principals', 'RepositoryArn', 'RepositoryName', 'ServiceTimeout', 'ServiceToken']);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp(AnyscaleEcrAccessWarnings.REPOSITORY_POLICY_NOT_APPLIED));
    // The role's own account still has to attach the identity side: that warning stays.
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp(AnyscaleEcrAccessWarnings.IDENTITY_NOT_APPLIED));
  });

  test('the handler has a role of its own: the three policy calls on its account\'s repositories, and its own log group', () => {
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
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^AnyscaleEcrExistingRepositoryHandlerLogs') } },
      Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AnyscaleEcrExistingRepositoryHandlerRole'), 'Arn'] },
    });
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 365 }, DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] },
      Description: 'cdk-anyscale-ecr-access: the ExistingRepositoryPolicy.MERGE handler',
      ManagedPolicyArns: Match.absent(),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('Logs'), 'Arn'] } },
          { Effect: 'Allow', Action: ['ecr:GetRepositoryPolicy', 'ecr:SetRepositoryPolicy', 'ecr:DeleteRepositoryPolicy'], Resource: partitionArn(`:ecr:${REGION}:${REGISTRY_ACCOUNT}:repository/*`) },
        ],
      },
    });
    template.resourceCountIs(STATEMENT_RESOURCE_TYPE, 2);
  });

  test('the function\'s environment lists exactly the repositories and principals the stack declared', () => {
    // GIVEN two roles: one on both repositories, one on the second only
    const { stack, role, repository } = registry();
    const second = AnyscaleNodeRole.fromCloudId(stack, 'Second', 'cld_zzz', { account: THIRD_ACCOUNT });
    const models = ecr.Repository.fromRepositoryName(stack, 'Models', 'team/models');
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [repository, models], ...MERGE });
    new AnyscaleEcrAccess(stack, 'SecondAccess', { role: second, repositories: [models], ...MERGE });
    // WHEN
    const variables = Object.values<any>(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0].Properties.Environment.Variables;
    // THEN (the ARNs hold the partition, which CloudFormation joins in)
    const rendered = variables[ALLOW_LIST_VARIABLE]['Fn::Join'][1].map((part: any) => (typeof part === 'string' ? part : 'aws')).join('');
    expect(JSON.parse(rendered)).toEqual({
      principals: [`arn:aws:iam::${NODE_ACCOUNT}:role/cld_abc-cluster_node_role`, `arn:aws:iam::${THIRD_ACCOUNT}:role/cld_zzz-cluster_node_role`],
      repositories: [['images', [0]], ['team/models', [0, 1]]],
    });
  });

  test('every construct granting on one repository shares one custom resource, with sorted principals, however it was imported', () => {
    // GIVEN two clouds' node roles, added in reverse order, and the repository imported by name and by ARN
    const { stack, repository } = registry();
    const second = AnyscaleNodeRole.fromCloudId(stack, 'Second', 'cld_zzz', { account: NODE_ACCOUNT });
    const first = AnyscaleNodeRole.fromCloudId(stack, 'First', 'cld_aaa', { account: THIRD_ACCOUNT });
    const byArn = ecr.Repository.fromRepositoryArn(stack, 'Again', `arn:aws:ecr:${REGION}:${REGISTRY_ACCOUNT}:repository/images`);
    // WHEN
    new AnyscaleEcrAccess(stack, 'SecondAccess', { role: second, repositories: [repository], ...MERGE });
    new AnyscaleEcrAccess(stack, 'FirstAccess', { role: first, repositories: [byArn], ...MERGE });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs(STATEMENT_RESOURCE_TYPE, 1);
    template.hasResourceProperties(STATEMENT_RESOURCE_TYPE, {
      Principals: [
        partitionArn(`:iam::${NODE_ACCOUNT}:role/cld_zzz-cluster_node_role`),
        partitionArn(`:iam::${THIRD_ACCOUNT}:role/cld_aaa-cluster_node_role`),
      ],
    });
  });

  test('two names whose 32-bit digests are equal (team/images-4625 and team/images-115109) get a statement each', () => {
    // GIVEN the two names, which the first 8 hexadecimal digits of SHA-256 do not tell apart
    const digest8 = (name: string) => createHash('sha256').update(name).digest('hex').slice(0, 8);
    expect(digest8('team/images-4625')).toBe(digest8('team/images-115109'));
    const { stack, role } = registry();
    const repositories = ['team/images-4625', 'team/images-115109'].map((name, i) => ecr.Repository.fromRepositoryName(stack, `Repo${i}`, name));
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories, ...MERGE });
    // THEN each has its custom resource and its allow-list entry
    const template = Template.fromStack(stack);
    const names = Object.values<any>(template.findResources(STATEMENT_RESOURCE_TYPE)).map(resource => resource.Properties.RepositoryName);
    expect(names.sort()).toEqual(['team/images-115109', 'team/images-4625']);
    const variables = Object.values<any>(template.findResources('AWS::Lambda::Function'))[0].Properties.Environment.Variables;
    const rendered = variables[ALLOW_LIST_VARIABLE]['Fn::Join'][1].map((part: any) => (typeof part === 'string' ? part : 'aws')).join('');
    expect(JSON.parse(rendered).repositories).toEqual([['team/images-4625', [0]], ['team/images-115109', [0]]]);
  });

  test('Lambda does not retry the handler, and every custom resource waits for that setting', () => {
    // GIVEN
    const { stack, role, repository } = registry();
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [repository, ecr.Repository.fromRepositoryName(stack, 'Models', 'models')], ...MERGE });
    // THEN
    const template = Template.fromStack(stack);
    const fn = Object.keys(template.findResources('AWS::Lambda::Function'))[0];
    const configs = template.findResources('AWS::Lambda::EventInvokeConfig');
    expect(Object.values(configs)).toEqual([{ Type: 'AWS::Lambda::EventInvokeConfig', Properties: { FunctionName: { Ref: fn }, Qualifier: '$LATEST', MaximumRetryAttempts: 0 } }]);
    for (const resource of Object.values<any>(template.findResources(STATEMENT_RESOURCE_TYPE))) {
      expect(resource.DependsOn).toEqual(expect.arrayContaining(Object.keys(configs)));
    }
  });

  test('the custom resource\'s logical id depends on the repository name only, so giving the stack an env or importing by ARN replaces nothing', () => {
    const logicalIds = (account: string | undefined, byArn: boolean) => {
      const stack = stackIn(new App(), 'Registry', account);
      const role = AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc', { account: NODE_ACCOUNT });
      const repository = byArn
        ? ecr.Repository.fromRepositoryArn(stack, 'Images', `arn:aws:ecr:${REGION}:${REGISTRY_ACCOUNT}:repository/images`)
        : ecr.Repository.fromRepositoryName(stack, 'Images', 'images');
      new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [repository], ...MERGE });
      return Object.keys(Template.fromStack(stack).findResources(STATEMENT_RESOURCE_TYPE));
    };
    expect(logicalIds(undefined, false)).toEqual(logicalIds(REGISTRY_ACCOUNT, false));
    expect(logicalIds(REGISTRY_ACCOUNT, true)).toEqual(logicalIds(REGISTRY_ACCOUNT, false));
  });

  test.each([
    ['upper case', 'Team/Images'],
    ['a trailing slash', 'team/'],
    ['one character', 'a'],
    ['a double separator', 'team//images'],
    ['three underscores', 'team___images'],
    ['two different separators in a row', 'team_-images'],
  ])('a repository name ECR would reject (%s) is refused at synth with the prop and the value', (_, name) => {
    const { stack, role } = registry();
    const repository = ecr.Repository.fromRepositoryName(stack, 'Bad', name);
    expect(() => new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [repository], ...MERGE })).toThrow(
      `ExistingRepositoryPolicy.MERGE: repository name ${JSON.stringify(name)} (Registry/Bad) is not one ECR accepts ` +
      '(2 to 256 characters: lowercase letters and digits, joined by \'.\', \'_\', \'__\' or a run of \'-\', in segments separated by ' +
      '\'/\'). Check the name passed to Repository.fromRepositoryName ' +
      'or fromRepositoryArn.');
  });

  test('a repository of the stack\'s account in another region is refused at synth, naming both regions and the fix', () => {
    const { stack, role } = registry();
    const repository = ecr.Repository.fromRepositoryArn(stack, 'West', `arn:aws:ecr:us-west-2:${REGISTRY_ACCOUNT}:repository/images`);
    expect(() => new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [repository], ...MERGE })).toThrow(
      `ExistingRepositoryPolicy.MERGE: repository arn:aws:ecr:us-west-2:${REGISTRY_ACCOUNT}:repository/images is in region us-west-2, ` +
      `but stack Registry, whose custom resource would change its policy, is in region ${REGION}. Import the repository in a stack ` +
      `of region us-west-2 (and account ${REGISTRY_ACCOUNT}) and merge there.`);
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
    Template.fromStack(stack).hasResourceProperties(STATEMENT_RESOURCE_TYPE, {
      Principals: [partitionArn(Match.stringLikeRegexp(`^:iam::${NODE_ACCOUNT}:role/node`) as unknown as string)],
    });
    expect(stack.dependencies).toContain(nodeStack);
  });

  test('an environment-agnostic stack, whose accounts cannot be compared, still gets the statement', () => {
    const { stack, role, repository } = registry(new App(), 'Agnostic', undefined);
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [repository], ...MERGE });
    Template.fromStack(stack).resourceCountIs(STATEMENT_RESOURCE_TYPE, 1);
  });

  test('a repository of the role\'s own account needs no statement, so nothing is deployed for it', () => {
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const role = AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc');
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [ecr.Repository.fromRepositoryName(stack, 'Images', 'images')], ...MERGE });
    Template.fromStack(stack).resourceCountIs(STATEMENT_RESOURCE_TYPE, 0);
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('a repository this app defines keeps its policy in the template, as without the option', () => {
    const { stack, role } = registry();
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [new ecr.Repository(stack, 'Owned')], ...MERGE });
    const template = Template.fromStack(stack);
    template.resourceCountIs(STATEMENT_RESOURCE_TYPE, 0);
    template.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryPolicyText: { Statement: [Match.objectLike({ Sid: 'AnyscaleEcrPull', Principal: { AWS: NODE_ROLE_ARN } })] },
    });
  });

  test('a repository of a third account cannot be merged from here: the warning stays and says why', () => {
    const { stack, role } = registry();
    const elsewhere = ecr.Repository.fromRepositoryArn(stack, 'Elsewhere', `arn:aws:ecr:${REGION}:${THIRD_ACCOUNT}:repository/images`);
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [elsewhere], ...MERGE });
    Template.fromStack(stack).resourceCountIs(STATEMENT_RESOURCE_TYPE, 0);
    Annotations.fromStack(stack).hasWarning('/Registry/Access', Match.stringLikeRegexp(
      `ExistingRepositoryPolicy.MERGE only changes repositories of the importing stack's own account, and this one is in account ${THIRD_ACCOUNT}.*\\[ack: ${AnyscaleEcrAccessWarnings.REPOSITORY_POLICY_NOT_APPLIED}\\]`));
  });

  describe('a REPORT construct beside a MERGE construct of the app that applies the same role and repository', () => {
    const NOT_APPLIED = Match.stringLikeRegexp(AnyscaleEcrAccessWarnings.REPOSITORY_POLICY_NOT_APPLIED);

    test.each([
      ['REPORT first', ['report', 'merge']],
      ['MERGE first', ['merge', 'report']],
    ])('does not warn (%s)', (_, order) => {
      // GIVEN one role and one repository, imported once by name and once by ARN
      const { stack, role, repository } = registry();
      const byArn = ecr.Repository.fromRepositoryArn(stack, 'ImagesByArn', `arn:aws:ecr:${REGION}:${REGISTRY_ACCOUNT}:repository/images`);
      // WHEN
      for (const which of order) {
        if (which === 'merge') {
          new AnyscaleEcrAccess(stack, 'Merged', { role, repositories: [repository], ...MERGE });
        } else {
          new AnyscaleEcrAccess(stack, 'Reported', { role, repositories: [byArn] });
        }
      }
      // THEN
      Template.fromStack(stack).resourceCountIs(STATEMENT_RESOURCE_TYPE, 1);
      Annotations.fromStack(stack).hasNoWarning('*', NOT_APPLIED);
    });

    test('does not warn when the MERGE construct is in another stack of the same account and region', () => {
      // GIVEN
      const { app, stack, role, repository } = registry();
      const other = stackIn(app, 'RegistryToo', REGISTRY_ACCOUNT);
      const sameRole = AnyscaleNodeRole.fromCloudId(other, 'NodeRole', 'cld_abc', { account: NODE_ACCOUNT });
      // WHEN
      new AnyscaleEcrAccess(stack, 'Reported', { role, repositories: [repository] });
      new AnyscaleEcrAccess(other, 'Merged', { role: sameRole, repositories: [ecr.Repository.fromRepositoryName(other, 'Images', 'images')], ...MERGE });
      // THEN
      Annotations.fromStack(stack).hasNoWarning('*', NOT_APPLIED);
    });

    test.each([
      ['another role', (stack: any) => AnyscaleNodeRole.fromCloudId(stack, 'OtherRole', 'cld_other', { account: NODE_ACCOUNT }), 'images'],
      ['another repository', (stack: any) => AnyscaleNodeRole.fromCloudId(stack, 'SameRole', 'cld_abc', { account: NODE_ACCOUNT }), 'models'],
    ])('still warns when the MERGE construct applies %s', (_, mergedRole, mergedName) => {
      // GIVEN
      const { stack, role, repository } = registry();
      // WHEN
      new AnyscaleEcrAccess(stack, 'Reported', { role, repositories: [repository] });
      new AnyscaleEcrAccess(stack, 'Merged', {
        role: mergedRole(stack), repositories: [ecr.Repository.fromRepositoryName(stack, 'Merged' + mergedName, mergedName)], ...MERGE,
      });
      // THEN
      Annotations.fromStack(stack).hasWarning('/Registry/Reported', NOT_APPLIED);
    });

    test('still warns for a repository of the same name imported from another region into the stack that merges', () => {
      // GIVEN
      const { stack, role, repository } = registry();
      const west = ecr.Repository.fromRepositoryArn(stack, 'West', `arn:aws:ecr:eu-west-1:${REGISTRY_ACCOUNT}:repository/images`);
      // WHEN
      new AnyscaleEcrAccess(stack, 'Merged', { role, repositories: [repository], ...MERGE });
      new AnyscaleEcrAccess(stack, 'Reported', { role, repositories: [west] });
      // THEN
      Annotations.fromStack(stack).hasWarning('/Registry/Reported', NOT_APPLIED);
    });

    test('still warns when the stack that merges is in another region', () => {
      // GIVEN
      const { app, stack, role, repository } = registry();
      const other = stackIn(app, 'RegistryWest', REGISTRY_ACCOUNT, 'us-west-2');
      const sameRole = AnyscaleNodeRole.fromCloudId(other, 'NodeRole', 'cld_abc', { account: NODE_ACCOUNT });
      // WHEN
      new AnyscaleEcrAccess(stack, 'Reported', { role, repositories: [repository] });
      new AnyscaleEcrAccess(other, 'Merged', { role: sameRole, repositories: [ecr.Repository.fromRepositoryName(other, 'Images', 'images')], ...MERGE });
      // THEN
      Annotations.fromStack(stack).hasWarning('/Registry/Reported', NOT_APPLIED);
    });
  });

  test('too many principals for one repository policy fail synthesis with the size and the limit', () => {
    const { stack, repository } = registry();
    for (let i = 0; i < 130; i++) {
      const role = AnyscaleNodeRole.fromCloudId(stack, `Role${i}`, `cld_${'x'.repeat(20)}${i}`, { account: NODE_ACCOUNT });
      new AnyscaleEcrAccess(stack, `Access${i}`, { role, repositories: [repository], ...MERGE });
    }
    // The statement as the handler writes it, principals in the account of the literal ARNs
    const principals = Array.from({ length: 130 }, (_, i) => `arn:aws:iam::${NODE_ACCOUNT}:role/cld_${'x'.repeat(20)}${i}-cluster_node_role`);
    const size = JSON.stringify({ Sid: `AnyscaleEcrPull${'0'.repeat(24)}`, Effect: 'Allow', Principal: { AWS: principals }, Action: AnyscaleEcrAccess.PULL_ACTIONS }).length;
    expect(() => Template.fromStack(stack)).toThrow(
      `The statement for repository images is ${size} characters, over the AWS limit of 10240. ` +
      'Grant fewer node roles on this repository, or grant them all at once with AnyscaleEcrOrganizationAccess.');
  });

  test('the size error names a repository known only at deploy time by its construct path, never a token', () => {
    const { stack } = registry();
    const shared = ecr.Repository.fromRepositoryName(stack, 'Shared', new CfnParameter(stack, 'SharedName').valueAsString);
    for (let i = 0; i < 130; i++) {
      const role = AnyscaleNodeRole.fromCloudId(stack, `Role${i}`, `cld_${'x'.repeat(20)}${i}`, { account: NODE_ACCOUNT });
      new AnyscaleEcrAccess(stack, `Access${i}`, { role, repositories: [shared], ...MERGE });
    }
    expect(() => Template.fromStack(stack)).toThrow(/\[Registry\/AnyscaleEcrExistingPolicy[0-9A-F]+\] The statement for repository Registry\/Shared is \d+ characters/m);
  });
});

test('100 imported repositories, the most one stack serves, fit the handler\'s environment', () => {
  const { stack, role } = registry();
  const names = Array.from({ length: MAX_REPOSITORIES_PER_HANDLER }, (_, i) => `team/repository-${i}`);
  new AnyscaleEcrAccess(stack, 'Access', { role, repositories: names.map((name, i) => ecr.Repository.fromRepositoryName(stack, `Repo${i}`, name)), ...MERGE });
  const template = Template.fromStack(stack);
  template.resourceCountIs(STATEMENT_RESOURCE_TYPE, MAX_REPOSITORIES_PER_HANDLER);
  const variables = Object.values<any>(template.findResources('AWS::Lambda::Function'))[0].Properties.Environment.Variables;
  expect(measure(stack, variables[ALLOW_LIST_VARIABLE]).characters + ALLOW_LIST_VARIABLE.length).toBeLessThanOrEqual(4_096);
});

test('repository names too long for the handler\'s 4 KB environment fail synthesis with the size and the remedy', () => {
  const { stack, role } = registry();
  const repositories = Array.from({ length: 60 }, (_, i) => ecr.Repository.fromRepositoryName(stack, `Repo${i}`, `team/repository-${i}-${'x'.repeat(60)}`));
  new AnyscaleEcrAccess(stack, 'Access', { role, repositories, ...MERGE });
  expect(() => Template.fromStack(stack)).toThrow(new RegExp(
    `The environment variable ${ALLOW_LIST_VARIABLE} of the ExistingRepositoryPolicy.MERGE handler of stack Registry is \\d+ characters, ` +
    'over the AWS limit of 4082. It names every repository and node role the handler may write; import the repositories in several stacks.'));
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
    Template.fromStack(stack).resourceCountIs(STATEMENT_RESOURCE_TYPE, 0);
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
  const bundle = path.join(__dirname, '../../assets/lib/private/existing-repository/handler/merge-policy.lambda/index.js');
  expect(fs.existsSync(bundle)).toBe(true);
  // The ECR client is inside the bundle: the Lambda runtime's own SDK version does not matter.
  expect(fs.readFileSync(bundle, 'utf8')).toContain('GetRepositoryPolicyCommand');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  expect(typeof require(bundle).handler).toBe('function');
});

