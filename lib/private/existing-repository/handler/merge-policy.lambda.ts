import { ECRClient } from '@aws-sdk/client-ecr';
// eslint-disable-next-line import/no-extraneous-dependencies
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { CfnResponse, checkResponseUrl, sendResponse } from './cfn-response';
import { nothingWrittenId, placeId } from './ownership';
import { RepositoryPolicyStore } from './repository-policy-store';
import { functionIdentity, readAllowList, readRequest, Request } from './request';
import { DEFAULT_TIMING, ECR_TIMEOUTS, StatementSync, SyncTiming } from './statement-sync';
import { ALLOW_LIST_VARIABLE, AllowList } from '../../shared/contract';

/** What the handler needs from outside, replaced in tests. */
export interface HandlerDependencies {
  readonly ecr: ECRClient;
  readonly timing: SyncTiming;
  readonly respond: (url: string, response: CfnResponse) => Promise<void>;
  /** What the function's stack declared (its environment). */
  readonly allowList: AllowList;
  /** The function's own ARN: it changes repositories of its own partition, account and region only. */
  readonly functionArn: string;
  /** Writes one line to the function's log. */
  readonly log: (line: string) => void;
}

/**
 * Applies one custom resource event and answers CloudFormation. Create and Update put the resource's own statement
 * (its Sid is a digest of the stack id and logical id) into the repository and answer its place as the physical id;
 * a move to another repository is cleaned up by CloudFormation's Delete of the old place. Delete removes only that
 * statement. A Create that sent nothing to ECR fails with a physical id its rollback Delete recognizes.
 */
export async function handle(event: CloudFormationCustomResourceEvent, deps: HandlerDependencies): Promise<CfnResponse> {
  checkResponseUrl(event.ResponseURL);
  const identity = { StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId };
  let request: Request | undefined;
  const sync = (repositoryName: string, timing = deps.timing) => new StatementSync(new RepositoryPolicyStore(deps.ecr, repositoryName), timing);
  let writer: StatementSync | undefined;
  let response: CfnResponse;
  try {
    request = readRequest(event, deps.allowList, functionIdentity(deps.functionArn));
    if (request.kind === 'put') {
      // A move keeps time in hand to remove what it wrote, should it fail.
      const moving = event.RequestType === 'Update' && placeId(request.place) !== event.PhysicalResourceId;
      writer = sync(request.place.repositoryName, moving ? { ...deps.timing, deadline: deps.timing.deadline - UNDO_RESERVE_MS } : deps.timing);
      await writer.put(request.place, request.principals);
    } else if (request.kind === 'remove') {
      await sync(request.place.repositoryName).remove(request.place);
    }
    const id = request.kind === 'put' ? placeId(request.place) : (event as { PhysicalResourceId: string }).PhysicalResourceId;
    response = { ...identity, Status: 'SUCCESS', PhysicalResourceId: id };
  } catch (error) {
    deps.log(`${(error as Error).stack ?? error}`);
    const reason = (error as Error).message + await undoMove(event, request, writer, sync);
    response = { ...identity, Status: 'FAILED', PhysicalResourceId: failedId(event, request, writer), Reason: reason };
  }
  deps.log(JSON.stringify({ RequestType: event.RequestType, ...identity, Status: response.Status, PhysicalResourceId: response.PhysicalResourceId }));
  await deps.respond(event.ResponseURL, response);
  return response;
}

/**
 * The physical id of a failed event. A Create that sent no write answers an id that its rollback Delete skips; one
 * that did answers the statement's place, so that the rollback Delete removes whatever landed.
 */
function failedId(event: CloudFormationCustomResourceEvent, request: Request | undefined, writer: StatementSync | undefined): string {
  if (event.RequestType !== 'Create') {
    return event.PhysicalResourceId;
  }
  return writer?.sentWrite && request?.kind === 'put' ? placeId(request.place) : nothingWrittenId(event.RequestId);
}

/**
 * A failed Update keeps the old physical id, so neither its rollback nor a cleanup would remove a statement it
 * wrote in a new place: remove it here.
 */
async function undoMove(
  event: CloudFormationCustomResourceEvent,
  request: Request | undefined,
  writer: StatementSync | undefined,
  sync: (repositoryName: string) => StatementSync,
): Promise<string> {
  if (event.RequestType !== 'Update' || request?.kind !== 'put' || !writer?.sentWrite || placeId(request.place) === event.PhysicalResourceId) {
    return '';
  }
  try {
    await sync(request.place.repositoryName).remove(request.place);
    return ` The statement written to repository ${request.place.repositoryName} was removed again.`;
  } catch (error) {
    return ` Removing the statement written to repository ${request.place.repositoryName} failed too: ${(error as Error).message}`;
  }
}

/**
 * Time kept back from the Lambda timeout to answer CloudFormation, which otherwise waits for the service timeout: the
 * last ECR call may take its connection and request timeouts (8 s), the response PUT its own (10 s).
 */
const ANSWER_MARGIN_MS = 30_000;

/** Time a move to another repository keeps for removing what it wrote there when it fails: one settled remove. */
const UNDO_RESERVE_MS = 60_000;

/** Retries are the handler's own (it reads again before it writes again), so the client sends each call once. */
const client = new ECRClient({
  maxAttempts: 1,
  requestHandler: { connectionTimeout: ECR_TIMEOUTS.connectionMs, requestTimeout: ECR_TIMEOUTS.requestMs, throwOnRequestTimeout: true },
});

/** The Lambda entry point. */
export async function handler(event: CloudFormationCustomResourceEvent, context: Context): Promise<void> {
  const deadline = Date.now() + context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS;
  await handle(event, {
    ecr: client,
    timing: { ...DEFAULT_TIMING, deadline },
    respond: sendResponse,
    allowList: readAllowList(process.env[ALLOW_LIST_VARIABLE]),
    functionArn: context.invokedFunctionArn,
    log: line => console.log(line),
  });
}
