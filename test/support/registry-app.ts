import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { App, Stack } from 'aws-cdk-lib/core';
import { NODE_ACCOUNT, REGION, REGISTRY_ACCOUNT, stackIn } from './stacks';
import { AnyscaleEcrAccess, AnyscaleNodeRole, ExistingRepositoryPolicy } from '../../lib';

export interface RegistryOptions {
  readonly account?: string;
  readonly region?: string;
  readonly clouds?: string[];
  readonly repositories?: string[];
  readonly byArn?: boolean;
}

/** The node role of an Anyscale cloud of the node account. */
export const roleArn = (cloud: string, account = NODE_ACCOUNT, partition = 'aws') => `arn:${partition}:iam::${account}:role/${cloud}-cluster_node_role`;

/** A registry stack that merges the node roles of `clouds` into existing repositories (ExistingRepositoryPolicy.MERGE). */
export function registryStack(app: App, id: string, options: RegistryOptions = {}): Stack {
  const region = options.region ?? REGION;
  const stack = stackIn(app, id, options.account, region);
  const repositories = (options.repositories ?? ['images']).map(name => (options.byArn
    ? ecr.Repository.fromRepositoryArn(stack, name, `arn:aws:ecr:${region}:${REGISTRY_ACCOUNT}:repository/${name}`)
    : ecr.Repository.fromRepositoryName(stack, name, name)));
  for (const cloud of options.clouds ?? ['cld_abc']) {
    const role = AnyscaleNodeRole.fromCloudId(stack, `${cloud}Role`, cloud, { account: NODE_ACCOUNT });
    new AnyscaleEcrAccess(stack, `${cloud}Access`, { role, repositories, existingRepositoryPolicy: ExistingRepositoryPolicy.MERGE });
  }
  return stack;
}

/** A stack's template, as the CloudFormation model (test/support/cloudformation.ts) deploys it. */
export const template = (stack: Stack) => ({ template: Template.fromStack(stack).toJSON() });
