import { parseCommand, UsageError } from '../../lib/private/pull-check/arguments';

// The command line: what it accepts, and the one-line reason (exit code 2) for what it does not.

const ROLE = 'arn:aws:iam::111111111111:role/cld_abc123-cluster_node_role';

test.each([
  ['a URI with a tag', '222222222222.dkr.ecr.eu-west-1.amazonaws.com/team/ray:2.40', 'aws', 'eu-west-1', 'team/ray'],
  ['a URI with a digest', `222222222222.dkr.ecr.us-east-1.amazonaws.com/ray@sha256:${'a'.repeat(64)}`, 'aws', 'us-east-1', 'ray'],
  ['a China URI', '222222222222.dkr.ecr.cn-north-1.amazonaws.com.cn/ray', 'aws-cn', 'cn-north-1', 'ray'],
  ['a GovCloud URI', '222222222222.dkr.ecr.us-gov-west-1.amazonaws.com/ray', 'aws-us-gov', 'us-gov-west-1', 'ray'],
  ['a name with \'__\' and a run of \'-\' (ECR accepts both)', '222222222222.dkr.ecr.us-east-1.amazonaws.com/team__ml/ray--images', 'aws',
    'us-east-1', 'team__ml/ray--images'],
])('%s: %s', (_case, uri, partition, region, name) => {
  // GIVEN a role of the same partition
  const role = `arn:${partition}:iam::111111111111:role/nodes`;
  // WHEN
  const command = parseCommand(['check', '--role-arn', role, '--repository-uri', uri]);
  // THEN
  expect(command).toEqual({
    kind: 'check',
    args: expect.objectContaining({
      repository: expect.objectContaining({ partition, region, account: '222222222222', name, arn: `arn:${partition}:ecr:${region}:222222222222:repository/${name}` }),
      json: false,
    }),
  });
});

test('--repository-arn, a role with a path, --registry-role-arn, --vpc-id and --json', () => {
  // WHEN
  const command = parseCommand(['check', '--role-arn', 'arn:aws:iam::111111111111:role/anyscale/nodes', '--repository-arn', 'arn:aws:ecr:us-west-2:222222222222:repository/ray',
    '--registry-role-arn', 'arn:aws:iam::222222222222:role/reader', '--vpc-id', 'vpc-0123456789abcdef0', '--json']);
  // THEN
  expect(command).toEqual({
    kind: 'check',
    args: {
      role: { partition: 'aws', account: '111111111111', path: '/anyscale/', name: 'nodes', arn: 'arn:aws:iam::111111111111:role/anyscale/nodes' },
      repository: {
        partition: 'aws',
        region: 'us-west-2',
        account: '222222222222',
        name: 'ray',
        arn: 'arn:aws:ecr:us-west-2:222222222222:repository/ray',
        uri: '222222222222.dkr.ecr.us-west-2.amazonaws.com/ray',
      },
      registryRoleArn: 'arn:aws:iam::222222222222:role/reader',
      vpcId: 'vpc-0123456789abcdef0',
      json: true,
    },
  });
});

test('--help and -h', () => {
  expect(parseCommand(['--help'])).toEqual({ kind: 'help' });
  expect(parseCommand(['check', '-h'])).toEqual({ kind: 'help' });
});

test.each([
  [[], 'no command: run `cdk-anyscale-ecr-access check --role-arn <arn> --repository-uri <uri>` (see --help)'],
  [['verify'], 'unknown command \'verify\': the only command is \'check\' (see --help)'],
  [['check', '--repository-uri', '222222222222.dkr.ecr.us-east-1.amazonaws.com/ray'], '--role-arn is required: the ARN of the IAM role the nodes run as (arn:aws:iam::<account>:role/<name>)'],
  [['check', '--role-arn', 'arn:aws:sts::111111111111:assumed-role/nodes/i-0123456789abcdef0', '--repository-uri', '222222222222.dkr.ecr.us-east-1.amazonaws.com/ray'],
    '--role-arn \'arn:aws:sts::111111111111:assumed-role/nodes/i-0123456789abcdef0\' is an assumed-role session; pass the role: arn:aws:iam::111111111111:role/nodes (with its path, if it has one)'],
  [['check', '--role-arn', 'arn:aws:iam::111111111111:instance-profile/nodes', '--repository-uri', '222222222222.dkr.ecr.us-east-1.amazonaws.com/ray'],
    '--role-arn \'arn:aws:iam::111111111111:instance-profile/nodes\' is an instance profile; pass the role in it (aws iam get-instance-profile shows it)'],
  [['check', '--role-arn', 'nodes', '--repository-uri', '222222222222.dkr.ecr.us-east-1.amazonaws.com/ray'],
    '--role-arn \'nodes\' is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)'],
  [['check', '--role-arn', ROLE], 'give exactly one of --repository-uri (<account>.dkr.ecr.<region>.amazonaws.com/<name>) and --repository-arn'],
  [['check', '--role-arn', ROLE, '--repository-uri', 'ghcr.io/ray/ray'],
    '--repository-uri \'ghcr.io/ray/ray\' is not an ECR repository URI (<account>.dkr.ecr.<region>.amazonaws.com/<name>, optionally :tag or @sha256:digest)'],
  [['check', '--role-arn', ROLE, '--repository-uri', '222222222222.dkr.ecr.us-east-1.amazonaws.com/Ray'],
    '--repository-uri \'222222222222.dkr.ecr.us-east-1.amazonaws.com/Ray\': \'Ray\' is not a repository name ECR accepts (lower case letters and digits, joined by . _ __ or a run of -, in parts separated by /)'],
  [['check', '--role-arn', ROLE, '--repository-uri', '222222222222.dkr.ecr.cn-north-1.amazonaws.com.cn/ray'],
    '--role-arn is in partition aws and the repository in aws-cn: IAM cannot grant across partitions'],
  [['check', '--role-arn', ROLE, '--repository-uri', '222222222222.dkr.ecr.us-east-1.amazonaws.com/ray', '--vpc-id', 'default'],
    '--vpc-id \'default\' is not a VPC id (vpc-0123456789abcdef0)'],
  [['check', '--role-arn', ROLE, '--repository-uri', '222222222222.dkr.ecr.us-east-1.amazonaws.com/ray', '--profile', 'x'],
    'unknown option --profile (credentials, profile and region come from the environment: AWS_PROFILE, AWS_REGION; see --help)'],
])('usage error for %j', (argv, message) => {
  // WHEN / THEN
  expect(() => parseCommand(argv)).toThrow(new UsageError(message));
});

test('an option without its value: usage error that names it', () => {
  expect(() => parseCommand(['check', '--role-arn'])).toThrow(/--role-arn.*\(see --help\)$/);
});
