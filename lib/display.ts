import { Aws } from 'aws-cdk-lib';

/**
 * An ARN as a person reads it: the pseudo-parameter tokens CDK puts into imported ARNs shown by name, and any other
 * token (a parameter, an import) as `<deploy-time value>` rather than CDK's `${Token[...]}`.
 */
export function displayArn(arn: string): string {
  return arn.split(Aws.PARTITION).join('<partition>').split(Aws.ACCOUNT_ID).join('<account>')
    .replace(/\$\{Token\[[^\]]*\]\}/g, '<deploy-time value>');
}
