import { Aws } from 'aws-cdk-lib';

/** An ARN as a person reads it: the pseudo-parameter tokens CDK puts into imported ARNs shown by name. */
export function displayArn(arn: string): string {
  return arn.split(Aws.PARTITION).join('<partition>').split(Aws.ACCOUNT_ID).join('<account>');
}
