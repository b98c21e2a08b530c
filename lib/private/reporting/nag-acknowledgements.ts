import * as iam from 'aws-cdk-lib/aws-iam';
import { Stack, Validations } from 'aws-cdk-lib/core';
import { IConstruct } from 'constructs';
import { renderIntrinsic } from '../rendering/rendering';

/**
 * cdk-nag findings that the grant brings by design, acknowledged on the resources this library creates (or,
 * for the AWS managed policy, on the role it attaches it to), each for the exact finding and with the reason.
 */
export const NagAcknowledgements = {
  /** `ecr:GetAuthorizationToken` has no resource; the read-only actions on `*` mirror the AWS managed policy. */
  wildcardResource(scope: IConstruct): void {
    Validations.of(scope).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken only accepts Resource "*"; the other ECR read actions on "*" are those of the ' +
        'AWS managed AmazonEC2ContainerRegistryReadOnly policy that Anyscale documents. For repository-scoped ' +
        'permissions use IdentityPolicy.REPOSITORY_SCOPED (cdk-anyscale-ecr-access).',
    });
  },

  /** The AWS managed ECR policy that Anyscale's guide attaches to the node role. */
  awsManagedPolicy(role: IConstruct, policyName: string): void {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policyName}]`,
      reason: `${policyName} is the AWS managed policy that Anyscale's "Accessing Amazon ECR" guide attaches to the ` +
        'node role (cdk-anyscale-ecr-access). For repository-scoped permissions use IdentityPolicy.REPOSITORY_SCOPED.',
    });
  },

  /**
   * The ExistingRepositoryPolicy.MERGE handler may change the policies of the repositories of its account and region,
   * so that CloudFormation's cleanup can remove a statement from a repository the stack no longer names.
   */
  handlerRepositoryWildcard(role: iam.Role, repositoriesArn: string): void {
    // cdk-nag shows a Ref as <Name> in the finding id.
    const resource = renderIntrinsic(Stack.of(role).resolve(repositoriesArn), name => `<${name}>`);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${resource}]`,
      reason: 'The ExistingRepositoryPolicy.MERGE handler (cdk-anyscale-ecr-access) must remove its statement from a repository ' +
        'the stack no longer names, after CloudFormation has already updated this policy; the handler itself writes only ' +
        'the repositories and node roles its stack declared, and only GetRepositoryPolicy, SetRepositoryPolicy and ' +
        'DeleteRepositoryPolicy are allowed.',
    });
  },
};
