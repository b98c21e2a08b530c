import { KNOWN_PARTITIONS } from '../constants/partitions';

/**
 * The parts of IAM's matching the check needs: actions, resource ARNs, principals' ARNs and condition operators,
 * with policy variables. Every answer is true, false, or `Unknown`: the request context does not say (a condition on
 * `aws:SourceVpce`, a variable of a key that is not known), with the keys it depends on.
 */

export interface Unknown {
  /** The condition keys (or other facts, in words) the answer depends on. */
  readonly dependsOn: string[];
}

export type Tri = boolean | Unknown;

export const isUnknown = (value: unknown): value is Unknown => typeof value === 'object' && value !== null && 'dependsOn' in value;

/** Every part must match: false wins over unknown, unknown over true. */
export function allOf(values: Tri[]): Tri {
  if (values.some(value => value === false)) {
    return false;
  }
  const unknown = values.filter(isUnknown);
  return unknown.length === 0 ? true : { dependsOn: unique(unknown.flatMap(u => u.dependsOn)) };
}

/** One part must match: true wins over unknown, unknown over false. */
export function anyOf(values: Tri[]): Tri {
  if (values.some(value => value === true)) {
    return true;
  }
  const unknown = values.filter(isUnknown);
  return unknown.length === 0 ? false : { dependsOn: unique(unknown.flatMap(u => u.dependsOn)) };
}

export function not(value: Tri): Tri {
  return isUnknown(value) ? value : !value;
}

/**
 * What the check knows about the request: condition keys by lower-case name. A key mapped to `undefined` is known to
 * be absent from the request; a key not in the map is unknown.
 */
export type RequestContext = ReadonlyMap<string, string | undefined>;

/** `ecr:BatchGetImage` against `ecr:Batch*`, `*`, `ECR:batchgetimage`: IAM compares actions without case. */
export function actionMatches(pattern: string, action: string): boolean {
  return wildcardRegex(pattern, 'i').test(action);
}

/**
 * Whether a statement's `Resource` (or, `negated`, `NotResource`) element covers `resource`: an ARN, or `*` for an
 * action on no resource, such as `ecr:GetAuthorizationToken`, which only the pattern `*` itself covers. ARNs are
 * compared part by part (partition, service, region, account, then the rest), each with `*` and `?` wildcards. A
 * pattern of fewer than six parts is padded with `*` (`arn:aws:ecr:*`) where IAM accepts it (in a resource policy only
 * when it has a wildcard); such a padded pattern that does not match, or a variable whose key is absent, proves
 * nothing about a `NotResource` either, so the statement does not apply.
 */
export function resourceElementMatches(patterns: string[], negated: boolean, resource: string, context: RequestContext, policyKind: PolicyKind): Tri {
  const results = patterns.map((pattern): Tri => {
    const result = resourcePatternMatches(pattern, resource, context, policyKind);
    if (result === 'inconclusive') {
      return false;
    }
    return negated ? not(result) : result;
  });
  return negated ? allOf(results) : anyOf(results);
}

function resourcePatternMatches(pattern: string, resource: string, context: RequestContext, policyKind: PolicyKind): boolean | Unknown | 'inconclusive' {
  if (pattern === '*') {
    return true;
  }
  // IAM documents variables in the resource part of an ARN; whether the other parts resolve them is not established.
  const outsideResourcePart = [...pattern.matchAll(/\$\{([^}]*)\}/g)]
    .find(variable => pattern.slice(0, variable.index).replace(/\$\{[^}]*\}/g, '').split(':').length <= 5);
  if (outsideResourcePart) {
    return { dependsOn: [`the policy variable ${outsideResourcePart[0]} outside the resource part of ${pattern}`] };
  }
  const resolved = resolveVariables(pattern, context);
  if (resolved === undefined) {
    return 'inconclusive';
  }
  if (isUnknownResolution(resolved)) {
    return resolved;
  }
  const parts = splitSegments(resolved.pattern);
  if (parts.length < 6) {
    if (policyKind === 'resource' && !/[*?]/.test(pattern)) {
      return false;
    }
    while (parts.length < 6) {
      parts.push([{ text: '*', literal: false }]);
    }
    return resource !== '*' && arnPartsMatch(parts, resource) ? true : 'inconclusive';
  }
  return resource !== '*' && arnPartsMatch(parts, resource);
}

/** Identity policies, permissions boundaries and VPC endpoint policies (`identity`), or a resource's own policy. */
export type PolicyKind = 'identity' | 'resource';

/**
 * Compares a role (`arn:<partition>:iam::<account>:role/<path>/<name>`) with a principal of a policy as ECR matches
 * it for a session of that role: `*` directly; the role's ARN (IAM stores a principal as the role it named, so the
 * name decides) as a role match; the account (`<account>` or `arn:...:iam::<account>:root`) at account level.
 * Anything else (another role, a user, a session ARN, an IAM unique id left by a deleted role) does not match.
 */
export type PrincipalMatch = 'direct' | 'role' | 'account' | 'none';

export function principalMatches(principal: string, roleArn: string): PrincipalMatch {
  if (principal === '*') {
    return 'direct';
  }
  const role = parseRoleArn(roleArn);
  if (role === undefined) {
    return 'none';
  }
  if (/^\d{12}$/.test(principal)) {
    return principal === role.account ? 'account' : 'none';
  }
  const arn = /^arn:([^:]+):iam::(\d{12}):(root|role\/(?:.*\/)?([^/]+))$/.exec(principal);
  if (!arn || arn[1] !== role.partition || arn[2] !== role.account) {
    return 'none';
  }
  if (arn[3] === 'root') {
    return 'account';
  }
  return arn[4].toLowerCase() === role.name.toLowerCase() ? 'role' : 'none';
}

export interface RoleArn {
  readonly partition: string;
  readonly account: string;
  /** `/` or `/a/b/`. */
  readonly path: string;
  readonly name: string;
}

/** A role ARN of a partition the library knows: the account, the path and a name of IAM's characters. */
const ROLE_ARN = new RegExp(`^arn:(${KNOWN_PARTITIONS.join('|')}):iam::(\\d{12}):role(\\/(?:[\\x21-\\x7e]+\\/)?)([\\w+=,.@-]{1,64})$`);

export function parseRoleArn(arn: string): RoleArn | undefined {
  const match = ROLE_ARN.exec(arn);
  return match ? { partition: match[1], account: match[2], path: match[3], name: match[4] } : undefined;
}

/** The base operators the check evaluates; others (numeric, date, IP address, binary) are unknown on every key. */
const STRING_OPERATORS: Record<string, { negated: boolean; wildcards: boolean; ignoreCase: boolean; arn: boolean }> = {
  stringequals: { negated: false, wildcards: false, ignoreCase: false, arn: false },
  stringnotequals: { negated: true, wildcards: false, ignoreCase: false, arn: false },
  stringequalsignorecase: { negated: false, wildcards: false, ignoreCase: true, arn: false },
  stringnotequalsignorecase: { negated: true, wildcards: false, ignoreCase: true, arn: false },
  stringlike: { negated: false, wildcards: true, ignoreCase: false, arn: false },
  stringnotlike: { negated: true, wildcards: true, ignoreCase: false, arn: false },
  arnequals: { negated: false, wildcards: true, ignoreCase: false, arn: true },
  arnlike: { negated: false, wildcards: true, ignoreCase: false, arn: true },
  arnnotequals: { negated: true, wildcards: true, ignoreCase: false, arn: true },
  arnnotlike: { negated: true, wildcards: true, ignoreCase: false, arn: true },
};

/**
 * One condition (operator, key, values) against the request context. A key that is absent makes a positive operator
 * false, and a negated operator or an `...IfExists` operator true; `ForAnyValue:` on an absent key is false and
 * `ForAllValues:` true. The keys the check knows are single-valued, so a set operator on a present key compares its
 * one value.
 */
export function conditionMatches(operator: string, key: string, values: string[], context: RequestContext): Tri {
  const lowerKey = key.toLowerCase();
  let base = operator.toLowerCase();
  const set = /^(foranyvalue|forallvalues):/.exec(base)?.[1];
  if (set) {
    base = base.slice(set.length + 1);
  }
  const ifExists = base.endsWith('ifexists');
  if (ifExists) {
    base = base.slice(0, -'ifexists'.length);
  }
  if (!context.has(lowerKey)) {
    return { dependsOn: [key] };
  }
  const value = context.get(lowerKey);
  if (base === 'null' && !set) {
    return values.some(v => v.toLowerCase() === (value === undefined ? 'true' : 'false'));
  }
  const string = STRING_OPERATORS[base];
  const known = string !== undefined || base === 'bool';
  if (!known) {
    return { dependsOn: [key] };
  }
  if (value === undefined) {
    if (set === 'forallvalues') {
      return true;
    }
    if (set === 'foranyvalue') {
      return false;
    }
    return ifExists || (string?.negated ?? false);
  }
  if (base === 'bool') {
    return values.some(v => v.toLowerCase() === value.toLowerCase());
  }
  const matches: Tri[] = values.map(v => {
    const resolved = resolveVariables(v, context);
    if (resolved === undefined) {
      return false;
    }
    if (isUnknownResolution(resolved)) {
      return { dependsOn: resolved.dependsOn };
    }
    if (string.arn) {
      return arnPatternMatches(resolved.pattern, value) ?? { dependsOn: [`${operator} on ${key}, with a value that is not an ARN`] };
    }
    const regex = patternRegex(resolved.pattern, string.wildcards, string.ignoreCase ? 'i' : '');
    return regex.test(value);
  });
  const any = anyOf(matches);
  return string.negated ? not(any) : any;
}

/** Undefined when the pattern or the value is not an ARN (six parts): IAM's answer to that is not documented. */
function arnPatternMatches(pattern: Segment[], value: string): boolean | undefined {
  const parts = splitSegments(pattern);
  if (parts.length !== 6 || value.split(':').length < 6) {
    return undefined;
  }
  return arnPartsMatch(parts, value);
}

/** Compares an ARN with a pattern of six parts (partition, service, region, account, then the rest). */
function arnPartsMatch(parts: Segment[][], arn: string): boolean {
  const target = arn.split(':');
  if (target.length < 6) {
    return false;
  }
  const targetParts = [...target.slice(0, 5), target.slice(5).join(':')];
  return parts.every((part, i) => patternRegex(part, true, '').test(targetParts[i]));
}

/** A piece of a resolved pattern: text from the policy (with wildcards) or a literal from a variable. */
interface Segment {
  readonly text: string;
  readonly literal: boolean;
}

interface Resolved {
  readonly pattern: Segment[];
}

type Resolution = Resolved | Unknown | undefined;

const isUnknownResolution = (value: Resolved | Unknown): value is Unknown => 'dependsOn' in value;

/**
 * Replaces policy variables (`${aws:PrincipalAccount}`, and `${*}`, `${?}`, `${$}` for the literal characters) with
 * their values. Undefined when a variable's key is absent from the request (the value then matches nothing); unknown
 * when the key is unknown.
 */
function resolveVariables(text: string, context: RequestContext): Resolution {
  const pattern: Segment[] = [];
  const unknown: string[] = [];
  let absent = false;
  let rest = text;
  for (let match = /\$\{([^}]*)\}/.exec(rest); match; match = /\$\{([^}]*)\}/.exec(rest)) {
    pattern.push({ text: rest.slice(0, match.index), literal: false });
    const name = match[1].split(',')[0].trim();
    if (name === '*' || name === '?' || name === '$') {
      pattern.push({ text: name, literal: true });
    } else if (!context.has(name.toLowerCase())) {
      unknown.push(name);
    } else {
      const value = context.get(name.toLowerCase());
      if (value === undefined) {
        absent = true;
      } else {
        pattern.push({ text: value, literal: true });
      }
    }
    rest = rest.slice(match.index + match[0].length);
  }
  pattern.push({ text: rest, literal: false });
  if (unknown.length > 0) {
    return { dependsOn: unknown };
  }
  return absent ? undefined : { pattern };
}

function patternRegex(pattern: Segment[], wildcards: boolean, flags: string): RegExp {
  const source = pattern.map(segment => segment.literal || !wildcards
    ? escapeRegex(segment.text)
    : segment.text.split('').map(c => c === '*' ? '.*' : c === '?' ? '.' : escapeRegex(c)).join('')).join('');
  return new RegExp(`^${source}$`, flags);
}

/** Splits a resolved pattern at the first five colons of its policy text (a variable's value never splits it). */
function splitSegments(pattern: Segment[]): Segment[][] {
  const parts: Segment[][] = [[]];
  for (const segment of pattern) {
    if (segment.literal) {
      parts[parts.length - 1].push(segment);
      continue;
    }
    const pieces = segment.text.split(':');
    pieces.forEach((piece, i) => {
      if (i > 0) {
        if (parts.length < 6) {
          parts.push([]);
        } else {
          parts[parts.length - 1].push({ text: ':', literal: true });
        }
      }
      parts[parts.length - 1].push({ text: piece, literal: false });
    });
  }
  return parts;
}

function wildcardRegex(pattern: string, flags: string): RegExp {
  return patternRegex([{ text: pattern, literal: false }], true, flags);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
