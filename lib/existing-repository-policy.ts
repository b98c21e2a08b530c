/**
 * What `AnyscaleEcrAccess` does with a repository that this app imports instead of defining
 * (`Repository.fromRepositoryName`, `fromRepositoryArn`, `fromRepositoryAttributes`), when the node role
 * needs a statement in that repository's policy.
 */
export enum ExistingRepositoryPolicy {
  /**
   * Change nothing: add the warning `AnyscaleEcrAccessWarnings.REPOSITORY_POLICY_NOT_APPLIED`, which holds the
   * statement to paste into the repository's permissions.
   */
  REPORT = 'REPORT',

  /**
   * Add the statement to the repository's existing policy with a custom resource of the stack that imports the
   * repository, keeping every other statement as it is, and remove exactly that statement when the stack or the
   * grant is deleted. Applies to repositories of the importing stack's own account; for a repository of another
   * account the warning stays.
   */
  MERGE = 'MERGE',
}
