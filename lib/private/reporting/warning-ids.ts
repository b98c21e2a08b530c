/** The ids of the library's warnings, defined once for the code that emits them and the public `AnyscaleEcrAccessWarnings`. */
export const WARNING_IDS = {
  identityNotApplied: 'cdk-anyscale-ecr-access:identityNotApplied',
  roleAccountUnverified: 'cdk-anyscale-ecr-access:roleAccountUnverified',
  repositoryPolicyNotApplied: 'cdk-anyscale-ecr-access:repositoryPolicyNotApplied',
  managedPolicyQuota: 'cdk-anyscale-ecr-access:managedPolicyQuota',
  podRoleNotNodeRole: 'cdk-anyscale-ecr-access:podRoleNotNodeRole',
  registryPolicyNotApplied: 'cdk-anyscale-ecr-access:registryPolicyNotApplied',
  nestedCreationTemplatePrefix: 'cdk-anyscale-ecr-access:nestedCreationTemplatePrefix',
} as const;
