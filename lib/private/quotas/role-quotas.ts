import * as iam from 'aws-cdk-lib/aws-iam';
import { Annotations, AspectPriority, Aspects, IAspect, Stack, Stage, Token } from 'aws-cdk-lib/core';
import { Construct, IConstruct } from 'constructs';
import { measure, QUOTAS, quotaError } from './quotas';
import { isOwned } from '../accounts/accounts';
import { cfnRoleOf } from '../accounts/role-identity';
import { displayStack } from '../rendering/display';
import { WARNING_IDS } from '../reporting/warning-ids';

/**
 * Fails synthesis when the inline policies that the role's stack attaches to the role add up to more than
 * IAM allows for one role. Inline policies attached outside this stack are not seen. Only imported roles get
 * an inline policy from the grant (an owned role gets managed policies), so the role has no inline policies of
 * its own definition here.
 */
export function checkInlinePolicySize(role: iam.IRole, inline: iam.Policy): void {
  inline.node.addValidation({
    validate: () => {
      const stack = Stack.of(inline);
      const sizes = attachedTo(role, stack, iam.CfnPolicy).map(policy => measure(stack, policy.policyDocument));
      return quotaError(
        `The inline policies of role ${role.node.path} in stack ${displayStack(stack)}`,
        { characters: sum(sizes.map(s => s.characters)), unmeasured: sum(sizes.map(s => s.unmeasured)) },
        QUOTAS.inlinePolicyCharactersPerRole,
        'Move statements into customer managed policies (for the ECR grant: identityPolicy: IdentityPolicy.REPOSITORY_SCOPED).',
      );
    },
  });
}

/**
 * Counts the managed policies the role's stack attaches to the role when it is synthesized: over the default quota
 * of 10 it warns, over the account's highest quota (`maximum`, 20 unless the user says otherwise) it fails. Policies attached by other stacks or outside CDK are not
 * seen. The warning or error goes once, on the first construct that granted the role (the one the user holds, so
 * that acknowledging it there works), or on the role when that construct is in another stage.
 */
export function checkManagedPolicyCount(role: iam.IRole, reporter: IConstruct, maximum?: number): void {
  const counter = role.node.tryFindChild(COUNT_ID) as ManagedPolicyCount | undefined;
  if (!counter) {
    Aspects.of(role).add(new ManagedPolicyCount(role, reporter, maximum), { priority: AspectPriority.READONLY });
  } else {
    counter.agree(reporter, maximum);
  }
}

/** The id of the role's child that counts its managed policies once, however many grants name the role. */
const COUNT_ID = 'AnyscaleEcrManagedPolicyCount';

/** Reads the role's managed policies once everything is attached; it only reports, so it runs as a read-only aspect. */
class ManagedPolicyCount extends Construct implements IAspect {
  /** The account's highest quota, as a granting construct was told (`maxManagedPoliciesPerRole`), and which one. */
  private told?: { maximum: number; by: IConstruct };

  /** `reporter`: the first construct that granted the role, where the warning or error goes. */
  constructor(private readonly role: iam.IRole, private readonly reporter: IConstruct, maximum: number | undefined) {
    super(role, COUNT_ID);
    this.agree(reporter, maximum);
  }

  /** Takes the quota another construct that grants the role was told; two constructs told different quotas fail. */
  public agree(construct: IConstruct, maximum: number | undefined): void {
    if (maximum === undefined) {
      return;
    }
    if (this.told && this.told.maximum !== maximum) {
      throw new Error(
        `AnyscaleEcrAccess ${construct.node.path}: props.maxManagedPoliciesPerRole is ${maximum}, but ${this.told.by.node.path} ` +
        `grants the same role ${this.role.node.path} with ${this.told.maximum}. The role's account has one quota: pass the ` +
        'same number to both, or leave it out of one.',
      );
    }
    this.told = { maximum, by: construct };
  }

  private get maximum(): number {
    return this.told?.maximum ?? QUOTAS.managedPoliciesPerRoleRaised;
  }

  public visit(node: IConstruct): void {
    // The aspect is invoked once on each node under the role: the count is the role's.
    if (node !== this.role) {
      return;
    }
    const stack = Stack.of(this.role);
    // The role's own list: an owned role's (an iam.LazyRole keeps its CfnRole one level further down), or, for a role
    // imported by name, that of the role the stack defines under that name.
    const roleName = stack.resolve(this.role.roleName);
    const cfnRole = isOwned(this.role)
      ? cfnRoleOf(this.role)
      : stack.node.findAll().find((c): c is iam.CfnRole => c instanceof iam.CfnRole && typeof roleName === 'string' && c.roleName === roleName);
    const direct = (stack.resolve(cfnRole?.managedPolicyArns) as unknown[] | undefined)?.length ?? 0;
    const count = direct + attachedTo(this.role, stack, iam.CfnManagedPolicy).length;
    const where = `Role ${this.role.node.path} is attached ${count} managed policies in stack ${displayStack(stack)}`;
    // A reporter of another stage may be synthesized already (CDK Pipelines synthesizes each stage when it is added):
    // the role's stage is the one being synthesized now, so the message goes there.
    const reporter = Stage.of(this.reporter) === Stage.of(this.role) ? this.reporter : this.role;
    if (count > this.maximum) {
      Annotations.of(reporter).addError(
        `${where}, over the account's highest IAM quota of ${this.maximum} (maxManagedPoliciesPerRole). Grant fewer ` +
        'repositories with IdentityPolicy.REPOSITORY_SCOPED, use IdentityPolicy.READ_ONLY, or, if AWS raised the ' +
        "account's quota further, set maxManagedPoliciesPerRole to it.",
      );
    } else if (count > QUOTAS.managedPoliciesPerRole) {
      Annotations.of(reporter).addWarningV2(
        WARNING_IDS.managedPolicyQuota,
        `${where}, over the default IAM quota of ${QUOTAS.managedPoliciesPerRole} (raise it in Service Quotas before ` +
        `deploying; the account's highest is taken as ${this.maximum}), not counting policies attached outside this stack.`,
      );
    }
  }
}

/** The policies of a kind (inline or managed) that the stack attaches to the role. */
function attachedTo<T extends iam.CfnPolicy | iam.CfnManagedPolicy>(role: iam.IRole, stack: Stack, kind: new (...args: any[]) => T): T[] {
  const names = roleNames(stack, role);
  return stack.node.findAll().filter((c): c is T => c instanceof kind && names(c.roles));
}

/**
 * Whether a resource's `Roles` list names the role, compared as CloudFormation deploys them: a `Ref` to a role of the
 * stack with a literal `roleName` is that name, so the role this app defines and the same name imported with
 * `fromRoleName` are one role.
 */
function roleNames(stack: Stack, role: iam.IRole): (roles: string[] | undefined) => boolean {
  const literalNames = new Map(stack.node.findAll()
    .filter((c): c is iam.CfnRole => c instanceof iam.CfnRole && typeof c.roleName === 'string' && !Token.isUnresolved(c.roleName))
    .map(c => [stack.resolve(c.logicalId) as string, c.roleName!]));
  const nameOf = (resolved: unknown): string => {
    const ref = (resolved as { Ref?: unknown } | undefined)?.Ref;
    return typeof resolved === 'string' ? resolved : (typeof ref === 'string' && literalNames.get(ref)) || JSON.stringify(resolved);
  };
  const roleName = nameOf(stack.resolve(role.roleName));
  return roles => (stack.resolve(roles) as unknown[] | undefined ?? []).some(name => nameOf(name) === roleName);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
