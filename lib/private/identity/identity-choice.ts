/** What `IdentityPolicy` means to the identity side: the internals of one public choice. */
export interface IdentityChoice {
  /** The AWS managed policy attached to a role the app defines, if the choice uses one. */
  readonly awsManagedPolicyName?: string;
  /** The ECR actions the role gets (in an inline policy where a managed policy cannot be attached). */
  readonly actions: readonly string[];
  /** Customer managed policies that name each granted repository, instead of `*`. */
  readonly repositoryScoped: boolean;
  /** The role has its ECR permissions already: nothing is attached to it. */
  readonly alreadyAttached?: boolean;
}
