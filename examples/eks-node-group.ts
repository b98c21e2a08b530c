// Anyscale on Kubernetes (EKS, the Anyscale operator): images are pulled by the kubelet with the node group's
// instance role, not with the pods' roles (IRSA or EKS Pod Identity). Grant that role, with the pull-only policy AWS
// recommends for EKS nodes. The node group is the L1 resource here; with an eks.Nodegroup, pass nodegroup.role.
// Deploy with credentials of account 111111111111.
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { App, Stack, Validations } from 'aws-cdk-lib/core';
import { AnyscaleEcrAccess, IdentityPolicy } from '../lib';

/** Adds this example's stacks to `app`. */
export function build(app: App): void {
  const stack = new Stack(app, 'AnyscaleEksNodes', { env: { account: '111111111111', region: 'us-west-2' } });

  const nodeRole = new iam.Role(stack, 'NodeGroupRole', {
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    managedPolicies: ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy']
      .map(name => iam.ManagedPolicy.fromAwsManagedPolicyName(name)),
  });
  // The node group's own policies are this app's choice, not the library's: the app acknowledges them itself.
  for (const name of ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy']) {
    Validations.of(nodeRole).acknowledge({
      id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`,
      reason: 'The AWS managed policies that every EKS managed node group needs.',
    });
  }
  new eks.CfnNodegroup(stack, 'AnyscaleNodes', {
    clusterName: 'anyscale',
    nodeRole: nodeRole.roleArn,
    subnets: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'],
  });

  new AnyscaleEcrAccess(stack, 'EcrAccess', {
    role: nodeRole,
    repositories: [new ecr.Repository(stack, 'RayImages', { repositoryName: 'anyscale/ray-images', imageScanOnPush: true })],
    identityPolicy: IdentityPolicy.PULL_ONLY,
  });
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
