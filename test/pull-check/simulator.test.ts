import {
  DescribePullThroughCacheRulesCommand, DescribeRepositoryCreationTemplatesCommand, ECRClient, GetRegistryPolicyCommand, GetRepositoryPolicyCommand,
  RegistryPolicyNotFoundException, RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import {
  EvaluationResult, GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand,
  SimulatePrincipalPolicyCommand, SimulatePrincipalPolicyCommandInput,
} from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { ECR_PULL_ACTIONS } from '../../lib/private/constants/pull-actions';
import { main } from '../../lib/private/pull-check/main';
import { CHECK_PERMISSIONS } from '../../lib/private/pull-check/permissions';

// The simulator's path, which moto does not offer: iam:SimulatePrincipalPolicy answered with the shapes of AWS's IAM
// API reference (EvaluationResult: EvalDecision, MatchedStatements, MissingContextValues, ResourceSpecificResults,
// PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary, OrganizationsDecisionDetail.AllowedByOrganizations),
// and the command run in-process against the mocked clients.

const NODE = '111111111111';
const REGISTRY = '222222222222';
const ROLE = 'cld_abc123-cluster_node_role';
const ROLE_ARN = `arn:aws:iam::${NODE}:role/${ROLE}`;
const REPOSITORY_ARN = `arn:aws:ecr:us-east-1:${REGISTRY}:repository/ray-images`;
const URI = `${REGISTRY}.dkr.ecr.us-east-1.amazonaws.com/ray-images`;
const IMAGE_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
const GRANT = { Version: '2012-10-17', Statement: [{ Sid: 'AnyscaleEcrPull', Effect: 'Allow', Principal: { AWS: ROLE_ARN }, Action: [...ECR_PULL_ACTIONS] }] };

const iam = mockClient(IAMClient);
const ecr = mockClient(ECRClient);
const sts = mockClient(STSClient);
const organizations = mockClient(OrganizationsClient);

beforeAll(() => {
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
});
beforeEach(() => {
  [iam, ecr, sts, organizations].forEach(m => m.reset());
  sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 900_000) } });
  iam.on(GetRoleCommand).resolves(role());
  ecr.on(GetRepositoryPolicyCommand).resolves({ registryId: REGISTRY, repositoryName: 'ray-images', policyText: JSON.stringify(GRANT) });
});

function role(boundaryArn?: string) {
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
  return {
    Role: {
      Path: '/',
      RoleName: ROLE,
      RoleId: 'AROAEXAMPLEID0000000',
      Arn: ROLE_ARN,
      CreateDate: new Date('2026-01-01'),
      AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust)),
      PermissionsBoundary: boundaryArn ? { PermissionsBoundaryType: 'PermissionsBoundaryPolicy' as const, PermissionsBoundaryArn: boundaryArn } : undefined,
    },
  };
}

interface Outcome {
  readonly decision?: 'allowed' | 'explicitDeny' | 'implicitDeny';
  readonly matched?: Array<{ id: string; type: 'role' | 'aws-managed' | 'user-managed'; line: number }>;
  readonly boundary?: boolean;
  readonly organizations?: boolean;
  readonly missing?: string[];
}

/** An EvaluationResult as the IAM API reference describes it; `ResourceSpecificResults` when the call named a resource. */
function evaluation(action: string, resource: string | undefined, outcome: Outcome): EvaluationResult {
  const decision = outcome.decision ?? 'allowed';
  const matched = (outcome.matched ?? []).map(m => ({
    SourcePolicyId: m.id, SourcePolicyType: m.type, StartPosition: { Line: m.line, Column: 5 }, EndPosition: { Line: m.line + 6, Column: 6 },
  }));
  return {
    EvalActionName: action,
    EvalResourceName: resource ?? '*',
    EvalDecision: decision,
    MatchedStatements: matched,
    MissingContextValues: resource ? [] : outcome.missing ?? [],
    ...(outcome.organizations !== undefined ? { OrganizationsDecisionDetail: { AllowedByOrganizations: outcome.organizations } } : {}),
    ...(outcome.boundary !== undefined ? { PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: outcome.boundary } } : {}),
    EvalDecisionDetails: {},
    ...(resource ? {
      ResourceSpecificResults: [{
        EvalResourceName: resource,
        EvalResourceDecision: decision,
        MatchedStatements: matched,
        MissingContextValues: outcome.missing ?? [],
        EvalDecisionDetails: {},
      }],
    } : {}),
  };
}

/** The simulator answers each action with `outcome(action)`. */
function simulator(outcome: (action: string) => Outcome) {
  iam.on(SimulatePrincipalPolicyCommand).callsFake((input: SimulatePrincipalPolicyCommandInput) => ({
    EvaluationResults: input.ActionNames!.map(action => evaluation(action, input.ResourceArns?.[0], outcome(action))),
    IsTruncated: false,
  }));
}

async function run(...extra: string[]) {
  return runFor(URI, ...extra);
}

async function runFor(uri: string, ...extra: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['check', '--role-arn', ROLE_ARN, '--repository-uri', uri, '--registry-role-arn', `arn:aws:iam::${REGISTRY}:role/reader`, ...extra], {
    stdout: text => { stdout += text; },
    stderr: text => { stderr += text; },
  });
  const sent = [iam, ecr, sts, organizations].flatMap(m => m.calls().map(call => call.args[0].constructor.name));
  return { code, stdout, stderr, lines: stdout.split('\n').filter(l => /^[✓✗?–] /.test(l)), sent };
}

const readOnlyMatch = { id: 'AmazonEC2ContainerRegistryReadOnly', type: 'aws-managed' as const, line: 4 };

test('everything allowed: exit 0, decided by the simulator, SCPs seen, and no policy document read', async () => {
  // GIVEN
  simulator(() => ({ matched: [readOnlyMatch], organizations: true }));
  // WHEN
  const result = await run();
  // THEN
  expect(result.code).toBe(0);
  expect(result.lines).toEqual([
    `✓ identity policies of ${ROLE} (account ${NODE}): allow ecr:GetAuthorizationToken, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, ecr:BatchCheckLayerAvailability (AmazonEC2ContainerRegistryReadOnly (aws-managed policy), line 4)`,
    '✓ permissions boundary: none',
    '✓ SCPs: allow the calls (AWS policy simulator)',
    `✓ repository ray-images exists in account ${REGISTRY}, region us-east-1`,
    `✓ repository policy (account ${REGISTRY}): allows the role ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, ecr:BatchCheckLayerAvailability (statement "AnyscaleEcrPull" of the policy of repository ray-images)`,
  ]);
  expect(result.stdout).toContain(`→ the role can pull ${URI}\n`);
  expect(result.sent.sort()).toEqual(['AssumeRoleCommand', 'GetRepositoryPolicyCommand', 'GetRoleCommand', 'SimulatePrincipalPolicyCommand', 'SimulatePrincipalPolicyCommand']);
});

test('the simulator is asked for the role\'s own side: the token on *, the image calls on the repository, with the context the check knows', async () => {
  // GIVEN
  simulator(() => ({}));
  // WHEN
  await run();
  // THEN
  const inputs = iam.commandCalls(SimulatePrincipalPolicyCommand).map(call => call.args[0].input);
  expect(inputs.map(i => [i.ActionNames, i.ResourceArns])).toEqual([[['ecr:GetAuthorizationToken'], undefined], [IMAGE_ACTIONS, [REPOSITORY_ARN]]]);
  // No ResourcePolicy: for a role, the simulator would need a CallerArn, which can only be an IAM user.
  expect(inputs.every(i => i.PolicySourceArn === ROLE_ARN && i.ResourcePolicy === undefined && i.CallerArn === undefined)).toBe(true);
  expect(inputs[1].ContextEntries).toEqual(expect.arrayContaining([
    { ContextKeyName: 'aws:PrincipalArn', ContextKeyValues: [ROLE_ARN], ContextKeyType: 'string' },
    { ContextKeyName: 'aws:ResourceAccount', ContextKeyValues: [REGISTRY], ContextKeyType: 'string' },
  ]));
});

test('a permissions boundary that blocks: the boundary named from PermissionsBoundaryDecisionDetail, the identity side not decided on its own', async () => {
  // GIVEN
  iam.on(GetRoleCommand).resolves(role(`arn:aws:iam::${NODE}:policy/s3-only`));
  simulator(() => ({ decision: 'implicitDeny', boundary: false, organizations: true }));
  // WHEN
  const result = await run();
  // THEN
  expect(result.code).toBe(1);
  expect(result.lines.slice(0, 3)).toEqual([
    `– identity policies of ${ROLE} (account ${NODE}): not decided on their own: the permissions boundary or an SCP blocks first (fix that, then run the check again)`,
    '✗ permissions boundary s3-only: does not allow ecr:GetAuthorizationToken, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, ecr:BatchCheckLayerAvailability',
    '✓ SCPs: allow the calls (AWS policy simulator)',
  ]);
});

test('an SCP that blocks: named from OrganizationsDecisionDetail, with where to fix it', async () => {
  // GIVEN an SCP denies the image calls (the simulation ends there: no decision details for the other policies)
  simulator(action => IMAGE_ACTIONS.includes(action) ? { decision: 'explicitDeny', organizations: false } : { matched: [readOnlyMatch], organizations: true });
  // WHEN
  const result = await run();
  // THEN
  expect(result.code).toBe(1);
  expect(result.lines.filter(l => l.startsWith('✗'))).toEqual([
    `✗ SCPs: an SCP of the organization of account ${NODE} blocks ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, ecr:BatchCheckLayerAvailability (AWS policy simulator, OrganizationsDecisionDetail)`,
  ]);
  expect(result.stdout).toContain(`    fix in the organization's management account: let the SCPs on account ${NODE} (and its OUs) allow ecr:BatchGetImage`);
});

test('an explicit Deny in an identity policy: the simulator\'s matched statement named', async () => {
  // GIVEN
  simulator(action => action === 'ecr:BatchGetImage'
    ? { decision: 'explicitDeny', matched: [{ id: 'no-image-pulls', type: 'user-managed', line: 3 }], organizations: true }
    : { matched: [readOnlyMatch], organizations: true });
  // WHEN
  const result = await run();
  // THEN
  expect(result.code).toBe(1);
  expect(result.lines.filter(l => l.startsWith('✗'))).toEqual([
    `✗ identity policies of ${ROLE} (account ${NODE}): no-image-pulls (user-managed policy), line 3 denies ecr:BatchGetImage`,
  ]);
});

test('a condition the simulator had no value for: "depends on", exit 1', async () => {
  // GIVEN
  simulator(action => IMAGE_ACTIONS.includes(action) ? { decision: 'allowed', matched: [readOnlyMatch], missing: ['aws:SourceVpce'] } : { matched: [readOnlyMatch] });
  // WHEN
  const result = await run();
  // THEN
  expect(result.code).toBe(1);
  expect(result.lines[0]).toBe(`? identity policies of ${ROLE} (account ${NODE}): ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, ecr:BatchCheckLayerAvailability depends on aws:SourceVpce `
    + '(the AWS policy simulator, which had no value for aws:SourceVpce)');
  expect(result.lines[2]).toBe(`✓ SCPs: none apply (the simulator reports no organization for account ${NODE})`);
});

test('a cross-account result whose EvalDecisionDetails deny only for want of a resource policy: the identity side is taken from its own entries', async () => {
  // GIVEN (the API reference: one entry per policy type in cross-account simulations; it does not list their names, so
  // an entry naming a resource policy is taken for the repository side, which the check evaluates itself)
  iam.on(SimulatePrincipalPolicyCommand).callsFake((input: SimulatePrincipalPolicyCommandInput) => ({
    EvaluationResults: input.ActionNames!.map(action => ({
      ...evaluation(action, input.ResourceArns?.[0], { matched: [readOnlyMatch], organizations: true, decision: input.ResourceArns ? 'implicitDeny' : 'allowed' }),
      ...(input.ResourceArns ? { EvalDecisionDetails: { 'IAM Policy': 'allowed', 'Resource Policy': 'implicitDeny' } } : {}),
    })),
  }));
  // WHEN
  const result = await run();
  // THEN
  expect(result.code).toBe(0);
  expect(result.lines[0]).toMatch(/^✓ identity policies/);
});

test('the simulator denied (AccessDenied): the documents decide, and the output says SCPs were not seen', async () => {
  // GIVEN
  iam.on(SimulatePrincipalPolicyCommand).rejects(Object.assign(new Error(`User: arn:aws:sts::${NODE}:assumed-role/dev/me is not authorized to perform: iam:SimulatePrincipalPolicy`), { name: 'AccessDenied' }));
  iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [], IsTruncated: false });
  iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [{ PolicyName: 'AmazonEC2ContainerRegistryPullOnly', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly' }], IsTruncated: false });
  iam.on(GetPolicyCommand).resolves({ Policy: { PolicyName: 'AmazonEC2ContainerRegistryPullOnly', DefaultVersionId: 'v1' } });
  iam.on(GetPolicyVersionCommand).resolves({
    PolicyVersion: {
      VersionId: 'v1',
      IsDefaultVersion: true,
      Document: encodeURIComponent(JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchImportUpstreamImage'], Resource: '*' }],
      })),
    },
  });
  // WHEN
  const result = await run();
  // THEN ecr:BatchCheckLayerAvailability is not in AmazonEC2ContainerRegistryPullOnly's document here, so the identity side fails
  expect(result.code).toBe(1);
  expect(result.lines[0]).toBe(`✗ identity policies of ${ROLE} (account ${NODE}): nothing allows ecr:BatchCheckLayerAvailability `
    + '(in another account than the repository, the role\'s own policies must allow the calls)');
  expect(result.lines[2]).toBe(`– SCPs: not seen: iam:SimulatePrincipalPolicy could not be called (AccessDenied: User: arn:aws:sts::${NODE}:assumed-role/dev/me is not authorized `
    + 'to perform: iam:SimulatePrincipalPolicy); the role\'s side was decided from its policy documents, without the organization\'s SCPs and RCPs');
  expect(iam.commandCalls(SimulatePrincipalPolicyCommand)).toHaveLength(1);
});

describe('a repository that a pull-through cache rule creates on the first pull', () => {
  // The cache rule's prefix `ray`: ECR creates `ray/<upstream repository>` on the first pull.
  const CACHED = `${REGISTRY}.dkr.ecr.us-east-1.amazonaws.com/ray/rayproject/ray`;
  beforeEach(() => {
    ecr.on(GetRepositoryPolicyCommand).rejects(new RepositoryNotFoundException({ message: 'The repository with name \'ray/rayproject/ray\' does not exist', $metadata: {} }));
    ecr.on(DescribePullThroughCacheRulesCommand).resolves({
      pullThroughCacheRules: [{ ecrRepositoryPrefix: 'ray', upstreamRegistryUrl: 'registry-1.docker.io', registryId: REGISTRY, upstreamRegistry: 'docker-hub' }],
    });
    // From another account, the first pull also needs the registry policy to let the node account create and import.
    ecr.on(GetRegistryPolicyCommand).resolves({
      registryId: REGISTRY,
      policyText: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{
          Sid: 'NodesCreateCachedRepositories',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${NODE}:root` },
          Action: ['ecr:CreateRepository', 'ecr:BatchImportUpstreamImage'],
          Resource: `arn:aws:ecr:us-east-1:${REGISTRY}:repository/ray/*`,
        }],
      }),
    });
    simulator(() => ({ matched: [readOnlyMatch] }));
  });

  const template = (policy?: object) => ({
    registryId: REGISTRY,
    repositoryCreationTemplates: [
      { prefix: 'ROOT', appliedFor: ['PULL_THROUGH_CACHE' as const] },
      { prefix: 'ray', appliedFor: ['PULL_THROUGH_CACHE' as const, 'REPLICATION' as const], repositoryPolicy: policy ? JSON.stringify(policy) : undefined },
    ],
  });

  test('the template gives it the role\'s statement: exit 0, the first pull\'s calls checked too', async () => {
    // GIVEN
    ecr.on(DescribeRepositoryCreationTemplatesCommand).resolves(template(GRANT));
    // WHEN
    const result = await runFor(CACHED);
    // THEN
    expect(result.code).toBe(0);
    expect(result.lines.slice(3)).toEqual([
      `✓ repository ray/rayproject/ray does not exist yet in account ${REGISTRY}, region us-east-1; pull-through cache rule ray (registry-1.docker.io) creates it on the first pull`,
      '✓ policy of the repository ECR creates (creation template ray): allows the role ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, ecr:BatchCheckLayerAvailability '
        + '(statement "AnyscaleEcrPull" of the repository policy of creation template ray)',
      '✓ first pull through the cache: ecr:CreateRepository, ecr:BatchImportUpstreamImage allowed',
    ]);
    expect(iam.commandCalls(SimulatePrincipalPolicyCommand)[1].args[0].input.ActionNames).toEqual([...IMAGE_ACTIONS, 'ecr:CreateRepository', 'ecr:BatchImportUpstreamImage']);
  });

  test('without the registry policy, the first pull from another account cannot create the repository', async () => {
    // GIVEN
    ecr.on(DescribeRepositoryCreationTemplatesCommand).resolves(template(GRANT));
    ecr.on(GetRegistryPolicyCommand).rejects(new RegistryPolicyNotFoundException({ message: 'Registry policy does not exist', $metadata: {} }));
    // WHEN
    const result = await runFor(CACHED);
    // THEN
    expect(result.code).toBe(1);
    expect(result.lines.filter(l => l.startsWith('✗'))).toEqual([
      '✗ first pull through the cache: ECR creates the repository with the puller\'s permissions, and ecr:CreateRepository, ecr:BatchImportUpstreamImage are not allowed '
        + 'for the role (identity policies and the registry policy)',
    ]);
  });

  test('the template has no statement for the role: exit 1, the fix goes into the template', async () => {
    // GIVEN
    ecr.on(DescribeRepositoryCreationTemplatesCommand).resolves(template());
    // WHEN
    const result = await runFor(CACHED);
    // THEN
    expect(result.code).toBe(1);
    expect(result.lines.filter(l => l.startsWith('✗'))).toEqual([
      `✗ policy of the repository ECR creates (creation template ray): none, so nothing allows role ${ROLE} of account ${NODE} ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, ecr:BatchCheckLayerAvailability`,
    ]);
    expect(result.stdout).toContain(`    fix in account ${REGISTRY}: ECR gives the repository it creates the policy of the repository policy of creation template ray`);
  });
});

test('without --registry-role-arn, the cache rules of another account are not read, and the line says why', async () => {
  // GIVEN the node account's credentials, a repository of the registry account that does not exist
  simulator(() => ({ matched: [readOnlyMatch] }));
  ecr.on(GetRepositoryPolicyCommand).rejects(new RepositoryNotFoundException({ message: 'no', $metadata: {} }));
  sts.on(GetCallerIdentityCommand).resolves({ Account: NODE, Arn: `arn:aws:sts::${NODE}:assumed-role/dev/me`, UserId: 'AROA:me' });
  // WHEN
  let stdout = '';
  const code = await main(['check', '--role-arn', ROLE_ARN, '--repository-uri', URI], { stdout: text => { stdout += text; }, stderr: () => undefined });
  // THEN
  expect(code).toBe(1);
  expect(stdout).toContain(`✗ repository ray-images does not exist in account ${REGISTRY}, region us-east-1 (the pull-through cache rules and creation templates of ${REGISTRY} `
    + `were not read: the credentials are of account ${NODE} (pass --registry-role-arn))`);
  expect(ecr.commandCalls(DescribePullThroughCacheRulesCommand)).toEqual([]);
});

test('every command the check sends is in the IAM policy the README lists', async () => {
  // GIVEN the widest run: simulator denied, so documents are read; a repository that does not exist; a cache rule
  iam.on(SimulatePrincipalPolicyCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
  iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [] });
  iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
  ecr.on(GetRepositoryPolicyCommand).rejects(new RepositoryNotFoundException({ message: 'no', $metadata: {} }));
  ecr.on(DescribePullThroughCacheRulesCommand).resolves({ pullThroughCacheRules: [{ ecrRepositoryPrefix: 'ray', upstreamRegistryUrl: 'public.ecr.aws' }] });
  ecr.on(DescribeRepositoryCreationTemplatesCommand).resolves({ repositoryCreationTemplates: [] });
  ecr.on(GetRegistryPolicyCommand).resolves({ policyText: JSON.stringify({ Version: '2012-10-17', Statement: [] }) });
  // WHEN
  const result = await runFor(`${REGISTRY}.dkr.ecr.us-east-1.amazonaws.com/ray/rayproject/ray`);
  // THEN
  const listed = [...CHECK_PERMISSIONS.node, ...CHECK_PERMISSIONS.registry].map(action => `${action.split(':')[1]}Command`);
  expect(result.sent.filter(command => !listed.includes(command))).toEqual([]);
});

test('--json with a usage error: the reason as JSON on stdout too, exit 2', async () => {
  // WHEN
  let stdout = '';
  let stderr = '';
  const code = await main(['check', '--json'], { stdout: text => { stdout += text; }, stderr: text => { stderr += text; } });
  // THEN
  const reason = '--role-arn is required: the ARN of the IAM role the nodes run as (arn:aws:iam::<account>:role/<name>)';
  expect(code).toBe(2);
  expect(JSON.parse(stdout)).toEqual({ version: 1, canPull: false, exitCode: 2, error: reason });
  expect(stderr).toBe(`cdk-anyscale-ecr-access: ${reason}\n`);
});
