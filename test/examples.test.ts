import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AnyscaleEcrAccess } from '../lib';
import { repositoryStatements } from './support/stacks';
import { synthesizeExample } from '../scripts/example-apps';

const examplesDir = path.join(__dirname, '..', 'examples');
let outRoot: string;
beforeAll(() => {
  outRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'anyscale-examples-'));
});
afterAll(() => fs.rmSync(outRoot, { recursive: true, force: true }));

function synth(name: string): cxapi.CloudAssembly {
  return synthesizeExample(path.join(examplesDir, `${name}.ts`), path.join(outRoot, name));
}

function template(assembly: cxapi.CloudAssembly, stackName: string): Template {
  return Template.fromJSON(assembly.getStackByName(stackName).template);
}

const NODE_ROLE_PRINCIPAL = {
  AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:role/cld_abc123-cluster_node_role']] },
};

test('every example app is covered here', () => {
  const apps = fs.readdirSync(examplesDir).filter(file => file.endsWith('.ts')).sort();
  expect(apps).toEqual(['created-repositories.ts', 'eks-node-group.ts', 'existing-repository.ts', 'one-account.ts', 'registry-account-only.ts', 'two-accounts.ts']);
});

test('eks-node-group: the node group\'s role gets the pull-only policy, next to its own; no warning', () => {
  // WHEN
  const assembly = synth('eks-node-group');
  // THEN
  const stack = template(assembly, 'AnyscaleEksNodes');
  const [role] = Object.values(stack.findResources('AWS::IAM::Role'));
  expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toMatch(
    /AmazonEKSWorkerNodePolicy.*AmazonEKS_CNI_Policy.*AmazonEC2ContainerRegistryPullOnly/);
  expect(assembly.getStackByName('AnyscaleEksNodes').messages).toEqual([]);
});

test('one-account: the imported node role gets the read-only policy; the repository gets no statement', () => {
  // WHEN
  const assembly = synth('one-account');
  // THEN
  const stack = template(assembly, 'AnyscaleImages');
  stack.hasResourceProperties('AWS::IAM::Policy', {
    Roles: ['cld_abc123-cluster_node_role'],
    PolicyDocument: { Statement: [{ Action: AnyscaleEcrAccess.PULL_ACTIONS, Effect: 'Allow', Resource: '*' }] },
  });
  expect(repositoryStatements(stack)).toEqual([]);
  expect(assembly.getStackByName('AnyscaleImages').messages).toEqual([]);
});

test('two-accounts: the node stack attaches the policy, the registry stack grants the role on each repository', () => {
  // WHEN
  const assembly = synth('two-accounts');
  // THEN
  template(assembly, 'AnyscaleNodeAccess').hasResourceProperties('AWS::IAM::Policy', { Roles: ['cld_abc123-cluster_node_role'] });
  const registry = template(assembly, 'AnyscaleRegistry');
  registry.resourceCountIs('AWS::IAM::Policy', 0);
  expect(repositoryStatements(registry)).toEqual([0, 1].map(() => ({
    Sid: 'AnyscaleEcrPull', Effect: 'Allow', Principal: NODE_ROLE_PRINCIPAL, Action: AnyscaleEcrAccess.PULL_ACTIONS,
  })));
  for (const stack of assembly.stacks) {
    expect(stack.messages).toEqual([]);
  }
});

test('registry-account-only: both repositories grant the role; the identity warning is acknowledged', () => {
  // WHEN
  const assembly = synth('registry-account-only');
  // THEN
  const stack = assembly.getStackByName('AnyscaleRegistryOnly');
  const registry = template(assembly, 'AnyscaleRegistryOnly');
  registry.resourceCountIs('AWS::IAM::Policy', 0);
  expect(repositoryStatements(registry).map(statement => statement.Principal)).toEqual([
    { AWS: 'arn:aws:iam::111111111111:role/cld_abc123-cluster_node_role' },
    { AWS: 'arn:aws:iam::111111111111:role/cld_abc123-cluster_node_role' },
  ]);
  // The same setup without the acknowledgement warns: see identity-grant.test.ts.
  expect(stack.messages).toEqual([]);
});

test('existing-repository: one custom resource per imported repository adds the statement; nothing else is defined for them', () => {
  // WHEN
  const assembly = synth('existing-repository');
  // THEN
  const registry = template(assembly, 'AnyscaleExistingRepositories');
  registry.resourceCountIs('AWS::ECR::Repository', 0);
  registry.resourceCountIs('AWS::Lambda::Function', 1);
  const statements = Object.values<any>(registry.findResources('Custom::AnyscaleEcrRepositoryStatement')).map(r => r.Properties);
  expect(statements.map(p => [p.RepositoryName, p.Principals])).toEqual([
    ['anyscale/ray-images', [NODE_ROLE_PRINCIPAL.AWS]],
    ['anyscale/serve', [NODE_ROLE_PRINCIPAL.AWS]],
  ]);
  expect(assembly.getStackByName('AnyscaleExistingRepositories').messages).toEqual([]);
});

test('created-repositories: a pull-through cache rule and one creation template per prefix, each naming the node role', () => {
  // WHEN
  const assembly = synth('created-repositories');
  // THEN
  const registry = template(assembly, 'AnyscaleCreatedRepositories');
  registry.resourceCountIs('AWS::ECR::RegistryPolicy', 0);
  registry.hasResourceProperties('AWS::ECR::PullThroughCacheRule', { EcrRepositoryPrefix: 'docker-hub' });
  const templates = Object.values<any>(registry.findResources('AWS::ECR::RepositoryCreationTemplate')).map(r => r.Properties);
  expect(templates.map(p => [p.Prefix, p.AppliedFor])).toEqual([
    ['docker-hub', ['PULL_THROUGH_CACHE']],
    ['anyscale/replicated', ['REPLICATION']],
  ]);
  for (const properties of templates) {
    expect(JSON.stringify(properties.RepositoryPolicy)).toContain(':iam::111111111111:role/cld_abc123-cluster_node_role');
  }
  // The registry-policy warning is acknowledged in the example, after the statement was pasted.
  expect(assembly.getStackByName('AnyscaleCreatedRepositories').messages).toEqual([]);
});
