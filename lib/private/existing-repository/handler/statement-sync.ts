import { notOurs, principalsOf, pullStatementText, sameSet, StatementPlace } from './ownership';
import { isBlank, parsePolicyText, removeStatementText, repeatsKeys, statementsWithSid, upsertStatementText } from './policy-text';
import { isTransient, ReadResult, refusesPrincipal, RepositoryPolicyStore } from './repository-policy-store';
import { MAX_POLICY_CHARACTERS } from '../../constants/ecr-rules';

/** Time, replaced in tests by a simulated clock. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** How long the handler waits and how often it tries. */
export interface SyncTiming {
  /**
   * Rounds at most for adding the statement (a round ends in a transient error, or in a write that another writer
   * undid). A removal goes on until the deadline: a statement left behind keeps granting, and a failed Delete in
   * CloudFormation's cleanup phase is only logged.
   */
  readonly attempts: number;
  /** Capped exponential backoff with full jitter between rounds. */
  readonly baseMs: number;
  readonly capMs: number;
  readonly random: () => number;
  /** A write is sent only from a read sent at most this long before; otherwise the handler reads again. */
  readonly maxReadAgeMs: number;
  /**
   * How long after the answer to the first read that found the statement as wanted (after its last write, if any) the
   * handler reads once more before it reports success. It must exceed the time any of our handlers takes from a read to
   * the landing of the write planned from it (`maxReadAgeMs` plus the ECR client's connection and request timeouts),
   * so that a handler that read before our write has written by then.
   */
  readonly settleMs: number;
  /**
   * How long ECR's refusal of a policy that names a principal IAM may not have propagated yet (a role created moments
   * before) is retried, from the first such refusal.
   */
  readonly propagationMs: number;
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
  // As the AWS provider for Terraform waits for IAM to propagate a principal into an ECR repository policy.
  propagationMs: 120_000,
  clock: { now: () => Date.now(), sleep: ms => new Promise(resolve => setTimeout(resolve, ms)) },
};

/** The statement text is planned: write it (undefined: delete the policy), or the policy already holds what we want. */
type Step = { readonly text: string | undefined } | 'holds';

/**
 * Keeps one statement (named by its Sid) in a repository policy that other people and tools also write.
 *
 * ECR has no conditional write. Each round reads, plans from that read and writes at once; success needs a read
 * sent `settleMs` after the answer to the first read that found the statement as wanted, because a writer of ours
 * that read before our write has landed its own by then, and we would see that it dropped ours. A failed or
 * throttled write is never re-sent: the next round reads again.
 */
export class StatementSync {
  /** True once a write or delete was sent: after a failure, something may have changed. */
  public sentWrite = false;
  /** Rounds that count towards the limit of a put. */
  private rounds = 0;
  /** Pauses so far: the exponent of the backoff. */
  private pauses = 0;
  /** When ECR first refused a policy for a principal it may not know yet. */
  private refusedSince?: number;

  constructor(private readonly store: RepositoryPolicyStore, private readonly timing: SyncTiming) {}

  /** Adds our statement with these principals, or replaces it. Fails if the repository does not exist. */
  public put(place: StatementPlace, principals: string[]): Promise<void> {
    return this.converge(`add statement ${place.sid}`, this.timing.attempts, current => {
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

  /** Removes our statement and nothing else, trying until the deadline. A missing repository, policy or statement is success. */
  public remove(place: StatementPlace): Promise<void> {
    return this.converge(`remove statement ${place.sid}`, Infinity, current => {
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

  private async converge(what: string, rounds: number, plan: (current: ReadResult) => Step): Promise<void> {
    const { clock, settleMs } = this.timing;
    /** True once a read found our statement as wanted and the settle time has passed since that read's answer. */
    let settled = false;
    /** True after our write until a read finds our statement as wanted. */
    let unconfirmed = false;
    for (;;) {
      this.checkTime(what);
      const sentAt = clock.now();
      let step: Step;
      try {
        step = plan(await this.store.read());
      } catch (error) {
        await this.retry(error, what, rounds);
        continue;
      }
      if (step === 'holds') {
        if (settled) {
          return;
        }
        settled = true; // (and `unconfirmed` no longer matters: a read that then finds it undone resets both)
        await this.wait(settleMs, what);
        continue;
      }
      if (settled || unconfirmed || clock.now() - sentAt > this.timing.maxReadAgeMs) {
        // Another writer undid our statement, or the read is too old to write from: read again after a pause.
        settled = false;
        unconfirmed = false;
        await this.retry(undefined, what, rounds);
        continue;
      }
      try {
        this.checkTime(what);
        this.sentWrite = true;
        await (step.text === undefined ? this.store.delete() : this.store.write(step.text));
        unconfirmed = true;
      } catch (error) {
        await this.retry(error, what, rounds);
      }
    }
  }

  /** Ends the round: a transient error or a conflict waits and goes on; anything else fails the event. */
  private async retry(error: unknown, what: string, rounds: number): Promise<void> {
    const propagating = this.awaitsPropagation(error);
    if (error !== undefined && !propagating && !isTransient(error)) {
      throw error;
    }
    const failed = `Could not ${what} in the policy of repository ${this.store.repositoryName}`;
    const cause = error === undefined ? 'other writers kept changing the policy' : (error as Error).message;
    if (!propagating && ++this.rounds >= rounds) {
      throw new Error(`${failed} after ${this.rounds} rounds: ${cause}. Deploy again when the other writers are done.`);
    }
    const delay = Math.floor(this.timing.random() * Math.min(this.timing.capMs, this.timing.baseMs * 2 ** this.pauses++));
    await this.wait(delay, what, cause);
  }

  /**
   * True while ECR refuses the policy for a principal it may not know yet, for `propagationMs` from the first such
   * refusal; past that, fails with ECR's reason.
   */
  private awaitsPropagation(error: unknown): boolean {
    if (!refusesPrincipal(error)) {
      return false;
    }
    const now = this.timing.clock.now();
    this.refusedSince ??= now;
    if (now - this.refusedSince < this.timing.propagationMs) {
      return true;
    }
    throw new Error(`${(error as Error).message}. ECR kept refusing the policy for ${Math.round((now - this.refusedSince) / 1_000)} s. ` +
      'A role created moments before is refused until IAM has propagated it, which takes seconds, not this long: check that ' +
      'every node role of this grant exists and that ECR accepts the policy\'s other statements, then deploy again.');
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
