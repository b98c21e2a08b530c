import { DEFAULT_TIMING } from '../../lib/private/existing-repository/handler/statement-sync';
import { FakeEcr, Latency } from '../support/fake-ecr';
import { createEvent, deleteEvent, invoke, ManualClock, NODE_ROLE, pullStatement, SID, testTiming } from '../support/handler';

// The timing promises of "How it writes" (README), each pinned on a clock with ECR calls of known latencies:
// a write is planned only from a read sent at most 2 s before, success needs a read sent 11 s after the answer to the
// first read that found the statement as wanted, no ECR call starts past the deadline, and the backoff between rounds
// is exponential, capped at 5 s and fully jittered.

const FOREIGN = { Sid: 'CiPush', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:role/ci' }, Action: 'ecr:PutImage' };
const EXISTING = { Version: '2012-10-17', Statement: [FOREIGN] };

/** Latencies for the calls in order (the rest take no time). */
function inOrder(...latencies: Array<{ toService: number; back: number }>): Latency {
  return () => latencies.shift() ?? { toService: 0, back: 0 };
}

describe('a write is planned only from a read sent at most 2 s before', () => {
  test('a read answered 2.001 s after it was sent is not written from: the handler reads again', async () => {
    const clock = new ManualClock();
    const ecr = new FakeEcr(clock).withRepository('images', EXISTING).withLatency(inOrder({ toService: 1, back: 2_000 }));
    expect((await invoke(ecr, createEvent(), { timing: testTiming(clock) })).Status).toBe('SUCCESS');
    expect(ecr.calls.slice(0, 3)).toEqual(['GetRepositoryPolicy', 'GetRepositoryPolicy', 'SetRepositoryPolicy']);
  });

  test('a read answered exactly 2 s after it was sent is written from', async () => {
    const clock = new ManualClock();
    const ecr = new FakeEcr(clock).withRepository('images', EXISTING).withLatency(inOrder({ toService: 1, back: 1_999 }));
    expect((await invoke(ecr, createEvent(), { timing: testTiming(clock) })).Status).toBe('SUCCESS');
    expect(ecr.calls.slice(0, 2)).toEqual(['GetRepositoryPolicy', 'SetRepositoryPolicy']);
  });
});

test('the last read is sent 11 s after the ANSWER to the read-back, however long that read took', async () => {
  // GIVEN reads that take 1.5 s to come back
  const clock = new ManualClock();
  const ecr = new FakeEcr(clock).withRepository('images', EXISTING).withLatency(call => ({ toService: 0, back: call === 'GetRepositoryPolicy' ? 1_500 : 0 }));
  // WHEN
  expect((await invoke(ecr, createEvent(), { timing: testTiming(clock) })).Status).toBe('SUCCESS');
  // THEN
  const [, readBack, last] = ecr.timeline.filter(call => call.call === 'GetRepositoryPolicy');
  expect(ecr.timeline.map(call => call.call)).toEqual(['GetRepositoryPolicy', 'SetRepositoryPolicy', 'GetRepositoryPolicy', 'GetRepositoryPolicy']);
  expect(last.sentAt - readBack.answeredAt).toBe(DEFAULT_TIMING.settleMs);
  expect(DEFAULT_TIMING.settleMs).toBe(11_000);
});

test('no write is sent once the deadline has passed, even from a read sent before it', async () => {
  // GIVEN a read that is sent 1 s before the deadline and answered 0.5 s after it
  const clock = new ManualClock();
  const ecr = new FakeEcr(clock).withRepository('images', EXISTING).withLatency(inOrder({ toService: 500, back: 1_000 }));
  // WHEN
  const response = await invoke(ecr, createEvent(), { timing: testTiming(clock, { deadline: clock.time + 1_000 }) });
  // THEN
  expect(response.Status).toBe('FAILED');
  expect(response.Reason).toBe(`Could not add statement ${SID} in the policy of repository images: out of time. Deploy again.`);
  expect(response.PhysicalResourceId).toMatch(/^nothing-written:/);
  expect(ecr.calls).toEqual(['GetRepositoryPolicy']);
});

describe('the backoff between rounds: 200 ms doubling, capped at 5 s, times a random factor (full jitter)', () => {
  test.each([
    [1, [200, 400, 800, 1_600, 3_200, 5_000, 5_000, 5_000, 5_000]],
    [0.5, [100, 200, 400, 800, 1_600, 2_500, 2_500, 2_500, 2_500]],
    [0.3, [60, 120, 240, 480, 960, 1_500, 1_500, 1_500, 1_500]],
  ])('with the random factor %s, nine throttled reads wait %j, then the settle time', async (factor, backoff) => {
    const clock = new ManualClock();
    const ecr = new FakeEcr(clock).withRepository('images', EXISTING).throttle('GetRepositoryPolicy', 9);
    expect((await invoke(ecr, createEvent(), { timing: testTiming(clock, { random: () => factor }) })).Status).toBe('SUCCESS');
    expect(clock.waits).toEqual([...backoff, DEFAULT_TIMING.settleMs]);
  });

  test('a removal, which goes on past ten rounds, keeps the cap', async () => {
    const clock = new ManualClock();
    const ecr = new FakeEcr(clock).withRepository('images', { Version: '2012-10-17', Statement: [FOREIGN, pullStatement(SID, [NODE_ROLE])] })
      .throttle('GetRepositoryPolicy', 15);
    expect((await invoke(ecr, deleteEvent(`images:${SID}`), { timing: testTiming(clock, { deadline: clock.time + 270_000 }) })).Status).toBe('SUCCESS');
    expect(clock.waits.slice(0, 15)).toEqual([200, 400, 800, 1_600, 3_200, ...Array(10).fill(5_000)]);
  });
});
