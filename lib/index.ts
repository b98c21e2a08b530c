export * from './anyscale-ecr-access';
export * from './identity-policy';
export * from './node-role';
export * from './warnings';
export * from './organization-access';
export * from './existing-repository-policy';
export * from './organization-grantee';
export * from './created-repository-access';
