import type { ECRClient } from '@aws-sdk/client-ecr';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { Invoke } from './cloudformation';
import { FakeEcr } from './fake-ecr';
import { ECR_PULL_ACTIONS } from '../../lib/private/constants/pull-actions';
import { ALLOW_LIST_VARIABLE, AllowList, STATEMENT_RESOURCE_TYPE } from '../../lib/private/existing-repository/contract';
import { CfnResponse } from '../../lib/private/existing-repository/handler/cfn-response';
import { handle } from '../../lib/private/existing-repository/handler/merge-policy.lambda';
import { ownedSid } from '../../lib/private/existing-repository/handler/ownership';
import { readAllowList } from '../../lib/private/existing-repository/handler/request';
import { Clock, DEFAULT_TIMING, SyncTiming } from '../../lib/private/existing-repository/handler/statement-sync';

export const STACK_ID = 'arn:aws:cloudformation:us-east-1:222222222222:stack/Registry/6c0b4a30-0000-4000-8000-000000000001';
export const LOGICAL_ID = 'AnyscaleEcrExistingPolicy1234ABCDResource5678';
export const NODE_ROLE = 'arn:aws:iam::111111111111:role/cld_abc-cluster_node_role';
export const OTHER_ROLE = 'arn:aws:iam::111111111111:role/cld_def-cluster_node_role';
export const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:222222222222:function:Registry-Handler';
export const RESPONSE_URL = 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/arn%3Aaws%3Acloudformation?X-Amz-Signature=1';
/** The Sid the handler computes for the default stack and logical id. */
export const SID = ownedSid(STACK_ID, LOGICAL_ID);

/** A clock whose waits pass at once: time moves only when the handler waits. */
export class ManualClock implements Clock {
  public time = 1_000_000;
  public readonly waits: number[] = [];
  public now(): number {
    return this.time;
  }
  public async sleep(ms: number): Promise<void> {
    this.waits.push(ms);
    this.time += ms;
  }
}

/** The handler's timing with a manual clock, full backoff (random 1) and no deadline unless given. */
export function testTiming(clock: Clock = new ManualClock(), overrides: Partial<SyncTiming> = {}): SyncTiming {
  return { ...DEFAULT_TIMING, random: () => 1, clock, deadline: Number.MAX_SAFE_INTEGER, ...overrides };
}

/** The allow-list a stack would declare: repository name → role ARNs. */
export function allowListOf(grants: Record<string, string[]>): AllowList {
  const principals = [...new Set(Object.values(grants).flat())].sort();
  return { principals, repositories: Object.entries(grants).map(([name, roles]) => [name, roles.map(role => principals.indexOf(role))]) };
}

export const DEFAULT_ALLOW_LIST = allowListOf({ images: [NODE_ROLE, OTHER_ROLE], models: [NODE_ROLE] });

export interface Properties {
  readonly RepositoryName: unknown;
  readonly Principals: unknown;
  readonly [extra: string]: unknown;
}

const SERVICE_TOKEN = FUNCTION_ARN;
const common = (overrides: Partial<CloudFormationCustomResourceEvent> = {}) => ({
  ServiceToken: SERVICE_TOKEN,
  ResponseURL: RESPONSE_URL,
  StackId: STACK_ID,
  RequestId: 'b5a1e0b6-0000-4000-8000-000000000001',
  LogicalResourceId: LOGICAL_ID,
  ResourceType: STATEMENT_RESOURCE_TYPE,
  ...overrides,
});

/** The properties of the custom resource, with the ARN of a repository of the default function's account and region. */
export function props(repositoryName: unknown = 'images', principals: unknown = [NODE_ROLE]): Properties {
  return { RepositoryName: repositoryName, RepositoryArn: `arn:aws:ecr:us-east-1:222222222222:repository/${repositoryName}`, Principals: principals };
}

export function createEvent(p: Properties = props(), overrides: Record<string, unknown> = {}): CloudFormationCustomResourceEvent {
  const event = { ...common(), RequestType: 'Create', ResourceProperties: { ServiceToken: SERVICE_TOKEN, ...p }, ...overrides };
  return event as CloudFormationCustomResourceEvent;
}

export function updateEvent(
  p: Properties, old: Properties, physicalResourceId: string, overrides: Record<string, unknown> = {},
): CloudFormationCustomResourceEvent {
  return {
    ...common(),
    RequestType: 'Update',
    PhysicalResourceId: physicalResourceId,
    ResourceProperties: { ServiceToken: SERVICE_TOKEN, ...p },
    OldResourceProperties: { ServiceToken: SERVICE_TOKEN, ...old },
    ...overrides,
  } as CloudFormationCustomResourceEvent;
}

export function deleteEvent(
  physicalResourceId: string, p: Properties = props(), overrides: Record<string, unknown> = {},
): CloudFormationCustomResourceEvent {
  return {
    ...common(),
    RequestType: 'Delete',
    PhysicalResourceId: physicalResourceId,
    ResourceProperties: { ServiceToken: SERVICE_TOKEN, ...p },
    ...overrides,
  } as CloudFormationCustomResourceEvent;
}

export interface InvokeOptions {
  readonly allowList?: AllowList;
  readonly timing?: SyncTiming;
  readonly client?: ECRClient;
  /** The function's ARN, which gives its partition, account and region. */
  readonly functionArn?: string;
  /** Receives the lines the handler logs. */
  readonly log?: (line: string) => void;
  /** Receives the lines the handler logs at the ERROR level. */
  readonly logError?: (line: string) => void;
}

/** Runs the real handler against the fake ECR and returns what it answered CloudFormation. */
export async function invoke(ecr: FakeEcr, event: CloudFormationCustomResourceEvent, options: InvokeOptions = {}): Promise<CfnResponse> {
  const sent: CfnResponse[] = [];
  const response = await handle(event, {
    ecr: options.client ?? ecr.client,
    timing: options.timing ?? testTiming(),
    respond: async (_url, r) => {
      sent.push(r);
    },
    allowList: options.allowList ?? DEFAULT_ALLOW_LIST,
    functionArn: options.functionArn ?? FUNCTION_ARN,
    log: options.log ?? (() => undefined),
    logError: options.logError ?? (() => undefined),
  });
  expect(sent).toEqual([response]);
  return response;
}

/** The statement the handler writes, as parsed JSON. */
export function pullStatement(sid: string, principals: string[]) {
  return { Sid: sid, Effect: 'Allow', Principal: { AWS: principals }, Action: [...ECR_PULL_ACTIONS] };
}

export const PULL_ACTIONS = [...ECR_PULL_ACTIONS];

export interface HandlerForOptions {
  /** The timing of each invocation; by default testTiming() with a clock of its own. */
  readonly timing?: () => SyncTiming;
  /** Runs before each invocation: `attempt` is 1, then 2 and 3 for Lambda's retries of the same event. */
  readonly beforeInvocation?: (event: CloudFormationCustomResourceEvent, attempt: number) => void;
  /** Whether the response PUT of this invocation fails (the handler then fails the invocation, as in Lambda). */
  readonly loseResponse?: (event: CloudFormationCustomResourceEvent, attempt: number) => boolean;
  /** Receives the lines the handler logs at the ERROR level. */
  readonly errors?: string[];
}

/**
 * The real handler as CloudFormation invokes it in `CloudFormation` (test/support/cloudformation.ts): its allow-list
 * read from the function's environment as deployed at that moment. It answers what the handler PUT; an invocation
 * whose PUT failed rejects, as the Lambda invocation fails, so that the model retries it as Lambda does.
 */
export function handlerFor(ecr: FakeEcr, options: HandlerForOptions = {}): Invoke {
  const attempts = new Map<string, number>();
  return async (event, environment) => {
    const attempt = (attempts.get(event.RequestId) ?? 0) + 1;
    attempts.set(event.RequestId, attempt);
    options.beforeInvocation?.(event, attempt);
    let delivered: CfnResponse | undefined;
    await handle(event, {
      ecr: ecr.client,
      timing: options.timing?.() ?? testTiming(),
      respond: async (_url, response) => {
        if (options.loseResponse?.(event, attempt)) {
          throw new Error('socket hang up'); // The PUT to S3 failed: CloudFormation never sees this response.
        }
        delivered = response;
      },
      allowList: readAllowList(environment[ALLOW_LIST_VARIABLE]),
      functionArn: event.ServiceToken, // the function CloudFormation invokes is the one the template names
      log: () => undefined,
      logError: line => options.errors?.push(line),
    });
    return delivered;
  };
}
