import { Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { measure } from '../quotas/quotas';

/** ECR: the longest repository name. */
const MAX_REPOSITORY_NAME = 256;
/** The random part CloudFormation appends to a name it generates (12 or 13 characters seen). */
const GENERATED_SUFFIX = 13;

/**
 * The longest ARN the repository can have when CloudFormation names it (a repository of `stack` without
 * `repositoryName`), or `undefined` when that cannot be bounded below ECR's own limit.
 *
 * CloudFormation names such a repository `<stack name>-<logical id>-<random>`, lowercased, and shortens the first two
 * parts when the whole would exceed the service's limit: so the name has at most the length of those three parts and
 * their two hyphens, and never more than 256 characters. The pattern is CloudFormation's observed behaviour, not a
 * documented contract; a stack whose name is known only at deploy time (a nested stack) falls back to 256.
 */
export function generatedRepositoryArnLength(stack: Stack, repository: ecr.IRepository): number | undefined {
  const cfn = repository.node.defaultChild;
  if (Stack.of(repository) !== stack || !(cfn instanceof ecr.CfnRepository) || stack.resolve(cfn.repositoryName) !== undefined ||
    Token.isUnresolved(stack.stackName)) {
    return undefined;
  }
  const logicalId = stack.resolve(cfn.logicalId) as string;
  const name = Math.min(MAX_REPOSITORY_NAME, stack.stackName.length + 1 + logicalId.length + 1 + GENERATED_SUFFIX);
  // The ARN's prefix as the stack renders it (its partition, region and account, or their longest values).
  const prefix = measure(stack, stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: '' })).characters - 2;
  return prefix + name;
}
