import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { App, Stack, Stage } from 'aws-cdk-lib/core';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { AnyscaleEcrAccess, AnyscaleEcrOrganizationAccess, AnyscaleNodeRole, ExistingRepositoryPolicy, OrganizationGrantee } from '../lib';
import { NODE_ACCOUNT, REGION, REGISTRY_ACCOUNT } from './support/stacks';

// CDK Pipelines synthesizes a stage as soon as pipeline.addStage(stage) is called: whatever is added to that stage
// afterwards never reaches its templates. A grant must land in the template, or fail with the library's own error.

function pipelineApp() {
  const app = new App();
  const pipelineStack = new Stack(app, 'Pipeline', { env: { account: REGISTRY_ACCOUNT, region: REGION } });
  const pipeline = new pipelines.CodePipeline(pipelineStack, 'Pipeline', {
    synth: new pipelines.ShellStep('Synth', {
      input: pipelines.CodePipelineSource.gitHub('example/infra', 'main'),
      commands: ['npx cdk synth'],
    }),
  });
  const registryStage = new Stage(app, 'RegistryStage', { env: { account: REGISTRY_ACCOUNT, region: REGION } });
  const registry = new Stack(registryStage, 'Registry');
  const repository = new ecr.Repository(registry, 'Images', { repositoryName: 'anyscale/images' });
  const nodeStage = new Stage(app, 'NodeStage', { env: { account: NODE_ACCOUNT, region: REGION } });
  const node = new Stack(nodeStage, 'Node');
  return { pipeline, registryStage, registry, repository, nodeStage, node };
}

function registryPolicy(stage: Stage): any {
  const template = stage.synth().getStackByName('RegistryStage-Registry').template;
  const [repository] = Object.values(template.Resources).filter((r: any) => r.Type === 'AWS::ECR::Repository') as any[];
  return repository.Properties.RepositoryPolicyText;
}

test('a grant made after pipeline.addStage(registryStage) fails with the fix, instead of missing from the template', () => {
  // GIVEN: the registry stage is already in the pipeline (and so synthesized)
  const { pipeline, registryStage, repository, node } = pipelineApp();
  pipeline.addStage(registryStage);
  const role = AnyscaleNodeRole.fromRoleName(node, 'NodeRole', 'nodes');
  // WHEN / THEN
  expect(() => new AnyscaleEcrAccess(node, 'Access', { role, repositories: [repository] })).toThrow(
    /cannot add a node role to the policy of repository RegistryStage\/Registry\/Images: stage RegistryStage was already synthesized \(CDK Pipelines synthesizes a stage when pipeline\.addStage\(\.\.\.\) is called\), so its templates would not have it\. Create the grant before the stage is synthesized \(before adding that stage to the pipeline, or inside that stage\)\./);
});

test('a grant after app.synth(): the message names the app', () => {
  // GIVEN
  const { repository, node } = pipelineApp();
  const appStack = new Stack(node.node.root, 'Later', { env: { account: REGISTRY_ACCOUNT, region: REGION } });
  (node.node.root as App).synth();
  // WHEN / THEN
  expect(() => new AnyscaleEcrAccess(appStack, 'Access', {
    role: AnyscaleNodeRole.fromRoleName(appStack, 'NodeRole', 'nodes', { account: NODE_ACCOUNT }),
    repositories: [new ecr.Repository(appStack, 'Images')],
  })).toThrow(/: the app was already synthesized/);
  void repository;
});

test('a second role granted after the stage was synthesized fails too (the statement exists, its principals are frozen)', () => {
  // GIVEN
  const { pipeline, registryStage, registry, repository } = pipelineApp();
  new AnyscaleEcrAccess(registry, 'First', { role: AnyscaleNodeRole.fromCloudId(registry, 'FirstRole', 'cld_1', { account: NODE_ACCOUNT }), repositories: [repository] });
  pipeline.addStage(registryStage);
  // WHEN / THEN
  expect(() => new AnyscaleEcrAccess(registry, 'Second', {
    role: AnyscaleNodeRole.fromCloudId(registry, 'SecondRole', 'cld_2', { account: NODE_ACCOUNT }),
    repositories: [repository],
  })).toThrow(/stage RegistryStage was already synthesized/);
});

test('a role granted after the repository policy was resolved (its statements frozen): the library\'s error, not CDK\'s', () => {
  // GIVEN
  const { registry, repository } = pipelineApp();
  new AnyscaleEcrAccess(registry, 'First', { role: AnyscaleNodeRole.fromCloudId(registry, 'FirstRole', 'cld_1', { account: NODE_ACCOUNT }), repositories: [repository] });
  registry.resolve((repository.node.defaultChild as ecr.CfnRepository).repositoryPolicyText);
  // WHEN / THEN
  expect(() => new AnyscaleEcrAccess(registry, 'Second', {
    role: AnyscaleNodeRole.fromCloudId(registry, 'SecondRole', 'cld_2', { account: NODE_ACCOUNT }),
    repositories: [repository],
  })).toThrow('The policy of repository RegistryStage/Registry/Images was already rendered when a node role was granted on it: ' +
    'grant every role before the repository\'s stage or stack is synthesized.');
});

test('a grant made before pipeline.addStage lands in the registry stage\'s template', () => {
  // GIVEN
  const { pipeline, registryStage, repository, node, nodeStage } = pipelineApp();
  const role = AnyscaleNodeRole.fromRoleName(node, 'NodeRole', 'nodes');
  // WHEN
  new AnyscaleEcrAccess(node, 'Access', { role, repositories: [repository] });
  pipeline.addStage(nodeStage);
  pipeline.addStage(registryStage);
  // THEN
  expect(registryPolicy(registryStage).Statement).toEqual([expect.objectContaining({
    Sid: 'AnyscaleEcrPull',
    Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${NODE_ACCOUNT}:role/nodes`]] } },
  })]);
});

test('an owned role of another stage: the library\'s error names both stages and the fix (not CDK\'s raw cross-stage error)', () => {
  // GIVEN
  const { repository, node } = pipelineApp();
  const role = new iam.Role(node, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), roleName: 'nodes' });
  // WHEN / THEN
  expect(() => new AnyscaleEcrAccess(node, 'Access', { role, repositories: [repository] })).toThrow(
    /props\.role NodeStage\/Node\/NodeRole is defined in stage NodeStage, and repository RegistryStage\/Registry\/Images in stage RegistryStage: CDK cannot reference a role or order stacks across stages \(as CDK Pipelines deploys them\)\. Grant inside the stage that defines the role, or import the role in the repository's stage by its fixed name \(AnyscaleNodeRole\.fromRoleName\(scope, 'NodeRole', '<roleName>', \{ account: '<node account>' \}\)\) and deploy the role's stage first\./);
});

test('a role of a stack outside any stage, granted on a repository of a stage: the message names the app', () => {
  // GIVEN
  const { repository } = pipelineApp();
  const appStack = new Stack(repository.node.root, 'Nodes', { env: { account: NODE_ACCOUNT, region: REGION } });
  const role = new iam.Role(appStack, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), roleName: 'nodes' });
  // WHEN / THEN
  expect(() => new AnyscaleEcrAccess(appStack, 'Access', { role, repositories: [repository] })).toThrow(
    /props\.role Nodes\/NodeRole is defined in the app, and repository RegistryStage\/Registry\/Images in stage RegistryStage/);
});

test('MERGE into an imported repository of a stage already synthesized fails too', () => {
  // GIVEN
  const { pipeline, registryStage, registry } = pipelineApp();
  const existing = ecr.Repository.fromRepositoryName(registry, 'Existing', 'existing-images');
  pipeline.addStage(registryStage);
  // WHEN / THEN
  expect(() => new AnyscaleEcrAccess(registry, 'Merge', {
    role: AnyscaleNodeRole.fromCloudId(registry, 'MergeRole', 'cld_1', { account: NODE_ACCOUNT }),
    repositories: [existing],
    existingRepositoryPolicy: ExistingRepositoryPolicy.MERGE,
  })).toThrow(/cannot add a node role to the policy of repository RegistryStage\/Registry\/Existing: stage RegistryStage was already synthesized/);
});

test('the fix: the registry stage imports the node role by name, both stages in the pipeline, node stage first', () => {
  // GIVEN
  const { pipeline, registryStage, registry, repository, nodeStage, node } = pipelineApp();
  new iam.Role(node, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), roleName: 'nodes' });
  // WHEN
  new AnyscaleEcrAccess(registry, 'Access', {
    role: AnyscaleNodeRole.fromRoleName(registry, 'NodeRole', 'nodes', { account: NODE_ACCOUNT }),
    repositories: [repository],
  });
  pipeline.addStage(nodeStage);
  pipeline.addStage(registryStage);
  // THEN
  expect(registryPolicy(registryStage).Statement).toEqual([expect.objectContaining({ Sid: 'AnyscaleEcrPull' })]);
});

test('a grant on a role whose stage was already synthesized fails too (its ECR permissions would be lost)', () => {
  // GIVEN
  const { pipeline, nodeStage, node } = pipelineApp();
  const role = new iam.Role(node, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  pipeline.addStage(nodeStage);
  // WHEN / THEN
  expect(() => new AnyscaleEcrAccess(node, 'Access', { role, repositories: [new ecr.Repository(node, 'Images')] }))
    .toThrow(/cannot add ECR permissions to role NodeStage\/Node\/NodeRole: stage NodeStage was already synthesized/);
});

test('an organization grant on a repository of a stage already synthesized fails too', () => {
  // GIVEN
  const { pipeline, registryStage, registry, repository } = pipelineApp();
  pipeline.addStage(registryStage);
  // WHEN / THEN
  expect(() => new AnyscaleEcrOrganizationAccess(registry, 'AllClouds', {
    grantee: OrganizationGrantee.organization('o-a1b2c3d4e5'),
    repositories: [repository],
  })).toThrow(/cannot add a statement to the policy of repository RegistryStage\/Registry\/Images: stage RegistryStage was already synthesized/);
});

test('a role over the managed-policy quota, granted from a stage added to the pipeline first: the error lands in the role\'s stage', () => {
  // GIVEN a node stage whose role has 20 managed policies, and a registry stage of the same account that grants the role
  const { pipeline, node, nodeStage } = pipelineApp();
  const role = new iam.Role(node, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), roleName: 'nodes' });
  Array.from({ length: 20 }, (_, i) => new iam.ManagedPolicy(node, `Policy${i}`, {
    statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::bucket-${i}/*`] })],
    roles: [role],
  }));
  const sameAccountStage = new Stage(node.node.root, 'SameAccountRegistry', { env: { account: NODE_ACCOUNT, region: REGION } });
  const registry = new Stack(sameAccountStage, 'Registry');
  new AnyscaleEcrAccess(registry, 'Access', { role, repositories: [new ecr.Repository(registry, 'Images')] });
  // WHEN the registry stage is synthesized first, then the node stage
  pipeline.addStage(sameAccountStage);
  pipeline.addStage(nodeStage);
  // THEN the node stage's assembly carries the error, on the role
  const errors = nodeStage.synth().getStackByName('NodeStage-Node').messages.filter(message => message.level === 'error');
  expect(errors.map(message => [message.id, message.entry.data])).toEqual([['/NodeStage/Node/NodeRole', expect.stringMatching(
    /^Role NodeStage\/Node\/NodeRole is attached 21 managed policies in stack NodeStage-Node, over the account's highest IAM quota of 20 \(maxManagedPoliciesPerRole\)\./)]]);
});
