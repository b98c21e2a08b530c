import * as fs from 'fs';
import * as path from 'path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { App, CfnParameter, Stack } from 'aws-cdk-lib/core';
import { AnyscaleEcrAccess, AnyscaleNodeRole, IdentityPolicy } from '../lib';
import { NODE_ACCOUNT, REGION, REGISTRY_ACCOUNT, stackIn } from './support/stacks';

const MANAGED_POLICY_LIMIT = 6_144;

function awsManaged(name: string) {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::aws:policy/${name}`]] };
}

function ownedRole(stack: Stack): iam.Role {
  return new iam.Role(stack, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
}

function registryRepository(stack: Stack, name: string): ecr.IRepository {
  return ecr.Repository.fromRepositoryArn(stack, `Repo-${name}`, `arn:aws:ecr:${REGION}:${REGISTRY_ACCOUNT}:repository/${name}`);
}

describe('READ_ONLY (the default) and PULL_ONLY', () => {
  test.each([
    [IdentityPolicy.READ_ONLY, 'AmazonEC2ContainerRegistryReadOnly'],
    [IdentityPolicy.PULL_ONLY, 'AmazonEC2ContainerRegistryPullOnly'],
  ])('an owned role gets the AWS managed policy of %s', (identityPolicy, name) => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', { role: ownedRole(stack), repositories: [new ecr.Repository(stack, 'Images')], identityPolicy });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: [awsManaged(name)] });
  });

  test('an imported role gets an inline policy with the PullOnly actions', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', {
      role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123'),
      repositories: [new ecr.Repository(stack, 'Images')],
      identityPolicy: IdentityPolicy.PULL_ONLY,
    });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 1);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('AnyscaleEcrPullOnly'),
      Roles: ['cld_abc123-cluster_node_role'],
      PolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: ['ecr:BatchGetImage', 'ecr:BatchImportUpstreamImage', 'ecr:GetAuthorizationToken', 'ecr:GetDownloadUrlForLayer'],
          Resource: '*',
        }],
      },
    });
  });

  test('the default is READ_ONLY', () => {
    expect(IdentityPolicy.READ_ONLY.awsManagedPolicyName).toBe('AmazonEC2ContainerRegistryReadOnly');
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    new AnyscaleEcrAccess(stack, 'Access', { role: ownedRole(stack), repositories: [new ecr.Repository(stack, 'Images')] });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: [awsManaged('AmazonEC2ContainerRegistryReadOnly')] });
  });
});

describe('ALREADY_ATTACHED (the role has its ECR permissions, as Anyscale\'s own tools attach them)', () => {
  test.each([
    ['a role this app defines', (stack: Stack) => ownedRole(stack)],
    ['a role imported into its own account\'s stack', (stack: Stack) => AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123')],
    ['a role imported with mutable: false', (stack: Stack) => AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123', { mutable: false })],
  ])('%s: nothing attached, nothing warned, the grant succeeds', (_name, makeRole) => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    // WHEN
    const grant = new AnyscaleEcrAccess(stack, 'Access', { role: makeRole(stack), identityPolicy: IdentityPolicy.ALREADY_ATTACHED })
      .addRepository(new ecr.Repository(stack, 'Images'));
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    expect(JSON.stringify(template.toJSON())).not.toContain('AmazonEC2ContainerRegistry');
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
    expect(grant.success).toBe(true);
  });

  test('a role of another account, granted in the registry stack: only the repository statement, no identityNotApplied warning', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const repository = new ecr.Repository(stack, 'Images');
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', {
      role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123', { account: NODE_ACCOUNT }),
      repositories: [repository],
      identityPolicy: IdentityPolicy.ALREADY_ATTACHED,
    });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::Repository', {
      RepositoryPolicyText: { Statement: [Match.objectLike({ Sid: 'AnyscaleEcrPull', Action: AnyscaleEcrAccess.PULL_ACTIONS })] },
    });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('REPOSITORY_SCOPED', () => {
  test('a customer managed policy allows the read-only actions on the granted repositories only', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const role = ownedRole(stack);
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', {
      role,
      repositories: [registryRepository(stack, 'a'), registryRepository(stack, 'b')],
      identityPolicy: IdentityPolicy.REPOSITORY_SCOPED,
    });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: AnyscaleEcrAccess.PULL_ACTIONS.filter(a => a !== 'ecr:GetAuthorizationToken'),
            Resource: [`arn:aws:ecr:${REGION}:${REGISTRY_ACCOUNT}:repository/a`, `arn:aws:ecr:${REGION}:${REGISTRY_ACCOUNT}:repository/b`],
          },
          { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  test('two constructs for the same imported role share the policy; each repository appears once', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const shared = registryRepository(stack, 'shared');
    // WHEN
    for (const [id, repository] of [['First', registryRepository(stack, 'one')], ['Second', registryRepository(stack, 'two')]] as const) {
      new AnyscaleEcrAccess(stack, id, {
        role: AnyscaleNodeRole.fromCloudId(stack, `${id}Role`, 'cld_abc123'),
        repositories: [shared, repository],
        identityPolicy: IdentityPolicy.REPOSITORY_SCOPED,
      });
    }
    // THEN
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'));
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.Roles).toEqual(['cld_abc123-cluster_node_role']);
    expect(policies[0].Properties.PolicyDocument.Statement[0].Resource).toEqual(
      ['shared', 'one', 'two'].map(name => `arn:aws:ecr:${REGION}:${REGISTRY_ACCOUNT}:repository/${name}`));
  });

  test('two roles in one stack get a set of policies each', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    // WHEN
    for (const cloud of ['cld_a', 'cld_b']) {
      new AnyscaleEcrAccess(stack, cloud, {
        role: AnyscaleNodeRole.fromCloudId(stack, `${cloud}Role`, cloud),
        repositories: [registryRepository(stack, cloud)],
        identityPolicy: IdentityPolicy.REPOSITORY_SCOPED,
      });
    }
    // THEN
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'));
    expect(policies.map(policy => [policy.Properties.Roles, policy.Properties.PolicyDocument.Statement[0].Resource])).toEqual([
      [['cld_a-cluster_node_role'], `arn:aws:ecr:${REGION}:${REGISTRY_ACCOUNT}:repository/cld_a`],
      [['cld_b-cluster_node_role'], `arn:aws:ecr:${REGION}:${REGISTRY_ACCOUNT}:repository/cld_b`],
    ]);
  });

  test('a repository that many constructs grant to one role is sized once', () => {
    // GIVEN 60 teams whose constructs all grant the shared base images and their own repository
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const base = registryRepository(stack, 'base-images');
    // WHEN
    for (let i = 0; i < 60; i++) {
      new AnyscaleEcrAccess(stack, `Team${i}`, {
        role: AnyscaleNodeRole.fromCloudId(stack, `Role${i}`, 'cld_abc123'),
        repositories: [base, registryRepository(stack, `team-${i}`)],
        identityPolicy: IdentityPolicy.REPOSITORY_SCOPED,
      });
    }
    // THEN 61 ARNs of about 55 characters fit one policy
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'));
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.PolicyDocument.Statement[0].Resource).toHaveLength(61);
  });

  test('a policy of exactly 6,144 characters is not split; one character more is', () => {
    // GIVEN repositories that fill one policy up to a few characters, and a last one whose name takes the rest
    function documents(names: string[]) {
      const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
      new AnyscaleEcrAccess(stack, 'Access', {
        role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123'),
        repositories: names.map(name => registryRepository(stack, name)),
        identityPolicy: IdentityPolicy.REPOSITORY_SCOPED,
      });
      return Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy')).map(p => p.Properties.PolicyDocument);
    }
    const base = Array.from({ length: 85 }, (_, i) => `team-${String(i).padStart(3, '0')}/images`);
    const withLast = (length: number) => [...base, 'l'.repeat(length)];
    const exact = 1 + MANAGED_POLICY_LIMIT - JSON.stringify(documents(withLast(1))[0]).length;
    expect(exact).toBeGreaterThan(1);
    expect(exact).toBeLessThanOrEqual(256); // an ECR repository name
    // WHEN / THEN
    const full = documents(withLast(exact));
    expect(full.map(document => JSON.stringify(document).length)).toEqual([MANAGED_POLICY_LIMIT]);
    expect(documents(withLast(exact + 1))).toHaveLength(2);
  });

  test('300 repositories are split over policies that each stay within 6,144 characters', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const names = Array.from({ length: 300 }, (_, i) => `team-${String(i).padStart(3, '0')}/ray-images`);
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', {
      role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123'),
      repositories: names.map(name => registryRepository(stack, name)),
      identityPolicy: IdentityPolicy.REPOSITORY_SCOPED,
    });
    // THEN
    const documents = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))
      .map(policy => policy.Properties.PolicyDocument);
    const sizes = documents.map(document => JSON.stringify(document).length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MANAGED_POLICY_LIMIT);
    const resources = documents.flatMap(document => document.Statement[0].Resource);
    expect(resources).toEqual(names.map(name => `arn:aws:ecr:${REGION}:${REGISTRY_ACCOUNT}:repository/${name}`));
    // Split only when needed: every policy but the last could not take the next repository.
    const perArn = resources[0].length + 3;
    sizes.slice(0, -1).forEach(size => expect(size + perArn).toBeGreaterThan(MANAGED_POLICY_LIMIT));
    expect(documents.filter(document => JSON.stringify(document).includes('ecr:GetAuthorizationToken'))).toHaveLength(1);
    const policies = Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy');
    expect(Object.values(policies).map(policy => policy.Properties.Description)).toEqual(documents.map((_, i) =>
      `Pull from the ECR repositories granted to cld_abc123-cluster_node_role (part ${i + 1})`));
    expect(Object.keys(policies).map(logicalId => logicalId.replace(/[0-9A-F]{8}$/, ''))).toEqual(documents.map((_, i) =>
      expect.stringMatching(new RegExp(`^AnyscaleEcrScoped[0-9A-F]+${i + 1}$`))));
  });

  test('repositories of the role\'s own stack, named by CloudFormation: each ARN bounded by the name CloudFormation can generate', () => {
    // GIVEN 370 repositories without repositoryName (each ARN is a GetAtt, known only at deploy time)
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const repositories = Array.from({ length: 370 }, (_, i) => new ecr.Repository(stack, `Images${i}`));
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', {
      role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123'),
      repositories,
      identityPolicy: IdentityPolicy.REPOSITORY_SCOPED,
    });
    // THEN: at its longest, CloudFormation's name is <stack name>-<logical id>-<13 characters>
    const longestArn = (logicalId: string) =>
      `arn:aws:ecr:${REGION}:${NODE_ACCOUNT}:repository/${'x'.repeat('Node'.length + 1 + logicalId.length + 1 + 13)}`;
    const documents = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))
      .map(policy => policy.Properties.PolicyDocument);
    const atLongest = documents.map(document => JSON.stringify(document, (_key, value) =>
      value?.['Fn::GetAtt'] ? longestArn(value['Fn::GetAtt'][0]) : value));
    const sizes = atLongest.map(text => text.length);
    expect(documents.flatMap(document => document.Statement[0].Resource)).toHaveLength(370);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MANAGED_POLICY_LIMIT);
    // Split only when needed: no policy but the last could take the next repository at its longest.
    const perArn = longestArn(stack.getLogicalId(repositories[0].node.defaultChild as ecr.CfnRepository)).length + 3;
    sizes.slice(0, -1).forEach(size => expect(size + perArn).toBeGreaterThan(MANAGED_POLICY_LIMIT));
    // The figures the README gives.
    expect(documents.map(document => document.Statement[0].Resource.length)).toEqual([68, 68, 67, 67, 67, 33]);
  });

  test('repositories with a literal repositoryName are counted at their names\' length, not at ECR\'s longest', () => {
    // GIVEN 370 repositories named team/images-0 ... team/images-369 (each ARN is a GetAtt, known only at deploy time)
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const repositories = Array.from({ length: 370 }, (_, i) => new ecr.Repository(stack, `Images${i}`, { repositoryName: `team/images-${i}` }));
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', {
      role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123'),
      repositories,
      identityPolicy: IdentityPolicy.REPOSITORY_SCOPED,
    });
    // THEN each policy, with every ARN written out as it deploys, is within the limit, and full: no policy but the last
    // could take the next repository
    const arnOf = (logicalId: string) => {
      const index = repositories.findIndex(repository => stack.getLogicalId(repository.node.defaultChild as ecr.CfnRepository) === logicalId);
      return `arn:aws:ecr:${REGION}:${NODE_ACCOUNT}:repository/team/images-${index}`;
    };
    const documents = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))
      .map(policy => policy.Properties.PolicyDocument);
    const deployed = documents.map(document => JSON.stringify(document, (_key, value) =>
      value?.['Fn::GetAtt'] ? arnOf(value['Fn::GetAtt'][0]) : value));
    expect(documents.flatMap(document => document.Statement[0].Resource)).toHaveLength(370);
    deployed.forEach(text => expect(text.length).toBeLessThanOrEqual(MANAGED_POLICY_LIMIT));
    const counts = documents.map(document => document.Statement[0].Resource.length);
    deployed.slice(0, -1).forEach((text, i) => {
      const next = counts.slice(0, i + 1).reduce((a, b) => a + b, 0);
      expect(text.length + `,"arn:aws:ecr:${REGION}:${NODE_ACCOUNT}:repository/team/images-${next}"`.length).toBeGreaterThan(MANAGED_POLICY_LIMIT);
    });
    expect(documents).toHaveLength(5);
  });

  test('repositories of a sibling stack of the same environment, named by CloudFormation there: bounded by that stack\'s name', () => {
    // GIVEN 68 repositories of stack Other (each ARN an import in the role's stack), named by CloudFormation
    const app = new App();
    const stack = stackIn(app, 'Node', NODE_ACCOUNT);
    const other = stackIn(app, 'Other', NODE_ACCOUNT);
    const repositories = Array.from({ length: 68 }, (_, i) => new ecr.Repository(other, `Images${i}`));
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', {
      role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123'),
      repositories,
      identityPolicy: IdentityPolicy.REPOSITORY_SCOPED,
    });
    // THEN each import is counted at the longest name CloudFormation generates in stack Other, and the policies are full
    const longestArn = (exportName: string) => {
      const logicalId = /GetAtt(Images\d+[0-9A-F]{8})Arn/.exec(exportName)![1];
      return `arn:aws:ecr:${REGION}:${NODE_ACCOUNT}:repository/${'x'.repeat('Other'.length + 1 + logicalId.length + 1 + 13)}`;
    };
    const documents = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))
      .map(policy => policy.Properties.PolicyDocument);
    const sizes = documents.map(document => JSON.stringify(document, (_key, value) =>
      value?.['Fn::ImportValue'] ? longestArn(value['Fn::ImportValue']) : value).length);
    expect(documents.flatMap(document => [document.Statement[0].Resource].flat())).toHaveLength(68);
    sizes.forEach(size => expect(size).toBeLessThanOrEqual(MANAGED_POLICY_LIMIT));
    expect(sizes[0] + longestArn('GetAttImages67FABD8AAArn').length + 3).toBeGreaterThan(MANAGED_POLICY_LIMIT);
    // Counted at ECR's longest ARN (314 characters) they took four policies.
    expect(documents).toHaveLength(2);
  });

  test('a repository named by a CfnParameter (any length up to ECR\'s 256) is counted at the longest repository ARN', () => {
    // GIVEN the first repository of a policy whose ARN is not bounded by a name, then generated ones
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const makeFirst = (scope: Stack) => new ecr.Repository(scope, 'Images0', { repositoryName: new CfnParameter(scope, 'Name').valueAsString });
    const repositories = [makeFirst(stack), ...Array.from({ length: 67 }, (_, i) => new ecr.Repository(stack, `Images${i + 1}`))];
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', {
      role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123'),
      repositories,
      identityPolicy: IdentityPolicy.REPOSITORY_SCOPED,
    });
    // THEN 68 generated names fit one policy (above); with one ARN counted at 314 characters, they take two
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))).toHaveLength(2);
  });

  test('a role customized with iam.Role.customizeRoles: no policy resource, the statements go to CDK\'s policy report', () => {
    // GIVEN a stack whose roles are created outside CloudFormation (CDK writes a report of the policies they need)
    const app = new App();
    const stack = stackIn(app, 'Node', NODE_ACCOUNT);
    iam.Role.customizeRoles(stack, { usePrecreatedRoles: { 'Node/NodeRole': 'precreated-node-role' } });
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', {
      role: ownedRole(stack),
      repositories: [new ecr.Repository(stack, 'Images', { repositoryName: 'team/images' })],
      identityPolicy: IdentityPolicy.REPOSITORY_SCOPED,
    });
    // THEN
    const assembly = app.synth();
    expect(Template.fromJSON(assembly.getStackByName('Node').template).findResources('AWS::IAM::ManagedPolicy')).toEqual({});
    const report = fs.readFileSync(path.join(assembly.directory, 'iam-policy-report.txt'), 'utf8');
    expect(report).toContain('<precreated-node-role> (Node/NodeRole)');
    expect(report).toContain('ecr:GetAuthorizationToken');
    expect(report).toMatch(/"ecr:BatchGetImage",[^\]]*\][^}]*"Resource": "\(Node\/Images\/Resource\.Arn\)"/);
  });

  test('a logical id overridden after the grant is counted as it is at synthesis: a policy that may be too long fails', () => {
    // GIVEN a full policy of repositories named by CloudFormation
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const repositories = Array.from({ length: 68 }, (_, i) => new ecr.Repository(stack, `Images${i}`));
    new AnyscaleEcrAccess(stack, 'Access', {
      role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123'),
      repositories,
      identityPolicy: IdentityPolicy.REPOSITORY_SCOPED,
    });
    // WHEN one logical id grows after the grant
    (repositories[0].node.defaultChild as ecr.CfnRepository).overrideLogicalId(`Images${'X'.repeat(200)}`);
    // THEN
    expect(() => Template.fromStack(stack)).toThrow(
      /Managed policy Node\/AnyscaleEcrScoped[0-9A-F]+1 is \d+ characters, over the AWS limit of 6144\. Repositories are split over policies by size when they are granted: a repository whose logical id was overridden afterwards/);
  });

  test('a repository of another environment without a physical name: throws with the fix', () => {
    // GIVEN
    const app = new App();
    const nodeStack = stackIn(app, 'Node', NODE_ACCOUNT);
    const registryStack = stackIn(app, 'Registry', REGISTRY_ACCOUNT);
    // WHEN / THEN
    expect(() => new AnyscaleEcrAccess(nodeStack, 'Access', {
      role: AnyscaleNodeRole.fromCloudId(nodeStack, 'NodeRole', 'cld_abc123'),
      repositories: [new ecr.Repository(registryStack, 'Images')],
      identityPolicy: IdentityPolicy.REPOSITORY_SCOPED,
    })).toThrow(new RegExp(
      '^AnyscaleEcrAccess: identityPolicy REPOSITORY_SCOPED names repository Registry/Images \\(stack Registry\\) in a ' +
      'policy of stack Node, another environment\\. Give the repository a physical name: new ecr\\.Repository\\(this, ' +
      "'Images', \\{ repositoryName: 'anyscale/images' \\}\\), or use IdentityPolicy\\.READ_ONLY\\. \\(CDK: .+\\)$"));
  });

  test('a repository of another environment with a physical name is named by its ARN', () => {
    // GIVEN
    const app = new App();
    const nodeStack = stackIn(app, 'Node', NODE_ACCOUNT);
    const registryStack = stackIn(app, 'Registry', REGISTRY_ACCOUNT);
    // WHEN
    new AnyscaleEcrAccess(nodeStack, 'Access', {
      role: AnyscaleNodeRole.fromCloudId(nodeStack, 'NodeRole', 'cld_abc123'),
      repositories: [new ecr.Repository(registryStack, 'Images', { repositoryName: 'anyscale/images' })],
      identityPolicy: IdentityPolicy.REPOSITORY_SCOPED,
    });
    // THEN
    const policy = Object.values(Template.fromStack(nodeStack).findResources('AWS::IAM::ManagedPolicy'))[0];
    expect(policy.Properties.PolicyDocument.Statement[0].Resource).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ecr:${REGION}:${REGISTRY_ACCOUNT}:repository/anyscale/images`]],
    });
  });
});
