/**
 * The DNS suffix of each AWS partition: CloudFormation's response URLs (pre-signed S3 URLs under the suffix of the
 * stack's partition, which is the MERGE handler's) and ECR's registry hosts (the check command).
 * test/existing-repository/partitions.test.ts checks this table against aws-cdk-lib's facts for every region CDK knows.
 */
const DNS_SUFFIXES: Readonly<Record<string, string>> = Object.freeze({
  'aws': 'amazonaws.com',
  'aws-cn': 'amazonaws.com.cn',
  'aws-us-gov': 'amazonaws.com',
  'aws-eusc': 'amazonaws.eu',
  'aws-iso': 'c2s.ic.gov',
  'aws-iso-b': 'sc2s.sgov.gov',
  'aws-iso-e': 'cloud.adc-e.uk',
  'aws-iso-f': 'csp.hci.ic.gov',
});

/** The partitions the table knows, in its order. */
export const KNOWN_PARTITIONS: readonly string[] = Object.keys(DNS_SUFFIXES);

/** The DNS suffix of a partition; a partition the table does not know fails with its name. */
export function dnsSuffixOf(partition: string): string {
  const suffix = Object.prototype.hasOwnProperty.call(DNS_SUFFIXES, partition) ? DNS_SUFFIXES[partition] : undefined;
  if (suffix === undefined) {
    throw new Error(`Partition ${JSON.stringify(partition)} of this function is not one the handler knows (${KNOWN_PARTITIONS.join(', ')}); ` +
      'it cannot tell CloudFormation\'s response URLs there, so no response was sent.');
  }
  return suffix;
}
