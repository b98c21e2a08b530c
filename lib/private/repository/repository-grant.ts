import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Annotations, AspectPriority, Aspects, IAspect, Stack, Stage, Token } from 'aws-cdk-lib/core';
import { Construct, IConstruct } from 'constructs';
import { RepositoryPolicy } from './repository-policy';
import { AccountRelation, compareAccounts, Placement, repositoryPlacement, rolePlacement } from '../accounts/accounts';
import { ECR_PULL_ACTIONS } from '../constants/pull-actions';
import { PULL_STATEMENT_SID } from '../constants/sids';
import { ExistingRepositoryStatement } from '../existing-repository/existing-repository-statement';
import { GrantPart } from '../grants/grant-parts';
import { displayArn, displayRepository, displayStack } from '../rendering/display';
import { WARNING_IDS } from '../reporting/warning-ids';
import { stageName } from '../stage/synthesized';

/**
 * Lets the role pull from a repository of another account, by adding the role's ARN to the repository's
 * pull statement. Nothing is added when the role and the repository are provably in one account: the
 * role's identity policy is enough there. When the accounts cannot be compared at synth time, the statement
 * is added anyway: naming a role of the repository's own account grants nothing it did not have.
 *
 * Whether the repository takes the statement is what its `addToResourcePolicy` answers. `mergeExisting` is the user's
 * `ExistingRepositoryPolicy.MERGE` opt-in for imported repositories. What cannot be applied here (an imported
 * repository without it, a role whose account the repository's stack cannot name) becomes a warning on `reporter` that
 * says where and how to apply it, and `undefined`.
 */
export function grantRepository(
  role: iam.IRole,
  repository: ecr.IRepository,
  reporter: IConstruct,
  mergeExisting: boolean,
  rolePlace: Placement = rolePlacement(role),
): GrantPart | undefined {
  const repositoryPlace = repositoryPlacement(repository);
  if (compareAccounts(rolePlace.account, repositoryPlace.account) === AccountRelation.SAME) {
    return undefined;
  }
  assertSamePartition(role, rolePlace, repository, repositoryPlace);

  if (!rolePlace.owned && Token.isUnresolved(rolePlace.account) && Stack.of(role) !== Stack.of(repository)) {
    warnNotApplied(reporter, role, repository,
      `the role was imported into stack ${displayStack(Stack.of(role))} without a known account, so its ARN cannot be ` +
      `written into stack ${displayStack(Stack.of(repository))}. Import the role with its account ` +
      "(AnyscaleNodeRole.fromCloudId(scope, id, cloudId, { account: '111111111111' })), or give stack " +
      `${displayStack(Stack.of(role))} an explicit env.`);
    return undefined;
  }
  const referenceable = () => {
    if (rolePlace.owned) {
      ensureReferenceable(role, repository);
    }
  };

  // The repository's own policy, wherever its addToResourcePolicy takes the statement (a repository this app defines).
  const statement = RepositoryPolicy.addRole(repository, role.roleArn, referenceable);
  if (statement) {
    return { statement, carrier: repository };
  }
  // The statement a custom resource keeps in an imported repository of the importing stack's account (MERGE).
  const inStackAccount = compareAccounts(repositoryPlace.account, Stack.of(repository).account) === AccountRelation.SAME;
  if (mergeExisting && inStackAccount) {
    referenceable();
    const kept = ExistingRepositoryStatement.of(repository);
    kept.addRole(role.roleArn);
    return {
      statement: new iam.PolicyStatement({ principals: [new iam.ArnPrincipal(role.roleArn)], actions: [...ECR_PULL_ACTIONS] }),
      carrier: kept,
    };
  }
  const howToMerge = inStackAccount
    ? 'Set existingRepositoryPolicy: ExistingRepositoryPolicy.MERGE to let a custom resource of stack ' +
      `${displayStack(Stack.of(repository))} add the statement and keep the others, or add it`
    : mergeExisting
      ? 'ExistingRepositoryPolicy.MERGE only changes repositories of the importing stack\'s own account, and this one ' +
        `is in account ${displayArn(repositoryPlace.account)}: import it in a stack of that account, or add the statement`
      : 'Import the repository in a stack of its own account and set existingRepositoryPolicy: ' +
        'ExistingRepositoryPolicy.MERGE there, or add the statement';
  const why = `repository ${displayRepository(repository)} is imported, and CDK cannot change the resource policy of a ` +
    `repository it does not define. ${howToMerge} by hand (ECR console > Repositories > ` +
    `${displayRepository(repository)} > Permissions > Edit policy JSON, keeping the statements already there): ` +
    JSON.stringify(pullStatementJson(role));
  if (inStackAccount) {
    // Another construct of the app may merge the same role into the same repository (ExistingRepositoryPolicy.MERGE),
    // before or after this one: whether it does is known once every construct exists.
    Aspects.of(reporter).add(new WarnUnlessMerged(reporter, role, repository, why), { priority: AspectPriority.READONLY });
  } else {
    warnNotApplied(reporter, role, repository, why);
  }
  return undefined;
}

/** Warns at synthesis that the statement was not applied, unless a MERGE statement of the app applies it. */
class WarnUnlessMerged implements IAspect {
  private checked = false;

  constructor(private readonly reporter: IConstruct, private readonly role: iam.IRole,
    private readonly repository: ecr.IRepository, private readonly why: string) {}

  public visit(node: IConstruct): void {
    if (node !== this.reporter || this.checked) {
      return;
    }
    this.checked = true;
    if (!ExistingRepositoryStatement.appliedFor(this.repository, this.role.roleArn)) {
      warnNotApplied(this.reporter, this.role, this.repository, this.why);
    }
  }
}

/** The statement the library writes, as JSON for a person to paste into a repository policy. */
export function pullStatementJson(role: iam.IRole): Record<string, unknown> {
  return {
    Sid: PULL_STATEMENT_SID,
    Effect: 'Allow',
    Principal: { AWS: displayArn(role.roleArn) },
    Action: [...ECR_PULL_ACTIONS],
  };
}

/**
 * An owned role named from another stack. Across environments CDK needs the role's physical name; and ECR
 * rejects a policy whose principal does not exist yet, so the naming stack must deploy after the role's.
 * `names` says, for the messages, which prop holds the role and what names it (by default a repository's policy).
 */
export function ensureReferenceable(role: iam.IRole, target: IConstruct,
  names: { prop: string; target: string } = { prop: 'AnyscaleEcrAccess: props.role', target: `repository ${target.node.path}` }): void {
  const roleStack = Stack.of(role);
  const targetStack = Stack.of(target);
  if (roleStack === targetStack) {
    return;
  }
  // What follows depends only on the role and the stack that names it: checked once, whatever the number of repositories.
  const referenced = ReferencedRoles.of(targetStack);
  if (referenced.roles.has(role)) {
    return;
  }
  if (Stage.of(role) !== Stage.of(target)) {
    throw new Error(
      `${names.prop} ${role.node.path} is defined in ${stageName(role)}, and ${names.target} ` +
      `in ${stageName(target)}: CDK cannot reference a role or order stacks across stages ` +
      '(as CDK Pipelines deploys them). Grant inside the stage that defines the role, or import the role in ' +
      "the repository's stage by its fixed name (AnyscaleNodeRole.fromRoleName(scope, 'NodeRole', '<roleName>', " +
      "{ account: '<node account>' })) and deploy the role's stage first.",
    );
  }
  try {
    targetStack.resolve(role.roleArn);
  } catch (e) {
    throw new Error(
      `${names.prop} ${role.node.path} is defined in stack ${displayStack(roleStack)} (account ` +
      `${roleStack.account}, region ${roleStack.region}), and ${names.target} in stack ` +
      `${displayStack(targetStack)} (account ${targetStack.account}, region ${targetStack.region}) must name ` +
      "it in its policy. Give the role a physical name: new iam.Role(this, 'NodeRole', { roleName: " +
      'PhysicalName.GENERATE_IF_NEEDED, ... }) or a fixed roleName. (CDK: ' + (e as Error).message + ')',
    );
  }
  targetStack.addStackDependency(roleStack, 'ECR rejects a repository policy whose principal does not exist yet');
  referenced.roles.add(role);
}

/** The owned roles of other stacks that a stack already names, each checked and its stack deployed first (a child of the stack, found by id). */
class ReferencedRoles extends Construct {
  public static of(stack: Stack): ReferencedRoles {
    return stack.node.tryFindChild(ReferencedRoles.ID) as ReferencedRoles | undefined ?? new ReferencedRoles(stack, ReferencedRoles.ID);
  }

  private static readonly ID = 'AnyscaleEcrReferencedRoles';

  public readonly roles = new Set<iam.IRole>();
}

function assertSamePartition(role: iam.IRole, rolePlace: Placement, repository: ecr.IRepository, repositoryPlace: Placement): void {
  if (rolePlace.partition && repositoryPlace.partition && rolePlace.partition !== repositoryPlace.partition) {
    throw new Error(
      `AnyscaleEcrAccess: props.role ${displayArn(role.roleArn)} is in partition ${rolePlace.partition}, but repository ` +
      `${displayRepository(repository)} is in partition ${repositoryPlace.partition}. IAM cannot grant across partitions: ` +
      'use a node role and a repository of the same partition.',
    );
  }
}

function warnNotApplied(reporter: IConstruct, role: iam.IRole, repository: ecr.IRepository, why: string): void {
  Annotations.of(reporter).addWarningV2(
    WARNING_IDS.repositoryPolicyNotApplied,
    `Role ${displayArn(role.roleArn)} (account ${displayArn(rolePlacement(role).account)}) needs a statement in the policy of ` +
    `repository ${displayRepository(repository)} (account ${displayArn(repositoryPlacement(repository).account)}), but ${why}`,
  );
}
