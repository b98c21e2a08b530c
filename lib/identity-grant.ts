import { createHash } from 'crypto';
import { Annotations, Names, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { AccountRelation, compareAccounts, isOwned, roleAccount } from './accounts';
import { displayArn } from './display';
import { ECR_PULL_ACTIONS, READ_ONLY_MANAGED_POLICY_NAME } from './pull-actions';
import { AnyscaleEcrAccessWarnings } from './warnings';

/**
 * Gives the node role read-only ECR permissions, in the stack that owns the role:
 *
 * - a role this app defines gets the AWS managed policy `AmazonEC2ContainerRegistryReadOnly`;
 * - an imported role of its stack's account gets an inline policy with the same twelve actions, attached
 *   by role name. CloudFormation has no resource that attaches an existing managed policy to an existing
 *   role, and CDK's `addManagedPolicy` does nothing on an imported role;
 * - an imported role of another account cannot be changed from here: `reporter` gets a warning that says
 *   which account must apply it.
 *
 * Calling it again for the same role adds nothing.
 */
export function grantIdentity(role: iam.IRole, reporter: IConstruct): void {
  if (isOwned(role)) {
    // Role de-duplicates its managed policies by ARN when it renders them.
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName(READ_ONLY_MANAGED_POLICY_NAME));
    return;
  }

  const stack = Stack.of(role);
  const account = roleAccount(role);
  switch (compareAccounts(account, stack.account)) {
    case AccountRelation.DIFFERENT:
      Annotations.of(reporter).addWarningV2(
        AnyscaleEcrAccessWarnings.IDENTITY_NOT_APPLIED,
        `Role ${displayArn(role.roleArn)} belongs to account ${account}, but it is imported into stack ${stack.stackName} ` +
        `(account ${stack.account}), which cannot change it. In account ${account}, attach the AWS managed policy ` +
        `${READ_ONLY_MANAGED_POLICY_NAME} to the role: add an AnyscaleEcrAccess with this role to a stack of that ` +
        'account, or attach the policy in the IAM console. Then acknowledge this warning.',
      );
      return;
    case AccountRelation.UNKNOWN:
      Annotations.of(reporter).addWarningV2(
        AnyscaleEcrAccessWarnings.ROLE_ACCOUNT_UNVERIFIED,
        `Stack ${stack.stackName} has no account set, so it cannot be checked that role ${displayArn(role.roleArn)} is in the ` +
        'account the stack deploys to. The read-only ECR policy is attached to the role by name and fails to deploy ' +
        'in any other account. Give the stack an explicit env: { account, region } to have this checked.',
      );
      break;
    case AccountRelation.SAME:
      break;
  }
  readOnlyPolicyFor(role, stack);
}

/** One inline policy per imported role and stack, however many grants name the role. */
function readOnlyPolicyFor(role: iam.IRole, stack: Stack): iam.Policy {
  const id = `AnyscaleEcrReadOnly${fingerprint(stack, role.roleArn)}`;
  const existing = stack.node.tryFindChild(id);
  if (existing) {
    return existing as iam.Policy;
  }
  const policy = new iam.Policy(stack, id, {
    statements: [new iam.PolicyStatement({ actions: [...ECR_PULL_ACTIONS], resources: ['*'] })],
  });
  // Inline policy names are per role: include the stack's path so that two stacks never overwrite each other.
  (policy.node.defaultChild as iam.CfnPolicy).policyName = Names.uniqueResourceName(policy, { maxLength: 128 });
  policy.attachToRole(role);
  return policy;
}

/** A short, stable digest of a value as CloudFormation will see it (token numbers differ between runs). */
function fingerprint(stack: Stack, value: string): string {
  const resolved = Token.isUnresolved(value) ? JSON.stringify(stack.resolve(value)) : value;
  return createHash('sha256').update(resolved).digest('hex').slice(0, 8).toUpperCase();
}
