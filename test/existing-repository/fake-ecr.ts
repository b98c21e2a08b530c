import {
  DeleteRepositoryPolicyCommand,
  ECRClient,
  GetRepositoryPolicyCommand,
  RepositoryNotFoundException,
  RepositoryPolicyNotFoundException,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { Backoff } from '../../lib/existing-repository/repository-policy-store';

export type EcrCall = 'GetRepositoryPolicy' | 'SetRepositoryPolicy' | 'DeleteRepositoryPolicy';

/**
 * A stateful in-memory ECR for the three policy calls, behaving as ECR does: the policy text is stored as
 * written, a repository without a policy answers RepositoryPolicyNotFoundException, an unknown repository
 * RepositoryNotFoundException. Tests can inject throttling and run another writer after a given call.
 */
export class FakeEcr {
  public readonly client = new ECRClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  /** Repository name → policy text (undefined: no policy). */
  public readonly repositories = new Map<string, string | undefined>();
  /** Every call served or failed, in order. */
  public readonly calls: EcrCall[] = [];
  /** Policy texts in the order they were written (SetRepositoryPolicy) or deleted (undefined). */
  public readonly writes: Array<string | undefined> = [];
  private readonly throttles = new Map<EcrCall, number>();
  private readonly hooks: Array<{ call: EcrCall; nth: number; run: () => void }> = [];
  private readonly counts = new Map<EcrCall, number>();
  private normalize = false;

  constructor() {
    const mock = mockClient(this.client);
    mock.on(GetRepositoryPolicyCommand).callsFake(input => this.serve('GetRepositoryPolicy', () => {
      const text = this.policyOf(input.repositoryName);
      if (text === undefined) {
        throw new RepositoryPolicyNotFoundException({ message: 'Repository policy does not exist', $metadata: {} });
      }
      return { repositoryName: input.repositoryName, policyText: text };
    }));
    mock.on(SetRepositoryPolicyCommand).callsFake(input => this.serve('SetRepositoryPolicy', () => {
      this.policyOf(input.repositoryName);
      JSON.parse(input.policyText); // ECR rejects text that is not JSON.
      const stored = this.normalize ? normalized(input.policyText) : input.policyText;
      this.repositories.set(input.repositoryName, stored);
      this.writes.push(stored);
      return { repositoryName: input.repositoryName, policyText: input.policyText };
    }));
    mock.on(DeleteRepositoryPolicyCommand).callsFake(input => this.serve('DeleteRepositoryPolicy', () => {
      const text = this.policyOf(input.repositoryName);
      if (text === undefined) {
        throw new RepositoryPolicyNotFoundException({ message: 'Repository policy does not exist', $metadata: {} });
      }
      this.repositories.set(input.repositoryName, undefined);
      this.writes.push(undefined);
      return { repositoryName: input.repositoryName, policyText: text };
    }));
  }

  /** Creates a repository, with a policy text or none. */
  public withRepository(name: string, policy?: unknown): this {
    this.repositories.set(name, policy === undefined ? undefined : typeof policy === 'string' ? policy : JSON.stringify(policy));
    return this;
  }

  /**
   * Stores policies rewritten the way an AWS service may hand them back: pretty-printed, keys reordered, and
   * lists of one element as plain strings.
   */
  public normalizing(): this {
    this.normalize = true;
    return this;
  }

  /** The next `times` calls of this kind fail with ThrottlingException. */
  public throttle(call: EcrCall, times: number): this {
    this.throttles.set(call, times);
    return this;
  }

  /** Runs `run` (another writer) right after the nth call (1-based) of this kind was served. */
  public after(call: EcrCall, nth: number, run: () => void): this {
    this.hooks.push({ call, nth, run });
    return this;
  }

  /** The parsed policy of a repository, or undefined. */
  public policy(name: string): any {
    const text = this.repositories.get(name);
    return text === undefined ? undefined : JSON.parse(text);
  }

  private policyOf(name: string | undefined): string | undefined {
    if (!name || !this.repositories.has(name)) {
      throw new RepositoryNotFoundException({ message: `The repository with name '${name}' does not exist`, $metadata: {} });
    }
    return this.repositories.get(name);
  }

  private async serve<T>(call: EcrCall, respond: () => T): Promise<T> {
    this.calls.push(call);
    const throttled = this.throttles.get(call) ?? 0;
    if (throttled > 0) {
      this.throttles.set(call, throttled - 1);
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    }
    const count = (this.counts.get(call) ?? 0) + 1;
    this.counts.set(call, count);
    try {
      return respond();
    } finally {
      this.hooks.filter(hook => hook.call === call && hook.nth === count).forEach(hook => hook.run());
    }
  }
}

function normalized(text: string): string {
  const collapse = (value: unknown, key?: string): unknown => {
    if (Array.isArray(value)) {
      const items = value.map(item => collapse(item));
      return items.length === 1 && key !== 'Statement' ? items[0] : items;
    }
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, collapse(v, k)]));
    }
    return value;
  };
  return JSON.stringify(collapse(JSON.parse(text)), null, 2);
}

/** Backoff without waiting, recording the delays it would have waited. */
export function instantBackoff(delays: number[] = [], attempts = 8): Backoff {
  return {
    attempts,
    baseMs: 200,
    capMs: 5_000,
    random: () => 1,
    sleep: async ms => {
      delays.push(ms);
    },
  };
}
