import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { App, Stack } from 'aws-cdk-lib/core';
import { AnyscaleEcrAccess, AnyscaleEcrAccessWarnings, AnyscaleNodeRole, IdentityPolicy } from '../lib';
import { NODE_ACCOUNT, stackIn } from './support/stacks';

// On EKS the kubelet pulls images with the node group's instance role; a pod's role (IRSA, EKS Pod Identity) is the
// wrong one to grant. The library can tell from the trust policy of a role the app defines.

const OIDC_PROVIDER = `arn:aws:iam::${NODE_ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE`;

function grant(role: (stack: Stack) => iam.IRole): Stack {
  const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
  new AnyscaleEcrAccess(stack, 'Access', {
    role: role(stack),
    repositories: [new ecr.Repository(stack, 'Images')],
    identityPolicy: IdentityPolicy.PULL_ONLY,
  });
  return stack;
}

test.each([
  ['an EKS Pod Identity role', (s: Stack) => new iam.Role(s, 'PodRole', { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') }),
    /trusted by EKS pods \(pods\.eks\.amazonaws\.com\)/],
  ['an IRSA role (web identity of the cluster\'s OIDC provider)', (s: Stack) => new iam.Role(s, 'PodRole', {
    assumedBy: new iam.WebIdentityPrincipal(OIDC_PROVIDER, { StringEquals: { 'oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub': 'system:serviceaccount:anyscale:ray' } }),
  }), /trusted by EKS pods \(IRSA web identity\)/],
  ['an iam.LazyRole trusted by EKS Pod Identity (its role is created on first use)',
    (s: Stack) => new iam.LazyRole(s, 'PodRole', { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') }),
    /trusted by EKS pods \(pods\.eks\.amazonaws\.com\)/],
])('%s: a warning that names the node group\'s role as the one to pass', (_name, role, why) => {
  // WHEN
  const stack = grant(role);
  // THEN
  Annotations.fromStack(stack).hasWarning('/Node/Access', Match.stringLikeRegexp(why.source));
  Annotations.fromStack(stack).hasWarning('/Node/Access', Match.stringLikeRegexp(
    `images are pulled by the kubelet with the node group's instance role.*Pass the node group's role \\(for example nodegroup\\.role\\).*${AnyscaleEcrAccessWarnings.POD_ROLE_NOT_NODE_ROLE}`));
});

test.each([
  ['a node group\'s role (ec2.amazonaws.com)', (s: Stack) => new iam.Role(s, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') })],
  ['a role trusted by both EC2 and EKS pods', (s: Stack) => new iam.Role(s, 'NodeRole', {
    assumedBy: new iam.CompositePrincipal(new iam.ServicePrincipal('ec2.amazonaws.com'), new iam.ServicePrincipal('pods.eks.amazonaws.com')),
  })],
  ['an imported role (its trust policy is not known here)', (s: Stack) => AnyscaleNodeRole.fromRoleName(s, 'NodeRole', 'eks-pods')],
  ['a SageMaker HyperPod execution role, trusted by SageMaker and by EKS pods (as Anyscale\'s HyperPod example makes it)', (s: Stack) => {
    const role = new iam.Role(s, 'HyperPodRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('pods.eks.amazonaws.com')], actions: ['sts:AssumeRole', 'sts:TagSession'],
    }));
    return role;
  }],
])('%s: no warning', (_name, role) => {
  Annotations.fromStack(grant(role)).hasNoWarning('*', Match.anyValue());
});

describe('what the trust policy says, statement by statement', () => {
  const OIDC = new iam.WebIdentityPrincipal(OIDC_PROVIDER);

  test.each([
    ['EC2 only in a Deny statement, pods allowed', (s: Stack) => {
      const role = new iam.Role(s, 'PodRole', { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') });
      role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
        effect: iam.Effect.DENY, principals: [new iam.ServicePrincipal('ec2.amazonaws.com')], actions: ['sts:AssumeRole'],
      }));
      return role;
    }],
    ['SageMaker only in a Deny statement, pods allowed', (s: Stack) => {
      const role = new iam.Role(s, 'PodRole', { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') });
      role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
        effect: iam.Effect.DENY, principals: [new iam.ServicePrincipal('sagemaker.amazonaws.com')], actions: ['sts:AssumeRole'],
      }));
      return role;
    }],
    ['IRSA beside a Lambda service principal', (s: Stack) => {
      const role = new iam.Role(s, 'PodRole', { assumedBy: OIDC });
      role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('lambda.amazonaws.com')], actions: ['sts:AssumeRole'],
      }));
      return role;
    }],
    ['Pod Identity beside a statement with NotPrincipal', (s: Stack) => {
      const role = new iam.Role(s, 'PodRole', { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') });
      role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
        effect: iam.Effect.DENY, notPrincipals: [new iam.AccountRootPrincipal()], actions: ['sts:AssumeRole'],
      }));
      return role;
    }],
  ])('%s: the pod-role warning', (_name, role) => {
    Annotations.fromStack(grant(role)).hasWarning('/Node/Access', Match.stringLikeRegexp(AnyscaleEcrAccessWarnings.POD_ROLE_NOT_NODE_ROLE));
  });

  test.each([
    ['a Lambda role', (s: Stack) => new iam.Role(s, 'FnRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') })],
    ['a SAML-federated role (federated, but not a web identity)', (s: Stack) => new iam.Role(s, 'SamlRole', {
      assumedBy: new iam.SamlConsolePrincipal(new iam.SamlProvider(s, 'Idp', {
        metadataDocument: iam.SamlMetadataDocument.fromXml('<EntityDescriptor entityID="https://idp.example.com"/>'),
      })),
    })],
  ])('%s: no pod-role warning (it is no pod role)', (_name, role) => {
    Annotations.fromStack(grant(role)).hasNoWarning('*', Match.stringLikeRegexp(AnyscaleEcrAccessWarnings.POD_ROLE_NOT_NODE_ROLE));
  });
});

test('several node groups (README, "EKS with several node groups"): each node group\'s own role keeps the read-only policy eks.Nodegroup attached, and gets nothing more', () => {
  // GIVEN a cluster with two managed node groups, each with the instance role eks.Nodegroup makes for it
  const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
  const vpc = new ec2.Vpc(stack, 'Vpc');
  const cluster = eks.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'anyscale', vpc });
  const cpu = new eks.Nodegroup(stack, 'Cpu', { cluster, instanceTypes: [new ec2.InstanceType('m6i.4xlarge')] });
  const gpu = new eks.Nodegroup(stack, 'Gpu', { cluster, instanceTypes: [new ec2.InstanceType('g5.4xlarge')] });
  const images = new ecr.Repository(stack, 'RayImages');
  // WHEN
  for (const nodegroup of [cpu, gpu]) {
    new AnyscaleEcrAccess(stack, `EcrAccess${nodegroup.node.id}`, {
      role: nodegroup.role, repositories: [images], identityPolicy: IdentityPolicy.ALREADY_ATTACHED,
    });
  }
  // THEN
  const template = Template.fromStack(stack);
  const roles = template.findResources('AWS::IAM::Role');
  for (const nodegroup of [cpu, gpu]) {
    const role = roles[stack.getLogicalId(nodegroup.role.node.defaultChild as iam.CfnRole)];
    expect(role.Properties.ManagedPolicyArns.map((arn: any) => arn['Fn::Join'][1][2])).toEqual([
      ':iam::aws:policy/AmazonEKSWorkerNodePolicy', ':iam::aws:policy/AmazonEKS_CNI_Policy', ':iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
    ]);
  }
  template.resourceCountIs('AWS::IAM::Policy', 0);
  // Node groups and repository in one account: the identity policies are enough, and the repository has no policy.
  expect(Object.values<any>(template.findResources('AWS::ECR::Repository')).map(r => r.Properties?.RepositoryPolicyText)).toEqual([undefined]);
  Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
});
