import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

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

  /** The handler of the existing-repository custom resource writes its logs with the AWS managed basic role. */
  lambdaBasicExecution(role: IConstruct): void {
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'AWSLambdaBasicExecutionRole only lets the ExistingRepositoryPolicy.MERGE handler write its own CloudWatch ' +
        'logs; its ECR permissions are an inline policy limited to three policy actions on the repositories it serves ' +
        '(cdk-anyscale-ecr-access).',
    });
  },
};
