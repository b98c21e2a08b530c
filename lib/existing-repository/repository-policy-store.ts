import {
  DeleteRepositoryPolicyCommand,
  ECRClient,
  GetRepositoryPolicyCommand,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';

/** What a read found: the policy text, or that there is no policy, or no repository. */
export type ReadResult =
  | { readonly kind: 'policy'; readonly text: string }
  | { readonly kind: 'no-policy' }
  | { readonly kind: 'no-repository' };

/** How long to wait between attempts: capped exponential backoff with full jitter. */
export interface Backoff {
  readonly attempts: number;
  readonly baseMs: number;
  readonly capMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  /** Epoch milliseconds after which no more waiting starts, so the handler still answers CloudFormation in time. */
  readonly deadline?: number;
  readonly now?: () => number;
}

export const DEFAULT_BACKOFF: Backoff = {
  attempts: 8,
  baseMs: 200,
  capMs: 5_000,
  sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
  random: Math.random,
};

/** Waits before another attempt, or throws when that wait would end past the deadline. */
export async function pause(backoff: Backoff, attempt: number, what: string): Promise<void> {
  const delay = backoffDelay(backoff, attempt);
  const now = (backoff.now ?? Date.now)();
  if (backoff.deadline !== undefined && now + delay > backoff.deadline) {
    throw new Error(`${what}: out of time for another attempt`);
  }
  await backoff.sleep(delay);
}

/** The delay before attempt `attempt + 1` (attempt counts from 0). */
export function backoffDelay(backoff: Backoff, attempt: number): number {
  return Math.floor(backoff.random() * Math.min(backoff.capMs, backoff.baseMs * 2 ** attempt));
}

const TRANSIENT_ERRORS = new Set([
  'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'ServerException', 'ServiceUnavailable',
  'InternalFailure', 'LimitExceededException',
]);

/** Throttling and server-side failures are worth another try; anything else (access denied, a bad policy) is not. */
export function isTransient(error: unknown): boolean {
  const e = error as { name?: string; $retryable?: unknown };
  return TRANSIENT_ERRORS.has(e?.name ?? '') || Boolean(e?.$retryable);
}

/** Runs `call`, trying again on transient errors with capped, jittered backoff. */
export async function withRetries<T>(backoff: Backoff, what: string, call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isTransient(error) || attempt + 1 >= backoff.attempts) {
        throw annotate(error, `${what} failed${attempt > 0 ? ` after ${attempt + 1} attempts` : ''}`);
      }
      try {
        await pause(backoff, attempt, what);
      } catch {
        throw annotate(error, `${what} failed after ${attempt + 1} attempts, with no time left for another`);
      }
    }
  }
}

/** The three ECR calls on one repository's policy, each retried on throttling. */
export class RepositoryPolicyStore {
  constructor(
    private readonly ecr: ECRClient,
    private readonly repositoryName: string,
    private readonly backoff: Backoff = DEFAULT_BACKOFF,
  ) {}

  public async read(): Promise<ReadResult> {
    try {
      const response = await withRetries(this.backoff, `GetRepositoryPolicy on ${this.repositoryName}`,
        () => this.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: this.repositoryName })));
      return response.policyText === undefined ? { kind: 'no-policy' } : { kind: 'policy', text: response.policyText };
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'RepositoryPolicyNotFoundException') {
        return { kind: 'no-policy' };
      }
      if (name === 'RepositoryNotFoundException') {
        return { kind: 'no-repository' };
      }
      throw error;
    }
  }

  public async write(policyText: string): Promise<void> {
    await withRetries(this.backoff, `SetRepositoryPolicy on ${this.repositoryName}`,
      () => this.ecr.send(new SetRepositoryPolicyCommand({ repositoryName: this.repositoryName, policyText })));
  }

  /** Deletes the policy; a policy or repository that is already gone is not an error. */
  public async delete(): Promise<void> {
    try {
      await withRetries(this.backoff, `DeleteRepositoryPolicy on ${this.repositoryName}`,
        () => this.ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: this.repositoryName })));
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name !== 'RepositoryPolicyNotFoundException' && name !== 'RepositoryNotFoundException') {
        throw error;
      }
    }
  }
}

function annotate(error: unknown, context: string): Error {
  const e = error instanceof Error ? error : new Error(String(error));
  e.message = `${context}: ${e.name}: ${e.message}`;
  return e;
}
