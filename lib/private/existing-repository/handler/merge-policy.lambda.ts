import { ECRClient } from '@aws-sdk/client-ecr';
// eslint-disable-next-line import/no-extraneous-dependencies
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { CfnResponse, checkResponseUrl, sendResponse } from './cfn-response';
import { nothingWrittenId, placeId, StatementPlace } from './ownership';
import { RepositoryPolicyStore } from './repository-policy-store';
import { functionIdentity, readAllowList, readRequest, Request } from './request';
import { DEFAULT_TIMING, ECR_TIMEOUTS, StatementSync, SyncTiming } from './statement-sync';
import { ALLOW_LIST_VARIABLE, AllowList } from '../contract';

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
  /** Writes one line to the function's log at the ERROR level. */
  readonly logError: (line: string) => void;
}

/**
 * Applies one custom resource event and answers CloudFormation. Create and Update put the resource's own statement
 * (its Sid is a digest of the stack id and logical id) into the repository and answer its place as the physical id;
 * a move to another repository is cleaned up by CloudFormation's Delete of the old place. Delete removes only that
 * statement. A Create that sent nothing to ECR fails with a physical id its rollback Delete recognizes.
 */
export async function handle(event: CloudFormationCustomResourceEvent, deps: HandlerDependencies): Promise<CfnResponse> {
  const fn = functionIdentity(deps.functionArn);
  checkResponseUrl(event.ResponseURL, fn.partition);
  const identity = { StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId };
  let request: Request | undefined;
  const sync = (repositoryName: string, timing = deps.timing) => new StatementSync(new RepositoryPolicyStore(deps.ecr, repositoryName), timing);
  /** Removes a statement; when that fails, logs the line that says which statement still grants, and returns the reason. */
  const removeOrReport = async (place: StatementPlace): Promise<string | undefined> => {
    try {
      await sync(place.repositoryName).remove(place);
      return undefined;
    } catch (error) {
      deps.logError(leftoverLine(place, (error as Error).message));
      return (error as Error).message;
    }
  };
  let writer: StatementSync | undefined;
  let response: CfnResponse;
  try {
    request = readRequest(event, deps.allowList, fn);
    if (request.kind === 'put') {
      // A move keeps time in hand to remove what it wrote, should it fail.
      const moving = event.RequestType === 'Update' && placeId(request.place) !== event.PhysicalResourceId;
      writer = sync(request.place.repositoryName, moving ? { ...deps.timing, deadline: deps.timing.deadline - UNDO_RESERVE_MS } : deps.timing);
      await writer.put(request.place, request.principals);
      if (request.stranded) {
        await removeOrReport(request.stranded); // On failure the line is logged; the grant itself is in place.
      }
    } else if (request.kind === 'remove') {
      const failure = await removeOrReport(request.place);
      if (failure !== undefined && !request.unsure) {
        throw new Error(failure);
      }
    }
    const id = request.kind === 'put' ? placeId(request.place) : (event as { PhysicalResourceId: string }).PhysicalResourceId;
    response = { ...identity, Status: 'SUCCESS', PhysicalResourceId: id };
  } catch (error) {
    deps.log(`${(error as Error).stack ?? error}`);
    const reason = (error as Error).message + await undoMove(event, request, removeOrReport);
    response = { ...identity, Status: 'FAILED', PhysicalResourceId: failedId(event, request, writer), Reason: reason };
  }
  deps.log(JSON.stringify({ RequestType: event.RequestType, ...identity, Status: response.Status, PhysicalResourceId: response.PhysicalResourceId }));
  await deps.respond(event.ResponseURL, response);
  return response;
}

/**
 * The line logged at the ERROR level for a statement that could not be removed: it keeps granting pull access, and
 * CloudFormation does not say so when the Delete was in its cleanup phase. Search the log for "LEFTOVER STATEMENT".
 */
export function leftoverLine(place: StatementPlace, reason: string): string {
  return `LEFTOVER STATEMENT: the statement with Sid ${place.sid} stays in the policy of repository ${place.repositoryName} ` +
    `and keeps granting its principals pull access: ${reason} Remove the statement with this Sid from the repository policy ` +
    'by hand (README, "Repositories that already exist").';
}

/**
 * The physical id of a failed event. A Create that sent no write answers an id that its rollback Delete treats as
 * "nothing written"; one that did answers the statement's place, so that the rollback Delete removes whatever landed.
 */
function failedId(event: CloudFormationCustomResourceEvent, request: Request | undefined, writer: StatementSync | undefined): string {
  if (event.RequestType !== 'Create') {
    return (event as { PhysicalResourceId?: string }).PhysicalResourceId ?? nothingWrittenId(event.RequestId);
  }
  return writer?.sentWrite && request?.kind === 'put' ? placeId(request.place) : nothingWrittenId(event.RequestId);
}

/**
 * A failed Update keeps the old physical id, so neither its rollback nor a cleanup would remove a statement it wrote
 * in a new place: remove it here. Also when this invocation sent no write: Lambda may have retried an invocation that
 * did, and whose answer was lost.
 */
async function undoMove(
  event: CloudFormationCustomResourceEvent,
  request: Request | undefined,
  removeOrReport: (place: StatementPlace) => Promise<string | undefined>,
): Promise<string> {
  if (event.RequestType !== 'Update' || request?.kind !== 'put' || placeId(request.place) === event.PhysicalResourceId) {
    return '';
  }
  const failure = await removeOrReport(request.place);
  return failure === undefined
    ? ` The statement of this resource in repository ${request.place.repositoryName} was removed again.`
    : ` Removing the statement of this resource from repository ${request.place.repositoryName} failed too, so it stays there: ${failure}`;
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
    respond: (url, response) => sendResponse(url, response, functionIdentity(context.invokedFunctionArn).partition),
    allowList: readAllowList(process.env[ALLOW_LIST_VARIABLE]),
    functionArn: context.invokedFunctionArn,
    log: line => console.log(line),
    logError: line => console.error(line),
  });
}
