import { runSimulation } from '@cloud-copilot/iam-simulate';
import * as fc from 'fast-check';
import { decide, localFacts } from '../../lib/private/pull-check/evaluation';
import { isUnknown } from '../../lib/private/pull-check/matching';
import { parsePolicy } from '../../lib/private/pull-check/policy';
import { requestContext } from '../../lib/private/pull-check/request-context';

// The check's own evaluator against @cloud-copilot/iam-simulate (AGPL: a devDependency and test oracle only, never in
// the bundle): random identity policies, permissions boundaries and repository policies, one account or two, the four
// calls of a pull. Wherever the local evaluator decides, the oracle must decide the same, also for every value of the
// keys the check treats as unknown (here aws:SourceVpce, absent or present).

const NODE = '111111111111';
const OTHER = '222222222222';
const REGION = 'us-east-1';
const ORG = 'o-abc123defg';

const ROLE_PATHS = ['/', '/anyscale/'];
const roleArn = (path: string) => `arn:aws:iam::${NODE}:role${path}cld_abc-cluster_node_role`;
const sessionArn = `arn:aws:sts::${NODE}:assumed-role/cld_abc-cluster_node_role/i-0123456789abcdef0`;

const PULL = [
  { action: 'ecr:GetAuthorizationToken', onRepository: false },
  { action: 'ecr:BatchGetImage', onRepository: true },
  { action: 'ecr:GetDownloadUrlForLayer', onRepository: true },
  { action: 'ecr:BatchCheckLayerAvailability', onRepository: true },
];

const ACTIONS = ['*', 'ecr:*', 'ecr:*', 'ecr:Get*', 'ecr:batch*', 'ecr:BatchGetImage', 'ecr:GetAuthorizationToken', 'ecr:GetDownloadUrlForLayer',
  'ecr:BatchCheckLayerAvailability', 'ecr:?etAuthorizationToken', 'ecr:Describe*', 's3:*', 'ecr:PutImage'];

const resourcesFor = (registry: string) => ['*', '*', `arn:aws:ecr:${REGION}:${registry}:repository/images`, `arn:aws:ecr:${REGION}:${registry}:repository/*`,
  'arn:aws:ecr:*:*:repository/images', `arn:aws:ecr:${REGION}:${registry}:repository/other`, 'arn:aws:ecr:*', 'arn:aws:s3:::bucket/*',
  `arn:aws:ecr:${REGION}:\${aws:PrincipalAccount}:repository/*`, `arn:aws:ecr:us-west-2:${registry}:repository/images`,
  `arn:aws:ecr:${REGION}:*:repository/ima?es`, `arn:aws:ecr:${REGION}:${registry}:repository/team/*`];

/** Condition keys with values that match and values that do not, for the role, its account and the repository. */
const conditionKeys = (registry: string, path: string) => ({
  'aws:PrincipalArn': [roleArn(path), `arn:aws:iam::${NODE}:role/*`, 'arn:aws:iam::*:role/*-cluster_node_role', `arn:aws:iam::${NODE}:role/other`, 'arn:aws:iam::*:role/anyscale/*'],
  'aws:PrincipalAccount': [NODE, OTHER, '1111*'],
  'aws:ResourceAccount': [registry, '333333333333', '${aws:PrincipalAccount}'],
  'aws:PrincipalOrgID': [ORG, 'o-other', 'o-*'],
  'aws:RequestedRegion': [REGION, 'eu-*'],
  'aws:PrincipalType': ['AssumedRole', 'User'],
  'aws:SourceVpce': ['vpce-1', 'vpce-2'],
});

const OPERATORS = ['StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike', 'StringEqualsIgnoreCase', 'ArnLike', 'ArnNotLike', 'ArnEquals',
  'StringEqualsIfExists', 'StringNotEqualsIfExists', 'ForAnyValue:StringEquals', 'ForAllValues:StringLike', 'Null'];

interface Scenario {
  readonly registry: string;
  readonly path: string;
  readonly organization: boolean;
  readonly identity: object[];
  readonly boundary?: object;
  readonly repository?: object;
}

function conditionArb(registry: string, path: string) {
  const keys = conditionKeys(registry, path);
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom(...OPERATORS), fc.constantFrom(...Object.keys(keys) as Array<keyof typeof keys>))
        .chain(([operator, key]) => (operator === 'Null'
          ? fc.constantFrom(['true'], ['false'])
          : fc.subarray(keys[key], { minLength: 1, maxLength: 2 }))
          .map(values => ({ [operator]: { [key]: values.length === 1 ? values[0] : values } }))),
    },
  );
}

function statementArb(registry: string, path: string, kind: 'identity' | 'repository') {
  const principal = fc.constantFrom<object>({ Principal: '*' }, { Principal: { AWS: '*' } }, { Principal: { AWS: roleArn(path) } }, { Principal: { AWS: NODE } },
    { Principal: { AWS: `arn:aws:iam::${NODE}:root` } }, { Principal: { AWS: `arn:aws:iam::${NODE}:role/other` } },
    { Principal: { AWS: ['arn:aws:iam::333333333333:root', roleArn(path)] } }, { Principal: { Service: 'ec2.amazonaws.com' } },
    { NotPrincipal: { AWS: `arn:aws:iam::${NODE}:role/other` } });
  return fc.record({
    sid: fc.option(fc.constantFrom('Pull', 'NoPush', 'Scoped'), { nil: undefined }),
    effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
    actions: fc.subarray(ACTIONS, { minLength: 1, maxLength: 3 }),
    resource: kind === 'repository'
      ? fc.constantFrom<object>({}, {}, {}, { Resource: `arn:aws:ecr:${REGION}:${registry}:repository/images` }, { Resource: '*' }, { Resource: 'arn:aws:ecr:*:*:repository/other' })
      : fc.tuple(fc.boolean(), fc.subarray(resourcesFor(registry), { minLength: 1, maxLength: 2 }))
        .map(([negated, list]) => (negated ? { NotResource: list } : { Resource: list.length === 1 ? list[0] : list })),
    principal: kind === 'repository' ? principal : fc.constant({}),
    condition: conditionArb(registry, path),
    notAction: fc.integer({ min: 0, max: 5 }),
  }).map(s => ({
    ...(s.sid ? { Sid: s.sid } : {}),
    Effect: s.effect,
    ...(s.notAction === 0 ? { NotAction: s.actions } : { Action: s.actions.length === 1 ? s.actions[0] : s.actions }),
    ...s.resource,
    ...s.principal,
    ...(s.condition ? { Condition: s.condition } : {}),
  }));
}

/** What grants usually look like: AmazonEC2ContainerRegistryReadOnly's statement, the library's repository statement. */
const usualGrant = (path: string, kind: 'identity' | 'repository') => kind === 'identity'
  ? { Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], Resource: '*' }
  : { Sid: 'AnyscaleEcrPull', Effect: 'Allow', Principal: { AWS: roleArn(path) }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'] };

const documentArb = (registry: string, path: string, kind: 'identity' | 'repository', max: number) =>
  fc.array(fc.oneof({ weight: 1, arbitrary: fc.constant(usualGrant(path, kind)) }, { weight: 3, arbitrary: statementArb(registry, path, kind) }),
    { minLength: 1, maxLength: max }).map(statements => ({ Version: '2012-10-17', Statement: statements }));

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  registry: fc.constantFrom(NODE, OTHER),
  path: fc.constantFrom(...ROLE_PATHS),
  organization: fc.boolean(),
}).chain(({ registry, path, organization }) => fc.record({
  registry: fc.constant(registry),
  path: fc.constant(path),
  organization: fc.constant(organization),
  identity: fc.array(documentArb(registry, path, 'identity', 3), { minLength: 0, maxLength: 2 }),
  boundary: fc.option(documentArb(registry, path, 'identity', 2), { nil: undefined, freq: 3 }),
  repository: fc.option(documentArb(registry, path, 'repository', 3), { nil: undefined, freq: 4 }),
}));

type OracleResult = 'allowed' | 'explicitDeny' | 'implicitDeny';

async function oracle(scenario: Scenario, action: string, onRepository: boolean, sourceVpce: string | undefined): Promise<OracleResult> {
  const repositoryArn = `arn:aws:ecr:${REGION}:${scenario.registry}:repository/images`;
  const contextVariables: Record<string, string> = {
    'aws:PrincipalArn': roleArn(scenario.path),
    'aws:PrincipalAccount': NODE,
    'aws:PrincipalType': 'AssumedRole',
    'aws:PrincipalIsAWSService': 'false',
    'aws:RequestedRegion': REGION,
    'aws:SecureTransport': 'true',
    ...(onRepository ? { 'aws:ResourceAccount': scenario.registry } : {}),
    ...(scenario.organization ? { 'aws:PrincipalOrgID': ORG } : {}),
    ...(sourceVpce ? { 'aws:SourceVpce': sourceVpce } : {}),
  };
  const result = await runSimulation({
    request: {
      principal: sessionArn,
      action,
      resource: onRepository ? { resource: repositoryArn, accountId: scenario.registry } : { resource: '*', accountId: NODE },
      contextVariables,
    },
    identityPolicies: scenario.identity.map((policy, i) => ({ name: `policy${i}`, policy })),
    permissionBoundaryPolicies: scenario.boundary ? [{ name: 'boundary', policy: scenario.boundary }] : undefined,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: onRepository ? scenario.repository : undefined,
  }, {});
  if (result.resultType === 'error') {
    throw new Error(`iam-simulate refused the scenario: ${JSON.stringify(result.errors)}`);
  }
  const overall = result.resultType === 'single' ? result.overallResult : undefined;
  switch (overall) {
    case 'Allowed': return 'allowed';
    case 'ExplicitlyDenied': return 'explicitDeny';
    case 'ImplicitlyDenied': return 'implicitDeny';
    default: throw new Error(`unexpected iam-simulate result ${JSON.stringify(result)}`);
  }
}

function local(scenario: Scenario, action: string, onRepository: boolean) {
  const repositoryArn = `arn:aws:ecr:${REGION}:${scenario.registry}:repository/images`;
  const context = requestContext({
    roleArn: roleArn(scenario.path),
    nodeAccount: NODE,
    registryAccount: onRepository ? scenario.registry : undefined,
    region: REGION,
    organizationId: scenario.organization ? ORG : null,
  });
  const role = {
    identity: scenario.identity.map((policy, i) => parsePolicy(`policy${i}`, JSON.stringify(policy))),
    boundary: scenario.boundary ? parsePolicy('boundary', scenario.boundary) : undefined,
  };
  const repository = onRepository ? parsePolicy('repository policy', scenario.repository ?? { Statement: [] }) : undefined;
  const facts = localFacts(role, repository, { roleArn: roleArn(scenario.path), action, resource: onRepository ? repositoryArn : '*', context },
    onRepository ? scenario.registry === NODE : true);
  return decide(facts).decision;
}

test('the local evaluator and iam-simulate agree on the four pull calls over random identity, boundary and repository policies', async () => {
  // GIVEN counters of the cases each side decided
  let compared = 0;
  let undecided = 0;
  const decisions = new Map<string, number>();
  // WHEN
  await fc.assert(fc.asyncProperty(scenarioArb, async scenario => {
    for (const { action, onRepository } of PULL) {
      const mine = local(scenario, action, onRepository);
      if (isUnknown(mine)) {
        undecided++;
        // THEN an answer that depends on a key must name it
        expect(mine.dependsOn.length).toBeGreaterThan(0);
        continue;
      }
      // THEN decided: the oracle agrees for every value of the keys the check does not know
      // (a key no policy mentions cannot change the outcome: one run then)
      const variants = JSON.stringify(scenario).includes('aws:SourceVpce') ? [undefined, 'vpce-1', 'vpce-2'] : [undefined];
      for (const sourceVpce of variants) {
        const decision = await oracle(scenario, action, onRepository, sourceVpce);
        expect({ action, sourceVpce, decision }).toEqual({ action, sourceVpce, decision: mine });
      }
      compared++;
      decisions.set(mine, (decisions.get(mine) ?? 0) + 1);
    }
  }), { numRuns: 250, seed: 20261201 });
  // THEN the cases cover each decision, and most are decided
  expect(compared).toBeGreaterThanOrEqual(500);
  expect([...decisions.keys()].sort()).toEqual(['allowed', 'explicitDeny', 'implicitDeny']);
  expect(Math.min(...decisions.values())).toBeGreaterThanOrEqual(50);
  expect(undecided).toBeLessThan(compared);
}, 120_000);
