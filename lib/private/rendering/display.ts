import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Aws, Stack, Token } from 'aws-cdk-lib/core';
import { renderIntrinsic } from './rendering';

const DEPLOY_TIME = '<deploy-time value>';

/**
 * An ARN as a person reads it: the pseudo-parameter tokens CDK puts into imported ARNs shown by name, and any other
 * token (a parameter, an import) as `<deploy-time value>` rather than CDK's `${Token[...]}`.
 */
export function displayArn(arn: string): string {
  return arn.split(Aws.PARTITION).join('<partition>').split(Aws.ACCOUNT_ID).join('<account>')
    .replace(/\$\{Token\[[^\]]*\]\}/g, DEPLOY_TIME);
}

/** A stack as messages name it: its name where that is literal (a nested stack's is known only at deploy time), else its path. */
export function displayStack(stack: Stack): string {
  return Token.isUnresolved(stack.stackName) ? stack.node.path : stack.stackName;
}

/** A repository as messages name it: its name where that is literal, else its construct path. */
export function displayRepository(repository: ecr.IRepository): string {
  return Token.isUnresolved(repository.repositoryName) ? repository.node.path : repository.repositoryName;
}

/**
 * A value as JSON a person can paste: resolved, with `Fn::Join` joined, the pseudo parameters shown as
 * `<partition>`, `<account>` and `<region>`, and any other deploy-time value as `<deploy-time value>`.
 */
export function displayJson(stack: Stack, value: unknown): string {
  return JSON.stringify(rendered(stack.resolve(value)));
}

const PSEUDO: Record<string, string> = { 'AWS::Partition': '<partition>', 'AWS::AccountId': '<account>', 'AWS::Region': '<region>' };

function rendered(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(rendered);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const node = value as Record<string, unknown>;
  const keys = Object.keys(node);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
    return renderIntrinsic(node, name => PSEUDO[name] ?? DEPLOY_TIME, () => DEPLOY_TIME);
  }
  return Object.fromEntries(keys.map(key => [key, rendered(node[key])]));
}
