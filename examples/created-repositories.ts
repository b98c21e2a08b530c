// The registry account 222222222222 caches the anyscale/ray base images from Docker Hub (clusters in private subnets
// cannot fetch them from there) and receives replicated images; ECR creates those repositories itself, without a
// policy. Repository creation templates give every repository created under the prefixes the pull statement for the
// node roles of account 111111111111. Deploy with credentials of 222222222222.
//
// The first pull through the cache creates the repository: that needs ecr:CreateRepository in the registry policy,
// which this app does not overwrite. The registry team adds the statement printed in the warning to it (and the node
// account allows the same two actions to its role); the warning is acknowledged here once that is done.
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Annotations, App, CfnParameter, Stack } from 'aws-cdk-lib/core';
import {
  AnyscaleEcrAccessWarnings, AnyscaleEcrCreatedRepositoryAccess, AnyscaleNodeRole, RepositoryCreationScenario,
} from '../lib';

/** Adds this example's stacks to `app`. */
export function build(app: App): void {
  const registry = new Stack(app, 'AnyscaleCreatedRepositories', { env: { account: '222222222222', region: 'us-west-2' } });

  // The rule that makes docker-hub/anyscale/ray a cache of Docker Hub's anyscale/ray. ECR needs Docker Hub credentials
  // in a Secrets Manager secret whose name starts with ecr-pullthroughcache/; its full ARN is a deploy-time parameter.
  const dockerHubCredentialArn = new CfnParameter(registry, 'DockerHubCredentialArn', {
    description: 'Full ARN of the Secrets Manager secret ecr-pullthroughcache/docker-hub (username and accessToken)',
  });
  new ecr.CfnPullThroughCacheRule(registry, 'DockerHub', {
    ecrRepositoryPrefix: 'docker-hub',
    upstreamRegistry: 'docker-hub',
    upstreamRegistryUrl: 'registry-1.docker.io',
    credentialArn: dockerHubCredentialArn.valueAsString,
  });

  const nodeRole = AnyscaleNodeRole.fromCloudId(registry, 'NodeRole', 'cld_abc123', { account: '111111111111' });
  const cache = new AnyscaleEcrCreatedRepositoryAccess(registry, 'CachedImages', {
    prefixes: ['docker-hub'],
    roles: [nodeRole],
    appliedFor: [RepositoryCreationScenario.PULL_THROUGH_CACHE],
  });
  new AnyscaleEcrCreatedRepositoryAccess(registry, 'ReplicatedImages', {
    prefixes: ['anyscale/replicated'],
    roles: [nodeRole],
    appliedFor: [RepositoryCreationScenario.REPLICATION],
  });

  Annotations.of(cache).acknowledgeWarning(
    AnyscaleEcrAccessWarnings.REGISTRY_POLICY_NOT_APPLIED,
    'The registry team added the printed statement to the registry policy; the node account allows the two actions.',
  );
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
