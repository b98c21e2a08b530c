import { WARNING_IDS } from './private/reporting/warning-ids';

/**
 * Ids of the warnings that the constructs of this library (`AnyscaleEcrAccess` and the others) add with `Annotations.addWarningV2`.
 *
 * Each one says that part of a grant could not be applied by this app, and where it must be applied
 * instead. Acknowledge one with `Annotations.of(access).acknowledgeWarning(id, reason)` once that is done.
 */
export class AnyscaleEcrAccessWarnings {
  /**
   * The role belongs to another account than the stack it was imported into, so this app cannot attach
   * read-only ECR permissions to it. Attach them in the role's account.
   */
  public static readonly IDENTITY_NOT_APPLIED: string = WARNING_IDS.identityNotApplied;

  /**
   * The role was imported into an environment-agnostic stack with an explicit account, so whether the
   * policy attached to it by name deploys to the role's account cannot be checked at synth time.
   */
  public static readonly ROLE_ACCOUNT_UNVERIFIED: string = WARNING_IDS.roleAccountUnverified;

  /**
   * The repository needs a statement for the role in its resource policy, but CDK cannot add one here
   * (the repository is imported, or the role's account cannot be named from the repository's stack).
   */
  public static readonly REPOSITORY_POLICY_NOT_APPLIED: string = WARNING_IDS.repositoryPolicyNotApplied;

  /**
   * The app attaches more managed policies to the role than IAM's default quota of 10 allows (synthesis fails
   * above the account's highest quota, `maxManagedPoliciesPerRole`).
   */
  public static readonly MANAGED_POLICY_QUOTA: string = WARNING_IDS.managedPolicyQuota;

  /**
   * The role the app defines is trusted by EKS pods (Pod Identity or IRSA) and not by EC2: on Kubernetes the kubelet
   * pulls images with the node group's instance role. Pass that role instead.
   */
  public static readonly POD_ROLE_NOT_NODE_ROLE: string = WARNING_IDS.podRoleNotNodeRole;

  /**
   * A repository creation template applies to pull-through cache, whose first pull creates the repository: the node
   * roles need `ecr:CreateRepository` in the registry policy, which is one document per registry and region that this
   * library does not overwrite. The warning holds the exact statement to add to it.
   */
  public static readonly REGISTRY_POLICY_NOT_APPLIED: string = WARNING_IDS.registryPolicyNotApplied;

  /**
   * Two creation-template prefixes of one registry nest (one is a path prefix of the other, or one is `ROOT`): ECR
   * gives each repository it creates the settings of one template, so the repositories under the inner prefix get only
   * one of the two policies.
   */
  public static readonly NESTED_CREATION_TEMPLATE_PREFIX: string = WARNING_IDS.nestedCreationTemplatePrefix;

  private constructor() {}
}
