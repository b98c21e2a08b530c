// Two accounts in one app: a registry account (222222222222) holds the images, and the Anyscale cloud
// runs its nodes in a node account (111111111111).
//
// - Stack AnyscaleRegistry (deploy with credentials of 222222222222) defines the repositories; the construct
//   adds one statement to each repository policy that names the node role.
// - Stack AnyscaleNodeAccess (deploy with credentials of 111111111111) attaches read-only ECR permissions to
//   the node role that `anyscale cloud setup` created.
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { App, Stack } from 'aws-cdk-lib/core';
import { AnyscaleEcrAccess, AnyscaleNodeRole } from '../lib';

/** Adds this example's stacks to `app`. */
export function build(app: App): void {
  const registry = new Stack(app, 'AnyscaleRegistry', { env: { account: '222222222222', region: 'us-west-2' } });
  const nodes = new Stack(app, 'AnyscaleNodeAccess', { env: { account: '111111111111', region: 'us-west-2' } });

  const repositories = [
    new ecr.Repository(registry, 'RayImages', { repositoryName: 'anyscale/ray-images' }),
    new ecr.Repository(registry, 'TrainingImages', { repositoryName: 'anyscale/training' }),
  ];

  new AnyscaleEcrAccess(nodes, 'EcrAccess', {
    role: AnyscaleNodeRole.fromCloudId(nodes, 'NodeRole', 'cld_abc123'),
    repositories,
  });
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
