import { Annotations, AspectPriority, Aspects, IAspect, Stack, Stage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { measure, QUOTAS, quotaError } from './quotas';
import { isOwned } from '../placement/accounts';
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
      const sizes = policiesAttachedTo(role, stack).map(policy => measure(stack, policy.policyDocument));
      return quotaError(
        `The inline policies of role ${role.node.path} in stack ${stack.stackName}`,
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
export function checkManagedPolicyCount(role: iam.IRole, reporter: IConstruct, maximum: number = QUOTAS.managedPoliciesPerRoleRaised): void {
  if (!role.node.tryFindChild(COUNT_ID)) {
    Aspects.of(role).add(new ManagedPolicyCount(role, reporter, maximum), { priority: AspectPriority.READONLY });
  }
}

/** The id of the role's child that counts its managed policies once, however many grants name the role. */
const COUNT_ID = 'AnyscaleEcrManagedPolicyCount';

/** Reads the role's managed policies once everything is attached; it only reports, so it runs as a read-only aspect. */
class ManagedPolicyCount extends Construct implements IAspect {
  /**
   * `reporter`: the first construct that granted the role, where the warning or error goes; `maximum`: the account's
   * highest quota, as that construct was told.
   */
  constructor(private readonly role: iam.IRole, private readonly reporter: IConstruct, private readonly maximum: number) {
    super(role, COUNT_ID);
  }

  public visit(node: IConstruct): void {
    // The aspect is invoked once on each node under the role: the count is the role's.
    if (node !== this.role) {
      return;
    }
    const stack = Stack.of(this.role);
    // An owned role's own list (an iam.LazyRole keeps its CfnRole one level further down).
    const cfnRole = isOwned(this.role) ? this.role.node.findAll().find((c): c is iam.CfnRole => c instanceof iam.CfnRole) : undefined;
    const direct = (stack.resolve(cfnRole?.managedPolicyArns) as unknown[] | undefined)?.length ?? 0;
    const count = direct + managedPoliciesAttachedTo(this.role, stack);
    const where = `Role ${this.role.node.path} is attached ${count} managed policies in stack ${stack.stackName}`;
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

function policiesAttachedTo(role: iam.IRole, stack: Stack): iam.CfnPolicy[] {
  return stack.node.findAll().filter((c): c is iam.CfnPolicy => c instanceof iam.CfnPolicy && names(stack, c.roles, role));
}

function managedPoliciesAttachedTo(role: iam.IRole, stack: Stack): number {
  return stack.node.findAll().filter(c => c instanceof iam.CfnManagedPolicy && names(stack, c.roles, role)).length;
}

/** Whether a resource's `Roles` list names the role (compared as CloudFormation will see both). */
function names(stack: Stack, roles: string[] | undefined, role: iam.IRole): boolean {
  const roleName = JSON.stringify(stack.resolve(role.roleName));
  return (stack.resolve(roles) as unknown[] | undefined ?? []).some(name => JSON.stringify(name) === roleName);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
