/**
 * The DNS suffix of each AWS partition. CloudFormation's response URLs are pre-signed S3 URLs under the suffix of the
 * stack's partition, which is the function's. test/existing-repository/partitions.test.ts checks this table against
 * aws-cdk-lib's facts for every region CDK knows.
 */
const DNS_SUFFIXES: ReadonlyMap<string, string> = new Map([
  ['aws', 'amazonaws.com'],
  ['aws-cn', 'amazonaws.com.cn'],
  ['aws-us-gov', 'amazonaws.com'],
  ['aws-eusc', 'amazonaws.eu'],
  ['aws-iso', 'c2s.ic.gov'],
  ['aws-iso-b', 'sc2s.sgov.gov'],
  ['aws-iso-e', 'cloud.adc-e.uk'],
  ['aws-iso-f', 'csp.hci.ic.gov'],
]);

/** The partitions the handler knows, in the table's order. */
export const KNOWN_PARTITIONS: readonly string[] = [...DNS_SUFFIXES.keys()];

/** The DNS suffix of a partition; a partition the handler does not know fails with its name. */
export function dnsSuffixOf(partition: string): string {
  const suffix = DNS_SUFFIXES.get(partition);
  if (suffix === undefined) {
    throw new Error(`Partition ${JSON.stringify(partition)} of this function is not one the handler knows (${KNOWN_PARTITIONS.join(', ')}); ` +
      'it cannot tell CloudFormation\'s response URLs there, so no response was sent.');
  }
  return suffix;
}
