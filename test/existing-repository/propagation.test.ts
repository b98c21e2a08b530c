import { refusesPrincipal } from '../../lib/private/existing-repository/handler/repository-policy-store';
import { DEFAULT_TIMING } from '../../lib/private/existing-repository/handler/statement-sync';
import { FakeEcr } from '../support/fake-ecr';
import { createEvent, invoke, ManualClock, NODE_ROLE, pullStatement, SID, testTiming } from '../support/handler';

// IAM is eventually consistent: ECR refuses a policy naming a role created moments before ("Invalid parameter at
// 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'", hashicorp/terraform-provider-aws
// #39064; or "'Principal not found'") until IAM has propagated it. The handler retries that refusal for 2 minutes
// from the first one, as the AWS provider for Terraform does, and then fails with ECR's reason.

const FOREIGN = { Sid: 'CiPush', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:role/ci' }, Action: 'ecr:PutImage' };
const EXISTING = { Version: '2012-10-17', Statement: [FOREIGN] };

function world() {
  const clock = new ManualClock();
  const ecr = new FakeEcr(clock).withRepository('images', EXISTING);
  return { clock, ecr, timing: testTiming(clock, { deadline: clock.time + 270_000 }) };
}

test('a role IAM makes visible to ECR 45 s later (past ten rounds of backoff) is written once it is', async () => {
  // GIVEN
  const { clock, ecr, timing } = world();
  const start = clock.time;
  ecr.principalVisibleFrom(NODE_ROLE, start + 45_000);
  // WHEN
  const response = await invoke(ecr, createEvent(), { timing });
  // THEN
  expect(response.Status).toBe('SUCCESS');
  expect(ecr.policy('images').Statement).toEqual([FOREIGN, pullStatement(SID, [NODE_ROLE])]);
  expect(ecr.calls.filter(call => call === 'SetRepositoryPolicy').length).toBeGreaterThan(DEFAULT_TIMING.attempts);
  expect(ecr.applied[0].at).toBeGreaterThanOrEqual(start + 45_000);
});

test.each([
  ['a role that does not exist', Infinity, 'Principal not found'],
  ['a role that takes longer than IAM ever does', 10 * 60_000, 'Invalid repository policy provided'],
])('%s fails after 2 minutes with ECR\'s reason and what to check, and nothing is written', async (_, visibleAfter, refusal) => {
  // GIVEN
  const { clock, ecr, timing } = world();
  const start = clock.time;
  ecr.principalVisibleFrom(NODE_ROLE, start + visibleAfter);
  // WHEN
  const response = await invoke(ecr, createEvent(), { timing });
  // THEN
  expect(response.Status).toBe('FAILED');
  expect(response.Reason).toMatch(new RegExp('^SetRepositoryPolicy on images: InvalidParameterException: Invalid parameter at \'PolicyText\' ' +
    `failed to satisfy constraint: '${refusal}'\\. ECR kept refusing the policy for 12\\d s\\. A role created moments before is refused ` +
    'until IAM has propagated it, which takes seconds, not this long: check that every node role of this grant exists and that ECR accepts ' +
    'the policy\'s other statements, then deploy again\\.$'));
  expect(clock.time - start).toBeGreaterThanOrEqual(DEFAULT_TIMING.propagationMs);
  expect(clock.time - start).toBeLessThan(DEFAULT_TIMING.propagationMs + DEFAULT_TIMING.capMs + 1);
  expect(ecr.policy('images')).toEqual(EXISTING);
  expect(DEFAULT_TIMING.propagationMs).toBe(120_000);
});

test('the 2 minutes count from the first refusal, not from the start of the event', async () => {
  // GIVEN 20 s of throttling first, then a role that never appears
  const { clock, ecr, timing } = world();
  const start = clock.time;
  ecr.throttleUntil(start + 20_000).principalVisibleFrom(NODE_ROLE, Infinity);
  // WHEN
  const response = await invoke(ecr, createEvent(), { timing });
  // THEN
  expect(response.Reason).toMatch(/Principal not found/);
  const firstRefusal = ecr.timeline.find(call => call.call === 'SetRepositoryPolicy')!.servedAt;
  expect(firstRefusal).toBeGreaterThanOrEqual(start + 20_000);
  expect(clock.time - firstRefusal).toBeGreaterThanOrEqual(DEFAULT_TIMING.propagationMs);
});

test('a refusal exactly 2 minutes after the first is not retried', async () => {
  // GIVEN pauses of exactly 1 s, so that refusals come at 0, 1, ..., 120 s
  const { clock, ecr } = world();
  ecr.principalVisibleFrom(NODE_ROLE, Infinity);
  const timing = testTiming(clock, { deadline: clock.time + 270_000, baseMs: 1_000, capMs: 1_000 });
  // WHEN
  const response = await invoke(ecr, createEvent(), { timing });
  // THEN
  expect(response.Reason).toMatch(/ECR kept refusing the policy for 120 s/);
  expect(ecr.calls.filter(call => call === 'SetRepositoryPolicy')).toHaveLength(121);
});

test('another InvalidParameterException (a constraint that a retry cannot change) fails at once', async () => {
  const { ecr, timing } = world();
  ecr.fail('SetRepositoryPolicy', 1, () => Object.assign(new Error("Invalid parameter at 'PolicyText' failed to satisfy constraint: " +
    "'Member must have length less than or equal to 10240'"), { name: 'InvalidParameterException' }));
  const response = await invoke(ecr, createEvent(), { timing });
  expect(response.Reason).toMatch(/^SetRepositoryPolicy on images: InvalidParameterException: .*10240'$/);
  expect(ecr.calls.filter(call => call === 'SetRepositoryPolicy')).toHaveLength(1);
});

describe('refusesPrincipal', () => {
  test.each([
    ['InvalidParameterException', "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'", true],
    ['InvalidParameterException', "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Principal not found'", true],
    ['InvalidParameterException', "SetRepositoryPolicy on x: InvalidParameterException: Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Principal not found'", true],
    ['InvalidParameterException', "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Member must have length less than or equal to 10240'", false],
    ['InvalidParameterException', 'Invalid repository policy provided', false],
    ['ValidationException', "failed to satisfy constraint: 'Principal not found'", false],
  ])('%s "%s": %s', (name, message, refuses) => {
    expect(refusesPrincipal(Object.assign(new Error(message), { name }))).toBe(refuses);
  });

  test('not an error', () => {
    expect(refusesPrincipal(undefined)).toBe(false);
    expect(refusesPrincipal({ name: 'InvalidParameterException' })).toBe(false);
  });
});
