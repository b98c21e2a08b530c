import * as iam from 'aws-cdk-lib/aws-iam';
import { Stack } from 'aws-cdk-lib/core';
import { Construct, IConstruct } from 'constructs';
import { cfnRoleOf } from '../accounts/role-identity';
import { hasRawOverrides, renderedProperties } from '../cdk-internals/cdk-internals';
import { renderIntrinsic } from '../rendering/rendering';

/**
 * Checks at synthesis that a role this app defines still lists the AWS managed policy the library attached to it: the
 * L1 escape hatch (`CfnRole.managedPolicyArns` set directly, a raw or deletion override) or an aspect that rewrites the
 * list would otherwise remove the nodes' ECR permissions without a word, as it would on the repository side. A child of
 * the role, found by id: one check per role and policy, however many constructs grant the role.
 */
export class ManagedPolicyKept extends Construct {
  public static of(role: iam.IRole, policyName: string, grantedBy: IConstruct): void {
    const id = `AnyscaleEcrKeeps${policyName}`;
    if (!role.node.tryFindChild(id)) {
      new ManagedPolicyKept(role, id, policyName, grantedBy);
    }
  }

  private constructor(private readonly role: iam.IRole, id: string, private readonly policyName: string, private readonly grantedBy: IConstruct) {
    super(role, id);
    this.node.addValidation({ validate: () => this.validate() });
  }

  private validate(): string[] {
    const cfnRole = cfnRoleOf(this.role);
    if (!cfnRole) {
      return [];
    }
    const stack = Stack.of(cfnRole);
    const arns = hasRawOverrides(cfnRole) ? renderedProperties(cfnRole)?.ManagedPolicyArns : stack.resolve(cfnRole.managedPolicyArns);
    const listed = [arns ?? []].flat().some(arn => this.isPolicyArn(arn));
    return listed ? [] : [
      `Role ${this.role.node.path} no longer lists the AWS managed policy ${this.policyName} that ${this.grantedBy.node.path} ` +
      'attached for the ECR pull: its ManagedPolicyArns were set directly on its CfnRole, overridden, or changed by an aspect, ' +
      'and the nodes could not pull. Attach managed policies with role.addManagedPolicy(...) instead; where a rule forbids ' +
      'AWS managed policies, grant with identityPolicy: IdentityPolicy.REPOSITORY_SCOPED (customer managed policies), or with ' +
      'IdentityPolicy.ALREADY_ATTACHED when the role gets its ECR permissions another way.',
    ];
  }

  /** Whether a rendered ARN is the policy's, in any partition (a literal ARN or one with `AWS::Partition`). */
  private isPolicyArn(arn: unknown): boolean {
    const rendered = renderIntrinsic(arn, name => name === 'AWS::Partition' ? 'partition' : undefined);
    return rendered !== undefined && /^arn:[a-z-]+:iam::aws:policy\/(.*)$/.exec(rendered)?.[1] === this.policyName;
  }
}
