export * from './anyscale-ecr-access';
export * from './node-role';
export * from './warnings';
