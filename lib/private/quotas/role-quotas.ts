import * as iam from 'aws-cdk-lib/aws-iam';
import { Annotations, AspectPriority, Aspects, Stack, Stage, Token } from 'aws-cdk-lib/core';
import { Construct, IConstruct } from 'constructs';
import { measure, Measure, QUOTAS, quotaError } from './quotas';
import { isOwned } from '../accounts/accounts';
import { cfnRoleOf, roleIdentity } from '../accounts/role-identity';
import { displayStack } from '../rendering/display';
import { WARNING_IDS } from '../reporting/warning-ids';

/**
 * Fails synthesis when the inline policies that the role's stack attaches to the role add up to more than
 * IAM allows for one role. Inline policies attached outside this stack are not seen. Only imported roles get
 * an inline policy from the grant (an owned role gets managed policies), so the role has no inline policies of
 * its own definition here.
 */
export function checkInlinePolicySize(role: iam.IRole, inline: iam.Policy): void {
  InlinePolicySizes.of(Stack.of(inline)).watch(role);
}

/** The id of the stack's child that checks the inline policies of every role the stack grants, in one pass. */
const INLINE_SIZES_ID = 'AnyscaleEcrInlinePolicySizes';

/**
 * One check per stack rather than one per inline policy: each would read every policy of the stack, which grows with
 * the square of the number of roles (BENCHMARKS.md).
 */
class InlinePolicySizes extends Construct {
  public static of(stack: Stack): InlinePolicySizes {
    return stack.node.tryFindChild(INLINE_SIZES_ID) as InlinePolicySizes | undefined ?? new InlinePolicySizes(stack);
  }

  /** The roles to check, by identity: one role reached two ways (two imports of one name) is checked once. */
  private readonly roles = new Map<string, iam.IRole>();

  private constructor(stack: Stack) {
    super(stack, INLINE_SIZES_ID);
    this.node.addValidation({ validate: () => this.validate() });
  }

  public watch(role: iam.IRole): void {
    const identity = roleIdentity(Stack.of(this), role);
    if (!this.roles.has(identity)) {
      this.roles.set(identity, role);
    }
  }

  private validate(): string[] {
    const stack = Stack.of(this);
    const attached = attachedByRole(stack, iam.CfnPolicy);
    const sizes = new Map<iam.CfnPolicy, Measure>();
    const sizeOf = (policy: iam.CfnPolicy) => sizes.get(policy) ?? sizes.set(policy, measure(stack, policy.policyDocument)).get(policy)!;
    return [...this.roles.values()].flatMap(role => {
      const measured = (attached(role) ?? []).map(sizeOf);
      return quotaError(
        `The inline policies of role ${role.node.path} in stack ${displayStack(stack)}`,
        { characters: sum(measured.map(s => s.characters)), unmeasured: sum(measured.map(s => s.unmeasured)) },
        QUOTAS.inlinePolicyCharactersPerRole,
        'Move statements into customer managed policies (for the ECR grant: identityPolicy: IdentityPolicy.REPOSITORY_SCOPED).',
      );
    });
  }
}

/**
 * Counts the managed policies the role's stack attaches to the role when it is synthesized: over the default quota
 * of 10 it warns, over the account's highest quota (`maximum`, 20 unless the user says otherwise) it fails. Policies attached by other stacks or outside CDK are not
 * seen. The warning or error goes once, on the first construct that granted the role (the one the user holds, so
 * that acknowledging it there works), or on the role when that construct is in another stage.
 */
export function checkManagedPolicyCount(role: iam.IRole, reporter: IConstruct, maximum?: number): void {
  ManagedPolicyCounts.of(Stack.of(role)).watch(role, reporter, maximum);
}

/** The id of the stack's child that counts the managed policies of every role granted in the stack, in one pass. */
const COUNTS_ID = 'AnyscaleEcrManagedPolicyCounts';

/** A role whose managed policies are counted: where the message goes, and the quota a granting construct was told. */
interface CountedRole {
  /** The first construct that granted the role. */
  readonly reporter: IConstruct;
  /** The account's highest quota, as a granting construct was told (`maxManagedPoliciesPerRole`), and which one. */
  told?: { readonly maximum: number; readonly by: IConstruct };
}

/**
 * The roles granted in a stack whose managed policies are counted, each once however many grants name it. Each role's
 * are read once everything is attached; that only reports, so it runs as a read-only aspect.
 */
class ManagedPolicyCounts extends Construct {
  public static of(stack: Stack): ManagedPolicyCounts {
    return stack.node.tryFindChild(COUNTS_ID) as ManagedPolicyCounts | undefined ?? new ManagedPolicyCounts(stack);
  }

  private readonly roles = new Map<iam.IRole, CountedRole>();

  private constructor(private readonly stack: Stack) {
    super(stack, COUNTS_ID);
  }

  /** Counts the role; a construct that grants it again may tell a quota, and two constructs told different quotas fail. */
  public watch(role: iam.IRole, reporter: IConstruct, maximum: number | undefined): void {
    let counted = this.roles.get(role);
    if (!counted) {
      counted = { reporter };
      this.roles.set(role, counted);
      // Read when the role itself is visited, after the aspects of lower priority that visit it (a user's that attaches
      // policies to it).
      const visited: CountedRole = counted;
      Aspects.of(role).add({
        visit: node => {
          if (node === role) {
            this.report(role, visited);
          }
        },
      }, { priority: AspectPriority.READONLY });
    }
    if (maximum === undefined) {
      return;
    }
    if (counted.told && counted.told.maximum !== maximum) {
      throw new Error(
        `AnyscaleEcrAccess ${reporter.node.path}: props.maxManagedPoliciesPerRole is ${maximum}, but ${counted.told.by.node.path} ` +
        `grants the same role ${role.node.path} with ${counted.told.maximum}. The role's account has one quota: pass the ` +
        'same number to both, or leave it out of one.',
      );
    }
    counted.told = { maximum, by: reporter };
  }

  private report(role: iam.IRole, counted: CountedRole): void {
    const stack = this.stack;
    const all = stack.node.findAll();
    const maximum = counted.told?.maximum ?? QUOTAS.managedPoliciesPerRoleRaised;
    // The role's own list: an owned role's (an iam.LazyRole keeps its CfnRole one level further down), or, for a role
    // imported by name, that of the role the stack defines under that name.
    const cfnRole = isOwned(role) ? cfnRoleOf(role) : cfnRoleNamed(stack.resolve(role.roleName), all);
    const direct = (stack.resolve(cfnRole?.managedPolicyArns) as unknown[] | undefined)?.length ?? 0;
    const count = direct + (attachedByRole(stack, iam.CfnManagedPolicy, all)(role)?.length ?? 0);
    const where = `Role ${role.node.path} is attached ${count} managed policies in stack ${displayStack(stack)}`;
    // A reporter of another stage may be synthesized already (CDK Pipelines synthesizes each stage when it is added):
    // the role's stage is the one being synthesized now, so the message goes there.
    const reporter = Stage.of(counted.reporter) === Stage.of(role) ? counted.reporter : role;
    if (count > maximum) {
      Annotations.of(reporter).addError(
        `${where}, over the account's highest IAM quota of ${maximum} (maxManagedPoliciesPerRole). Grant fewer ` +
        'repositories with IdentityPolicy.REPOSITORY_SCOPED, use IdentityPolicy.READ_ONLY, or, if AWS raised the ' +
        "account's quota further, set maxManagedPoliciesPerRole to it.",
      );
    } else if (count > QUOTAS.managedPoliciesPerRole) {
      Annotations.of(reporter).addWarningV2(
        WARNING_IDS.managedPolicyQuota,
        `${where}, over the default IAM quota of ${QUOTAS.managedPoliciesPerRole} (raise it in Service Quotas before ` +
        `deploying; the account's highest is taken as ${maximum}), not counting policies attached outside this stack.`,
      );
    }
  }
}

/**
 * The policies of a kind that the stack attaches to each role, read in one pass over the stack. Roles are compared as
 * CloudFormation deploys them: a `Ref` to a role of the stack with a literal `roleName` is that name, so the role this
 * app defines and the same name imported with `fromRoleName` are one role.
 */
function attachedByRole<T extends iam.CfnPolicy | iam.CfnManagedPolicy>(stack: Stack, kind: new (...args: any[]) => T,
  all: IConstruct[] = stack.node.findAll()): (role: iam.IRole) => T[] | undefined {
  const policies = all.filter((c): c is T => c instanceof kind);
  if (policies.length === 0) {
    return () => undefined;
  }
  const literalNames = new Map(all
    .filter((c): c is iam.CfnRole => c instanceof iam.CfnRole && typeof c.roleName === 'string' && !Token.isUnresolved(c.roleName))
    .map(c => [stack.resolve(c.logicalId) as string, c.roleName!]));
  const nameOf = (resolved: unknown): string => {
    const ref = (resolved as { Ref?: unknown } | undefined)?.Ref;
    return typeof resolved === 'string' ? resolved : (typeof ref === 'string' && literalNames.get(ref)) || JSON.stringify(resolved);
  };
  const byName = new Map<string, T[]>();
  for (const policy of policies) {
    // A policy naming one role twice is attached once.
    for (const name of new Set((stack.resolve(policy.roles) as unknown[] | undefined ?? []).map(nameOf))) {
      const named = byName.get(name);
      if (named) {
        named.push(policy);
      } else {
        byName.set(name, [policy]);
      }
    }
  }
  return role => byName.get(nameOf(stack.resolve(role.roleName)));
}

/** The role the stack defines with this literal name, if any. */
function cfnRoleNamed(roleName: unknown, all: IConstruct[]): iam.CfnRole | undefined {
  return typeof roleName === 'string' ? all.find((c): c is iam.CfnRole => c instanceof iam.CfnRole && c.roleName === roleName) : undefined;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
