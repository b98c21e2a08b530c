import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ExistingRepositoryPolicy } from './existing-repository-policy';
import { IdentityPolicy } from './identity-policy';
import { Placement, rolePlacement } from './private/accounts/accounts';
import { ECR_PULL_ACTIONS } from './private/constants/pull-actions';
import { combinedGrant, GrantPart, identityGrantOf, resourceGrantOf } from './private/grants/grant-parts';
import { grantIdentity, IdentityGrant } from './private/identity/identity-grant';
import { warnIfPodRole } from './private/identity/pod-role';
import { assertRoleArn } from './private/naming/role-names';
import { grantRepository } from './private/repository/repository-grant';

/**
 * Properties of `AnyscaleEcrAccess`.
 */
export interface AnyscaleEcrAccessProps {
  /**
   * The IAM role that the Anyscale cluster nodes run with.
   *
   * Use `AnyscaleNodeRole.fromCloudId` for the role that `anyscale cloud setup` created,
   * `AnyscaleNodeRole.rayAutoscalerV1` for `ray-autoscaler-v1`, or any `iam.IRole` you own or import.
   */
  readonly role: iam.IRole;

  /**
   * The ECR repositories the nodes pull images from, in the role's account or in other accounts.
   * More can be added with `addRepository`; by synthesis there must be at least one.
   *
   * @default - none yet: add them with `addRepository`
   */
  readonly repositories?: ecr.IRepository[];

  /**
   * The ECR permissions the node role gets on its own side.
   *
   * @default IdentityPolicy.READ_ONLY - `AmazonEC2ContainerRegistryReadOnly`, as in Anyscale's guide
   */
  readonly identityPolicy?: IdentityPolicy;

  /**
   * What to do with an imported repository whose policy needs a statement for the role (the repository is in
   * another account than the role).
   *
   * `ExistingRepositoryPolicy.MERGE` adds the statement to the repository's existing policy with a custom
   * resource of the stack that imports it (which must be a stack of the repository's account), keeping every
   * other statement, and removes exactly that statement on deletion.
   *
   * @default ExistingRepositoryPolicy.REPORT - nothing is changed; a warning holds the statement to add by hand
   */
  readonly existingRepositoryPolicy?: ExistingRepositoryPolicy;

  /**
   * The most managed policies the role's account lets one role have (its IAM quota "Managed policies per role").
   * Synthesis warns above the default quota of 10 and fails above this number. When several constructs grant one
   * role, a value given to one of them counts for all; two different values are an error.
   *
   * @default 20 - the highest quota AWS documents today (AWS Knowledge Center, "iam-increase-policy-size")
   */
  readonly maxManagedPoliciesPerRole?: number;
}

/** The two sides of the grant on one repository, as applied, and its `iam.Grant` once asked for. */
interface Granted {
  readonly identity?: GrantPart;
  readonly resource?: GrantPart;
  grant?: iam.Grant;
}

/**
 * Gives the IAM role of Anyscale cluster nodes pull access to private ECR repositories, in the role's
 * account or in other accounts.
 *
 * It does the two steps of Anyscale's "Accessing Amazon ECR" guide, each in the stack that owns the
 * resource, wherever this construct is placed:
 *
 * 1. Identity side: the role gets read-only ECR permissions (the AWS managed policy
 *    `AmazonEC2ContainerRegistryReadOnly` on a role this app defines; an inline policy with the same
 *    twelve actions, attached by name, on an imported role of the stack's account).
 * 2. Repository side: a repository of another account than the role gets one statement (`Sid`
 *    `AnyscaleEcrPull`) that lets the role ARN perform the twelve pull actions.
 *
 * What this app cannot apply (a role of another account, an imported repository of another account) is
 * never dropped: it becomes a warning that says where and how to apply it (see `AnyscaleEcrAccessWarnings`).
 *
 * @example
 * declare const stack: Stack;
 * const repository = new ecr.Repository(stack, 'Images');
 * new AnyscaleEcrAccess(stack, 'EcrAccess', {
 *   role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123'),
 *   repositories: [repository],
 * });
 */
export class AnyscaleEcrAccess extends Construct {
  /**
   * The twelve ECR actions that Anyscale's guide grants on a repository of another account. They are also
   * the actions of the AWS managed policy `AmazonEC2ContainerRegistryReadOnly`. The list is frozen, and the
   * constructs never read it back: changing it throws and changes no grant.
   */
  public static readonly PULL_ACTIONS: string[] = ECR_PULL_ACTIONS as string[];

  /** The node role this construct grants. */
  public readonly role: iam.IRole;

  /** What was applied for each repository, in the order they were added. */
  private readonly grants = new Map<ecr.IRepository, Granted>();
  private readonly identityGrants = new Map<GrantPart, iam.Grant>();
  private readonly rolePlace: Placement;
  private readonly identity: IdentityGrant;
  private readonly existingRepositoryPolicy: ExistingRepositoryPolicy;

  constructor(scope: Construct, id: string, props: AnyscaleEcrAccessProps) {
    super(scope, id);
    assertRoleArn(props.role.roleArn, 'AnyscaleEcrAccess: props.role');
    warnIfPodRole(props.role, this);
    this.role = props.role;
    this.rolePlace = rolePlacement(props.role);
    this.existingRepositoryPolicy = props.existingRepositoryPolicy ?? ExistingRepositoryPolicy.REPORT;
    const maxManagedPolicies = props.maxManagedPoliciesPerRole;
    if (maxManagedPolicies !== undefined && (!Number.isInteger(maxManagedPolicies) || maxManagedPolicies < 10)) {
      throw new Error(`AnyscaleEcrAccess ${this.node.path}: props.maxManagedPoliciesPerRole is ${maxManagedPolicies}, but an ` +
        "account's quota of managed policies per role is a whole number of at least 10 (the default). Pass the quota " +
        'Service Quotas shows for the account, or leave it out.');
    }
    this.identity = grantIdentity(this.role, (props.identityPolicy ?? IdentityPolicy.READ_ONLY)._choice, this, maxManagedPolicies);
    (props.repositories ?? []).forEach(repository => this.grant(repository));
    this.node.addValidation({ validate: () => this.validateRepositories() });
  }

  /**
   * Grants the node role pull access to one more repository.
   *
   * Returns the grant: `grant.applyBefore(resource)` makes a resource of yours deploy after the role's ECR
   * permissions and the repository's statement; `grant.success` is false when neither side could be applied by this
   * app (each such side is a warning that says where to apply it). Adding a repository twice adds nothing and returns
   * the same grant.
   */
  public addRepository(repository: ecr.IRepository): iam.Grant {
    const granted = this.grant(repository);
    // The iam.Grant is built when it is asked for: the grants of props.repositories are built only if added again.
    granted.grant ??= combinedGrant(this.role, repository, [
      ...granted.identity ? [this.identityGrant(granted.identity)] : [],
      ...granted.resource ? [resourceGrantOf(this.role, repository.repositoryArn, repository.env, granted.resource)] : [],
    ]);
    return granted.grant;
  }

  /** The repositories this construct grants, in the order they were added. */
  public get grantedRepositories(): ecr.IRepository[] {
    return [...this.grants.keys()];
  }

  /** Applies both sides of the grant on the repository, once; what was applied, where. */
  private grant(repository: ecr.IRepository): Granted {
    let granted = this.grants.get(repository);
    if (!granted) {
      granted = {
        identity: this.identity.addRepository(repository),
        resource: grantRepository(this.role, repository, this, this.existingRepositoryPolicy === ExistingRepositoryPolicy.MERGE, this.rolePlace),
      };
      this.grants.set(repository, granted);
    }
    return granted;
  }

  /** The grant of an identity-side part, built once: one managed or inline policy serves every repository. */
  private identityGrant(part: GrantPart): iam.Grant {
    let grant = this.identityGrants.get(part);
    if (!grant) {
      grant = identityGrantOf(this.role, part);
      this.identityGrants.set(part, grant);
    }
    return grant;
  }

  private validateRepositories(): string[] {
    return this.grants.size > 0 ? [] : [
      `AnyscaleEcrAccess ${this.node.path}: no repository to grant (props.repositories is empty or not given, and ` +
      'addRepository was not called). Pass the repositories the nodes pull from, for example ' +
      "repositories: [ecr.Repository.fromRepositoryName(this, 'Images', 'my-images')], or call addRepository.",
    ];
  }
}
