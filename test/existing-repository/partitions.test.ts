import { RegionInfo } from 'aws-cdk-lib/region-info';
import { dnsSuffixOf, KNOWN_PARTITIONS } from '../../lib/private/constants/partitions';

// The handler's table of DNS suffixes (the hosts of CloudFormation's response URLs) against aws-cdk-lib's facts, an
// independent source: every region CDK knows is served, with the suffix CDK gives its partition.

test.each(RegionInfo.regions.map(region => [region.name, region.partition, region.domainSuffix]))(
  'region %s: partition %s, DNS suffix %s', (_, partition, suffix) => {
    expect(dnsSuffixOf(partition!)).toBe(suffix);
  });

test('the handler knows no partition CDK does not', () => {
  expect([...KNOWN_PARTITIONS].sort()).toEqual([...new Set(RegionInfo.regions.map(region => region.partition))].sort());
});

test.each([
  ['eusc-de-east-1', 'amazonaws.eu'],
  ['us-iso-east-1', 'c2s.ic.gov'],
  ['us-isob-east-1', 'sc2s.sgov.gov'],
])('the partitions of the issue: %s has %s', (region, suffix) => {
  expect(dnsSuffixOf(RegionInfo.get(region).partition!)).toBe(suffix);
});
