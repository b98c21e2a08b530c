/**
 * Every call the command may make, by the credentials that make it: the IAM policy it needs (the README lists the
 * same, and the tests compare both with the calls they see). All of them read; `sts:GetCallerIdentity` needs no
 * permission and is not listed.
 */
export const CHECK_PERMISSIONS = {
  /** The default chain's credentials, in the node account. */
  node: [
    'iam:GetRole',
    'iam:SimulatePrincipalPolicy',
    'iam:ListRolePolicies',
    'iam:GetRolePolicy',
    'iam:ListAttachedRolePolicies',
    'iam:GetPolicy',
    'iam:GetPolicyVersion',
    'organizations:DescribeOrganization',
    'ec2:DescribeVpcs',
    'ec2:DescribeVpcEndpoints',
    'sts:AssumeRole',
  ],
  /** The registry account's credentials: --registry-role-arn's, or the same ones. */
  registry: [
    'ecr:GetRepositoryPolicy',
    'ecr:DescribePullThroughCacheRules',
    'ecr:DescribeRepositoryCreationTemplates',
    'ecr:GetRegistryPolicy',
  ],
} as const;
