import {
  DeleteRepositoryPolicyCommand,
  ECRClient,
  GetRepositoryPolicyCommand,
  RepositoryNotFoundException,
  RepositoryPolicyNotFoundException,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import type { Clock } from '../../lib/private/existing-repository/handler/statement-sync';

export type EcrCall = 'GetRepositoryPolicy' | 'SetRepositoryPolicy' | 'DeleteRepositoryPolicy';

/** One write as ECR applied it, for checking what a race did. */
export interface AppliedWrite {
  readonly by: string;
  readonly at: number;
  readonly text: string | undefined;
  /** When ECR served the writer's last read before this write: the state it planned from. */
  readonly basis?: number;
}

/** The time an ECR call takes: on the way to ECR (where it is applied at once) and back. */
export type Latency = (call: EcrCall, writer: string) => { toService: number; back: number };

/** When one call was sent, served by ECR, and answered, on the clock's time. */
export interface TimedCall {
  readonly call: EcrCall;
  readonly by: string;
  readonly sentAt: number;
  readonly servedAt: number;
  readonly answeredAt: number;
}

/**
 * A stateful in-memory ECR for the three policy calls, behaving as ECR does: the policy text is stored and handed
 * back as written, a repository without a policy answers RepositoryPolicyNotFoundException, an unknown repository
 * RepositoryNotFoundException, and a policy of more than 10,240 characters or not JSON is rejected with
 * InvalidParameterException. Tests inject throttling, access denial, latency, and other writers.
 */
export class FakeEcr {
  public readonly client = new ECRClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  /** Repository name → policy text (undefined: no policy). */
  public readonly repositories = new Map<string, string | undefined>();
  /** Every call served or failed, in order. */
  public readonly calls: EcrCall[] = [];
  /** Policy texts in the order they were written (SetRepositoryPolicy) or deleted (undefined). */
  public readonly writes: Array<string | undefined> = [];
  /** Every write as applied, with who sent it (the `writer` of the client) and when (the clock's time). */
  public readonly applied: AppliedWrite[] = [];
  private readonly failures = new Map<EcrCall, Array<() => Error>>();
  private readonly hooks: Array<{ call: EcrCall; nth: number; run: () => void }> = [];
  private readonly counts = new Map<EcrCall, number>();
  private normalize = false;
  private latency?: Latency;
  private readonly lastRead = new Map<string, number>();
  /** Every call with its times (with a clock). */
  public readonly timeline: TimedCall[] = [];
  private throttledUntil = -Infinity;
  /** Principal ARN → the time from which ECR accepts a policy that names it. */
  private readonly principalsVisibleFrom = new Map<string, number>();

  constructor(private readonly clock?: Clock, writer = 'handler') {
    this.mock(this.client, writer);
  }

  /** Another ECR client on the same state (another handler), whose writes are recorded as `writer`'s. */
  public clientFor(writer: string): ECRClient {
    const client = new ECRClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    this.mock(client, writer);
    return client;
  }

  /** Creates a repository, with a policy text or none. */
  public withRepository(name: string, policy?: unknown): this {
    this.repositories.set(name, policy === undefined ? undefined : typeof policy === 'string' ? policy : JSON.stringify(policy));
    return this;
  }

  /** Stores policies pretty-printed, keys reordered, and lists of one element as plain strings. */
  public normalizing(): this {
    this.normalize = true;
    return this;
  }

  /** Calls take time on the clock given to the constructor. */
  public withLatency(latency: Latency): this {
    this.latency = latency;
    return this;
  }

  /** The next `times` calls of this kind fail with ThrottlingException, before ECR applies anything. */
  public throttle(call: EcrCall, times: number): this {
    return this.fail(call, times, throttling);
  }

  /** Every call fails with ThrottlingException, before ECR applies anything, until the clock's time `at`. */
  public throttleUntil(at: number): this {
    this.throttledUntil = at;
    return this;
  }

  /**
   * A role IAM has not propagated to ECR yet (one created moments before) until the clock's time `at` (Infinity: a
   * role that does not exist): a policy that names it is refused as ECR refuses it, with InvalidParameterException
   * "Invalid repository policy provided" (hashicorp/terraform-provider-aws #39064), or "Principal not found" for a
   * role that does not exist.
   */
  public principalVisibleFrom(arn: string, at: number): this {
    this.principalsVisibleFrom.set(arn, at);
    return this;
  }

  /** The next `times` calls of this kind fail with AccessDeniedException. */
  public deny(call: EcrCall, times = Infinity): this {
    return this.fail(call, times, () => Object.assign(new Error(`User is not authorized to perform: ecr:${call}`), { name: 'AccessDeniedException' }));
  }

  /** The next `times` calls of this kind fail with `error` before ECR applies anything. */
  public fail(call: EcrCall, times: number, error: () => Error): this {
    const list = this.failures.get(call) ?? [];
    for (let i = 0; i < Math.min(times, 1_000); i++) {
      list.push(error);
    }
    this.failures.set(call, list);
    return this;
  }

  /** Runs `run` (another writer) right after the nth call (1-based) of this kind was served. */
  public after(call: EcrCall, nth: number, run: () => void): this {
    this.hooks.push({ call, nth, run });
    return this;
  }

  /** Writes a policy as another writer would (recorded in `applied`). */
  public write(name: string, text: string | undefined, by = 'other', basis?: number): void {
    this.repositories.set(name, text);
    this.applied.push({ by, at: this.clock?.now() ?? 0, text, basis });
  }

  /** The parsed policy of a repository, or undefined. */
  public policy(name: string): any {
    const text = this.repositories.get(name);
    return text === undefined ? undefined : JSON.parse(text);
  }

  private mock(client: ECRClient, writer: string): void {
    const mock = mockClient(client);
    mock.on(GetRepositoryPolicyCommand).callsFake(input => this.serve('GetRepositoryPolicy', writer, () => {
      this.lastRead.set(writer, this.clock?.now() ?? 0);
      const text = this.policyOf(input.repositoryName);
      if (text === undefined) {
        throw new RepositoryPolicyNotFoundException({ message: 'Repository policy does not exist', $metadata: {} });
      }
      return { repositoryName: input.repositoryName, policyText: text };
    }));
    mock.on(SetRepositoryPolicyCommand).callsFake(input => this.serve('SetRepositoryPolicy', writer, () => {
      this.policyOf(input.repositoryName);
      const invalid = () => Object.assign(new Error("Invalid parameter at 'PolicyText' failed to satisfy constraint"), { name: 'InvalidParameterException' });
      try {
        JSON.parse(input.policyText);
      } catch {
        throw invalid();
      }
      if (input.policyText.length > 10_240) {
        throw invalid();
      }
      const now = this.clock?.now() ?? 0;
      const unknown = this.principalsOf(input.policyText).filter(arn => (this.principalsVisibleFrom.get(arn) ?? -Infinity) > now);
      if (unknown.length > 0) {
        const never = unknown.some(arn => this.principalsVisibleFrom.get(arn) === Infinity);
        throw Object.assign(new Error(`Invalid parameter at 'PolicyText' failed to satisfy constraint: '${never ? 'Principal not found' : 'Invalid repository policy provided'}'`),
          { name: 'InvalidParameterException' });
      }
      const stored = this.normalize ? normalized(input.policyText) : input.policyText;
      this.write(input.repositoryName, stored, writer, this.lastRead.get(writer));
      this.writes.push(stored);
      return { repositoryName: input.repositoryName, policyText: input.policyText };
    }));
    mock.on(DeleteRepositoryPolicyCommand).callsFake(input => this.serve('DeleteRepositoryPolicy', writer, () => {
      const text = this.policyOf(input.repositoryName);
      if (text === undefined) {
        throw new RepositoryPolicyNotFoundException({ message: 'Repository policy does not exist', $metadata: {} });
      }
      this.write(input.repositoryName, undefined, writer, this.lastRead.get(writer));
      this.writes.push(undefined);
      return { repositoryName: input.repositoryName, policyText: text };
    }));
  }

  /** The AWS principals named anywhere in a policy's statements. */
  private principalsOf(text: string): string[] {
    return [JSON.parse(text).Statement ?? []].flat().flatMap((statement: any) => [statement?.Principal?.AWS ?? []].flat());
  }

  private policyOf(name: string | undefined): string | undefined {
    if (!name || !this.repositories.has(name)) {
      throw new RepositoryNotFoundException({ message: `The repository with name '${name}' does not exist`, $metadata: {} });
    }
    return this.repositories.get(name);
  }

  private async serve<T>(call: EcrCall, writer: string, respond: () => T): Promise<T> {
    const sentAt = this.clock?.now() ?? 0;
    const latency = this.latency?.(call, writer);
    if (latency && this.clock) {
      await this.clock.sleep(latency.toService);
    }
    const servedAt = this.clock?.now() ?? 0;
    this.calls.push(call);
    const failure = servedAt < this.throttledUntil ? throttling : this.failures.get(call)?.shift();
    let result: { value?: T; error?: unknown };
    if (failure) {
      result = { error: failure() };
    } else {
      const count = (this.counts.get(call) ?? 0) + 1;
      this.counts.set(call, count);
      try {
        result = { value: respond() };
      } catch (error) {
        result = { error };
      } finally {
        this.hooks.filter(hook => hook.call === call && hook.nth === count).forEach(hook => hook.run());
      }
    }
    if (latency && this.clock) {
      await this.clock.sleep(latency.back);
    }
    this.timeline.push({ call, by: writer, sentAt, servedAt, answeredAt: this.clock?.now() ?? 0 });
    if ('error' in result) {
      throw result.error;
    }
    return result.value as T;
  }
}

function throttling(): Error {
  return Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $retryable: { throttling: true } });
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
