import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Stack } from 'aws-cdk-lib/core';
import { Construct, DependencyGroup } from 'constructs';
import { isOwned } from '../accounts/accounts';
import { roleIdentity } from '../accounts/role-identity';
import { ECR_PULL_ACTIONS } from '../constants/pull-actions';
import { GrantPart } from '../grants/grant-parts';
import { singletonId } from '../naming/fingerprint';
import { repositoryArnBound } from '../quotas/generated-names';
import { DeployTimeLength, measure, QUOTAS, quotaError } from '../quotas/quotas';
import { displayStack } from '../rendering/display';
import { NagAcknowledgements } from '../reporting/nag-acknowledgements';
import { assertNotSynthesized } from '../stage/synthesized';

const REGISTRY_ACTION = 'ecr:GetAuthorizationToken';
const REPOSITORY_ACTIONS = ECR_PULL_ACTIONS.filter(action => action !== REGISTRY_ACTION);
/**
 * Characters a repository ARN whose length is known only at deploy time (a GetAtt) is counted as: the
 * longest ECR repository ARN (partition, region, account and a 256-character name).
 */
const LONGEST_REPOSITORY_ARN = 'arn:aws-us-gov:ecr:ap-southeast-5:123456789012:repository/'.length + 256;

/**
 * The customer managed policies of `IdentityPolicy.REPOSITORY_SCOPED` for one role: the read-only actions on
 * the granted repositories, split so that no policy exceeds the managed policy size limit, and
 * `ecr:GetAuthorizationToken` (which has no resource) on `*` in the first one. One set per role and stack,
 * shared by every construct that grants the role.
 */
export class ScopedPolicies extends Construct {
  /** The set of the role in its stack: a child of the stack (without resources), found by id. */
  public static of(role: iam.IRole): ScopedPolicies {
    const stack = Stack.of(role);
    const key = roleIdentity(stack, role);
    const id = singletonId(stack, 'AnyscaleEcrScoped', key, child => child instanceof ScopedPolicies ? child.key : undefined);
    return stack.node.tryFindChild(id) as ScopedPolicies | undefined ?? new ScopedPolicies(role, stack, id, key);
  }

  private readonly policies: Array<{ statement: iam.PolicyStatement; characters: number; policy: iam.ManagedPolicy }> = [];
  /** Where each repository ARN granted so far is allowed. */
  private readonly parts = new Map<string, GrantPart>();
  private readonly repositories: ecr.IRepository[] = [];

  private constructor(private readonly role: iam.IRole, private readonly stack: Stack, private readonly id: string, public readonly key: string) {
    super(stack, id);
  }

  public addRepository(repository: ecr.IRepository): GrantPart {
    const arn = repository.repositoryArn;
    const granted = this.parts.get(arn);
    if (granted) {
      return granted;
    }
    assertNotSynthesized(this.stack, () => `repository ${repository.node.path} to the ECR policies of role ${this.role.node.path}`);
    this.assertReferenceable(repository);
    const size = measure(this.stack, arn);
    // An ARN known only at deploy time: bounded by the repository's name (literal or generated), or by ECR's longest.
    const characters = (size.unmeasured ? (repositoryArnBound(repository) ?? LONGEST_REPOSITORY_ARN) + 2 : size.characters) + 1;
    this.repositories.push(repository);
    let current = this.policies[this.policies.length - 1];
    if (!current || current.characters + characters > QUOTAS.managedPolicyCharacters) {
      current = this.newPolicy();
    }
    current.statement.addResources(arn);
    current.characters += characters;
    // The first policy holds ecr:GetAuthorizationToken, without which no repository can be pulled from.
    const first = this.policies[0].policy;
    const part = { statement: current.statement, carrier: current.policy === first ? first : new DependencyGroup(first, current.policy) };
    this.parts.set(arn, part);
    return part;
  }

  private newPolicy() {
    const index = this.policies.length;
    const statements = [new iam.PolicyStatement({ actions: [...REPOSITORY_ACTIONS] })];
    if (index === 0) {
      statements.push(new iam.PolicyStatement({ actions: [REGISTRY_ACTION], resources: ['*'] }));
    }
    const policy = new iam.ManagedPolicy(this.stack, `${this.id}${index + 1}`, {
      description: `Pull from the ECR repositories granted to ${this.role.roleName} (part ${index + 1})`,
      statements,
      roles: [this.role],
    });
    policy.node.addValidation({
      // A role customized with iam.Role.customizeRoles has no policy resource: CDK writes the statements to its policy
      // report instead, for whoever creates the role.
      validate: () => !(policy.node.defaultChild instanceof iam.CfnManagedPolicy) ? [] : quotaError(
        `Managed policy ${policy.node.path}`,
        measure(this.stack, policy.node.defaultChild.policyDocument, this.deployTimeArnLength()),
        QUOTAS.managedPolicyCharacters,
        'Repositories are split over policies by size when they are granted: a repository whose logical id was ' +
        'overridden afterwards (overrideLogicalId) may now be longer. Override it before the grant, or give the ' +
        'repository a repositoryName. Otherwise this is a bug in cdk-anyscale-ecr-access: please report it.',
      ),
    });
    if (index === 0) {
      NagAcknowledgements.wildcardResource(policy);
    }
    // The document without resources, plus the Resource key that the first ARN brings; each ARN adds itself and a
    // comma, except the first.
    const document = { Version: '2012-10-17', Statement: statements.map(statement => statement.toStatementJson()) };
    const entry = { statement: statements[0], policy, characters: measure(this.stack, document).characters + ',"Resource":[]'.length - 1 };
    this.policies.push(entry);
    return entry;
  }

  /**
   * The bound of each granted repository's ARN known only at deploy time, by the intrinsic that renders it here (a
   * `Fn::GetAtt`, or a `Fn::ImportValue` from another stack), as the repository is named when the policy is validated
   * (a logical id overridden after the grant is counted as it is then).
   */
  private deployTimeArnLength(): DeployTimeLength {
    const byIntrinsic = new Map(this.repositories.flatMap(repository => {
      const length = repositoryArnBound(repository);
      return length === undefined ? [] : [[JSON.stringify(this.stack.resolve(repository.repositoryArn)), length] as const];
    }));
    return intrinsic => byIntrinsic.get(JSON.stringify(intrinsic));
  }

  /** The role's stack names the repository: across environments CDK needs the repository's physical name. */
  private assertReferenceable(repository: ecr.IRepository): void {
    if (!isOwned(repository) || Stack.of(repository) === this.stack) {
      return;
    }
    try {
      this.stack.resolve(repository.repositoryArn);
    } catch (e) {
      throw new Error(
        `AnyscaleEcrAccess: identityPolicy REPOSITORY_SCOPED names repository ${repository.node.path} (stack ` +
        `${displayStack(Stack.of(repository))}) in a policy of stack ${displayStack(this.stack)}, another environment. Give the ` +
        "repository a physical name: new ecr.Repository(this, 'Images', { repositoryName: 'anyscale/images' }), or " +
        `use IdentityPolicy.READ_ONLY. (CDK: ${(e as Error).message})`,
      );
    }
  }
}
