import { DEFAULT_TIMING } from '../../lib/private/existing-repository/handler/statement-sync';
import { FakeEcr } from '../support/fake-ecr';
import { createEvent, deleteEvent, invoke, ManualClock, NODE_ROLE, pullStatement, SID, testTiming } from '../support/handler';

// Removing a statement is the revocation of a grant. A Delete in CloudFormation's cleanup phase (a repository removed
// from the stack, a moved grant, a replacement) that fails is only logged, and nothing targets that statement again:
// so a removal tries until the function's deadline, not for a number of rounds, and a removal that still fails logs
// an ERROR line that names the repository and the Sid.

const FOREIGN = { Sid: 'CiPush', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:role/ci' }, Action: 'ecr:PutImage' };
const PLACE = `images:${SID}`;
/** What the Lambda entry point gives the handler: 5 minutes less the 30 s it keeps to answer. */
const DEADLINE_MS = 270_000;

function throttledFor(ms: number) {
  const clock = new ManualClock();
  const ecr = new FakeEcr(clock).withRepository('images', { Version: '2012-10-17', Statement: [FOREIGN, pullStatement(SID, [NODE_ROLE])] });
  ecr.throttleUntil(clock.time + ms);
  const errors: string[] = [];
  const timing = testTiming(clock, { deadline: clock.time + DEADLINE_MS });
  return { clock, ecr, errors, timing };
}

test('a Delete throttled for 60 s (more than 10 rounds of backoff) keeps trying, removes the statement and succeeds', async () => {
  // GIVEN every ECR call throttled for the first 60 s
  const { clock, ecr, errors, timing } = throttledFor(60_000);
  const start = clock.time;
  // WHEN
  const response = await invoke(ecr, deleteEvent(PLACE), { timing, logError: line => errors.push(line) });
  // THEN
  expect(response.Status).toBe('SUCCESS');
  expect(ecr.policy('images').Statement).toEqual([FOREIGN]);
  expect(clock.time - start).toBeGreaterThan(60_000);
  expect(clock.waits.length).toBeGreaterThan(DEFAULT_TIMING.attempts);
  expect(errors).toEqual([]);
});

test('a Delete throttled past its deadline fails out of time, having used the whole deadline, and logs the ERROR line', async () => {
  // GIVEN throttling that outlasts the function
  const { clock, ecr, errors, timing } = throttledFor(400_000);
  // WHEN
  const response = await invoke(ecr, deleteEvent(PLACE), { timing, logError: line => errors.push(line) });
  // THEN no wait or call started past the deadline, and the last one started within one backoff cap of it
  expect(response.Status).toBe('FAILED');
  expect(response.Reason).toBe(`Could not remove statement ${SID} in the policy of repository images: out of time ` +
    '(GetRepositoryPolicy on images: ThrottlingException: Rate exceeded). Deploy again.');
  expect(clock.time).toBeLessThanOrEqual(timing.deadline);
  expect(clock.time).toBeGreaterThan(timing.deadline - DEFAULT_TIMING.capMs);
  expect(errors).toEqual([
    `LEFTOVER STATEMENT: the statement with Sid ${SID} stays in the policy of repository images and keeps granting its ` +
    `principals pull access: ${response.Reason} Remove the statement with this Sid from the repository policy by hand ` +
    '(README, "Repositories that already exist").',
  ]);
  expect(ecr.policy('images').Statement).toEqual([FOREIGN, pullStatement(SID, [NODE_ROLE])]);
});

test('a Delete that is refused (access denied) fails at once and logs the ERROR line', async () => {
  const { ecr, errors, timing } = throttledFor(0);
  ecr.deny('GetRepositoryPolicy');
  const response = await invoke(ecr, deleteEvent(PLACE), { timing, logError: line => errors.push(line) });
  expect(response.Status).toBe('FAILED');
  expect(response.Reason).toMatch(/^GetRepositoryPolicy on images: AccessDeniedException/);
  expect(errors).toEqual([expect.stringMatching(`^LEFTOVER STATEMENT: the statement with Sid ${SID} stays in the policy of repository images `)]);
});

test('adding the statement still gives up after the rounds: its failure fails the deployment, where CloudFormation shows it', async () => {
  const { ecr, errors, timing } = throttledFor(60_000);
  const response = await invoke(ecr, createEvent(), { timing, logError: line => errors.push(line) });
  expect(response.Reason).toMatch(/after 10 rounds: GetRepositoryPolicy on images: ThrottlingException/);
  expect(errors).toEqual([]);
});
