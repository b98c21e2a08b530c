export { AnyscaleEcrAccess, AnyscaleEcrAccessProps } from './anyscale-ecr-access';
export { AnyscaleNodeRole, AnyscaleNodeRoleOptions } from './node-role';
export { AnyscaleEcrAccessWarnings } from './warnings';
