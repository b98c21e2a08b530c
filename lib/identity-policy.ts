import { ECR_PULL_ACTIONS, READ_ONLY_MANAGED_POLICY_NAME } from './private/constants/pull-actions';
import { IdentityChoice } from './private/identity/identity-choice';

/**
 * Which identity permissions the node role gets.
 */
export class IdentityPolicy {
  /**
   * The AWS managed policy `AmazonEC2ContainerRegistryReadOnly`: the twelve read-only ECR actions on every
   * repository, as Anyscale's guide attaches it. A role the app does not define gets an inline policy with
   * the same actions, because CloudFormation cannot attach an AWS managed policy to an existing role.
   */
  public static readonly READ_ONLY = new IdentityPolicy('READ_ONLY', READ_ONLY_MANAGED_POLICY_NAME, ECR_PULL_ACTIONS);

  /**
   * The AWS managed policy `AmazonEC2ContainerRegistryPullOnly` (2024): only `ecr:GetAuthorizationToken`,
   * `ecr:BatchGetImage`, `ecr:GetDownloadUrlForLayer` and `ecr:BatchImportUpstreamImage`, on every repository.
   * A role the app does not define gets an inline policy with the same actions.
   */
  public static readonly PULL_ONLY = new IdentityPolicy('PULL_ONLY', 'AmazonEC2ContainerRegistryPullOnly', [
    'ecr:BatchGetImage',
    'ecr:BatchImportUpstreamImage',
    'ecr:GetAuthorizationToken',
    'ecr:GetDownloadUrlForLayer',
  ]);

  /**
   * Least privilege: customer managed policies that allow the read-only ECR actions only on the granted
   * repositories (and `ecr:GetAuthorizationToken`, which has no resource, on `*`). The repositories are split
   * over as many policies as the 6,144-character limit of a managed policy needs (about 85 repositories with
   * 18-character names each);
   * each one counts towards the role's quota of 10 managed policies.
   */
  public static readonly REPOSITORY_SCOPED = new IdentityPolicy('REPOSITORY_SCOPED', undefined, ECR_PULL_ACTIONS, true);

  /**
   * The role has ECR read permissions already, so nothing is attached to it and nothing is warned: only the repository
   * side is granted. This is the case of the node roles that Anyscale's own tools create: `anyscale cloud setup`'s
   * CloudFormation template and Anyscale's Terraform modules (`enable_ec2_container_registry_readonly_access`, on by
   * default) attach `AmazonEC2ContainerRegistryReadOnly`, and EKS managed node groups made by terraform-aws-eks or
   * eksctl attach it too. Check with `aws iam list-attached-role-policies --role-name <role name>`. The app does not
   * need `iam:PutRolePolicy` on the role. Nothing checks at synth time that the permissions are there:
   * `npx cdk-anyscale-ecr-access check` does, against the live accounts.
   */
  public static readonly ALREADY_ATTACHED = new IdentityPolicy('ALREADY_ATTACHED', undefined, ECR_PULL_ACTIONS, false, true);

  /** @internal */
  public readonly _choice: IdentityChoice;

  private constructor(
    /** A name for this choice, as in the static property. */
    public readonly name: string,
    /** The AWS managed policy attached to a role the app defines, if this choice uses one. */
    public readonly awsManagedPolicyName: string | undefined,
    actions: readonly string[],
    repositoryScoped = false,
    alreadyAttached = false,
  ) {
    this._choice = { awsManagedPolicyName, actions, repositoryScoped, alreadyAttached };
  }
}
