import { DescribeVpcEndpointsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { describeError, errorName, rethrowCredentialError } from './aws-errors';
import { parsePolicy, Policy, PolicyTextError } from './policy';
import { ReadFailure } from './reads';

// Only `--vpc-id` needs EC2, whose client is most of the bundle: check.ts loads this module when it is asked for, so
// that the command starts fast without it.

export interface VpcEndpoint {
  readonly id: string;
  /** `ecr.api`, `ecr.dkr` or `s3`. */
  readonly service: 'ecr.api' | 'ecr.dkr' | 's3';
  readonly type: string;
  readonly state: string;
  readonly privateDns: boolean;
  readonly policy?: Policy;
}

/** ec2:DescribeVpcs (the VPC must exist in the region) and ec2:DescribeVpcEndpoints of that VPC. */
export async function readVpcEndpoints(region: string, vpcId: string): Promise<VpcEndpoint[] | ReadFailure | 'no-such-vpc'> {
  const ec2 = new EC2Client({ region });
  try {
    try {
      await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
    } catch (e) {
      if (/InvalidVpcID\.NotFound/.test(errorName(e))) {
        return 'no-such-vpc';
      }
      throw e;
    }
    const endpoints: VpcEndpoint[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }], NextToken: nextToken }));
      for (const e of page.VpcEndpoints ?? []) {
        const service = /\.(ecr\.api|ecr\.dkr|s3)$/.exec(e.ServiceName ?? '')?.[1] as VpcEndpoint['service'] | undefined;
        if (service === undefined || !(e.ServiceName ?? '').includes(`.${region}.`)) {
          continue;
        }
        endpoints.push({
          id: e.VpcEndpointId!,
          service,
          type: e.VpcEndpointType ?? 'Interface',
          state: (e.State ?? 'unknown').toLowerCase(),
          privateDns: e.PrivateDnsEnabled ?? false,
          policy: e.PolicyDocument ? parsePolicy(`the policy of VPC endpoint ${e.VpcEndpointId} (${service})`, e.PolicyDocument) : undefined,
        });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return endpoints;
  } catch (e) {
    rethrowCredentialError(e, 'the node account');
    return { failed: e instanceof PolicyTextError ? e.message : `ec2:DescribeVpcEndpoints of ${vpcId}: ${describeError(e)}` };
  } finally {
    ec2.destroy();
  }
}

