import { Repository } from './arguments';
import { decide, identityFacts } from './evaluation';
import { isUnknown, RequestContext } from './matching';
import { Principals } from './policy';
import { VpcEndpoint } from './vpc-reads';

/**
 * The policies of the node VPC's endpoints on the pull path: `ecr.api` serves ecr:GetAuthorizationToken, `ecr.dkr` the
 * image calls, and the S3 gateway endpoint the layer downloads from `prod-<region>-starport-layer-bucket`. Those layer
 * requests come through a URL ECR signs, not as the node role, so only a statement for every principal (`*`) is known
 * to apply to them.
 */
export interface EndpointFinding {
  readonly service: VpcEndpoint['service'];
  readonly status: 'pass' | 'fail' | 'depends' | 'note';
  readonly text: string;
  readonly dependsOn?: string[];
  /** The statement an endpoint policy needs, when it blocks. */
  readonly statement?: object;
  readonly endpointId?: string;
}

export const PULL_PATH_SERVICES: Array<VpcEndpoint['service']> = ['ecr.api', 'ecr.dkr', 's3'];

export function layerBucket(repository: Repository): string {
  return `prod-${repository.region}-starport-layer-bucket`;
}

export interface EndpointCall {
  readonly action: string;
  readonly resource: string;
  readonly context: RequestContext;
}

/** What each endpoint of the VPC must let through, for the role's session (ECR) or for any principal (S3). */
export function endpointCalls(service: VpcEndpoint['service'], repository: Repository, ecrContext: RequestContext, tokenContext: RequestContext): EndpointCall[] {
  switch (service) {
    case 'ecr.api':
      return [{ action: 'ecr:GetAuthorizationToken', resource: '*', context: tokenContext }];
    case 'ecr.dkr':
      return ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability']
        .map(action => ({ action, resource: repository.arn, context: ecrContext }));
    case 's3':
      return [{
        action: 's3:GetObject',
        resource: `arn:${repository.partition}:s3:::${layerBucket(repository)}/layer`,
        context: new Map([['aws:requestedregion', repository.region]]),
      }];
  }
}

export function checkEndpoints(endpoints: VpcEndpoint[], vpcId: string, vpcRegion: string, repository: Repository, roleArn: string,
  ecrContext: RequestContext, tokenContext: RequestContext): EndpointFinding[] {
  return PULL_PATH_SERVICES.map(service => {
    const label = service === 's3' ? 'S3 gateway endpoint' : `${service} endpoint`;
    if (repository.region !== vpcRegion) {
      return { service, status: 'note', text: `${label}: does not apply: the repository is in ${repository.region} and ${vpcId}'s endpoints serve ${vpcRegion} only (the route to ${repository.region} is not checked)` };
    }
    const ofService = endpoints.filter(e => e.service === service && (service !== 's3' || e.type.toLowerCase() === 'gateway'));
    if (ofService.length === 0) {
      return { service, status: 'note', text: `${label}: none in ${vpcId}: no endpoint policy applies (the route through NAT or an internet gateway is not checked)` };
    }
    const results = ofService.map(endpoint => checkEndpoint(endpoint, service, label, repository, roleArn, ecrContext, tokenContext));
    return results.find(r => r.status === 'fail') ?? results.find(r => r.status === 'depends') ?? results[0];
  });
}

function checkEndpoint(endpoint: VpcEndpoint, service: VpcEndpoint['service'], label: string, repository: Repository, roleArn: string,
  ecrContext: RequestContext, tokenContext: RequestContext): EndpointFinding {
  const name = `${label} ${endpoint.id}`;
  if (endpoint.state !== 'available') {
    return { service, endpointId: endpoint.id, status: 'note', text: `${name} is ${endpoint.state}, not available` };
  }
  if (endpoint.policy === undefined) {
    return { service, endpointId: endpoint.id, status: 'pass', text: `${name}: no policy (full access)` };
  }
  const calls = endpointCalls(service, repository, ecrContext, tokenContext);
  // For S3 the caller is ECR's signed URL: a statement that names a principal other than `*` may or may not apply.
  const principal = service === 's3' ? '*' : roleArn;
  const verdicts = calls.map(call => {
    const facts = identityFacts([endpoint.policy!], { roleArn: principal, action: call.action, resource: call.resource, context: call.context }, 'identity', true);
    const s3Unknown = service === 's3' ? endpoint.policy!.statements.filter(s => namesPrincipal(s.principals)) : [];
    const allow = { certain: facts.allow.certain, conditional: [...facts.allow.conditional, ...s3Unknown.filter(s => s.effect === 'Allow').map(statement => ({ reason: { text: endpoint.policy!.name, statement }, dependsOn: ['the principal of the layer request (a URL ECR signs)'] }))] };
    const deny = { certain: facts.deny.certain, conditional: [...facts.deny.conditional, ...s3Unknown.filter(s => s.effect === 'Deny').map(statement => ({ reason: { text: endpoint.policy!.name, statement }, dependsOn: ['the principal of the layer request (a URL ECR signs)'] }))] };
    return { call, verdict: decide({ action: call.action, resource: call.resource, sameAccount: true, identity: { allow, deny } }).decision };
  });
  const blocked = verdicts.filter(v => v.verdict === 'explicitDeny' || v.verdict === 'implicitDeny');
  const statement = {
    Effect: 'Allow',
    Principal: '*',
    Action: [...new Set(calls.map(c => c.action))],
    Resource: service === 'ecr.api' ? '*' : service === 'ecr.dkr' ? repository.arn : `arn:${repository.partition}:s3:::${layerBucket(repository)}/*`,
  };
  if (blocked.length > 0) {
    return {
      service,
      endpointId: endpoint.id,
      status: 'fail',
      text: `${name}: its policy ${blocked.some(b => b.verdict === 'explicitDeny') ? 'denies' : 'does not allow'} ${blocked.map(b => `${b.call.action} on ${b.call.resource}`).join(', ')}`,
      statement,
    };
  }
  const unknown = verdicts.map(v => v.verdict).filter(isUnknown);
  if (unknown.length > 0) {
    const keys = [...new Set(unknown.flatMap(u => u.dependsOn))];
    return { service, endpointId: endpoint.id, status: 'depends', text: `${name}: its policy depends on ${keys.join(', ')}`, dependsOn: keys, statement };
  }
  const privateDns = service !== 's3' && !endpoint.privateDns ? ' (private DNS is off: nodes use it only if configured to)' : '';
  return { service, endpointId: endpoint.id, status: 'pass', text: `${name}: its policy allows ${calls.map(c => c.action).join(', ')}${privateDns}` };
}

function namesPrincipal(principals: Principals | undefined): boolean {
  if (principals === undefined || principals === '*') {
    return false;
  }
  return !Object.entries(principals).every(([type, values]) => type === 'AWS' && values.every(v => v === '*'));
}
