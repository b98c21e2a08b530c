// One account: the nodes and the images live in the same AWS account.
// The repository is new; the node role is the one `anyscale cloud setup` created, imported by cloud id.
// Deploy with credentials of account 111111111111.
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { App, Stack } from 'aws-cdk-lib/core';
import { AnyscaleEcrAccess, AnyscaleNodeRole } from '../lib';

/** Adds this example's stacks to `app`. */
export function build(app: App): void {
  const stack = new Stack(app, 'AnyscaleImages', { env: { account: '111111111111', region: 'us-west-2' } });

  const repository = new ecr.Repository(stack, 'RayImages', { repositoryName: 'anyscale/ray-images' });

  new AnyscaleEcrAccess(stack, 'EcrAccess', {
    role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123'),
    repositories: [repository],
  });
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
