// Only the registry account is managed here: the repository lives in 222222222222, and the node role of
// another account is named by ARN. Deploy with credentials of 222222222222.
//
// The role's own permissions (AmazonEC2ContainerRegistryReadOnly) must be attached in the node account
// 111111111111; this app cannot change that account, so the construct warns. The warning is acknowledged
// here because the node account's team attaches the policy (for example with the one-account example).
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Annotations, App, Stack } from 'aws-cdk-lib/core';
import { AnyscaleEcrAccess, AnyscaleEcrAccessWarnings, AnyscaleNodeRole } from '../lib';

/** Adds this example's stacks to `app`. */
export function build(app: App): void {
  const registry = new Stack(app, 'AnyscaleRegistryOnly', { env: { account: '222222222222', region: 'us-west-2' } });

  const access = new AnyscaleEcrAccess(registry, 'EcrAccess', {
    role: AnyscaleNodeRole.fromRoleArn(registry, 'NodeRole', 'arn:aws:iam::111111111111:role/cld_abc123-cluster_node_role'),
    repositories: [new ecr.Repository(registry, 'RayImages', { repositoryName: 'anyscale/ray-images' })],
  });
  access.addRepository(new ecr.Repository(registry, 'ServeImages', { repositoryName: 'anyscale/serve' }));

  Annotations.of(access).acknowledgeWarning(
    AnyscaleEcrAccessWarnings.IDENTITY_NOT_APPLIED,
    'The node account attaches AmazonEC2ContainerRegistryReadOnly to its role itself.',
  );
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
