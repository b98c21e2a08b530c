import { createHash } from 'crypto';
import { REPOSITORY_NAME_PATTERN } from '../../constants/ecr-rules';
import { ECR_PULL_ACTIONS } from '../../constants/pull-actions';
import { HANDLER_SID_DIGITS, HANDLER_SID_PATTERN, HANDLER_SID_PREFIX } from '../../constants/sids';

/**
 * The Sid of the one statement a custom resource owns: a digest of its stack's id and its logical id. A stack id
 * names one stack (nested stacks have their own, a re-created stack gets a new one), so no two custom resources
 * share a Sid, and a replacement (a new logical id) writes a statement that the old resource's cleanup Delete
 * does not touch.
 */
export function ownedSid(stackId: string, logicalResourceId: string): string {
  const digest = createHash('sha256').update(`${stackId}\n${logicalResourceId}`).digest('hex');
  return `${HANDLER_SID_PREFIX}${digest.slice(0, HANDLER_SID_DIGITS).toUpperCase()}`;
}

/** The statement as the handler writes it: compact JSON, the twelve pull actions fixed here, never taken from an event. */
export function pullStatementText(sid: string, principals: readonly string[]): string {
  return JSON.stringify({ Sid: sid, Effect: 'Allow', Principal: { AWS: [...principals] }, Action: [...ECR_PULL_ACTIONS] });
}

/**
 * Why a statement that carries one of our Sids is not one this handler wrote (`undefined` when it is). Only a
 * statement of exactly our shape is ever replaced or removed: a Deny, a condition or other actions under our Sid
 * belong to someone else.
 */
export function notOurs(statement: unknown): string | undefined {
  if (statement === null || typeof statement !== 'object' || Array.isArray(statement)) {
    return 'it is not a JSON object';
  }
  const s = statement as Record<string, unknown>;
  const extra = Object.keys(s).filter(key => !['Sid', 'Effect', 'Principal', 'Action'].includes(key));
  if (extra.length > 0) {
    return `it has ${extra.join(', ')}`;
  }
  if (s.Effect !== 'Allow') {
    return `its Effect is ${JSON.stringify(s.Effect)}`;
  }
  const principal = s.Principal as Record<string, unknown> | undefined;
  if (principal === null || typeof principal !== 'object' || Object.keys(principal).join() !== 'AWS' || !stringList(principal.AWS)) {
    return `its Principal is ${JSON.stringify(s.Principal)}, not a list of AWS principals`;
  }
  if (!stringList(s.Action) || !sameSet(asList(s.Action), ECR_PULL_ACTIONS)) {
    return `its Action is ${JSON.stringify(s.Action)}, not the twelve pull actions`;
  }
  return undefined;
}

/** The AWS principals of a statement of our shape, as a list. */
export function principalsOf(statement: unknown): string[] {
  return asList((statement as { Principal: { AWS: string | string[] } }).Principal.AWS);
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every(item => right.has(item));
}

function stringList(value: unknown): boolean {
  return typeof value === 'string' || (Array.isArray(value) && value.length > 0 && value.every(item => typeof item === 'string'));
}

function asList(value: unknown): string[] {
  return Array.isArray(value) ? value : [value as string];
}

/** Where one statement is: the physical id of a custom resource that may have written it. */
export interface StatementPlace {
  readonly repositoryName: string;
  readonly sid: string;
}

/** The prefix of the physical id of a Create that failed before anything was sent to ECR. */
const NOTHING_WRITTEN = 'nothing-written:';

export function placeId(place: StatementPlace): string {
  return `${place.repositoryName}:${place.sid}`;
}

/** The physical id of a Create that wrote nothing: its rollback Delete has nothing to undo. */
export function nothingWrittenId(requestId: string): string {
  return `${NOTHING_WRITTEN}${requestId.slice(0, 100)}`;
}

/**
 * Reads the physical id of a Delete: the place of the statement, `'nothing-written'` for a Create that wrote
 * nothing, or `undefined` for an id this handler did not answer (CloudFormation makes one up for a Create that
 * never answered).
 */
export function readPlaceId(physicalId: string): StatementPlace | 'nothing-written' | undefined {
  if (physicalId.startsWith(NOTHING_WRITTEN)) {
    return 'nothing-written';
  }
  const [repositoryName, sid, ...rest] = physicalId.split(':');
  if (rest.length > 0 || !REPOSITORY_NAME_PATTERN.test(repositoryName) || sid === undefined || !HANDLER_SID_PATTERN.test(sid)) {
    return undefined;
  }
  return { repositoryName, sid };
}
