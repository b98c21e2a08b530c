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

const TRANSIENT_ERRORS = new Set([
  'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'ServerException', 'ServiceUnavailable',
  'InternalFailure', 'LimitExceededException', 'TimeoutError', 'RequestTimeout', 'ECONNRESET', 'ETIMEDOUT',
]);

/**
 * Throttling, server failures and timeouts are worth another round; anything else (access denied, a policy ECR
 * rejects) is not. A write that timed out may still have been applied: the next round reads again.
 */
export function isTransient(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $retryable?: unknown };
  return TRANSIENT_ERRORS.has(e?.name ?? '') || TRANSIENT_ERRORS.has(e?.code ?? '') || Boolean(e?.$retryable);
}

/**
 * ECR's refusal of a policy that names a principal it does not know: a role that does not exist, or one created moments
 * before that IAM has not propagated yet (hashicorp/terraform-provider-aws #39064), which the next try may accept.
 */
export function refusesPrincipal(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return e?.name === 'InvalidParameterException' && /'(Invalid repository policy provided|Principal not found)'/.test(e.message ?? '');
}

/**
 * The three ECR calls on one repository's policy, each sent once: retrying is the caller's, which reads again
 * before it writes again instead of re-sending text planned from an old read.
 */
export class RepositoryPolicyStore {
  constructor(private readonly ecr: ECRClient, public readonly repositoryName: string) {}

  public async read(): Promise<ReadResult> {
    try {
      const response = await this.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: this.repositoryName }));
      return response.policyText === undefined ? { kind: 'no-policy' } : { kind: 'policy', text: response.policyText };
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'RepositoryPolicyNotFoundException') {
        return { kind: 'no-policy' };
      }
      if (name === 'RepositoryNotFoundException') {
        return { kind: 'no-repository' };
      }
      throw annotate(error, `GetRepositoryPolicy on ${this.repositoryName}`);
    }
  }

  public async write(policyText: string): Promise<void> {
    try {
      await this.ecr.send(new SetRepositoryPolicyCommand({ repositoryName: this.repositoryName, policyText }));
    } catch (error) {
      throw annotate(error, `SetRepositoryPolicy on ${this.repositoryName}`);
    }
  }

  /** Deletes the policy; a policy or repository that is already gone is not an error. */
  public async delete(): Promise<void> {
    try {
      await this.ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: this.repositoryName }));
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name !== 'RepositoryPolicyNotFoundException' && name !== 'RepositoryNotFoundException') {
        throw annotate(error, `DeleteRepositoryPolicy on ${this.repositoryName}`);
      }
    }
  }
}

function annotate(error: unknown, context: string): Error {
  const e = error instanceof Error ? error : new Error(String(error));
  if (!e.message.startsWith(context)) {
    e.message = `${context}: ${e.name}: ${e.message}`;
  }
  return e;
}
