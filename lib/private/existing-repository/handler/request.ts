// eslint-disable-next-line import/no-extraneous-dependencies
import type { CloudFormationCustomResourceDeleteEvent, CloudFormationCustomResourceEvent, CloudFormationCustomResourceUpdateEvent } from 'aws-lambda';
import { ownedSid, readPlaceId, StatementPlace } from './ownership';
import { REPOSITORY_NAME_PATTERN } from '../../constants/ecr-rules';
import { AllowList } from '../contract';

/** What one event asks for, once checked against what the stack declared. */
export type Request =
  | {
    readonly kind: 'put';
    readonly place: StatementPlace;
    readonly principals: string[];
    /**
     * A statement of this resource in another repository that no Delete will ever name: written by a move whose answer
     * CloudFormation never received, so that it rolled the move back. Removed once the statement is in place.
     */
    readonly stranded?: StatementPlace;
  }
  | {
    readonly kind: 'remove';
    readonly place: StatementPlace;
    /**
     * The Create answered that it wrote nothing, but a retried or repeated invocation of it may have: the statement is
     * removed if it is there, and a failure to remove it is logged, not answered (it would strand the rollback).
     */
    readonly unsure?: boolean;
  }
  | { readonly kind: 'nothing' };

/** Where the function runs: it changes repositories of this partition, account and region only. */
export interface FunctionIdentity {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** The partition, region and account of a Lambda function's ARN (`arn:aws:lambda:us-east-1:123456789012:function:f`). */
export function functionIdentity(functionArn: string): FunctionIdentity {
  const [, partition, , region, account] = functionArn.split(':');
  return { partition, region, account };
}

/**
 * The properties the construct writes, with the two CloudFormation passes on itself; anything else in an event was
 * not written by the stack.
 */
const PROPERTIES = ['ServiceToken', 'ServiceTimeout', 'RepositoryName', 'RepositoryArn', 'Principals'];

/**
 * Checks an event against the function's own configuration and says what to do. The event comes from whoever may
 * invoke the function: Create and Update write only repositories and principals the stack declared, with the
 * actions fixed in the handler; Delete removes only the statement of our form that belongs to the resource.
 */
export function readRequest(event: CloudFormationCustomResourceEvent, allowList: AllowList, fn: FunctionIdentity): Request {
  const requestType: string = event.RequestType;
  if (requestType === 'Delete') {
    return readDelete(event as CloudFormationCustomResourceDeleteEvent, fn);
  }
  if (requestType !== 'Create' && requestType !== 'Update') {
    throw new Error(`RequestType ${shown(requestType)} is not Create, Update or Delete; nothing was written.`);
  }
  const properties = event.ResourceProperties as Record<string, unknown>;
  const unknown = Object.keys(properties).filter(key => !PROPERTIES.includes(key));
  if (unknown.length > 0) {
    throw new Error(`Unknown properties ${unknown.join(', ')}: the custom resource takes RepositoryName, RepositoryArn and Principals only.`);
  }
  const { RepositoryName: repositoryName, RepositoryArn: repositoryArn, Principals: principals } = properties;
  if (typeof repositoryName !== 'string' || !REPOSITORY_NAME_PATTERN.test(repositoryName)) {
    throw new Error(`RepositoryName ${shown(repositoryName)} is not an ECR repository name.`);
  }
  const ownArn = `arn:${fn.partition}:ecr:${fn.region}:${fn.account}:repository/${repositoryName}`;
  if (repositoryArn !== ownArn) {
    throw new Error(`RepositoryArn ${shown(repositoryArn)} is not ${ownArn}: the handler changes repositories of its own ` +
      `account (${fn.account}) and region (${fn.region}) only. Import the repository in a stack of its account and region.`);
  }
  const declared = allowList.repositories.filter(([name]) => name === repositoryName);
  if (declared.length === 0) {
    throw new Error(`Repository ${repositoryName} is not one this function's stack declared; nothing was written.`);
  }
  if (!Array.isArray(principals) || principals.length === 0 || !principals.every(p => typeof p === 'string')) {
    throw new Error(`Principals ${shown(principals)} is not a non-empty list of IAM role ARNs.`);
  }
  const rolePattern = new RegExp(`^arn:${fn.partition}:iam::\\d{12}:role/[\\w+=,.@/-]{1,576}$`);
  const allowed = new Set(declared.flatMap(([, indexes]) => indexes.map(index => allowList.principals[index])));
  for (const principal of principals as string[]) {
    if (!rolePattern.test(principal)) {
      throw new Error(`Principal ${shown(principal)} is not an IAM role ARN of partition ${fn.partition}; nothing was written.`);
    }
    if (!allowed.has(principal)) {
      throw new Error(`Principal ${principal} is not one this function's stack declared for repository ${repositoryName}; nothing was written.`);
    }
  }
  const place = { repositoryName, sid: resourceSid(event, fn) };
  return {
    kind: 'put',
    place,
    principals: [...new Set(principals as string[])].sort(),
    stranded: requestType === 'Update' ? strandedPlace(event as CloudFormationCustomResourceUpdateEvent, place) : undefined,
  };
}

/**
 * A Delete removes the statement its physical id names. When CloudFormation made the id up (a Create that never
 * answered) or the Create answered that it wrote nothing, it removes the resource's own statement from the repository
 * of its properties: a Create that timed out, or was retried by Lambda after it had written, may have left one there.
 */
function readDelete(event: CloudFormationCustomResourceDeleteEvent, fn: FunctionIdentity): Request {
  const place = readPlaceId(event.PhysicalResourceId);
  if (place !== undefined && place !== 'nothing-written') {
    return { kind: 'remove', place };
  }
  const name = event.ResourceProperties.RepositoryName;
  if (typeof name !== 'string' || !REPOSITORY_NAME_PATTERN.test(name)) {
    return { kind: 'nothing' }; // A Create refuses such a name before it writes anything.
  }
  if (place === 'nothing-written') {
    const sid = trySid(event, fn);
    return sid === undefined ? { kind: 'nothing' } : { kind: 'remove', place: { repositoryName: name, sid }, unsure: true };
  }
  return { kind: 'remove', place: { repositoryName: name, sid: resourceSid(event, fn) } };
}

/**
 * The place of a statement this resource may have left in the repository of its old properties, when no Delete will
 * name it: CloudFormation's record (the physical id) is in another repository than the old properties only after a move
 * whose answer it never received, which it then rolled back to the repository of the physical id. A completed move
 * answered the new place, whose cleanup Delete removes the old one.
 */
function strandedPlace(event: CloudFormationCustomResourceUpdateEvent, place: StatementPlace): StatementPlace | undefined {
  const oldName = (event.OldResourceProperties as Record<string, unknown>).RepositoryName;
  const recorded = readPlaceId(event.PhysicalResourceId);
  const recordedName = typeof recorded === 'object' ? recorded.repositoryName : undefined;
  if (typeof oldName !== 'string' || !REPOSITORY_NAME_PATTERN.test(oldName) || oldName === place.repositoryName || oldName === recordedName) {
    return undefined;
  }
  return { repositoryName: oldName, sid: place.sid };
}

/** The Sid of the event's resource; its stack must be one of the function's own account and region. */
function resourceSid(event: CloudFormationCustomResourceEvent, fn: FunctionIdentity): string {
  const stackArn = new RegExp(`^arn:${fn.partition}:cloudformation:${fn.region}:${fn.account}:stack/[A-Za-z][A-Za-z0-9-]{0,127}/[\\w-]{1,64}$`);
  if (!stackArn.test(event.StackId) || !/^[A-Za-z0-9]{1,255}$/.test(event.LogicalResourceId)) {
    throw new Error(`StackId ${shown(event.StackId)} or LogicalResourceId ${shown(event.LogicalResourceId)} is not CloudFormation's ` +
      `for a stack of this function's account (${fn.account}) and region (${fn.region}); nothing was written.`);
  }
  return ownedSid(event.StackId, event.LogicalResourceId);
}

/** The Sid of the event's resource, or undefined when its stack is not one of the function's. */
function trySid(event: CloudFormationCustomResourceEvent, fn: FunctionIdentity): string | undefined {
  try {
    return resourceSid(event, fn);
  } catch {
    return undefined; // A Create from such a stack is refused before it writes anything.
  }
}

/** Reads the allow-list from the function's environment; a missing or broken one allows nothing. */
export function readAllowList(text: string | undefined): AllowList {
  try {
    const parsed = JSON.parse(text ?? '');
    if (Array.isArray(parsed.principals) && Array.isArray(parsed.repositories)) {
      return parsed as AllowList;
    }
  } catch {
    // falls through
  }
  return { principals: [], repositories: [] };
}

/** A value from an event, shortened, for a message. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
