/**
 * The twelve ECR actions of Anyscale's pull policy. They are also exactly the actions of the AWS managed
 * policy `AmazonEC2ContainerRegistryReadOnly` (version 3).
 */
export const ECR_PULL_ACTIONS: readonly string[] = Object.freeze([
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:DescribeImageScanFindings',
  'ecr:DescribeImages',
  'ecr:DescribeRepositories',
  'ecr:GetAuthorizationToken',
  'ecr:GetDownloadUrlForLayer',
  'ecr:GetLifecyclePolicy',
  'ecr:GetLifecyclePolicyPreview',
  'ecr:GetRepositoryPolicy',
  'ecr:ListImages',
  'ecr:ListTagsForResource',
]);

/** The AWS managed policy that the node role gets when CDK owns the role. */
export const READ_ONLY_MANAGED_POLICY_NAME = 'AmazonEC2ContainerRegistryReadOnly';
