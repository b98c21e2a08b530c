// The registry account already has its repositories (made by CI or by hand); this app only adds the pull
// statement to their existing policies, keeping every statement that is already there. Deploy with credentials
// of the registry account 222222222222. Deleting the stack removes exactly the statement it added.
//
// The node account 111111111111 attaches AmazonEC2ContainerRegistryReadOnly to its role itself (for example
// with the one-account example), so that warning is acknowledged here.
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Annotations, App, Stack } from 'aws-cdk-lib/core';
import { AnyscaleEcrAccess, AnyscaleEcrAccessWarnings, AnyscaleNodeRole, ExistingRepositoryPolicy } from '../lib';

/** Adds this example's stacks to `app`. */
export function build(app: App): void {
  const registry = new Stack(app, 'AnyscaleExistingRepositories', { env: { account: '222222222222', region: 'us-west-2' } });

  const access = new AnyscaleEcrAccess(registry, 'EcrAccess', {
    role: AnyscaleNodeRole.fromCloudId(registry, 'NodeRole', 'cld_abc123', { account: '111111111111' }),
    repositories: [
      ecr.Repository.fromRepositoryName(registry, 'RayImages', 'anyscale/ray-images'),
      ecr.Repository.fromRepositoryName(registry, 'ServeImages', 'anyscale/serve'),
    ],
    existingRepositoryPolicy: ExistingRepositoryPolicy.MERGE,
  });

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
