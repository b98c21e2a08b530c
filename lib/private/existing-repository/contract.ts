/**
 * What the existing-repository construct and its Lambda handler agree on. The handler is bundled on its own, so
 * this module imports nothing from aws-cdk-lib.
 */

/** The custom resource type, as it appears in templates and in CloudFormation events. */
export const STATEMENT_RESOURCE_TYPE = 'Custom::AnyscaleEcrRepositoryStatement';

/** The only calls the handler makes; its role allows nothing else. */
export const HANDLER_ACTIONS: readonly string[] = Object.freeze([
  'ecr:GetRepositoryPolicy',
  'ecr:SetRepositoryPolicy',
  'ecr:DeleteRepositoryPolicy',
]);

/** The function's environment variable that lists what its stack declared (see `AllowList`). */
export const ALLOW_LIST_VARIABLE = 'ALLOWED_GRANTS';

/**
 * The repositories and principals the stack declared: the handler writes nothing else, whoever invokes it.
 * `repositories` pairs each repository name with the indexes of its principals in `principals`.
 */
export interface AllowList {
  readonly principals: string[];
  readonly repositories: Array<[string, number[]]>;
}
