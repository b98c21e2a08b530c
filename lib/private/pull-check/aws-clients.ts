import { ECRClient } from '@aws-sdk/client-ecr';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { CheckArguments, UsageError } from './arguments';
import { describeError } from './aws-errors';

/**
 * The clients of one check. Credentials and endpoint come from the SDK's default chain (AWS_PROFILE, AWS_ENDPOINT_URL,
 * ...); the region of IAM, STS and ECR is the repository's (IAM is global, ECR is regional), the region of EC2 (the
 * VPC's endpoints) the default chain's.
 */
export interface AwsClients {
  /** Node account: the role, the policy simulator, the organization. */
  readonly iam: IAMClient;
  readonly organizations: OrganizationsClient;
  readonly sts: STSClient;
  /** The account of the registry credentials, when known without a call (the account of --registry-role-arn). */
  readonly registryCredentialsAccount?: string;
  /** Registry account, in the repository's region. */
  readonly ecr: ECRClient;
  /** Registry account, in the default chain's region when it differs from the repository's (to find a repository there). */
  readonly ecrDefaultRegion?: ECRClient;
  /** The default chain's region, where `--vpc-id` is read. */
  readonly vpcRegion?: string;
  destroy(): void;
}

export interface ClientOptions {
  /** The default chain's region, if any (AWS_REGION, the profile's region). */
  readonly defaultRegion?: string;
}

export async function createClients(args: CheckArguments, options: ClientOptions): Promise<AwsClients> {
  const region = args.repository.region;
  const iam = new IAMClient({ region });
  const organizations = new OrganizationsClient({ region });
  const sts = new STSClient({ region });
  let registryCredentials;
  if (args.registryRoleArn !== undefined) {
    try {
      const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: args.registryRoleArn, RoleSessionName: 'cdk-anyscale-ecr-access-check', DurationSeconds: 900 }));
      const c = assumed.Credentials!;
      registryCredentials = {
        accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken, expiration: c.Expiration,
      };
    } catch (e) {
      sts.destroy();
      throw new UsageError(`cannot assume --registry-role-arn ${args.registryRoleArn}: ${describeError(e)}`);
    }
  }
  const ecr = new ECRClient({ region, credentials: registryCredentials });
  const ecrDefaultRegion = options.defaultRegion !== undefined && options.defaultRegion !== region
    ? new ECRClient({ region: options.defaultRegion, credentials: registryCredentials }) : undefined;
  if (args.vpcId !== undefined && options.defaultRegion === undefined) {
    throw new UsageError('--vpc-id needs the VPC\'s region: set AWS_REGION (or the profile\'s region)');
  }
  const registryCredentialsAccount = args.registryRoleArn?.split(':')[4];
  return {
    iam,
    organizations,
    sts,
    registryCredentialsAccount,
    ecr,
    ecrDefaultRegion,
    vpcRegion: args.vpcId !== undefined ? options.defaultRegion : undefined,
    destroy: () => [iam, organizations, sts, ecr, ecrDefaultRegion].forEach(client => client?.destroy()),
  };
}

/** The default chain's region (AWS_REGION, the profile's region), if any. */
export async function detectDefaultRegion(): Promise<string | undefined> {
  const probe = new STSClient({});
  try {
    return await probe.config.region();
  } catch {
    return undefined;
  } finally {
    probe.destroy();
  }
}
