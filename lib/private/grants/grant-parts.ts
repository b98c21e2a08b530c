import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ResourceEnvironment } from 'aws-cdk-lib/core';
import { IDependable } from 'constructs';

/** One side of a grant as the library applied it: a statement with the permissions, and the resource that carries it. */
export interface GrantPart {
  /** The statement written (or, for an AWS managed policy or a custom resource, the permissions it gives). */
  readonly statement: iam.PolicyStatement;
  /** What must be deployed before the permission holds: the policy, the role or the repository. */
  readonly carrier: IDependable;
}

/**
 * The `iam.Grant` of what the library applied for one role, built with aws-cdk-lib's own factories so that `success`,
 * `applyBefore` and `combine` behave as for any grant. The statements were written already: the factories are given a
 * principal and a resource that record them without adding them again.
 */
export function identityGrantOf(role: iam.IRole, identity: GrantPart): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee: { grantPrincipal: recorded(role.grantPrincipal, identity.carrier) },
    actions: identity.statement.actions,
    resourceArns: identity.statement.resources,
  });
}

/**
 * The `iam.Grant` of a statement the library applied to a resource policy (a repository's, or a creation template's;
 * see `identityGrantOf`): `carrier` is what must be deployed before it holds.
 */
export function resourceGrantOf(grantee: iam.IGrantable, resourceArn: string, env: ResourceEnvironment, resource: GrantPart): iam.Grant {
  return iam.Grant.addStatementToResourcePolicy({
    grantee,
    actions: resource.statement.actions,
    resourceArns: [resourceArn],
    statement: resource.statement,
    resource: { env, addToResourcePolicy: () => ({ statementAdded: true, policyDependable: resource.carrier }) },
  });
}

/**
 * The grant of both sides; a grant of which nothing could be applied here (both sides are warnings) is a dropped grant:
 * `success` is false.
 */
export function combinedGrant(role: iam.IRole, repository: ecr.IRepository, parts: iam.Grant[]): iam.Grant {
  return parts.length === 0
    ? iam.Grant.drop(role, `pull from ${repository.repositoryArn}`)
    : parts.reduce((all, part) => all.combine(part));
}

/** The principal, except that a statement added to it is recorded as already carried by `carrier`. */
function recorded(principal: iam.IPrincipal, carrier: IDependable): iam.IPrincipal {
  return Object.assign(Object.create(principal) as iam.IPrincipal, {
    addToPrincipalPolicy: (): iam.AddToPrincipalPolicyResult => ({ statementAdded: true, policyDependable: carrier }),
  });
}
