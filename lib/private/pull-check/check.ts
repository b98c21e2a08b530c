import { CheckArguments } from './arguments';
import { AwsClients } from './aws-clients';
import { EndpointFinding, checkEndpoints } from './endpoints';
import { ActionFacts, decide, localFacts, NO_GRANTS, RoleDocuments, Verdict } from './evaluation';
import { RequestContext } from './matching';
import { Policy } from './policy';
import {
  CreationTemplate, existsInRegion, isFailure, PullThroughCacheRule, readCallerAccount, readCreationTemplate, readOrganizationId,
  readPullThroughCacheRule, readRegistryPolicy, readRepository, readRole, readRoleDocuments, ReadFailure, RepositoryFacts, RoleFacts, policyName,
} from './reads';
import { CallSite, requestContext } from './request-context';
import { SimulatedSide, simulate, SimulationGroup } from './simulator';

/** The calls of a pull: the token on `*`, then the image calls on the repository. */
export const TOKEN_ACTION = 'ecr:GetAuthorizationToken';
export const IMAGE_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
/** What the first pull through a pull-through cache rule needs besides (ECR creates the repository then). */
export const FIRST_PULL_ACTIONS = ['ecr:CreateRepository', 'ecr:BatchImportUpstreamImage'];

export interface ActionAnalysis {
  readonly action: string;
  readonly facts: ActionFacts;
  readonly verdict: Verdict;
  /** What the simulator said of the SCPs, when it was used. */
  readonly scpStatus?: SimulatedSide['scpStatus'];
}

/** A repository that does not exist yet, but that a pull-through cache rule creates on the first pull. */
export interface CacheFindings {
  readonly rule: PullThroughCacheRule;
  /** The creation template whose policy the new repository gets (undefined: none applies). */
  readonly template?: CreationTemplate | ReadFailure;
  readonly registryPolicy?: Policy | ReadFailure;
}

export interface Findings {
  readonly args: CheckArguments;
  readonly sameAccount: boolean;
  readonly role: RoleFacts | ReadFailure;
  readonly simulator: { readonly used: true } | { readonly used: false; readonly reason: string };
  /** Why the role's side could not be decided at all (neither the simulator nor the documents could be read). */
  readonly identityUnread?: string;
  readonly repository: RepositoryFacts | ReadFailure;
  /** The default chain's region, when a repository of that name exists there instead. */
  readonly otherRegion?: string;
  /** The pull-through cache rule that creates the repository, or why the rules could not be read. */
  readonly cache?: CacheFindings | ReadFailure;
  readonly organization?: string | null | ReadFailure;
  readonly token: ActionAnalysis;
  readonly images: ActionAnalysis[];
  readonly firstPull: ActionAnalysis[];
  readonly endpoints?: EndpointFinding[] | ReadFailure | 'no-such-vpc';
}

export interface CheckOptions {
  readonly defaultRegion?: string;
}

/** Reads what the pull path depends on, and decides each call. */
export async function collectFindings(args: CheckArguments, clients: AwsClients, options: CheckOptions): Promise<Findings> {
  const { role: roleArn, repository } = args;
  const sameAccount = roleArn.account === repository.account;
  const [role, repositoryFacts] = await Promise.all([readRole(clients.iam, roleArn.name), readRepository(clients.ecr, repository)]);

  let otherRegion: string | undefined;
  let cache: CacheFindings | ReadFailure | undefined;
  if (!isFailure(repositoryFacts) && !repositoryFacts.exists) {
    if (clients.ecrDefaultRegion && options.defaultRegion && await existsInRegion(clients.ecrDefaultRegion, repository)) {
      otherRegion = options.defaultRegion;
    }
    cache = await readCache(args, clients);
  }

  // Resource-side documents, to know whether the organization id matters.
  const resourcePolicies: Policy[] = [];
  if (!isFailure(repositoryFacts) && repositoryFacts.policy) {
    resourcePolicies.push(repositoryFacts.policy);
  }
  if (cache && !isFailure(cache)) {
    const templatePolicy = cache.template && !isFailure(cache.template) ? cache.template.policy : undefined;
    for (const policy of [templatePolicy, isFailure(cache.registryPolicy) ? undefined : cache.registryPolicy]) {
      if (policy) {
        resourcePolicies.push(policy);
      }
    }
  }
  const organization = resourcePolicies.some(p => /aws:principalorgid/i.test(JSON.stringify(p.statements.map(s => s.text))))
    ? await readOrganizationId(clients.organizations) : undefined;
  const organizationId = organization === undefined || isFailure(organization) ? undefined : organization;

  const baseSite: CallSite = { roleArn: roleArn.arn, nodeAccount: roleArn.account, region: repository.region, organizationId };
  const tokenSite: CallSite = baseSite;
  const repositorySite: CallSite = { ...baseSite, registryAccount: repository.account };
  const firstPullActions = cache && !isFailure(cache) ? FIRST_PULL_ACTIONS : [];

  // The role's side: the simulator first, the documents when it cannot be called.
  const boundaryArn = isFailure(role) ? undefined : role.boundaryArn;
  const roleMissing = !isFailure(role) && !role.exists;
  const groups: SimulationGroup[] = [
    { actions: [TOKEN_ACTION], resource: '*', site: tokenSite },
    { actions: [...IMAGE_ACTIONS, ...firstPullActions], resource: repository.arn, site: repositorySite },
  ];
  const simulation = roleMissing ? { failed: `role ${roleArn.arn} does not exist` } : await simulate(clients.iam, roleArn.arn, boundaryArn ? policyName(boundaryArn) : undefined, groups);
  let documents: RoleDocuments | ReadFailure | undefined;
  if ('failed' in simulation && !roleMissing) {
    documents = isFailure(role) ? role : await readRoleDocuments(clients.iam, roleArn.name, boundaryArn);
  }
  const identityUnread = roleMissing ? `role ${roleArn.arn} does not exist` : documents && isFailure(documents) ? documents.failed : undefined;

  const analyse = (action: string, resource: string, site: CallSite, resourcePolicy: Policy | undefined): ActionAnalysis => {
    const context = requestContext(site);
    const request = { roleArn: roleArn.arn, action, resource, context };
    const local = localFacts(documents && !isFailure(documents) ? documents : { identity: [] }, resourcePolicy, request, resource === '*' || sameAccount);
    let facts: ActionFacts = local;
    let scpStatus: SimulatedSide['scpStatus'] | undefined;
    if ('sides' in simulation) {
      const side = simulation.sides.get(action)!;
      facts = { ...local, identity: side.identity, boundary: side.boundary, scp: side.scp };
      scpStatus = side.scpStatus;
    } else if (identityUnread !== undefined) {
      const unread = { reason: { text: identityUnread }, dependsOn: [identityUnread] };
      facts = { ...local, identity: { allow: { certain: [], conditional: [unread] }, deny: NO_GRANTS }, boundary: undefined };
    }
    return { action, facts, verdict: decide(facts), scpStatus };
  };

  const imagePolicy = repositoryPolicyFor(repositoryFacts, cache);
  const registryPolicy = cache && !isFailure(cache) && cache.registryPolicy && !isFailure(cache.registryPolicy) ? cache.registryPolicy : emptyPolicy('the registry policy');
  const findings: Findings = {
    args,
    sameAccount,
    role,
    simulator: 'sides' in simulation ? { used: true } : { used: false, reason: simulation.failed },
    identityUnread,
    repository: repositoryFacts,
    otherRegion,
    cache,
    organization,
    token: analyse(TOKEN_ACTION, '*', tokenSite, undefined),
    images: IMAGE_ACTIONS.map(action => analyse(action, repository.arn, repositorySite, imagePolicy)),
    firstPull: firstPullActions.map(action => analyse(action, repository.arn, repositorySite, registryPolicy)),
    endpoints: args.vpcId && clients.vpcRegion
      ? await endpointFindings(args, clients.vpcRegion, requestContext(repositorySite), requestContext(tokenSite)) : undefined,
  };
  return findings;
}

/** The policy the image calls meet: the repository's, or the one a creation template gives the repository ECR creates. */
function repositoryPolicyFor(repository: RepositoryFacts | ReadFailure, cache: CacheFindings | ReadFailure | undefined): Policy {
  if (!isFailure(repository) && repository.exists) {
    return repository.policy ?? emptyPolicy('the repository policy');
  }
  if (cache && !isFailure(cache) && cache.template && !isFailure(cache.template) && cache.template.policy) {
    return cache.template.policy;
  }
  return emptyPolicy('the repository policy');
}

function emptyPolicy(name: string): Policy {
  return { name, statements: [] };
}

async function readCache(args: CheckArguments, clients: AwsClients): Promise<CacheFindings | ReadFailure | undefined> {
  // Creation templates and the registry policy belong to the registry of the credentials that read them.
  const credentialsAccount = clients.registryCredentialsAccount ?? await readCallerAccount(clients.sts);
  if (isFailure(credentialsAccount)) {
    return credentialsAccount;
  }
  if (credentialsAccount !== args.repository.account) {
    return { failed: `the pull-through cache rules and creation templates of ${args.repository.account} were not read: the credentials are of account ${credentialsAccount} (pass --registry-role-arn)` };
  }
  const rule = await readPullThroughCacheRule(clients.ecr, args.repository);
  if (rule === undefined || isFailure(rule)) {
    return rule;
  }
  const [template, registryPolicy] = await Promise.all([
    readCreationTemplate(clients.ecr, args.repository, 'PULL_THROUGH_CACHE'),
    readRegistryPolicy(clients.ecr, args.repository),
  ]);
  return { rule, template, registryPolicy };
}

async function endpointFindings(args: CheckArguments, vpcRegion: string, ecrContext: RequestContext, tokenContext: RequestContext) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only for --vpc-id: the EC2 client is most of the bundle
  const { readVpcEndpoints } = require('./vpc-reads') as typeof import('./vpc-reads');
  const endpoints = await readVpcEndpoints(vpcRegion, args.vpcId!);
  if (endpoints === 'no-such-vpc' || isFailure(endpoints)) {
    return endpoints;
  }
  return checkEndpoints(endpoints, args.vpcId!, vpcRegion, args.repository, args.role.arn, ecrContext, tokenContext);
}
