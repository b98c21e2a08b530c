/**
 * IAM policy documents as the check reads them from IAM, ECR and EC2, normalized: every element that may be a string
 * or a list is a list, and each statement knows where it came from (policy name and position) so that a message can
 * name it.
 */

export type Effect = 'Allow' | 'Deny';

/** Principals of a `Principal` or `NotPrincipal` element: `*`, or values by type (`AWS`, `Service`, ...). */
export type Principals = '*' | Record<string, string[]>;

export interface Statement {
  /** The policy this statement belongs to, as messages name it (`inline policy x`, `AmazonEC2ContainerRegistryReadOnly`). */
  readonly policy: string;
  /** Position in the policy's statement list, from 0. */
  readonly index: number;
  readonly sid?: string;
  readonly effect: Effect;
  readonly actions?: string[];
  readonly notActions?: string[];
  readonly resources?: string[];
  readonly notResources?: string[];
  readonly principals?: Principals;
  readonly notPrincipals?: Principals;
  /** Operator → condition key → values, as written (keys keep their case; IAM compares them without it). */
  readonly conditions: Record<string, Record<string, string[]>>;
  /** The statement as it was written, for messages. */
  readonly text: unknown;
}

export interface Policy {
  readonly name: string;
  readonly statements: Statement[];
}

/** A policy text that is not a policy document: the message names the policy. */
export class PolicyTextError extends Error {}

/**
 * Parses a policy document. IAM returns documents URL-encoded (`GetRolePolicy`, `GetPolicyVersion`, `GetRole`'s trust
 * policy); ECR and EC2 return plain JSON. Both are accepted.
 */
export function parsePolicy(name: string, document: string | object): Policy {
  let parsed: unknown = document;
  if (typeof document === 'string') {
    const text = document.trimStart().startsWith('%') ? safeDecode(name, document) : document;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new PolicyTextError(`${name} is not JSON: ${(e as Error).message}`);
    }
  }
  if (!isObject(parsed)) {
    throw new PolicyTextError(`${name} is not a policy document (a JSON object with a Statement)`);
  }
  const statements = parsed.Statement === undefined ? [] : Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  return { name, statements: statements.map((statement, index) => parseStatement(name, index, statement)) };
}

function parseStatement(policy: string, index: number, raw: unknown): Statement {
  const where = `${policy}, statement ${index + 1}`;
  if (!isObject(raw)) {
    throw new PolicyTextError(`${where} is not an object`);
  }
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') {
    throw new PolicyTextError(`${where} has Effect ${JSON.stringify(raw.Effect)}, not Allow or Deny`);
  }
  const conditions: Record<string, Record<string, string[]>> = {};
  if (raw.Condition !== undefined) {
    if (!isObject(raw.Condition)) {
      throw new PolicyTextError(`${where} has a Condition that is not an object`);
    }
    for (const [operator, block] of Object.entries(raw.Condition)) {
      if (!isObject(block)) {
        throw new PolicyTextError(`${where}: condition ${operator} is not an object`);
      }
      conditions[operator] = Object.fromEntries(Object.entries(block).map(([key, values]) => [key, strings(`${where}: condition ${operator} ${key}`, values)]));
    }
  }
  return {
    policy,
    index,
    sid: typeof raw.Sid === 'string' && raw.Sid !== '' ? raw.Sid : undefined,
    effect: raw.Effect,
    actions: optionalStrings(where, 'Action', raw.Action),
    notActions: optionalStrings(where, 'NotAction', raw.NotAction),
    resources: optionalStrings(where, 'Resource', raw.Resource),
    notResources: optionalStrings(where, 'NotResource', raw.NotResource),
    principals: principals(where, 'Principal', raw.Principal),
    notPrincipals: principals(where, 'NotPrincipal', raw.NotPrincipal),
    conditions,
    text: raw,
  };
}

/** How a message names a statement: its Sid, or its position. */
export function describeStatement(statement: Statement): string {
  return statement.sid !== undefined
    ? `statement "${statement.sid}" of ${statement.policy}`
    : `statement ${statement.index + 1} of ${statement.policy}`;
}

function principals(where: string, element: string, value: unknown): Principals | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (value === '*') {
    return '*';
  }
  if (!isObject(value)) {
    throw new PolicyTextError(`${where}: ${element} is neither "*" nor an object`);
  }
  return Object.fromEntries(Object.entries(value).map(([type, values]) => [type, strings(`${where}: ${element} ${type}`, values)]));
}

function optionalStrings(where: string, element: string, value: unknown): string[] | undefined {
  return value === undefined ? undefined : strings(`${where}: ${element}`, value);
}

function strings(where: string, value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map(item => {
    if (typeof item === 'string') {
      return item;
    }
    if (typeof item === 'number' || typeof item === 'boolean') {
      return String(item);
    }
    throw new PolicyTextError(`${where} has ${JSON.stringify(item)}, not a string`);
  });
}

function safeDecode(name: string, text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new PolicyTextError(`${name} is neither JSON nor URL-encoded JSON`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
