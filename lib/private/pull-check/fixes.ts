import { Repository } from './arguments';
import { ECR_PULL_ACTIONS } from '../constants/pull-actions';

/** A fix for a failing check: where to apply it, what to add, and the library's code that does it. */
export interface Fix {
  /** The account to apply it in. */
  readonly account: string;
  readonly text: string;
  /** A policy document or statement to add, exactly as JSON. */
  readonly json?: object;
  /** TypeScript for a stack of `account` (this library's constructs). */
  readonly code?: string;
}

/** The Sid of the statement the check suggests; not `AnyscaleEcrPull...`, which the MERGE handler owns. */
export const SUGGESTED_SID = 'AnyscaleNodePull';

export function identityFix(roleArn: string, roleName: string, account: string, repository: Repository): Fix {
  return {
    account,
    text: `give role ${roleName} these permissions in account ${account} (an inline policy, or attach the AWS managed policy AmazonEC2ContainerRegistryPullOnly), or deploy the construct in a stack of account ${account}:`,
    json: {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'EcrAuthorizationToken', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        { Sid: 'EcrPull', Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], Resource: repository.arn },
      ],
    },
    code: accessCode(roleArn, repository, false),
  };
}

export function repositoryFix(roleArn: string, repository: Repository): Fix {
  return {
    account: repository.account,
    text: `add this statement to the policy of repository ${repository.name} in account ${repository.account}, region ${repository.region} (keep the statements it has), or deploy the construct in a stack of account ${repository.account}, region ${repository.region}:`,
    json: repositoryStatement(roleArn),
    code: accessCode(roleArn, repository, true),
  };
}

export function templateFix(roleArn: string, repository: Repository, prefix: string | undefined): Fix {
  const template = prefix === undefined
    ? 'a repository creation template (applied for PULL_THROUGH_CACHE) for the cache rule\'s prefix'
    : `the repository policy of creation template ${prefix}`;
  return {
    account: repository.account,
    text: `ECR gives the repository it creates the policy of ${template}; add this statement to it in account ${repository.account}, region ${repository.region}, or manage the template with AnyscaleEcrCreatedRepositoryAccess there (README: Repositories that ECR creates itself):`,
    json: repositoryStatement(roleArn),
  };
}

export function repositoryStatement(roleArn: string): object {
  return { Sid: SUGGESTED_SID, Effect: 'Allow', Principal: { AWS: roleArn }, Action: [...ECR_PULL_ACTIONS] };
}

export function boundaryFix(boundaryName: string, account: string, actions: string[]): Fix {
  return {
    account,
    text: `the permissions boundary ${boundaryName} (account ${account}) is a ceiling for the role: allow the calls in it (it may bound other roles too):`,
    json: { Sid: 'EcrPull', Effect: 'Allow', Action: actions, Resource: '*' },
  };
}

export function denyFix(account: string, where: string): Fix {
  return { account, text: `remove or narrow ${where} in account ${account}: an explicit Deny wins over every Allow` };
}

/** The construct call that grants the role the repository; `merge` for a stack of the repository's account. */
export function accessCode(roleArn: string, repository: Repository, merge: boolean): string {
  return [
    'new AnyscaleEcrAccess(stack, \'EcrAccess\', {',
    `  role: AnyscaleNodeRole.fromRoleArn(stack, 'NodeRole', '${roleArn}'),`,
    `  repositories: [ecr.Repository.fromRepositoryArn(stack, 'Repository', '${repository.arn}')],`,
    ...(merge ? ['  existingRepositoryPolicy: ExistingRepositoryPolicy.MERGE,'] : []),
    '});',
  ].join('\n');
}
