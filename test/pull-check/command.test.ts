import * as fs from 'fs';
import * as path from 'path';
import { CreateVpcCommand, CreateVpcEndpointCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateRepositoryCommand, ECRClient, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { AttachRolePolicyCommand, CreatePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { ECR_PULL_ACTIONS } from '../../lib/private/constants/pull-actions';
import { CHECK_PERMISSIONS } from '../../lib/private/pull-check/permissions';
import { startAwsCallLog } from '../support/aws-call-log';
import { MotoServer, startMoto } from '../support/moto';
import { assertBundleFresh, CommandResult, MotoAccounts, runCommand } from '../support/pull-check';

// The built command (the esbuild bundle the package ships) against moto, an AWS emulator, in the states a user meets
// after `cdk deploy`: two accounts (moto's 123456789012 runs the nodes, 222222222222 holds the images), the registry read
// through --registry-role-arn. moto has no iam:SimulatePrincipalPolicy (it answers HTTP 500 with an HTML page), so
// these runs decide from the documents; the simulator's path is tested in simulator.test.ts.
//
// One moto server for the file. Instead of a reset between scenarios (which reloads AWS's managed policies, about 3 s on
// a busy 2-core machine), each scenario has its own role, repository and VPC names, so that the scenarios can run at
// once; each run gets its own call log (a proxy in front of moto).

const { NODE, REGISTRY, REGION } = MotoAccounts;
const READ_ONLY = 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly';
const EC2_TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

let moto: MotoServer;
let accounts: MotoAccounts;
let iam: IAMClient;
const ecr: Record<string, ECRClient> = {};
/** Every call of every run, and the most calls of one run. */
const everyCall = new Set<string>();
let mostCalls = 0;
let scenarios = 0;

beforeAll(async () => {
  assertBundleFresh();
  moto = await startMoto();
  accounts = new MotoAccounts(moto.endpoint);
  iam = accounts.iam();
  ecr[NODE] = await accounts.ecr(NODE);
  ecr[REGISTRY] = await accounts.ecr(REGISTRY);
}, 60_000);
afterAll(async () => {
  iam?.destroy();
  Object.values(ecr).forEach(client => client.destroy());
  await moto?.stop();
});

/** One scenario: its own node role and repository names in the two accounts. */
class Scenario {
  public readonly role: string;
  public readonly roleArn: string;
  public readonly repository: string;
  public readonly uri: string;

  constructor(names?: { role: string; repository: string }) {
    const n = ++scenarios;
    this.role = names?.role ?? `cld_abc${n}-cluster_node_role`;
    this.roleArn = this.roleArnOf(this.role);
    this.repository = names?.repository ?? `ray-images-${n}`;
    this.uri = `${REGISTRY}.dkr.ecr.${REGION}.amazonaws.com/${this.repository}`;
  }

  public roleArnOf(name: string): string {
    return `arn:aws:iam::${NODE}:role/${name}`;
  }

  public async nodeRole(options: { boundaryArn?: string; managed?: string[]; name?: string } = {}) {
    const name = options.name ?? this.role;
    await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: EC2_TRUST, PermissionsBoundary: options.boundaryArn }));
    for (const arn of options.managed ?? []) {
      await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: arn }));
    }
  }

  public async managedPolicy(name: string, document: object): Promise<string> {
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: JSON.stringify(document) }));
    return Policy!.Arn!;
  }

  public async createRepository(account: string, policy?: object, client = ecr[account]) {
    await client.send(new CreateRepositoryCommand({ repositoryName: this.repository }));
    if (policy) {
      await this.setRepositoryPolicy(account, policy);
    }
  }

  public async setRepositoryPolicy(account: string, policy: object) {
    await ecr[account].send(new SetRepositoryPolicyCommand({ repositoryName: this.repository, policyText: JSON.stringify(policy) }));
  }

  /** The statement AnyscaleEcrAccess writes for a role of another account. */
  public libraryStatement(roleArn = this.roleArn) {
    return { Sid: 'AnyscaleEcrPull', Effect: 'Allow', Principal: { AWS: roleArn }, Action: [...ECR_PULL_ACTIONS] };
  }

  /** Runs the bundled command with the node account's credentials, the registry read through a role of its own. */
  public async check(extra: string[] = [], options: { uri?: string; registryRole?: boolean; roleArn?: string; region?: string } = {})
    : Promise<CommandResult & { calls: string[] }> {
    const args = ['check', '--role-arn', options.roleArn ?? this.roleArn, '--repository-uri', options.uri ?? this.uri,
      ...(options.registryRole ?? true ? ['--registry-role-arn', `arn:aws:iam::${REGISTRY}:role/registry-reader`] : []), ...extra];
    const log = await startAwsCallLog(moto.endpoint);
    try {
      const result = await runCommand(args, {
        AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: options.region ?? REGION, AWS_ENDPOINT_URL: log.endpoint,
      });
      const calls = log.calls.map(c => c.action);
      calls.forEach(c => everyCall.add(c));
      mostCalls = Math.max(mostCalls, calls.length);
      return { ...result, calls };
    } finally {
      await log.stop();
    }
  }
}

/** An example output of docs/check-command.md (linked from the README's "Check that a node role can pull"), marked `<!-- check-output: <name> -->`. */
function readmeExample(name: string): string {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'check-command.md'), 'utf8');
  const block = new RegExp(`<!-- check-output: ${name} -->\\n\`\`\`text\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!block) {
    throw new Error(`docs/check-command.md has no block marked <!-- check-output: ${name} -->`);
  }
  return block[1];
}

/** The lines of the human output that start with a check's symbol. */
const lines = (stdout: string) => stdout.split('\n').filter(line => /^[✓✗?–] /.test(line));

describe('states a user meets after deploying', () => {
  test.concurrent('nothing granted: exit 1, the identity side named first, with its fix in the node account', async () => {
    // GIVEN a node role with no ECR permission and a repository with no policy in the registry account
    const it = new Scenario();
    await it.nodeRole();
    await it.createRepository(REGISTRY);
    // WHEN
    const result = await it.check();
    // THEN
    expect(result.code).toBe(1);
    expect(lines(result.stdout)[0]).toBe(`✗ identity policies of ${it.role} (account ${NODE}): nothing allows ecr:GetAuthorizationToken, ecr:BatchGetImage, `
      + 'ecr:GetDownloadUrlForLayer, ecr:BatchCheckLayerAvailability (in another account than the repository, the role\'s own policies must allow the calls)');
    expect(result.stdout).toContain(`    fix in account ${NODE}: give role ${it.role} these permissions`);
    expect(result.stdout).toContain(`✗ repository policy (account ${REGISTRY}): none, so nothing allows role ${it.role} of account ${NODE}`);
    expect(result.stdout).toContain(`→ the role cannot pull ${it.uri}: 2 failed`);
  });

  test.concurrent('managed policy attached, no repository statement in the other account (exit 1, names the repository policy), then the statement '
    + 'AnyscaleEcrAccess writes added (exit 0): the README\'s examples', async () => {
    // GIVEN the README's names, the managed policy on the role, a repository with no policy
    const it = new Scenario({ role: 'cld_abc123-cluster_node_role', repository: 'ray-images' });
    await it.nodeRole({ managed: [READ_ONLY] });
    await it.createRepository(REGISTRY);
    // WHEN
    const failing = await it.check();
    await it.setRepositoryPolicy(REGISTRY, { Version: '2012-10-17', Statement: [it.libraryStatement()] });
    const passing = await it.check();
    // THEN the outputs are the README's, word for word
    expect({ code: failing.code, stdout: failing.stdout }).toEqual({ code: 1, stdout: readmeExample('failing') });
    expect(lines(failing.stdout).filter(l => l.startsWith('✗'))).toEqual([
      `✗ repository policy (account ${REGISTRY}): none, so nothing allows role ${it.role} of account ${NODE} ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, ecr:BatchCheckLayerAvailability`,
    ]);
    expect({ code: passing.code, stdout: passing.stdout, stderr: passing.stderr }).toEqual({ code: 0, stdout: readmeExample('passing'), stderr: '' });
  });

  test.concurrent('a permissions boundary that allows only s3:*: exit 1, names the boundary', async () => {
    // GIVEN
    const it = new Scenario();
    const boundaryArn = await it.managedPolicy('s3-only', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] });
    await it.nodeRole({ boundaryArn, managed: [READ_ONLY] });
    await it.createRepository(REGISTRY, { Version: '2012-10-17', Statement: [it.libraryStatement()] });
    // WHEN
    const result = await it.check();
    // THEN
    expect(result.code).toBe(1);
    expect(lines(result.stdout).filter(l => l.startsWith('✗'))).toEqual([
      '✗ permissions boundary s3-only: does not allow ecr:GetAuthorizationToken, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, ecr:BatchCheckLayerAvailability',
    ]);
    expect(result.stdout).toContain(`    fix in account ${NODE}: the permissions boundary s3-only (account ${NODE}) is a ceiling for the role`);
  });

  test.concurrent('a Deny in the repository policy: exit 1, names the statement', async () => {
    // GIVEN
    const it = new Scenario();
    await it.nodeRole({ managed: [READ_ONLY] });
    await it.createRepository(REGISTRY, {
      Version: '2012-10-17',
      Statement: [it.libraryStatement(), { Sid: 'NoOtherAccounts', Effect: 'Deny', Principal: '*', Action: 'ecr:*', Condition: { StringNotEquals: { 'aws:PrincipalAccount': REGISTRY } } }],
    });
    // WHEN
    const result = await it.check();
    // THEN
    expect(result.code).toBe(1);
    expect(lines(result.stdout).filter(l => l.startsWith('✗'))).toEqual([
      `✗ repository policy (account ${REGISTRY}): statement "NoOtherAccounts" of the policy of repository ${it.repository} denies ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, ecr:BatchCheckLayerAvailability`,
    ]);
    expect(result.stdout).toContain(`    fix in account ${REGISTRY}: remove or narrow statement "NoOtherAccounts" of the policy of repository ${it.repository} in account ${REGISTRY}`);
  });

  test.concurrent('a repository that does not exist: exit 1', async () => {
    // GIVEN the role is granted, but the registry has no such repository (and no pull-through cache rule: moto has none)
    const it = new Scenario();
    await it.nodeRole({ managed: [READ_ONLY] });
    // WHEN
    const result = await it.check();
    // THEN
    expect(result.code).toBe(1);
    expect(lines(result.stdout).filter(l => l.startsWith('✗'))).toEqual([
      expect.stringMatching(new RegExp(`^✗ repository ${it.repository} does not exist in account ${REGISTRY}, region ${REGION} \\(ecr:DescribePullThroughCacheRules`)),
    ]);
    expect(result.stdout).toContain(`→ the role cannot pull ${it.uri}`);
  });

  test.concurrent('the repository is in another region than the URI says: exit 1, and the region where one of that name exists', async () => {
    // GIVEN the repository in us-west-2 (the default region of the run), the URI in us-east-1
    const it = new Scenario();
    await it.nodeRole({ managed: [READ_ONLY] });
    const west = new ECRClient({ ...accounts.config(await accounts.credentialsOf(REGISTRY)), region: 'us-west-2' });
    await it.createRepository(REGISTRY, undefined, west);
    west.destroy();
    // WHEN
    const result = await it.check([], { region: 'us-west-2' });
    // THEN
    expect(result.code).toBe(1);
    expect(lines(result.stdout).filter(l => l.startsWith('✗'))).toEqual([expect.stringMatching(new RegExp(
      `^✗ repository ${it.repository} does not exist in account ${REGISTRY}, region ${REGION}; a repository of that name exists in us-west-2: is the image URI's region right\\? `))]);
  });

  test.concurrent('the grant went to another role than the one the nodes run as: exit 1, and the message shows whom the policy grants', async () => {
    // GIVEN the statement names the cloud's node role, while the nodes run as ray-autoscaler-v1
    const it = new Scenario();
    await it.nodeRole({ name: 'ray-autoscaler-v1', managed: [READ_ONLY] });
    await it.nodeRole({ managed: [READ_ONLY] });
    await it.createRepository(REGISTRY, { Version: '2012-10-17', Statement: [it.libraryStatement()] });
    // WHEN
    const result = await it.check([], { roleArn: it.roleArnOf('ray-autoscaler-v1') });
    // THEN
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`no statement allows role ray-autoscaler-v1 of account ${NODE} ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, `
      + `ecr:BatchCheckLayerAvailability; it grants ${it.roleArn}: do the nodes run as one of those?`);
  });

  test.concurrent('a condition the check cannot decide is shown as "depends on", never as a pass: exit 1', async () => {
    // GIVEN the repository statement holds only through one VPC endpoint
    const it = new Scenario();
    await it.nodeRole({ managed: [READ_ONLY] });
    await it.createRepository(REGISTRY, { Version: '2012-10-17', Statement: [{ ...it.libraryStatement(), Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-0123456789abcdef0' } } }] });
    // WHEN
    const result = await it.check();
    // THEN
    expect(result.code).toBe(1);
    expect(lines(result.stdout).filter(l => !l.startsWith('✓') && !l.startsWith('–'))).toEqual([
      `? repository policy (account ${REGISTRY}): ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, ecr:BatchCheckLayerAvailability depends on aws:SourceVpce (statement "AnyscaleEcrPull" of the policy of repository ${it.repository})`,
    ]);
    expect(result.stdout).toContain(`→ the role cannot pull ${it.uri}: 1 not decided`);
  });

  test.concurrent('one account, no repository policy: exit 0, the identity policy is enough', async () => {
    // GIVEN
    const it = new Scenario();
    await it.nodeRole({ managed: [READ_ONLY] });
    await it.createRepository(NODE);
    // WHEN
    const result = await it.check([], { uri: `${NODE}.dkr.ecr.${REGION}.amazonaws.com/${it.repository}`, registryRole: false });
    // THEN
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`✓ repository policy (account ${NODE}): none, none needed in the same account`);
  });

  test.concurrent('an organization-wide grant (AnyscaleEcrOrganizationAccess\'s statement) holds when the node account is in that organization', async () => {
    // GIVEN an organization of the node account, and the registry's statement for every *-cluster_node_role in it
    const it = new Scenario();
    const organizations = new OrganizationsClient(accounts.config());
    const { Organization } = await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    organizations.destroy();
    await it.nodeRole({ managed: [READ_ONLY] });
    await it.createRepository(REGISTRY, {
      Version: '2012-10-17',
      Statement: [{
        Sid: 'AnyscaleEcrOrgPull',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [...ECR_PULL_ACTIONS],
        Condition: { StringEquals: { 'aws:PrincipalOrgID': Organization!.Id }, ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/*-cluster_node_role'] } },
      }],
    });
    // WHEN
    const result = await it.check();
    // THEN
    expect(result.code).toBe(0);
    expect(result.calls).toContain('organizations:DescribeOrganization');
  });

  test.concurrent('--vpc-id: an ecr.dkr endpoint whose policy allows only the node account\'s own registry blocks the image calls', async () => {
    // GIVEN
    const it = new Scenario();
    await it.nodeRole({ managed: [READ_ONLY] });
    await it.createRepository(REGISTRY, { Version: '2012-10-17', Statement: [it.libraryStatement()] });
    const ec2 = new EC2Client(accounts.config());
    const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
    const onlyOwnAccount = { Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceAccount': NODE } } }] };
    const { VpcEndpoint } = await ec2.send(new CreateVpcEndpointCommand({
      VpcId: Vpc!.VpcId, ServiceName: `com.amazonaws.${REGION}.ecr.dkr`, VpcEndpointType: 'Interface', PolicyDocument: JSON.stringify(onlyOwnAccount),
    }));
    ec2.destroy();
    const arn = `arn:aws:ecr:${REGION}:${REGISTRY}:repository/${it.repository}`;
    // WHEN
    const result = await it.check(['--vpc-id', Vpc!.VpcId!]);
    // THEN
    expect(result.code).toBe(1);
    expect(lines(result.stdout).filter(l => l.includes('endpoint'))).toEqual([
      `– ecr.api endpoint: none in ${Vpc!.VpcId}: no endpoint policy applies (the route through NAT or an internet gateway is not checked)`,
      `✗ ecr.dkr endpoint ${VpcEndpoint!.VpcEndpointId}: its policy does not allow ecr:BatchGetImage on ${arn}, ecr:GetDownloadUrlForLayer on ${arn}, ecr:BatchCheckLayerAvailability on ${arn}`,
      `– S3 gateway endpoint: none in ${Vpc!.VpcId}: no endpoint policy applies (the route through NAT or an internet gateway is not checked)`,
    ]);
    expect(result.calls).toEqual(expect.arrayContaining(['ec2:DescribeVpcs', 'ec2:DescribeVpcEndpoints']));
  });

  test.concurrent('--json: the same result, machine-readable, for CI after cdk deploy', async () => {
    // GIVEN
    const it = new Scenario();
    await it.nodeRole({ managed: [READ_ONLY] });
    await it.createRepository(REGISTRY);
    // WHEN
    const result = await it.check(['--json']);
    // THEN
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ version: 1, canPull: false, exitCode: 1, role: it.roleArn, repository: { uri: it.uri }, evaluatedBy: 'documents' });
    expect(report.checks.map((c: { check: string; status: string }) => [c.check, c.status])).toEqual([
      ['identity', 'pass'], ['boundary', 'pass'], ['scp', 'note'], ['repository', 'pass'], ['repository-policy', 'fail'],
    ]);
    expect(report.checks[4].fixes[0]).toMatchObject({ account: REGISTRY, json: { Principal: { AWS: it.roleArn } } });
  });
});

describe('usage and credentials', () => {
  test.concurrent('no arguments: exit 2 with a one-line reason', async () => {
    // WHEN
    const result = await runCommand([], {});
    // THEN
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'cdk-anyscale-ecr-access: no command: run `cdk-anyscale-ecr-access check --role-arn <arn> --repository-uri <uri>` (see --help)\n' });
  });

  test.concurrent('no credentials: exit 2 with a one-line reason', async () => {
    // WHEN no key, no profile, no instance metadata
    const result = await runCommand(['check', '--role-arn', `arn:aws:iam::${NODE}:role/nodes`, '--repository-uri', `${REGISTRY}.dkr.ecr.${REGION}.amazonaws.com/images`],
      { AWS_REGION: REGION, AWS_ENDPOINT_URL: moto.endpoint });
    // THEN
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^cdk-anyscale-ecr-access: the credentials for the (node|registry) account do not work: CredentialsProviderError: [^\n]+\n$/);
  });
});

describe('what the runs above called', () => {
  test('only reads, at most 15 calls in a run (the SDK\'s retries of the simulator included)', () => {
    // THEN
    const listed = new Set<string>([...CHECK_PERMISSIONS.node, ...CHECK_PERMISSIONS.registry, 'sts:GetCallerIdentity']);
    expect([...everyCall].filter(call => !listed.has(call))).toEqual([]);
    expect([...everyCall].filter(call => !/^[a-z0-9]+:(Get|List|Describe|Simulate)[A-Za-z]+$/.test(call) && call !== 'sts:AssumeRole')).toEqual([]);
    expect(mostCalls).toBeGreaterThan(0);
    expect(mostCalls).toBeLessThanOrEqual(15);
  });
});
