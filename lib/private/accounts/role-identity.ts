import * as iam from 'aws-cdk-lib/aws-iam';
import { Stack, Token } from 'aws-cdk-lib/core';
import { isOwned } from './accounts';
import { renderedKey } from '../rendering/rendered-arns';

/**
 * Which IAM role a role object is, as far as the stack can tell: `<account>/<name>` where both are known (a role this
 * app defines with a literal `roleName` in a stack with an account, or an ARN that renders to a literal string in the
 * stack), else how its ARN renders there. Role names are unique in an account, whatever their path, so one role
 * reached two ways (the role this app defines and the same name imported with `fromRoleName`; a literal `arn:aws:...`
 * and one with `AWS::Partition`) is one identity: one set of policies, counted once.
 */
export function roleIdentity(stack: Stack, role: iam.IRole): string {
  if (isOwned(role)) {
    const name = literalOwnedRoleName(role);
    const account = Stack.of(role).account;
    return name !== undefined && !Token.isUnresolved(account) ? `${account}/${name}` : renderedKey(stack, role.roleArn);
  }
  const key = renderedKey(stack, role.roleArn);
  const parsed = /^arn:[^:]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(key);
  return parsed ? `${parsed[1]}/${parsed[2]}` : key;
}

/**
 * The `CfnRole` of a role this app defines: its default child, or one level further down for an `iam.LazyRole`; none for
 * an imported role, or one customized with `iam.Role.customizeRoles` (CDK reports its policies for whoever creates it).
 */
export function cfnRoleOf(role: iam.IRole): iam.CfnRole | undefined {
  return role.node.findAll().find((c): c is iam.CfnRole => c instanceof iam.CfnRole);
}

/** The literal `roleName` of a role this app defines. */
function literalOwnedRoleName(role: iam.IRole): string | undefined {
  const name = cfnRoleOf(role)?.roleName;
  return name !== undefined && !Token.isUnresolved(name) ? name : undefined;
}
