import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { App, CfnElement, CfnParameter, CfnResource, Stack } from 'aws-cdk-lib/core';
import { IConstruct } from 'constructs';
import { AnyscaleEcrAccess, AnyscaleNodeRole, ExistingRepositoryPolicy, IdentityPolicy } from '../lib';
import { NODE_ACCOUNT, REGISTRY_ACCOUNT, repositoryStatements, stackIn } from './support/stacks';

let stack: Stack;
beforeEach(() => {
  stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
});

test('PULL_ACTIONS are the twelve actions of Anyscale\'s guide', () => {
  expect(AnyscaleEcrAccess.PULL_ACTIONS).toEqual([
    'ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:DescribeImageScanFindings', 'ecr:DescribeImages',
    'ecr:DescribeRepositories', 'ecr:GetAuthorizationToken', 'ecr:GetDownloadUrlForLayer', 'ecr:GetLifecyclePolicy',
    'ecr:GetLifecyclePolicyPreview', 'ecr:GetRepositoryPolicy', 'ecr:ListImages', 'ecr:ListTagsForResource',
  ]);
});

describe('props.repositories', () => {
  test.each([[[]], [undefined]])('%j, and no addRepository by synthesis: an error naming the prop and saying what to pass', repositories => {
    // GIVEN
    const role = AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123', { account: NODE_ACCOUNT });
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', { role, repositories });
    // THEN
    expect(() => Template.fromStack(stack)).toThrow(/AnyscaleEcrAccess Registry\/Access: no repository to grant \(props\.repositories is empty or not given, and addRepository was not called\)\. Pass the repositories the nodes pull from/);
  });

  test('optional: repositories added with addRepository alone are granted', () => {
    // GIVEN
    const role = AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123', { account: NODE_ACCOUNT });
    const access = new AnyscaleEcrAccess(stack, 'Access', { role });
    // WHEN
    access.addRepository(new ecr.Repository(stack, 'Images'));
    // THEN
    expect(repositoryStatements(Template.fromStack(stack))).toEqual([expect.objectContaining({ Sid: 'AnyscaleEcrPull' })]);
  });

  test('addRepository grants one more repository, once', () => {
    // GIVEN
    const role = AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123', { account: NODE_ACCOUNT });
    const first = new ecr.Repository(stack, 'First');
    const second = new ecr.Repository(stack, 'Second');
    const access = new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [first] });
    // WHEN
    const grant = access.addRepository(second);
    const again = access.addRepository(second);
    // THEN
    expect(again).toBe(grant);
    expect(access.grantedRepositories).toEqual([first, second]);
    expect(repositoryStatements(Template.fromStack(stack))).toHaveLength(2);
  });
});

describe('addRepository returns an iam.Grant', () => {
  function dependsOn(consumer: CfnResource): string[] {
    return Template.fromStack(Stack.of(consumer)).toJSON().Resources[Stack.of(consumer).getLogicalId(consumer)].DependsOn ?? [];
  }
  const logicalId = (construct: IConstruct) => Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);

  test('an owned role and a repository of another account: applyBefore orders a resource after the role and the repository', () => {
    // GIVEN
    const node = stackIn(stack.node.root as App, 'Node', NODE_ACCOUNT);
    const role = new iam.Role(node, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), roleName: 'nodes' });
    const repository = new ecr.Repository(stack, 'Images');
    const consumer = new CfnResource(stack, 'Consumer', { type: 'Custom::Consumer' });
    // WHEN
    const grant = new AnyscaleEcrAccess(node, 'Access', { role }).addRepository(repository);
    grant.applyBefore(consumer);
    // THEN: the identity side is the managed policy's statement on the role; the resource side the pull statement
    expect(grant.success).toBe(true);
    expect(grant.principalStatements.map(s => s.toStatementJson())).toEqual([{ Action: AnyscaleEcrAccess.PULL_ACTIONS, Effect: 'Allow', Resource: '*' }]);
    expect(grant.resourceStatements.map(s => s.sid)).toEqual(['AnyscaleEcrPull']);
    expect(dependsOn(consumer)).toEqual([logicalId(repository)]);
    expect(stack.dependencies).toContain(node);
  });

  test('an imported role of the stack\'s account: the inline policy carries the identity side', () => {
    // GIVEN
    const role = AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123');
    const consumer = new CfnResource(stack, 'Consumer', { type: 'Custom::Consumer' });
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', { role }).addRepository(new ecr.Repository(stack, 'Images')).applyBefore(consumer);
    // THEN
    const policies = Object.keys(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(1);
    expect(dependsOn(consumer)).toEqual(policies);
  });

  test('REPOSITORY_SCOPED: the managed policy that names the repository carries the identity side', () => {
    // GIVEN
    const role = AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123');
    const repository = new ecr.Repository(stack, 'Images');
    // WHEN
    const grant = new AnyscaleEcrAccess(stack, 'Access', { role, identityPolicy: IdentityPolicy.REPOSITORY_SCOPED }).addRepository(repository);
    // THEN
    expect(stack.resolve(grant.principalStatements[0].resources)).toEqual([stack.resolve(repository.repositoryArn)]);
  });

  test('REPOSITORY_SCOPED over several policies: applyBefore waits for the policy that names the repository and for the first, which holds ecr:GetAuthorizationToken', () => {
    // GIVEN 299 repositories granted, then one more that opens a new policy
    const role = AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123');
    const repositories = Array.from({ length: 300 }, (_, i) => new ecr.Repository(stack, `Images${i}`));
    const access = new AnyscaleEcrAccess(stack, 'Access', { role, repositories: repositories.slice(0, 299), identityPolicy: IdentityPolicy.REPOSITORY_SCOPED });
    const consumer = new CfnResource(stack, 'Consumer', { type: 'Custom::Consumer' });
    // WHEN
    access.addRepository(repositories[299]).applyBefore(consumer);
    // THEN
    const policies = Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy');
    const holding = (test: (statement: any) => boolean) =>
      Object.keys(policies).filter(id => policies[id].Properties.PolicyDocument.Statement.some(test));
    const tokenPolicy = holding(statement => statement.Action === 'ecr:GetAuthorizationToken');
    const lastRepository = { 'Fn::GetAtt': [logicalId(repositories[299]), 'Arn'] };
    const repositoryPolicy = holding(statement =>
      [statement.Resource].flat().some((r: unknown) => JSON.stringify(r) === JSON.stringify(lastRepository)));
    expect(Object.keys(policies).length).toBeGreaterThan(1);
    expect(tokenPolicy).toHaveLength(1);
    expect(repositoryPolicy).toHaveLength(1);
    expect(repositoryPolicy).not.toEqual(tokenPolicy);
    expect(dependsOn(consumer).sort()).toEqual([...tokenPolicy, ...repositoryPolicy].sort());
  });

  test('MERGE: the grant holds the statement the custom resource keeps, carried by the custom resource', () => {
    // GIVEN
    const role = AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123', { account: NODE_ACCOUNT });
    const consumer = new CfnResource(stack, 'Consumer', { type: 'Custom::Consumer' });
    // WHEN
    const grant = new AnyscaleEcrAccess(stack, 'Access', { role, existingRepositoryPolicy: ExistingRepositoryPolicy.MERGE })
      .addRepository(ecr.Repository.fromRepositoryName(stack, 'Existing', 'existing-images'));
    grant.applyBefore(consumer);
    // THEN
    expect(grant.resourceStatements.map(s => stack.resolve(s.toStatementJson()))).toEqual([{
      Action: AnyscaleEcrAccess.PULL_ACTIONS, Effect: 'Allow', Principal: { AWS: stack.resolve(role.roleArn) },
    }]);
    const [statementResource] = Object.keys(Template.fromStack(stack).findResources('Custom::AnyscaleEcrRepositoryStatement'));
    expect(dependsOn(consumer)).toEqual([statementResource]);
  });

  test('nothing this app can apply (a role and a repository, both imported, of other accounts): a dropped grant', () => {
    // GIVEN
    const role = AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123', { account: NODE_ACCOUNT });
    const repository = ecr.Repository.fromRepositoryArn(stack, 'Old', 'arn:aws:ecr:us-east-1:333333333333:repository/old');
    // WHEN
    const grant = new AnyscaleEcrAccess(stack, 'Access', { role }).addRepository(repository);
    // THEN
    expect(grant.success).toBe(false);
    expect(() => grant.assertSuccess()).toThrow(/could not be added on either identity or resource policy/);
  });
});

describe('props.role', () => {
  test.each([
    ['an IAM user', `arn:aws:iam::${NODE_ACCOUNT}:user/alice`, /IAM users cannot be the node role/],
    ['an assumed-role session', `arn:aws:sts::${NODE_ACCOUNT}:assumed-role/nodes/i-0abc`,
      new RegExp(`pass the role itself: arn:aws:iam::${NODE_ACCOUNT}:role/nodes\\.`)],
  ])('that is %s: throws, naming the prop, the value and the fix', (_name, arn, fix) => {
    // GIVEN: CDK's own import does not check what the ARN names
    const role = iam.Role.fromRoleArn(stack, 'NotARole', arn);
    const repositories = [new ecr.Repository(stack, 'Images')];
    // WHEN / THEN
    const create = () => new AnyscaleEcrAccess(stack, 'Access', { role, repositories });
    const escapedArn = arn.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    expect(create).toThrow(new RegExp(`^AnyscaleEcrAccess: props\\.role '${escapedArn}' is not an IAM role ARN.*${fix.source}`));
  });

  test('a token ARN (a parameter) is never rejected', () => {
    // GIVEN
    const arn = new CfnParameter(stack, 'NodeRoleArn').valueAsString;
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', {
      role: iam.Role.fromRoleArn(stack, 'NodeRole', arn),
      repositories: [new ecr.Repository(stack, 'Images')],
    });
    // THEN
    expect(repositoryStatements(Template.fromStack(stack))[0].Principal).toEqual({ AWS: { Ref: 'NodeRoleArn' } });
  });

  test('is exposed as the construct\'s role', () => {
    const role = AnyscaleNodeRole.rayAutoscalerV1(stack, 'NodeRole', { account: NODE_ACCOUNT });
    expect(new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [new ecr.Repository(stack, 'Images')] }).role).toBe(role);
  });
});

test('PULL_ACTIONS is frozen, and a change tried on it leaves the statement the construct writes as it was', () => {
  // GIVEN
  const registry = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
  const actions = [...AnyscaleEcrAccess.PULL_ACTIONS];
  // WHEN
  expect(() => AnyscaleEcrAccess.PULL_ACTIONS.push('ecr:PutImage')).toThrow(TypeError);
  expect(() => { AnyscaleEcrAccess.PULL_ACTIONS[0] = 'ecr:PutImage'; }).toThrow(TypeError);
  new AnyscaleEcrAccess(registry, 'Access', {
    role: AnyscaleNodeRole.fromCloudId(registry, 'NodeRole', 'cld_abc', { account: NODE_ACCOUNT }),
    repositories: [new ecr.Repository(registry, 'Images')],
  });
  // THEN
  expect(Object.isFrozen(AnyscaleEcrAccess.PULL_ACTIONS)).toBe(true);
  expect(AnyscaleEcrAccess.PULL_ACTIONS).toEqual(actions);
  expect(repositoryStatements(Template.fromStack(registry))[0].Action).toEqual(actions);
});
