import type { ECRClient } from '@aws-sdk/client-ecr';
import { CfnResponse } from '../../lib/private/existing-repository/handler/cfn-response';
import { ownedSid } from '../../lib/private/existing-repository/handler/ownership';
import { DEFAULT_TIMING } from '../../lib/private/existing-repository/handler/statement-sync';
import { FakeEcr } from '../support/fake-ecr';
import { allowListOf, createEvent, deleteEvent, invoke, NODE_ROLE, OTHER_ROLE, props, pullStatement, STACK_ID, testTiming } from '../support/handler';
import { SimulatedClock } from '../support/simulated-clock';

// Two of our handlers (two stacks: one creating its statement, one creating or deleting its own) and tools that are
// not ours race on one repository, with seeded random latencies, throttling and foreign read-modify-write cycles.
// What the README promises is checked for every interleaving, no more and no less:
// 1. A handler that answers SUCCESS leaves its statement as wanted, unless a writer that is not ours wrote more than
//    the settle time (11 s) after the read it planned from.
// 2. A statement of another writer is lost only to a write planned from a read served before that statement landed;
//    when that write is ours, it landed at most 2 s plus one ECR call (8 s) after the read it was planned from.

const SEEDS = 250;
const SETTLE = DEFAULT_TIMING.settleMs;
/** The ECR client's connection and request timeouts: the longest a call of ours can take to reach ECR. */
const MAX_ONE_WAY_MS = 8_000;

/** Park–Miller: a small seeded generator, so that every interleaving can be replayed by its seed. */
function random(seed: number): () => number {
  let state = seed % 2_147_483_647 || 1;
  return () => {
    state = (state * 48_271) % 2_147_483_647;
    return (state - 1) / 2_147_483_646;
  };
}

const FOREIGN = { Sid: 'CiPush', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:role/ci' }, Action: 'ecr:PutImage' };
const stackB = STACK_ID.replace('Registry/', 'RegistryB/').replace('0001', '0002');
const logicalId = 'AnyscaleEcrExistingPolicyABCDResource1234';
const sidA = ownedSid(STACK_ID, logicalId);
const sidB = ownedSid(stackB, logicalId);

interface Outcome {
  readonly ecr: FakeEcr;
  readonly responses: Record<'A' | 'B', CfnResponse | Error>;
  readonly bDeletes: boolean;
  readonly foreignGaps: number[];
}

async function race(seed: number): Promise<Outcome> {
  const rng = random(seed);
  const between = (min: number, max: number) => min + Math.floor(rng() * (max - min));
  const clock = new SimulatedClock();
  const bDeletes = rng() < 0.4;
  const initial = [FOREIGN, ...(bDeletes ? [pullStatement(sidB, [OTHER_ROLE])] : [])];
  const ecr = new FakeEcr(clock).withRepository('images', { Version: '2012-10-17', Statement: initial });
  const throttling = rng() * 0.3;
  ecr.withLatency(call => {
    if (rng() < throttling) {
      ecr.throttle(call, 1);
    }
    const slow = rng() < 0.05;
    return { toService: slow ? between(1_000, MAX_ONE_WAY_MS) : between(5, 400), back: slow ? between(500, 1_900) : between(5, 400) };
  });
  const timing = () => testTiming(clock, { random: rng, deadline: 285_000 });
  const responses: Partial<Outcome['responses']> = {};
  const handlerA = async () => {
    await clock.sleep(between(0, 3_000));
    responses.A = await invoke(ecr, createEvent(props('images', [NODE_ROLE]), { LogicalResourceId: logicalId }), {
      client: ecr.clientFor('A'), timing: timing(), allowList: allowListOf({ images: [NODE_ROLE] }),
    });
  };
  const handlerB = async () => {
    await clock.sleep(between(0, 3_000));
    const event = bDeletes
      ? deleteEvent(`images:${sidB}`, props('images', [OTHER_ROLE]), { StackId: stackB, LogicalResourceId: logicalId })
      : createEvent(props('images', [OTHER_ROLE]), { StackId: stackB, LogicalResourceId: logicalId });
    responses.B = await invoke(ecr, event, { client: ecr.clientFor('B'), timing: timing(), allowList: allowListOf({ images: [OTHER_ROLE] }) });
  };
  // Tools that are not ours: read, think, write back what they read with one statement of their own added.
  const foreignGaps: number[] = [];
  const foreign = (k: number) => async () => {
    await clock.sleep(between(0, 20_000));
    await clock.sleep(between(5, 400));
    const basis = clock.now();
    const text = ecr.repositories.get('images');
    await clock.sleep(between(5, 400));
    await clock.sleep(rng() < 0.15 ? between(8_000, 30_000) : between(0, 3_000));
    await clock.sleep(between(5, 400));
    const policy = text === undefined ? { Version: '2012-10-17', Statement: [] } : JSON.parse(text);
    policy.Statement = [...[policy.Statement].flat(), { Sid: `Foreign${k}`, Effect: 'Allow', Principal: { AWS: `arn:aws:iam::33333333333${k}:root` }, Action: 'ecr:ListImages' }];
    foreignGaps.push(clock.now() - basis);
    ecr.write('images', JSON.stringify(policy), `foreign${k}`, basis);
  };
  const writers = Array.from({ length: between(0, 3) }, (_, k) => foreign(k));
  const results = await clock.run([handlerA, handlerB, ...writers]);
  results.forEach(result => {
    if (result.status === 'rejected') {
      throw result.reason;
    }
  });
  return { ecr, responses: responses as Outcome['responses'], bDeletes, foreignGaps };
}

const statements = (ecr: FakeEcr) => [ecr.policy('images')?.Statement ?? []].flat();

test(`${SEEDS} seeded interleavings keep what the README promises`, async () => {
  const tally = { success: 0, failed: 0, lostToSlowForeignWriter: 0, foreignLost: 0 };
  for (let seed = 1; seed <= SEEDS; seed++) {
    const { ecr, responses, bDeletes, foreignGaps } = await race(seed);
    const final = statements(ecr);
    const slowForeign = foreignGaps.some(gap => gap > SETTLE);

    // 1. our statements
    const wanted = { A: [pullStatement(sidA, [NODE_ROLE])], B: bDeletes ? [] : [pullStatement(sidB, [OTHER_ROLE])] };
    for (const name of ['A', 'B'] as const) {
      const response = responses[name] as CfnResponse;
      const sid = name === 'A' ? sidA : sidB;
      const holds = JSON.stringify(final.filter((s: any) => s.Sid === sid)) === JSON.stringify(wanted[name]);
      if (response.Status === 'SUCCESS') {
        tally.success++;
        if (!holds) {
          tally.lostToSlowForeignWriter++;
          expect({ seed, name, slowForeign }).toEqual({ seed, name, slowForeign: true });
        }
      } else {
        tally.failed++;
        expect(response.Reason).toMatch(/after 10 rounds|out of time/);
      }
    }

    // 2. statements of other writers
    for (const write of ecr.applied.filter(w => w.by.startsWith('foreign'))) {
      const sid = `Foreign${write.by.slice('foreign'.length)}`;
      if (final.some((s: any) => s.Sid === sid)) {
        continue;
      }
      tally.foreignLost++;
      const culprits = ecr.applied.filter(w => w.at >= write.at && w !== write && (w.basis ?? -1) < write.at);
      expect({ seed, sid, lostTo: culprits.length > 0 }).toEqual({ seed, sid, lostTo: true });
      for (const ours of culprits.filter(w => w.by === 'A' || w.by === 'B')) {
        expect(ours.at - ours.basis!).toBeLessThanOrEqual(DEFAULT_TIMING.maxReadAgeMs + MAX_ONE_WAY_MS);
      }
    }
    // The foreign statement that was there from the start is only ever lost to a foreign writer.
    if (!final.some((s: any) => s.Sid === 'CiPush')) {
      expect(ecr.applied.filter(w => w.by.startsWith('foreign')).length).toBeGreaterThan(0);
    }
  }
  // The interleavings include every case the promises speak of.
  expect(tally.success).toBeGreaterThan(SEEDS);
  expect(tally.foreignLost).toBeGreaterThan(0);
  expect(tally.lostToSlowForeignWriter).toBeGreaterThan(0);
});

test('a write of ours that takes the client\'s longest (3 s to connect, 5 s to answer) after a 2 s read is still seen before the other answers', async () => {
  // GIVEN A writes at once; B's read takes 2 s to come back and its write 7.9 s to reach ECR, dropping A's statement
  const clock = new SimulatedClock();
  const ecr = new FakeEcr(clock).withRepository('images', { Version: '2012-10-17', Statement: [FOREIGN] });
  const slow = ecr.clientFor('B');
  const latencies = new Map<string, Array<{ toService: number; back: number }>>([['B', [{ toService: 0, back: 2_000 }, { toService: 7_900, back: 0 }]]]);
  ecr.withLatency((_call, writer) => latencies.get(writer)?.shift() ?? { toService: 10, back: 10 });
  const run = (stackId: string, role: string, client: ECRClient) => async () => {
    return invoke(ecr, createEvent(props('images', [role]), { StackId: stackId, LogicalResourceId: logicalId }), {
      client, timing: testTiming(clock), allowList: allowListOf({ images: [role] }),
    });
  };
  // WHEN
  const [b, a] = await clock.run([run(stackB, OTHER_ROLE, slow), run(STACK_ID, NODE_ROLE, ecr.clientFor('A'))]);
  // THEN B's write did drop A's statement after A's first check, A saw it at its last read, and both answered SUCCESS
  const landed = ecr.applied.map(w => `${w.by}@${w.at}`);
  expect(landed).toEqual(['A@30', 'B@9900', expect.stringMatching(/^A@1\d{4}$/)]);
  expect([a, b].map(r => r.status === 'fulfilled' && r.value.Status)).toEqual(['SUCCESS', 'SUCCESS']);
  expect(statements(ecr).map((s: any) => s.Sid).sort()).toEqual(['CiPush', sidA, sidB].sort());
});
