/** ECR's rules that the constructs, the bundled handler and the check command share. This module imports nothing. */

/** ECR: characters of a repository policy text. */
export const MAX_POLICY_CHARACTERS = 10_240;

/**
 * ECR's rule for repository names (botocore's `RepositoryName` shape: 2 to 256 characters; segments separated by '/' are
 * lowercase letters and digits joined by '.', '_', '__' or a run of '-').
 */
export const REPOSITORY_NAME_PATTERN = /^(?=.{2,256}$)[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
