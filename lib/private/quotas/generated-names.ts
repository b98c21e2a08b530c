import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Stack, Token } from 'aws-cdk-lib/core';
import { measure } from './quotas';

/** ECR: the longest repository name. */
const MAX_REPOSITORY_NAME = 256;
/** The random part CloudFormation appends to a name it generates (12 or 13 characters seen). */
const GENERATED_SUFFIX = 13;

/**
 * The longest ARN a repository this app defines can have once deployed, where its ARN is known only at deploy time
 * (a `Fn::GetAtt` in its own stack, a `Fn::ImportValue` in another stack of its environment), or `undefined` when that
 * cannot be bounded below ECR's own limit (an imported repository, a name from a parameter, a nested stack's
 * generated name).
 *
 * A repository with a literal `repositoryName` has exactly that name. Without one, CloudFormation names it
 * `<stack name>-<logical id>-<random>`, lowercased, and shortens the first two parts when the whole would exceed the
 * service's limit: so the name has at most the length of those three parts and their two hyphens, and never more
 * than 256 characters. The pattern is CloudFormation's observed behaviour, not a documented contract; a stack whose
 * name is known only at deploy time (a nested stack) is not bounded.
 */
export function repositoryArnBound(repository: ecr.IRepository): number | undefined {
  const cfn = repository.node.defaultChild;
  if (!(cfn instanceof ecr.CfnRepository)) {
    return undefined;
  }
  const stack = Stack.of(repository);
  const name = stack.resolve(cfn.repositoryName);
  let nameLength: number;
  if (typeof name === 'string') {
    nameLength = name.length;
  } else if (name === undefined && !Token.isUnresolved(stack.stackName)) {
    const logicalId = stack.resolve(cfn.logicalId) as string;
    nameLength = Math.min(MAX_REPOSITORY_NAME, stack.stackName.length + 1 + logicalId.length + 1 + GENERATED_SUFFIX);
  } else {
    return undefined;
  }
  // The ARN's prefix as the repository's stack renders it (its partition, region and account, or their longest
  // values): a stack that references the ARN is of the same environment.
  const prefix = measure(stack, stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: '' })).characters - 2;
  return prefix + nameLength;
}
