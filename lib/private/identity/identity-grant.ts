import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Annotations, Aws, Names, Stack, Token } from 'aws-cdk-lib/core';
import { DependencyGroup, IConstruct } from 'constructs';
import { IdentityChoice } from './identity-choice';
import { ManagedPolicyKept } from './managed-policy-kept';
import { ScopedPolicies } from './scoped-policies';
import { AccountRelation, compareAccounts, isOwned, roleAccount } from '../accounts/accounts';
import { roleIdentity } from '../accounts/role-identity';
import { isImmutableRole } from '../cdk-internals/cdk-internals';
import { READ_ONLY_MANAGED_POLICY_NAME } from '../constants/pull-actions';
import { GrantPart } from '../grants/grant-parts';
import { singletonId } from '../naming/fingerprint';
import { checkInlinePolicySize, checkManagedPolicyCount } from '../quotas/role-quotas';
import { displayArn, displayStack } from '../rendering/display';
import { NagAcknowledgements } from '../reporting/nag-acknowledgements';
import { WARNING_IDS } from '../reporting/warning-ids';
import { assertNotSynthesized } from '../stage/synthesized';

/** The identity side of one construct's grant. */
export interface IdentityGrant {
  /** Allows one more repository (where the policy names repositories); where the permission is, if applied here. */
  addRepository(repository: ecr.IRepository): GrantPart | undefined;
}

const NOT_APPLIED: IdentityGrant = { addRepository: () => undefined };

function allRepositories(part: GrantPart): IdentityGrant {
  return { addRepository: () => part };
}

/** IAM: characters of an inline policy name. */
const MAX_POLICY_NAME = 128;
/** Characters kept for a region that is a token (the longest region names today have 14). */
const LONGEST_REGION_NAME = 16;

/**
 * Gives the node role ECR permissions of its own, in the stack that owns the role:
 *
 * - a role this app defines gets the AWS managed policy of `policy` (or, scoped, customer managed policies);
 * - an imported role of its stack's account gets an inline policy with the same actions, attached by role
 *   name (CloudFormation has no resource that attaches an existing managed policy to an existing role, and
 *   CDK's `addManagedPolicy` does nothing on an imported role), or the scoped managed policies;
 * - an imported role of another account cannot be changed from here: `reporter` gets a warning that says
 *   which account must apply it;
 * - a role that has its permissions already (`IdentityPolicy.ALREADY_ATTACHED`) gets nothing.
 *
 * Granting the same role again adds nothing.
 */
export function grantIdentity(role: iam.IRole, policy: IdentityChoice, reporter: IConstruct, maxManagedPolicies?: number): IdentityGrant {
  if (policy.alreadyAttached) {
    // The permissions the role has already; applyBefore has nothing of this app's to wait for but a role it defines.
    return allRepositories({
      statement: new iam.PolicyStatement({ actions: [...policy.actions], resources: ['*'] }),
      carrier: isOwned(role) ? role : new DependencyGroup(),
    });
  }
  const stack = Stack.of(role);
  if (isImmutableRole(role) && (isOwned(role) || compareAccounts(roleAccount(role), stack.account) !== AccountRelation.DIFFERENT)) {
    Annotations.of(reporter).addWarningV2(
      WARNING_IDS.identityNotApplied,
      `Role ${displayArn(role.roleArn)} is immutable (imported with mutable: false, or role.withoutPolicyUpdates()), so this ` +
      'app attaches nothing to it. Give it ECR permissions yourself (the AWS managed policy ' +
      `${policy.awsManagedPolicyName ?? READ_ONLY_MANAGED_POLICY_NAME}), or pass the role itself to let this construct ` +
      'attach them. Then acknowledge this warning.',
    );
    return NOT_APPLIED;
  }
  // An owned role's account is its stack's: only an imported role can be of another account, or an unverified one. An
  // account given as Aws.ACCOUNT_ID renders, in the role's stack, as that stack's account.
  const account = roleAccount(role) === Aws.ACCOUNT_ID ? stack.account : roleAccount(role);
  switch (compareAccounts(account, stack.account)) {
    case AccountRelation.DIFFERENT:
      Annotations.of(reporter).addWarningV2(
        WARNING_IDS.identityNotApplied,
        `Role ${displayArn(role.roleArn)} belongs to account ${account}, but it is imported into stack ${displayStack(stack)} ` +
        `(account ${stack.account}), which cannot change it. In account ${account}, attach the AWS managed policy ` +
        `${policy.awsManagedPolicyName ?? READ_ONLY_MANAGED_POLICY_NAME} to the role: add an ` +
        'AnyscaleEcrAccess with this role to a stack of that account, or attach the policy in the IAM console. ' +
        'Then acknowledge this warning.',
      );
      return NOT_APPLIED;
    case AccountRelation.UNKNOWN:
      Annotations.of(reporter).addWarningV2(
        WARNING_IDS.roleAccountUnverified,
        Token.isUnresolved(stack.account)
          ? `Stack ${displayStack(stack)} has no account set, so it cannot be checked that role ${displayArn(role.roleArn)} is in the ` +
            'account the stack deploys to. The ECR policy is attached to the role by name and fails to deploy ' +
            'in any other account. Give the stack an explicit env: { account, region } to have this checked.'
          : `The account of role ${displayArn(role.roleArn)} is known only at deploy time (${displayArn(account)}), so it ` +
            `cannot be checked that it is account ${stack.account} of stack ${displayStack(stack)}. The ECR policy is attached to ` +
            'the role by name and fails to deploy in any other account. Import the role with a literal account to have ' +
            'this checked.',
      );
      break;
  }

  assertNotSynthesized(role, () => `ECR permissions to role ${role.node.path}`);
  if (policy.repositoryScoped) {
    checkManagedPolicyCount(role, reporter, maxManagedPolicies);
    const scoped = ScopedPolicies.of(role);
    return { addRepository: repository => scoped.addRepository(repository) };
  }
  if (isOwned(role) && policy.awsManagedPolicyName) {
    // Role de-duplicates its managed policies by ARN when it renders them.
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName(policy.awsManagedPolicyName));
    ManagedPolicyKept.of(role, policy.awsManagedPolicyName, reporter);
    NagAcknowledgements.awsManagedPolicy(role, policy.awsManagedPolicyName);
    checkManagedPolicyCount(role, reporter, maxManagedPolicies);
    // The statement the AWS managed policy amounts to; the role carries it.
    return allRepositories({ statement: new iam.PolicyStatement({ actions: [...policy.actions], resources: ['*'] }), carrier: role });
  }
  const inline = inlinePolicyFor(role, policy, stack);
  return allRepositories({ statement: inline.statement, carrier: inline });
}

/** The inline policy of one imported role and choice of policy in one stack, with its one statement. */
class InlineEcrPolicy extends iam.Policy {
  constructor(scope: Stack, id: string, public readonly key: string, public readonly statement: iam.PolicyStatement) {
    super(scope, id, { statements: [statement] });
  }
}

/** One inline policy per imported role, choice of policy and stack, however many grants name the role. */
function inlinePolicyFor(role: iam.IRole, policy: IdentityChoice, stack: Stack): InlineEcrPolicy {
  // AnyscaleEcrReadOnly<hash> or AnyscaleEcrPullOnly<hash>, after the AWS managed policy it stands in for.
  // Every choice but REPOSITORY_SCOPED, which has no inline policy, stands in for an AWS managed policy.
  const key = roleIdentity(stack, role);
  const id = singletonId(stack, `AnyscaleEcr${policy.awsManagedPolicyName!.replace('AmazonEC2ContainerRegistry', '')}`, key,
    child => child instanceof InlineEcrPolicy ? child.key : undefined);
  const existing = stack.node.tryFindChild(id);
  if (existing) {
    return existing as InlineEcrPolicy;
  }
  const inline = new InlineEcrPolicy(stack, id, key, new iam.PolicyStatement({ actions: [...policy.actions], resources: ['*'] }));
  // Inline policy names are per role (a global resource): the stack's path and region in the name keep two stacks,
  // or one stack deployed to two regions, from overwriting each other's policy.
  const region = Token.isUnresolved(stack.region) ? LONGEST_REGION_NAME : stack.region.length;
  (inline.node.defaultChild as iam.CfnPolicy).policyName =
    `${Names.uniqueResourceName(inline, { maxLength: MAX_POLICY_NAME - 1 - region })}-${stack.region}`;
  inline.attachToRole(role);
  NagAcknowledgements.wildcardResource(inline);
  checkInlinePolicySize(role, inline);
  return inline;
}
