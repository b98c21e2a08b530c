import { ContextEntry, EvaluationResult, IAMClient, SimulatePrincipalPolicyCommand, Statement as MatchedStatement } from '@aws-sdk/client-iam';
import { describeError, rethrowCredentialError } from './aws-errors';
import { Conditional, Grants, IdentityFacts, NO_GRANTS, Reason } from './evaluation';
import { CallSite } from './request-context';

/**
 * AWS's policy simulator (iam:SimulatePrincipalPolicy) for the role's own side of each call: its identity policies, its
 * permissions boundary and the SCPs of its organization, as IAM holds them. It cannot take the repository policy: for
 * a role, a ResourcePolicy needs a CallerArn, and a CallerArn can only be an IAM user (IAM API reference), so the
 * repository side is always evaluated locally.
 */
export interface SimulatedSide {
  readonly identity: IdentityFacts;
  /** Undefined when the role has no permissions boundary. */
  readonly boundary?: IdentityFacts;
  readonly scp: Grants;
  /** What the simulator said about SCPs: `none` when it reported no organization. */
  readonly scpStatus: 'allowed' | 'denied' | 'none';
  /** Context keys the policies use that the simulator had no value for. */
  readonly missingContext: string[];
}

export type SimulationOutcome = { readonly sides: ReadonlyMap<string, SimulatedSide> } | { readonly failed: string };

export interface SimulationGroup {
  readonly actions: string[];
  /** The repository's ARN, or `*`. */
  readonly resource: string;
  readonly site: CallSite;
}

const SIMULATOR = 'the AWS policy simulator';

/**
 * One call per group (calls on `*` and calls on the repository). The first failure (access denied, an endpoint
 * without the simulator, throttling after the SDK's retries) stops: the caller evaluates the documents instead.
 */
export async function simulate(iam: IAMClient, roleArn: string, boundaryName: string | undefined, groups: SimulationGroup[])
  : Promise<SimulationOutcome> {
  const sides = new Map<string, SimulatedSide>();
  for (const group of groups) {
    let results: EvaluationResult[];
    try {
      results = await simulateGroup(iam, roleArn, group);
    } catch (e) {
      rethrowCredentialError(e, 'the node account');
      return { failed: `iam:SimulatePrincipalPolicy could not be called (${describeError(e)})` };
    }
    for (const action of group.actions) {
      const result = results.find(r => r.EvalActionName?.toLowerCase() === action.toLowerCase());
      if (!result) {
        return { failed: `iam:SimulatePrincipalPolicy returned no result for ${action}` };
      }
      sides.set(action, sideOf(result, boundaryName));
    }
  }
  return { sides };
}

async function simulateGroup(iam: IAMClient, roleArn: string, group: SimulationGroup): Promise<EvaluationResult[]> {
  const results: EvaluationResult[] = [];
  let marker: string | undefined;
  let pages = 0;
  do {
    const page = await iam.send(new SimulatePrincipalPolicyCommand({
      PolicySourceArn: roleArn,
      ActionNames: group.actions,
      ResourceArns: group.resource === '*' ? undefined : [group.resource],
      ContextEntries: contextEntries(group.site),
      Marker: marker,
    }));
    results.push(...page.EvaluationResults ?? []);
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker && ++pages < 10);
  return results;
}

/** The keys whose values the check knows, so that the simulator decides conditions on them as IAM would. */
function contextEntries(site: CallSite): ContextEntry[] {
  const entries: Array<[string, string, 'string' | 'boolean']> = [
    ['aws:PrincipalArn', site.roleArn, 'string'],
    ['aws:PrincipalAccount', site.nodeAccount, 'string'],
    ['aws:PrincipalType', 'AssumedRole', 'string'],
    ['aws:PrincipalIsAWSService', 'false', 'boolean'],
    ['aws:RequestedRegion', site.region, 'string'],
    ['aws:SecureTransport', 'true', 'boolean'],
  ];
  if (site.registryAccount !== undefined) {
    entries.push(['aws:ResourceAccount', site.registryAccount, 'string']);
  }
  if (typeof site.organizationId === 'string') {
    entries.push(['aws:PrincipalOrgID', site.organizationId, 'string']);
  }
  return entries.map(([name, value, type]) => ({ ContextKeyName: name, ContextKeyValues: [value], ContextKeyType: type }));
}

/** Turns one EvaluationResult into the facts of the role's side, naming the piece that blocks. */
export function sideOf(result: EvaluationResult, boundaryName: string | undefined): SimulatedSide {
  const matched = [...result.MatchedStatements ?? [], ...(result.ResourceSpecificResults ?? []).flatMap(r => r.MatchedStatements ?? [])];
  const perResource = result.ResourceSpecificResults ?? [];
  const missingContext = [...new Set([...result.MissingContextValues ?? [], ...perResource.flatMap(r => r.MissingContextValues ?? [])])];
  const boundaryAllowed = result.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary;
  const organizationsAllowed = result.OrganizationsDecisionDetail?.AllowedByOrganizations;
  const decision = identityDecision(result);
  const isBoundary = (m: MatchedStatement) => boundaryName !== undefined && m.SourcePolicyId === boundaryName;
  const identityStatements = matched.filter(m => !isBoundary(m)).map(reasonOf);
  const boundaryStatements = matched.filter(isBoundary).map(reasonOf);

  const scpStatus = organizationsAllowed === undefined ? 'none' : organizationsAllowed ? 'allowed' : 'denied';
  const scp: Grants = organizationsAllowed === false ? NO_GRANTS
    : { certain: [{ text: organizationsAllowed ? `the SCPs of the organization (${SIMULATOR})` : `no SCP (${SIMULATOR} reported no organization)` }], conditional: [] };

  const hasBoundary = boundaryName !== undefined || result.PermissionsBoundaryDecisionDetail !== undefined;
  const boundary: IdentityFacts | undefined = !hasBoundary ? undefined : {
    allow: boundaryAllowed === false ? NO_GRANTS : { certain: [{ text: `the permissions boundary${boundaryName ? ` ${boundaryName}` : ''} (${SIMULATOR})` }], conditional: [] },
    deny: boundaryAllowed === false && decision === 'explicitDeny' ? { certain: boundaryStatements, conditional: [] } : NO_GRANTS,
  };

  let identity: IdentityFacts;
  const blockedFirst = boundaryAllowed === false || organizationsAllowed === false;
  if (decision === 'allowed') {
    identity = { allow: { certain: identityStatements.length > 0 ? identityStatements : [{ text: `the identity policies (${SIMULATOR})` }], conditional: [] }, deny: NO_GRANTS };
  } else if (decision === 'explicitDeny' && identityStatements.length > 0) {
    identity = { allow: NO_GRANTS, deny: { certain: identityStatements, conditional: [] } };
  } else if (!blockedFirst) {
    identity = { allow: NO_GRANTS, deny: NO_GRANTS };
  } else {
    identity = { allow: { certain: [], conditional: [opaque()] }, deny: NO_GRANTS };
  }
  if (missingContext.length > 0) {
    const conditional: Conditional = { reason: { text: `${SIMULATOR}, which had no value for ${missingContext.join(', ')}` }, dependsOn: missingContext };
    identity = {
      allow: { certain: [], conditional: [conditional] },
      deny: { certain: [], conditional: [{ ...conditional }] },
    };
  }
  return { identity, boundary, scp, scpStatus, missingContext };
}

/**
 * The decision of the role's side. The call names no resource policy; should the simulator still treat a repository of
 * another account as a cross-account request and deny for want of one, its EvalDecisionDetails (one entry per policy
 * type, for cross-account simulations) hold the identity side's own decision: the entries that are not a resource
 * policy's.
 */
function identityDecision(result: EvaluationResult): string | undefined {
  const details = Object.entries(result.EvalDecisionDetails ?? {}).filter(([type]) => !/resource/i.test(type)).map(([, value]) => value);
  if (result.EvalDecision === 'allowed' || details.length === 0) {
    return result.EvalDecision;
  }
  return details.includes('explicitDeny') ? 'explicitDeny' : details.every(value => value === 'allowed') ? 'allowed' : 'implicitDeny';
}

/** The identity policies' own answer, which the simulator does not give when the boundary or an SCP decides first. */
export const OPAQUE_IDENTITY = 'the identity policies on their own (the simulator stops at the permissions boundary or an SCP)';

function opaque(): Conditional {
  return { reason: { text: OPAQUE_IDENTITY }, dependsOn: [OPAQUE_IDENTITY] };
}

function reasonOf(m: MatchedStatement): Reason {
  const type = m.SourcePolicyType && m.SourcePolicyType !== 'none' ? ` (${m.SourcePolicyType} policy)` : '';
  const line = m.StartPosition?.Line !== undefined ? `, line ${m.StartPosition.Line}` : '';
  return { text: `${m.SourcePolicyId ?? 'a policy'}${type}${line}` };
}
