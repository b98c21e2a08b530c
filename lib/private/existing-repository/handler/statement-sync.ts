import { notOurs, principalsOf, pullStatementText, sameSet, StatementPlace } from './ownership';
import { isBlank, parsePolicyText, removeStatementText, repeatsKeys, statementsWithSid, upsertStatementText } from './policy-text';
import { isTransient, ReadResult, RepositoryPolicyStore } from './repository-policy-store';
import { MAX_POLICY_CHARACTERS } from '../../shared/contract';

/** Time, replaced in tests by a simulated clock. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** How long the handler waits and how often it tries. */
export interface SyncTiming {
  /** Rounds at most (a round ends in a transient error, or in a write that another writer undid). */
  readonly attempts: number;
  /** Capped exponential backoff with full jitter between rounds. */
  readonly baseMs: number;
  readonly capMs: number;
  readonly random: () => number;
  /** A write is sent only from a read sent at most this long before; otherwise the handler reads again. */
  readonly maxReadAgeMs: number;
  /**
   * How long after its last write (or its first read that found the statement as wanted) the handler reads once more
   * before it reports success. It must exceed the time any of our handlers takes from a read to the landing of the
   * write planned from it (`maxReadAgeMs` plus the ECR client's connection and request timeouts), so that a handler
   * that read before our write has written by then.
   */
  readonly settleMs: number;
  /** Epoch milliseconds after which no ECR call and no wait starts, so the handler still answers CloudFormation in time. */
  readonly deadline: number;
  readonly clock: Clock;
}

/** The ECR client's own timeouts; the settle time is derived from them. */
export const ECR_TIMEOUTS = { connectionMs: 3_000, requestMs: 5_000 } as const;

export const DEFAULT_TIMING: Omit<SyncTiming, 'deadline'> = {
  attempts: 10,
  baseMs: 200,
  capMs: 5_000,
  random: Math.random,
  maxReadAgeMs: 2_000,
  settleMs: 2_000 + ECR_TIMEOUTS.connectionMs + ECR_TIMEOUTS.requestMs + 1_000,
  clock: { now: () => Date.now(), sleep: ms => new Promise(resolve => setTimeout(resolve, ms)) },
};

/** The statement text is planned: write it (undefined: delete the policy), or the policy already holds what we want. */
type Step = { readonly text: string | undefined } | 'holds';

/**
 * Keeps one statement (named by its Sid) in a repository policy that other people and tools also write.
 *
 * ECR has no conditional write. Each round reads, plans from that read and writes at once; success needs a read
 * sent `settleMs` after our last write that still shows the statement as wanted, because a writer of ours that read
 * before our write has landed its own by then, and we would see that it dropped ours. A failed or throttled write
 * is never re-sent: the next round reads again.
 */
export class StatementSync {
  /** True once a write or delete was sent: after a failure, something may have changed. */
  public sentWrite = false;
  private rounds = 0;

  constructor(private readonly store: RepositoryPolicyStore, private readonly timing: SyncTiming) {}

  /** Adds our statement with these principals, or replaces it. Fails if the repository does not exist. */
  public put(place: StatementPlace, principals: string[]): Promise<void> {
    return this.converge(`add statement ${place.sid}`, current => {
      if (current.kind === 'no-repository') {
        throw new Error(`Repository ${place.repositoryName} does not exist in this account and region. ` +
          'ExistingRepositoryPolicy.MERGE adds a statement to a repository that exists; create it first, or check its name.');
      }
      const text = current.kind === 'policy' && !isBlank(current.text) ? current.text : undefined;
      const mine = text === undefined ? [] : this.owned(text, place, 'nothing was written');
      if (mine.length === 1 && sameSet(principalsOf(mine[0].value), principals)) {
        return 'holds';
      }
      const next = upsertStatementText(text, place.sid, pullStatementText(place.sid, principals));
      if (next.length > MAX_POLICY_CHARACTERS) {
        throw new Error(`Adding statement ${place.sid} to the policy of repository ${place.repositoryName} would make it ` +
          `${next.length} characters long; ECR allows ${MAX_POLICY_CHARACTERS}. Nothing was written. Remove statements ` +
          'from the policy, or grant fewer node roles on this repository.');
      }
      return { text: next };
    });
  }

  /** Removes our statement and nothing else. A missing repository, policy or statement is success. */
  public remove(place: StatementPlace): Promise<void> {
    return this.converge(`remove statement ${place.sid}`, current => {
      if (current.kind !== 'policy' || isBlank(current.text)) {
        return 'holds';
      }
      if (this.owned(current.text, place, 'it was left as it is').length === 0) {
        return 'holds';
      }
      return { text: removeStatementText(current.text, place.sid) };
    });
  }

  /** The statements with our Sid; each must be of our shape, or the policy is not ours to change. */
  private owned(text: string, place: StatementPlace, outcome: string) {
    const mine = statementsWithSid(parsePolicyText(text), place.sid);
    for (const statement of mine) {
      const why = repeatsKeys(text, statement.start) ? 'it has a key twice' : notOurs(statement.value);
      if (why) {
        throw new Error(`The policy of repository ${place.repositoryName} has a statement with Sid ${place.sid} that this ` +
          `handler did not write (${why}); ${outcome}. Rename or remove that statement, then deploy again.`);
      }
    }
    return mine;
  }

  private async converge(what: string, plan: (current: ReadResult) => Step): Promise<void> {
    const { clock, settleMs } = this.timing;
    /** Since when our statement is as wanted: the answer to the first read that found it so since our last write. */
    let holdsSince: number | undefined;
    /** True after our write until a read finds our statement as wanted. */
    let unconfirmed = false;
    for (;;) {
      this.checkTime(what);
      const sentAt = clock.now();
      let step: Step;
      try {
        step = plan(await this.store.read());
      } catch (error) {
        await this.retry(error, what);
        continue;
      }
      if (step === 'holds') {
        unconfirmed = false;
        holdsSince ??= clock.now();
        if (sentAt >= holdsSince + settleMs) {
          return;
        }
        await this.wait(holdsSince + settleMs - clock.now(), what);
        continue;
      }
      if (holdsSince !== undefined || unconfirmed || clock.now() - sentAt > this.timing.maxReadAgeMs) {
        // Another writer undid our statement, or the read is too old to write from: read again after a pause.
        holdsSince = undefined;
        unconfirmed = false;
        await this.retry(undefined, what);
        continue;
      }
      try {
        this.checkTime(what);
        this.sentWrite = true;
        await (step.text === undefined ? this.store.delete() : this.store.write(step.text));
        unconfirmed = true;
      } catch (error) {
        await this.retry(error, what);
      }
    }
  }

  /** Ends the round: a transient error or a conflict waits and goes on; anything else fails the event. */
  private async retry(error: unknown, what: string): Promise<void> {
    if (error !== undefined && !isTransient(error)) {
      throw error;
    }
    this.rounds++;
    const failed = `Could not ${what} in the policy of repository ${this.store.repositoryName}`;
    const cause = error === undefined ? 'other writers kept changing the policy' : (error as Error).message;
    if (this.rounds >= this.timing.attempts) {
      throw new Error(`${failed} after ${this.rounds} rounds: ${cause}. Deploy again when the other writers are done.`);
    }
    const delay = Math.floor(this.timing.random() * Math.min(this.timing.capMs, this.timing.baseMs * 2 ** (this.rounds - 1)));
    await this.wait(delay, what, cause);
  }

  private async wait(ms: number, what: string, cause?: string): Promise<void> {
    this.checkTime(what, ms, cause);
    await this.timing.clock.sleep(ms);
  }

  /** Fails when `ms` from now is past the deadline: no call or wait starts that could keep the answer late. */
  private checkTime(what: string, ms = 0, cause?: string): void {
    if (this.timing.clock.now() + ms > this.timing.deadline) {
      throw new Error(`Could not ${what} in the policy of repository ${this.store.repositoryName}: out of time` +
        `${cause ? ` (${cause})` : ''}. Deploy again.`);
    }
  }
}
