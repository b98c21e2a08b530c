// eslint-disable-next-line import/no-extraneous-dependencies
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { AllowList, REPOSITORY_NAME_PATTERN } from './contract';
import { ownedSid, readPlaceId, StatementPlace } from './ownership';

/** What one event asks for, once checked against what the stack declared. */
export type Request =
  | { readonly kind: 'put'; readonly place: StatementPlace; readonly principals: string[] }
  | { readonly kind: 'remove'; readonly place: StatementPlace }
  | { readonly kind: 'nothing' };

/**
 * The properties the construct writes, with the two CloudFormation passes on itself; anything else in an event was
 * not written by the stack.
 */
const PROPERTIES = ['ServiceToken', 'ServiceTimeout', 'RepositoryName', 'Principals'];

/**
 * Checks an event against the function's own configuration and says what to do. The event comes from whoever may
 * invoke the function: Create and Update write only repositories and principals the stack declared, with the
 * actions fixed in the handler; Delete removes only the statement of our form that its physical id names.
 */
export function readRequest(event: CloudFormationCustomResourceEvent, allowList: AllowList, partition: string): Request {
  if (event.RequestType === 'Delete') {
    const place = readPlaceId(event.PhysicalResourceId);
    return place ? { kind: 'remove', place } : { kind: 'nothing' };
  }
  const properties = event.ResourceProperties as Record<string, unknown>;
  const unknown = Object.keys(properties).filter(key => !PROPERTIES.includes(key));
  if (unknown.length > 0) {
    throw new Error(`Unknown properties ${unknown.join(', ')}: the custom resource takes RepositoryName and Principals only.`);
  }
  const { RepositoryName: repositoryName, Principals: principals } = properties;
  if (typeof repositoryName !== 'string' || !REPOSITORY_NAME_PATTERN.test(repositoryName)) {
    throw new Error(`RepositoryName ${shown(repositoryName)} is not an ECR repository name.`);
  }
  const declared = allowList.repositories.find(([name]) => name === repositoryName);
  if (!declared) {
    throw new Error(`Repository ${repositoryName} is not one this function's stack declared; nothing was written.`);
  }
  if (!Array.isArray(principals) || principals.length === 0 || !principals.every(p => typeof p === 'string')) {
    throw new Error(`Principals ${shown(principals)} is not a non-empty list of IAM role ARNs.`);
  }
  const rolePattern = new RegExp(`^arn:${partition}:iam::\\d{12}:role/[\\w+=,.@/-]{1,576}$`);
  const allowed = new Set(declared[1].map(index => allowList.principals[index]));
  for (const principal of principals as string[]) {
    if (!rolePattern.test(principal)) {
      throw new Error(`Principal ${shown(principal)} is not an IAM role ARN of partition ${partition}; nothing was written.`);
    }
    if (!allowed.has(principal)) {
      throw new Error(`Principal ${principal} is not one this function's stack declared for repository ${repositoryName}; nothing was written.`);
    }
  }
  if (!/^arn:[\w-]+:cloudformation:[\w-]+:\d{12}:stack\/[\w-]+\/[\w-]+$/.test(event.StackId) || !/^[A-Za-z0-9]{1,255}$/.test(event.LogicalResourceId)) {
    throw new Error(`StackId ${shown(event.StackId)} or LogicalResourceId ${shown(event.LogicalResourceId)} is not CloudFormation's.`);
  }
  return {
    kind: 'put',
    place: { repositoryName, sid: ownedSid(event.StackId, event.LogicalResourceId) },
    principals: [...new Set(principals as string[])].sort(),
  };
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
