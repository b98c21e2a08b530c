import * as iam from 'aws-cdk-lib/aws-iam';
import { Stack } from 'aws-cdk-lib/core';
import { repositoriesUnder } from './prefix';
import { ECR_PULL_ACTIONS } from '../constants/pull-actions';
import { ORGANIZATION_SID_PREFIX, PULL_STATEMENT_SID, PULL_THROUGH_CACHE_SID_PREFIX } from '../constants/sids';
import { OrganizationGrant, organizationStatement } from '../grants/organization-statement';
import { fingerprint } from '../naming/fingerprint';
import { sortByRendering } from '../rendering/rendered-arns';

/** Whose node roles may pull from the repositories ECR creates: a list of role ARNs, or an organization-wide grant. */
export interface CreatedRepositoryGrantee {
  readonly roleArns?: readonly string[];
  readonly organization?: OrganizationGrant;
}

/** Pulling an image that a pull-through cache repository does not hold yet imports it from upstream. */
export const IMPORT_UPSTREAM_ACTION = 'ecr:BatchImportUpstreamImage';
/** The first pull under a pull-through cache prefix creates the repository. */
export const CREATE_REPOSITORY_ACTION = 'ecr:CreateRepository';

/**
 * The statement of the repository policy a creation template gives each repository ECR creates: the library's pull
 * statement (the role ARNs, or the organization-wide shape), plus `ecr:BatchImportUpstreamImage` when the repository
 * may be a pull-through cache one (that action can be granted in a repository policy; ECR ignores it elsewhere).
 */
export function createdRepositoryStatement(stack: Stack, grantee: CreatedRepositoryGrantee, pullThroughCache: boolean): iam.PolicyStatement {
  const actions = pullThroughCache ? [...ECR_PULL_ACTIONS, IMPORT_UPSTREAM_ACTION].sort() : [...ECR_PULL_ACTIONS];
  if (grantee.organization) {
    return organizationStatement(stack, grantee.organization, { sidPrefix: ORGANIZATION_SID_PREFIX, actions });
  }
  return new iam.PolicyStatement({
    sid: PULL_STATEMENT_SID,
    actions,
    principals: sortByRendering(stack, [...grantee.roleArns!]).map(arn => new iam.ArnPrincipal(arn)),
  });
}

/**
 * The registry-policy statement that lets the node roles create the repositories of a pull-through cache prefix and
 * import images into them: `ecr:CreateRepository` cannot be granted by a repository policy (the repository does not
 * exist yet), only by the registry policy or, in the registry's own account, an identity policy.
 */
export function registryPolicyStatement(stack: Stack, grantee: CreatedRepositoryGrantee, prefix: string): iam.PolicyStatement {
  const actions = [CREATE_REPOSITORY_ACTION, IMPORT_UPSTREAM_ACTION].sort();
  const resources = [repositoriesUnder(stack, prefix)];
  if (grantee.organization) {
    return organizationStatement(stack, grantee.organization, { sidPrefix: PULL_THROUGH_CACHE_SID_PREFIX, sidQualifier: prefix, actions, resources });
  }
  const principals = sortByRendering(stack, [...grantee.roleArns!]);
  return new iam.PolicyStatement({
    sid: `${PULL_THROUGH_CACHE_SID_PREFIX}${fingerprint(stack, `${prefix}|${principals.map(arn => JSON.stringify(stack.resolve(arn))).join(',')}`)}`,
    actions,
    resources,
    principals: principals.map(arn => new iam.ArnPrincipal(arn)),
  });
}
