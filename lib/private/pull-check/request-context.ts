import { RequestContext } from './matching';

/** What the check knows about a node's call to ECR. */
export interface CallSite {
  readonly roleArn: string;
  readonly nodeAccount: string;
  /** The repository's account; undefined for a call on no repository (`ecr:GetAuthorizationToken`). */
  readonly registryAccount?: string;
  readonly region: string;
  /**
   * The node account's organization: its id, `null` when the account is in none, undefined when the check did not
   * read it (then `aws:PrincipalOrgID` is unknown).
   */
  readonly organizationId?: string | null;
}

/**
 * The condition keys whose value for a node's call the check knows (lower-case names). Every other key (the VPC
 * endpoint, the source IP, the instance's and the role's tags, the session name, the time) is unknown, and a
 * statement that depends on one is shown as "depends on ...".
 */
export function requestContext(site: CallSite): RequestContext {
  const context = new Map<string, string | undefined>([
    ['aws:principalarn', site.roleArn],
    ['aws:principalaccount', site.nodeAccount],
    ['aws:principaltype', 'AssumedRole'],
    ['aws:principalisawsservice', 'false'],
    ['aws:requestedregion', site.region],
    ['aws:securetransport', 'true'],
  ]);
  if (site.registryAccount !== undefined) {
    context.set('aws:resourceaccount', site.registryAccount);
  }
  if (site.organizationId !== undefined) {
    context.set('aws:principalorgid', site.organizationId ?? undefined);
  }
  return context;
}
