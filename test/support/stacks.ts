import { Template } from 'aws-cdk-lib/assertions';
import { App, Stack } from 'aws-cdk-lib/core';

export const NODE_ACCOUNT = '111111111111';
export const REGISTRY_ACCOUNT = '222222222222';
export const THIRD_ACCOUNT = '333333333333';
export const REGION = 'us-east-1';

export const READ_ONLY_POLICY_ARN = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonEC2ContainerRegistryReadOnly']],
};

/** A stack with an explicit environment, or an environment-agnostic one when `account` is undefined. */
export function stackIn(app: App, id: string, account?: string, region = REGION): Stack {
  return new Stack(app, id, account ? { env: { account, region } } : {});
}

/** Every statement of every repository policy in a template. */
export function repositoryStatements(template: Template): any[] {
  return Object.values(template.findResources('AWS::ECR::Repository'))
    .flatMap((repository: any) => repository.Properties?.RepositoryPolicyText?.Statement ?? []);
}

/** The `AWS` principals of one statement, always as a list. */
export function awsPrincipals(statement: any): unknown[] {
  const aws = statement.Principal.AWS;
  return Array.isArray(aws) ? aws : [aws];
}

/** An imported role's ARN as CDK renders it in a stack without a literal partition. */
export function partitionArn(rest: string): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] };
}
