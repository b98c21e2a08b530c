import { actionMatches, allOf, conditionMatches, isUnknown, PolicyKind, principalMatches, PrincipalMatch, RequestContext, resourceElementMatches, Tri, Unknown } from './matching';
import { Policy, Principals, Statement } from './policy';

/**
 * The local evaluation: what IAM and ECR decide for one call of a role's session on a repository (or on `*`), from the
 * documents the check read. Explicit Deny first; identity policies within the permissions boundary; in the same
 * account the identity policies or the repository policy (for the role, or `*`) allow, in another account both must
 * (the repository policy may name the account instead of the role). SCPs are not part of it: only AWS's policy
 * simulator sees them. A statement whose conditions the check cannot decide makes the answer depend on them.
 */

/** Why a piece allows or denies: a statement of a document, or a fact from the policy simulator. */
export interface Reason {
  readonly text: string;
  readonly statement?: Statement;
}

/** A statement (or simulator fact) that applies whatever the request, or only under conditions the check does not know. */
export interface Conditional {
  readonly reason: Reason;
  readonly dependsOn: string[];
}

/** The statements of one kind that apply: some for certain, some depending on the request. */
export interface Grants {
  readonly certain: Reason[];
  readonly conditional: Conditional[];
}

export const NO_GRANTS: Grants = Object.freeze({ certain: [], conditional: [] });

export interface IdentityFacts {
  readonly allow: Grants;
  readonly deny: Grants;
}

/** A resource policy's statements by how their principal matches the role's session (`none` is left out). */
export interface ResourceFacts {
  readonly deny: Grants;
  readonly allowDirect: Grants;
  readonly allowRole: Grants;
  readonly allowAccount: Grants;
}

export interface ActionFacts {
  readonly action: string;
  /** The repository's ARN, or `*` for `ecr:GetAuthorizationToken`. */
  readonly resource: string;
  readonly sameAccount: boolean;
  readonly identity: IdentityFacts;
  /** Undefined when the role has no permissions boundary. */
  readonly boundary?: IdentityFacts;
  /** What the organization's SCPs allow; undefined when the check could not see them (no simulator). */
  readonly scp?: Grants;
  /** The repository policy's statements; undefined for an action that no repository policy governs. */
  readonly repository?: ResourceFacts;
}

export type Decision = 'allowed' | 'explicitDeny' | 'implicitDeny';

export interface Verdict {
  /** Decided, or unknown with the conditions (keys, facts) it depends on. */
  readonly decision: Decision | Unknown;
}

/** The request a node makes: a session of `roleArn` calling `action` on `resource`. */
export interface CallRequest {
  readonly roleArn: string;
  readonly action: string;
  readonly resource: string;
  readonly context: RequestContext;
}

/**
 * Evaluates identity-kind policies: identity policies, a permissions boundary, or (`withPrincipal`) a VPC endpoint
 * policy, whose statements also name principals (any match, even the account's, lets the statement apply).
 */
export function identityFacts(policies: Policy[], request: CallRequest, kind: PolicyKind = 'identity', withPrincipal = false): IdentityFacts {
  const allow: Array<[Statement, Tri]> = [];
  const deny: Array<[Statement, Tri]> = [];
  for (const statement of policies.flatMap(policy => policy.statements)) {
    const principal: Tri = !withPrincipal || (statement.principals === undefined && statement.notPrincipals === undefined)
      || principalOf(statement, request.roleArn) !== 'none';
    const applies = allOf([principal, statementApplies(statement, request, kind)]);
    (statement.effect === 'Deny' ? deny : allow).push([statement, applies]);
  }
  return { allow: grants(allow), deny: grants(deny) };
}

/** Evaluates a repository's policy (or another resource policy: a registry policy, a creation template's). */
export function resourceFacts(policy: Policy, request: CallRequest, roleHasBoundary: boolean): ResourceFacts {
  const buckets: Record<'deny' | Exclude<PrincipalMatch, 'none'>, Array<[Statement, Tri]>> = { deny: [], direct: [], role: [], account: [] };
  for (const statement of policy.statements) {
    let principal = principalOf(statement, request.roleArn);
    // IAM: a Deny with NotPrincipal applies to every principal that has a permissions boundary.
    if (roleHasBoundary && statement.effect === 'Deny' && statement.notPrincipals !== undefined) {
      principal = 'direct';
    }
    if (principal === 'none') {
      continue;
    }
    const applies = statementApplies(statement, request, 'resource');
    buckets[statement.effect === 'Deny' ? 'deny' : principal].push([statement, applies]);
  }
  return { deny: grants(buckets.deny), allowDirect: grants(buckets.direct), allowRole: grants(buckets.role), allowAccount: grants(buckets.account) };
}

/** How a statement's Principal (or NotPrincipal) matches the role's session. */
export function principalOf(statement: Statement, roleArn: string): PrincipalMatch {
  if (statement.principals !== undefined) {
    return bestMatch(principalValues(statement.principals).map(p => principalMatches(p, roleArn)));
  }
  if (statement.notPrincipals !== undefined) {
    return principalValues(statement.notPrincipals).some(p => principalMatches(p, roleArn) !== 'none') ? 'none' : 'direct';
  }
  return 'none';
}

/** AWS principals of a Principal element; `*` alone stands for every principal. Other types never name a role session. */
function principalValues(principals: Principals): string[] {
  if (principals === '*') {
    return ['*'];
  }
  return Object.entries(principals).filter(([type]) => type === 'AWS').flatMap(([, values]) => values);
}

function bestMatch(matches: PrincipalMatch[]): PrincipalMatch {
  for (const kind of ['direct', 'role', 'account'] as const) {
    if (matches.includes(kind)) {
      return kind;
    }
  }
  return 'none';
}

/** Action, resource and conditions of one statement (its principal aside). */
export function statementApplies(statement: Statement, request: CallRequest, kind: PolicyKind): Tri {
  const action = statement.actions !== undefined
    ? statement.actions.some(pattern => actionMatches(pattern, request.action))
    : statement.notActions !== undefined ? !statement.notActions.some(pattern => actionMatches(pattern, request.action)) : false;
  if (!action) {
    return false;
  }
  const resource: Tri = statement.resources !== undefined
    ? resourceElementMatches(statement.resources, false, request.resource, request.context, kind)
    : statement.notResources !== undefined
      ? resourceElementMatches(statement.notResources, true, request.resource, request.context, kind)
      : kind === 'resource';
  if (resource === false) {
    return false;
  }
  const conditions = Object.entries(statement.conditions).flatMap(([operator, block]) =>
    Object.entries(block).map(([key, values]) => conditionMatches(operator, key, values, request.context)));
  return allOf([resource, ...conditions]);
}

function grants(matches: Array<[Statement, Tri]>): Grants {
  const certain: Reason[] = [];
  const conditional: Conditional[] = [];
  for (const [statement, applies] of matches) {
    if (applies === true) {
      certain.push({ text: statement.policy, statement });
    } else if (isUnknown(applies)) {
      conditional.push({ reason: { text: statement.policy, statement }, dependsOn: applies.dependsOn });
    }
  }
  return { certain, conditional };
}

/**
 * The decision for one action, with every combination of the statements that depend on the request: decided when all
 * combinations agree, else unknown, depending on the keys of the statements whose value changes the outcome.
 */
export function decide(facts: ActionFacts): Verdict {
  const variables = unique([
    ...conditionals(facts.identity), ...(facts.boundary ? conditionals(facts.boundary) : []),
    ...(facts.scp?.conditional ?? []),
    ...(facts.repository ? resourceGrants(facts.repository).flatMap(g => g.conditional) : []),
  ]);
  if (variables.length > MAX_VARIABLES) {
    return { decision: { dependsOn: unique(variables.flatMap(v => v.dependsOn)) } };
  }
  const outcome = (assignment: ReadonlySet<Conditional>) => decideWith(facts, c => assignment.has(c));
  const outcomes = new Set<Decision>();
  const relevant = new Set<Conditional>();
  for (let n = 0; n < 2 ** variables.length; n++) {
    const holds = (i: number) => Math.floor(n / 2 ** i) % 2 === 1;
    const assignment = new Set(variables.filter((_, i) => holds(i)));
    const result = outcome(assignment);
    outcomes.add(result);
    variables.forEach((variable, i) => {
      if (!holds(i)) {
        const flipped = new Set(assignment).add(variable);
        if (outcome(flipped) !== result) {
          relevant.add(variable);
        }
      }
    });
  }
  if (outcomes.size === 1) {
    return { decision: [...outcomes][0] };
  }
  return { decision: { dependsOn: unique([...relevant].flatMap(v => v.dependsOn)) } };
}

/** More statements with undecided conditions than this (2^n combinations) count as unknown as a whole. */
const MAX_VARIABLES = 12;

function decideWith(facts: ActionFacts, holds: (c: Conditional) => boolean): Decision {
  const any = (g: Grants) => g.certain.length > 0 || g.conditional.some(holds);
  const identityAllows = any(facts.identity.allow);
  const boundaryAllows = facts.boundary === undefined || any(facts.boundary.allow);
  const repository = facts.repository;
  if (any(facts.identity.deny) || (facts.boundary !== undefined && any(facts.boundary.deny)) || (repository !== undefined && any(repository.deny))) {
    return 'explicitDeny';
  }
  if (facts.scp !== undefined && !any(facts.scp)) {
    return 'implicitDeny';
  }
  const direct = repository !== undefined && any(repository.allowDirect);
  const role = repository !== undefined && any(repository.allowRole);
  const account = repository !== undefined && any(repository.allowAccount);
  let core: boolean;
  if (repository === undefined) {
    core = identityAllows;
  } else if (facts.sameAccount) {
    core = direct || role || identityAllows;
  } else {
    core = (direct || role || account) && identityAllows;
  }
  if (!core) {
    return 'implicitDeny';
  }
  // A permissions boundary limits what the identity policies and a statement naming the role grant; in the same
  // account a statement that matches the session itself (principal `*`) is not limited by it.
  if (!boundaryAllows && !(facts.sameAccount && direct)) {
    return 'implicitDeny';
  }
  return 'allowed';
}

function resourceGrants(facts: ResourceFacts): Grants[] {
  return [facts.deny, facts.allowDirect, facts.allowRole, facts.allowAccount];
}

function conditionals(facts: IdentityFacts): Conditional[] {
  return [...facts.allow.conditional, ...facts.deny.conditional];
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** The role's documents as IAM returned them. */
export interface RoleDocuments {
  /** Inline and attached managed policies (their default versions). */
  readonly identity: Policy[];
  readonly boundary?: Policy;
}

/**
 * The facts of one call from the documents alone. `repositoryPolicy` is the repository's policy (an empty policy when it
 * has none) for a call on the repository, and undefined for `ecr:GetAuthorizationToken`, which no repository policy
 * governs.
 */
export function localFacts(role: RoleDocuments, repositoryPolicy: Policy | undefined, request: CallRequest, sameAccount: boolean): ActionFacts {
  return {
    action: request.action,
    resource: request.resource,
    sameAccount,
    identity: identityFacts(role.identity, request),
    boundary: role.boundary ? identityFacts([role.boundary], request) : undefined,
    repository: repositoryPolicy ? resourceFacts(repositoryPolicy, request, role.boundary !== undefined) : undefined,
  };
}
