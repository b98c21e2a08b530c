import * as iam from 'aws-cdk-lib/aws-iam';
import { Stack, Token } from 'aws-cdk-lib/core';
import { fingerprint } from '../naming/fingerprint';
import { ROLE_NAME_WILDCARD_PATTERN } from '../naming/role-names';

/**
 * Whose node roles an organization-wide statement lets in: every account of an AWS Organization (or of some of its OUs),
 * or a list of accounts (exactly one of the two), and the role-name patterns matched against `aws:PrincipalArn`.
 */
export interface OrganizationGrant {
  readonly organizationId?: string;
  /** With `organizationId`: the entity paths of the OUs granted (each with the OUs under it). */
  readonly organizationalUnitPaths?: readonly string[];
  readonly accountIds?: readonly string[];
  readonly roleNamePatterns: readonly string[];
}

/** What the statement allows, and under which `Sid` prefix. */
export interface OrganizationStatementOptions {
  /** The statement's `Sid` is this prefix followed by a digest of the grant. */
  readonly sidPrefix: string;
  /** What else, beyond the grant, tells this statement apart from others of the same policy (a resource). */
  readonly sidQualifier?: string;
  readonly actions: readonly string[];
  /** Resources, for a policy that needs them (a registry policy); none in a repository policy. */
  readonly resources?: string[];
}

/**
 * The statement shape of an organization-wide grant, shared by every construct that grants one: principal `*` limited
 * by `aws:PrincipalOrgID`, or the accounts' roots, and `ArnLike aws:PrincipalArn` on the role-name patterns in any
 * account. Its `Sid` is the prefix and a digest of the grant, so the same grant twice is one statement.
 */
export function organizationStatement(stack: Stack, grant: OrganizationGrant, options: OrganizationStatementOptions): iam.PolicyStatement {
  const partition = stack.partition;
  const roleArns = grant.roleNamePatterns.map(pattern => `arn:${partition}:iam::*:role/${pattern}`);
  const ous = grant.organizationalUnitPaths === undefined ? '' : `|${grant.organizationalUnitPaths.join(',')}`;
  const who = grant.organizationId !== undefined ? `${grant.organizationId}${ous}` : grant.accountIds!.join(',');
  const qualifier = options.sidQualifier === undefined ? '' : `|${options.sidQualifier}`;
  const statement = new iam.PolicyStatement({
    sid: `${options.sidPrefix}${fingerprint(stack, `${who}|${grant.roleNamePatterns.join(',')}${qualifier}`)}`,
    actions: [...options.actions],
    resources: options.resources,
    conditions: { ArnLike: { 'aws:PrincipalArn': roleArns } },
  });
  if (grant.organizationId !== undefined) {
    statement.addAnyPrincipal();
    statement.addCondition('StringEquals', { 'aws:PrincipalOrgID': grant.organizationId });
    if (grant.organizationalUnitPaths !== undefined) {
      statement.addCondition('ForAnyValue:StringLike', { 'aws:PrincipalOrgPaths': underPaths(grant.organizationalUnitPaths) });
    }
  } else {
    statement.addPrincipals(...grant.accountIds!.map(account => new iam.AccountPrincipal(account)));
  }
  return statement;
}

/** `aws:PrincipalOrgPaths` patterns of principals in the OUs or under them: an account's path is its OU's path, or longer. */
function underPaths(ouPaths: readonly string[]): string[] {
  return ouPaths.map(path => `${path}*`);
}

/** The principal an `iam.Grant` of an organization-wide statement names. */
export function organizationPrincipal(grant: OrganizationGrant): iam.IPrincipal {
  if (grant.organizationId === undefined) {
    return new iam.CompositePrincipal(...grant.accountIds!.map(account => new iam.AccountPrincipal(account)));
  }
  const organization = new iam.OrganizationPrincipal(grant.organizationId);
  return grant.organizationalUnitPaths === undefined ? organization : organization.withConditions({
    'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': underPaths(grant.organizationalUnitPaths) },
  });
}

/**
 * The names of the node roles Anyscale's tools create, as `ArnLike` patterns after `role/` (the public constants of
 * `AnyscaleEcrOrganizationAccess` document each source).
 */
export const NODE_ROLE_NAME_PATTERNS = Object.freeze({
  cli: '*-cluster_node_role',
  terraformCommonName: '*-cluster-node-role',
  terraformPrefix: 'anyscale-cluster-node-*',
  terraformPrefixUnderPath: '*/anyscale-cluster-node-*',
  rayAutoscaler: 'ray-autoscaler-v1',
} as const);

/** Every pattern of `NODE_ROLE_NAME_PATTERNS`: what an organization-wide grant names when the user gives none. */
export const DEFAULT_ROLE_NAME_PATTERNS: readonly string[] = Object.freeze(Object.values(NODE_ROLE_NAME_PATTERNS));

/**
 * The names of the instance roles Kubernetes node groups on EKS run with, from the tools Anyscale's EKS guides use (the
 * public constants of `AnyscaleEcrOrganizationAccess` document each source). Not granted unless asked for.
 */
export const EKS_NODE_ROLE_PATTERNS_BY_SOURCE = Object.freeze({
  terraformManagedNodeGroup: '*-eks-node-group-*',
  eksctl: 'eksctl-*-nodegroup-*-NodeInstanceRole-*',
  karpenterGuide: 'KarpenterNodeRole-*',
  terraformKarpenter: 'Karpenter-*',
  hyperPod: '*-SMHP-Exec-Role-*',
} as const);

/** Every pattern of `EKS_NODE_ROLE_PATTERNS_BY_SOURCE`. */
export const EKS_NODE_ROLE_NAME_PATTERNS: readonly string[] = Object.freeze(Object.values(EKS_NODE_ROLE_PATTERNS_BY_SOURCE));

/**
 * Terraform's `name_prefix` appends 26 characters to the prefix (a UTC timestamp to the ten-thousandth of a second and
 * an 8-digit hex counter: `id.PrefixedUniqueId` of terraform-plugin-sdk).
 */
export const TERRAFORM_NAME_PREFIX_SUFFIX_LENGTH = 26;

/** Throws unless every pattern is a role name (optionally after its path) with `*` and `?` wildcards, and there is at least one. Tokens are not checked. */
export function assertRoleNamePatterns(patterns: readonly string[], prop: string): void {
  for (const pattern of patterns) {
    if (Token.isUnresolved(pattern)) {
      continue;
    }
    if (!ROLE_NAME_WILDCARD_PATTERN.test(pattern)) {
      throw new Error(`${prop} has '${pattern}', which is not a role name, optionally after its path, from letters, ` +
        'digits, \'+=,.@_-/\' and the wildcards * and ?.');
    }
    // It follows 'role/' in the ARN, where a path has no leading '/': '/anyscale/x' or 'a//b' would match no role.
    if (pattern.startsWith('/') || pattern.endsWith('/') || pattern.includes('//')) {
      throw new Error(`${prop} has '${pattern}', which would match no role: the pattern follows 'role/' in the role's ARN, ` +
        "so write a path without its leading '/', end with the name, and use single slashes (for example 'anyscale/*' for " +
        "the roles under the path '/anyscale/').");
    }
  }
  if (patterns.length === 0) {
    throw new Error(`${prop} is empty ([]). Omit it to grant every node role name Anyscale's tools create ` +
      '(AnyscaleEcrOrganizationAccess.DEFAULT_ROLE_NAME_PATTERNS).');
  }
}
