import { parseArgs } from 'util';
import { parseRoleArn, RoleArn } from './matching';
import { REPOSITORY_NAME_PATTERN } from '../constants/ecr-rules';
import { dnsSuffixOf } from '../constants/partitions';

/** A problem with the command line or the credentials: exit code 2, one line. */
export class UsageError extends Error {}

export const USAGE = `Usage: cdk-anyscale-ecr-access check --role-arn <node role ARN> (--repository-uri <uri> | --repository-arn <arn>) [options]

Says, from the live accounts, whether the node role can pull images from the ECR repository, and what to fix.

  --role-arn <arn>            the IAM role the nodes run as: arn:aws:iam::<account>:role/<name>
  --repository-uri <uri>      <account>.dkr.ecr.<region>.amazonaws.com/<name>[:tag|@digest]
  --repository-arn <arn>      arn:aws:ecr:<region>:<account>:repository/<name> (instead of --repository-uri)
  --registry-role-arn <arn>   a role to assume for reading the registry account (without it, the same
                              credentials read both accounts)
  --vpc-id <id>               also check the VPC endpoint policies of the nodes' VPC (ecr.api, ecr.dkr, S3
                              gateway) in the region of AWS_REGION / the profile
  --json                      print the result as JSON
  -h, --help                  print this help

Credentials, region and endpoint come from the AWS SDK's default chain (AWS_PROFILE, AWS_REGION,
AWS_ENDPOINT_URL). Calls only read: see the README section "Check that a node role can pull" for the IAM
policy it needs.

Exit codes: 0 the role can pull; 1 it cannot, or a check could not be decided; 2 usage or credential errors.`;

export interface Repository {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly name: string;
  readonly arn: string;
  readonly uri: string;
}

export interface CheckArguments {
  readonly role: RoleArn & { readonly arn: string };
  readonly repository: Repository;
  readonly registryRoleArn?: string;
  readonly vpcId?: string;
  readonly json: boolean;
}

export type Command = { readonly kind: 'help' } | { readonly kind: 'check'; readonly args: CheckArguments };


/** Parses `check ...`; throws a UsageError with a one-line reason. */
export function parseCommand(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        'role-arn': { type: 'string' },
        'repository-uri': { type: 'string' },
        'repository-arn': { type: 'string' },
        'registry-role-arn': { type: 'string' },
        'vpc-id': { type: 'string' },
        'json': { type: 'boolean', default: false },
        'help': { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    const message = (e as Error).message.split('\n')[0];
    if ((e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const option = /'([^']+)'/.exec(message)?.[1] ?? message;
      throw new UsageError(`unknown option ${option} (credentials, profile and region come from the environment: AWS_PROFILE, AWS_REGION; see --help)`);
    }
    throw new UsageError(`${message} (see --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    return { kind: 'help' };
  }
  if (positionals.length === 0) {
    throw new UsageError('no command: run `cdk-anyscale-ecr-access check --role-arn <arn> --repository-uri <uri>` (see --help)');
  }
  if (positionals[0] !== 'check' || positionals.length > 1) {
    throw new UsageError(`unknown command '${positionals.join(' ')}': the only command is 'check' (see --help)`);
  }
  const roleArn = values['role-arn'];
  if (roleArn === undefined) {
    throw new UsageError('--role-arn is required: the ARN of the IAM role the nodes run as (arn:aws:iam::<account>:role/<name>)');
  }
  const role = parseRole(roleArn, '--role-arn');
  const repository = parseRepository(values['repository-uri'], values['repository-arn']);
  if (repository.partition !== role.partition) {
    throw new UsageError(`--role-arn is in partition ${role.partition} and the repository in ${repository.partition}: IAM cannot grant across partitions`);
  }
  const registryRoleArn = values['registry-role-arn'];
  if (registryRoleArn !== undefined) {
    parseRole(registryRoleArn, '--registry-role-arn');
  }
  const vpcId = values['vpc-id'];
  if (vpcId !== undefined && !/^vpc-[0-9a-f]{8,17}$/.test(vpcId)) {
    throw new UsageError(`--vpc-id '${vpcId}' is not a VPC id (vpc-0123456789abcdef0)`);
  }
  return { kind: 'check', args: { role: { ...role, arn: roleArn }, repository, registryRoleArn, vpcId, json: values.json ?? false } };
}

function parseRole(arn: string, option: string): RoleArn {
  const role = parseRoleArn(arn);
  if (role !== undefined) {
    return role;
  }
  const session = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  if (session) {
    throw new UsageError(`${option} '${arn}' is an assumed-role session; pass the role: arn:${session[1]}:iam::${session[2]}:role/${session[3]} (with its path, if it has one)`);
  }
  if (/^arn:[\w-]+:iam::\d{12}:instance-profile\//.test(arn)) {
    throw new UsageError(`${option} '${arn}' is an instance profile; pass the role in it (aws iam get-instance-profile shows it)`);
  }
  throw new UsageError(`${option} '${arn}' is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)`);
}

function parseRepository(uri: string | undefined, arn: string | undefined): Repository {
  if ((uri === undefined) === (arn === undefined)) {
    throw new UsageError('give exactly one of --repository-uri (<account>.dkr.ecr.<region>.amazonaws.com/<name>) and --repository-arn');
  }
  if (uri !== undefined) {
    const match = /^(?:[a-z]+:\/\/)?(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.(amazonaws\.com(?:\.cn)?)\/([^:@]+)(?::[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})?$/.exec(uri);
    if (!match) {
      throw new UsageError(`--repository-uri '${uri}' is not an ECR repository URI (<account>.dkr.ecr.<region>.amazonaws.com/<name>, optionally :tag or @sha256:digest)`);
    }
    const [, account, region, suffix, name] = match;
    const partition = suffix.endsWith('.cn') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
    return repositoryOf(partition, region, account, name, `--repository-uri '${uri}'`);
  }
  const match = /^arn:(aws|aws-cn|aws-us-gov):ecr:([a-z0-9-]+):(\d{12}):repository\/(.+)$/.exec(arn!);
  if (!match) {
    throw new UsageError(`--repository-arn '${arn}' is not an ECR repository ARN (arn:aws:ecr:<region>:<account>:repository/<name>)`);
  }
  return repositoryOf(match[1], match[2], match[3], match[4], `--repository-arn '${arn}'`);
}

function repositoryOf(partition: string, region: string, account: string, name: string, given: string): Repository {
  if (!REPOSITORY_NAME_PATTERN.test(name)) {
    throw new UsageError(`${given}: '${name}' is not a repository name ECR accepts (lower case letters and digits, joined by . _ __ or a run of -, in parts separated by /)`);
  }
  return {
    partition,
    region,
    account,
    name,
    arn: `arn:${partition}:ecr:${region}:${account}:repository/${name}`,
    uri: `${account}.dkr.ecr.${region}.${dnsSuffixOf(partition)}/${name}`,
  };
}
