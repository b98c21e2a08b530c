import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { App, Stack } from 'aws-cdk-lib/core';
import { AnyscaleEcrAccess, AnyscaleNodeRole, ExistingRepositoryPolicy, IdentityPolicy } from '../lib';
import { acknowledgements } from './support/acknowledgements';
import { NODE_ACCOUNT, REGISTRY_ACCOUNT, stackIn } from './support/stacks';

// test/cdk-nag.test.ts runs cdk-nag on these apps; here, which construct acknowledges which finding, with what reason.
const IAM5_REASON = 'ecr:GetAuthorizationToken only accepts Resource "*"; the other ECR read actions on "*" are those ' +
  'of the AWS managed AmazonEC2ContainerRegistryReadOnly policy that Anyscale documents. For repository-scoped ' +
  'permissions use IdentityPolicy.REPOSITORY_SCOPED (cdk-anyscale-ecr-access).';
const iam4 = (policy: string) => `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policy}]`;
const managedPolicyReason = (name: string) => `${name} is the AWS managed policy that Anyscale's "Accessing Amazon ` +
  'ECR" guide attaches to the node role (cdk-anyscale-ecr-access). For repository-scoped permissions use ' +
  'IdentityPolicy.REPOSITORY_SCOPED.';

const nodeRole = (stack: Stack) => new iam.Role(stack, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });

test.each([
  [IdentityPolicy.READ_ONLY, 'AmazonEC2ContainerRegistryReadOnly'],
  [IdentityPolicy.PULL_ONLY, 'AmazonEC2ContainerRegistryPullOnly'],
])('an owned role acknowledges IAM4 for the AWS managed policy it is given (%s), and nothing else', (identityPolicy, name) => {
  // GIVEN
  const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
  // WHEN
  new AnyscaleEcrAccess(stack, 'Access', { role: nodeRole(stack), repositories: [new ecr.Repository(stack, 'Images')], identityPolicy });
  // THEN
  expect(acknowledgements(stack)).toEqual({ 'Node/NodeRole': { [iam4(name)]: managedPolicyReason(name) } });
});

test('an imported role\'s inline policy acknowledges IAM5 for Resource *', () => {
  // GIVEN
  const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
  // WHEN
  new AnyscaleEcrAccess(stack, 'Access', {
    role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123'),
    repositories: [new ecr.Repository(stack, 'Images')],
  });
  // THEN
  const acks = acknowledgements(stack);
  expect(Object.keys(acks)).toEqual([expect.stringMatching(/^Node\/AnyscaleEcrReadOnly[0-9A-F]+$/)]);
  expect(Object.values(acks)).toEqual([{ 'AwsSolutions-IAM5[Resource::*]': IAM5_REASON }]);
});

test('repository-scoped policies: only the first, which holds GetAuthorizationToken on *, acknowledges IAM5', () => {
  // GIVEN more repositories than one managed policy holds
  const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
  const repositories = Array.from({ length: 120 }, (_, i) => ecr.Repository.fromRepositoryName(stack, `Repo${i}`, `team/repository-${i}`));
  // WHEN
  new AnyscaleEcrAccess(stack, 'Access', { role: nodeRole(stack), repositories, identityPolicy: IdentityPolicy.REPOSITORY_SCOPED });
  // THEN
  const policies = stack.node.children.filter(c => c instanceof iam.ManagedPolicy).map(c => c.node.path);
  expect(policies.length).toBeGreaterThan(1);
  expect(policies[0]).toMatch(/^Node\/AnyscaleEcrScoped[0-9A-F]+1$/);
  expect(acknowledgements(stack)).toEqual({ [policies[0]]: { 'AwsSolutions-IAM5[Resource::*]': IAM5_REASON } });
});

test('the ExistingRepositoryPolicy.MERGE handler\'s role acknowledges exactly IAM5 for the repositories of its account and region', () => {
  // GIVEN
  const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
  // WHEN
  new AnyscaleEcrAccess(stack, 'Access', {
    role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123', { account: NODE_ACCOUNT }),
    repositories: [ecr.Repository.fromRepositoryName(stack, 'Images', 'images')],
    existingRepositoryPolicy: ExistingRepositoryPolicy.MERGE,
  });
  // THEN no managed policy to acknowledge any more: only the repository wildcard, on the handler's own role
  const acks = acknowledgements(stack);
  expect(Object.keys(acks)).toEqual(['Registry/AnyscaleEcrExistingRepositoryHandlerRole']);
  expect(Object.keys(Object.values(acks)[0])).toEqual([`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecr:us-east-1:${REGISTRY_ACCOUNT}:repository/*]`]);
  expect(Object.values(Object.values(acks)[0])[0]).toMatch(/^The ExistingRepositoryPolicy.MERGE handler \(cdk-anyscale-ecr-access\) must remove its statement/);
});
