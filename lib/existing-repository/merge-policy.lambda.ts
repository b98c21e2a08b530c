import { ECRClient } from '@aws-sdk/client-ecr';
// eslint-disable-next-line import/no-extraneous-dependencies
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { CfnResponse, sendResponse } from './cfn-response';
import { pullStatement } from './policy-document';
import { Backoff, DEFAULT_BACKOFF, RepositoryPolicyStore } from './repository-policy-store';
import { StatementSync } from './statement-sync';

/** The custom resource's properties, as `ExistingRepositoryStatement` writes them. */
export interface MergeProperties {
  readonly RepositoryName: string;
  readonly Sid: string;
  readonly Principals: string[];
  readonly Actions: string[];
}

/** What the handler needs from outside, replaced in tests. */
export interface HandlerDependencies {
  readonly ecr: ECRClient;
  readonly backoff: Backoff;
  readonly respond: (url: string, response: CfnResponse) => Promise<void>;
}

/** The id of the statement's place: the same until an update moves it to another repository or Sid. */
export function physicalId(properties: MergeProperties): string {
  return `${properties.RepositoryName}:${properties.Sid}`;
}

/**
 * Applies one custom resource event to the repository policy and returns the physical id.
 * Create and Update add or replace our statement; an Update that moves it adds it in the new place before
 * removing it from the old one, so the nodes never lose access; Delete removes only our statement.
 */
export async function applyEvent(event: CloudFormationCustomResourceEvent, ecr: ECRClient, backoff: Backoff = DEFAULT_BACKOFF): Promise<string> {
  if (event.RequestType === 'Delete' && !hasProperties(event.ResourceProperties)) {
    return event.PhysicalResourceId; // A resource whose properties never made sense created nothing to remove.
  }
  const properties = readProperties(event.ResourceProperties);
  const sync = (repositoryName: string) => new StatementSync(new RepositoryPolicyStore(ecr, repositoryName, backoff), repositoryName, backoff);
  switch (event.RequestType) {
    case 'Create':
      await sync(properties.RepositoryName).put(pullStatement(properties.Sid, properties.Principals, properties.Actions));
      return physicalId(properties);
    case 'Update': {
      const old = readProperties(event.OldResourceProperties);
      await sync(properties.RepositoryName).put(pullStatement(properties.Sid, properties.Principals, properties.Actions));
      if (physicalId(old) !== physicalId(properties)) {
        await sync(old.RepositoryName).remove(old.Sid);
      }
      return physicalId(properties);
    }
    case 'Delete':
      await sync(properties.RepositoryName).remove(properties.Sid);
      return event.PhysicalResourceId;
  }
}

function hasProperties(raw: Record<string, unknown>): boolean {
  try {
    readProperties(raw);
    return true;
  } catch {
    return false;
  }
}

function readProperties(raw: Record<string, unknown>): MergeProperties {
  const { RepositoryName, Sid, Principals, Actions } = raw as Record<string, unknown>;
  const strings = (value: unknown) => Array.isArray(value) && value.every(v => typeof v === 'string');
  if (typeof RepositoryName !== 'string' || typeof Sid !== 'string' || !/^[A-Za-z0-9]+$/.test(Sid) ||
      !strings(Principals) || !strings(Actions) || (Principals as string[]).length === 0) {
    throw new Error(`Bad properties ${JSON.stringify(raw)}: expected RepositoryName, an alphanumeric Sid, and ` +
      'non-empty lists Principals and Actions of strings.');
  }
  return { RepositoryName, Sid, Principals: Principals as string[], Actions: Actions as string[] };
}

/** The handler with its dependencies given: answers CloudFormation whatever happens. */
export async function handle(event: CloudFormationCustomResourceEvent, deps: HandlerDependencies): Promise<void> {
  const fallbackId = event.RequestType === 'Create'
    ? `${String(event.ResourceProperties.RepositoryName)}:${String(event.ResourceProperties.Sid)}`
    : event.PhysicalResourceId;
  let response: CfnResponse;
  try {
    const id = await applyEvent(event, deps.ecr, deps.backoff);
    response = { ...identify(event), Status: 'SUCCESS', PhysicalResourceId: id };
  } catch (error) {
    console.error(error);
    response = { ...identify(event), Status: 'FAILED', PhysicalResourceId: fallbackId, Reason: (error as Error).message };
  }
  await deps.respond(event.ResponseURL, response);
}

function identify(event: CloudFormationCustomResourceEvent) {
  return { StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId };
}

const client = new ECRClient({});

/** Time kept back from the Lambda timeout to answer CloudFormation, which otherwise waits an hour for a response. */
const ANSWER_MARGIN_MS = 15_000;

/** The Lambda entry point. */
export async function handler(event: CloudFormationCustomResourceEvent, context: Context): Promise<void> {
  const deadline = Date.now() + context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS;
  await handle(event, { ecr: client, backoff: { ...DEFAULT_BACKOFF, deadline }, respond: sendResponse });
}
