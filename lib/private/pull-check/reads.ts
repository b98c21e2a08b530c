import {
  DescribePullThroughCacheRulesCommand, DescribeRepositoryCreationTemplatesCommand, ECRClient, GetRegistryPolicyCommand, GetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import {
  GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, GetRolePolicyCommand, IAMClient, ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Repository } from './arguments';
import { describeError, errorName, rethrowCredentialError } from './aws-errors';
import { RoleDocuments } from './evaluation';
import { parsePolicy, Policy, PolicyTextError } from './policy';

/** A read that failed for a reason other than credentials: the check cannot decide what depends on it. */
export interface ReadFailure {
  readonly failed: string;
}

export const isFailure = (value: unknown): value is ReadFailure => typeof value === 'object' && value !== null && 'failed' in value;

export interface RoleFacts {
  readonly exists: boolean;
  /** The permissions boundary's policy ARN, if the role has one. */
  readonly boundaryArn?: string;
  /** Services and principals its trust policy lets assume it (for the summary). */
  readonly trustedBy: string[];
}

/** iam:GetRole. */
export async function readRole(iam: IAMClient, roleName: string): Promise<RoleFacts | ReadFailure> {
  try {
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: roleName }));
    return {
      exists: true,
      boundaryArn: Role?.PermissionsBoundary?.PermissionsBoundaryArn,
      trustedBy: Role?.AssumeRolePolicyDocument ? trustedPrincipals(Role.AssumeRolePolicyDocument) : [],
    };
  } catch (e) {
    rethrowCredentialError(e, 'the node account');
    if (errorName(e) === 'NoSuchEntity' || errorName(e) === 'NoSuchEntityException') {
      return { exists: false, trustedBy: [] };
    }
    return { failed: `iam:GetRole ${roleName}: ${describeError(e)}` };
  }
}

function trustedPrincipals(document: string): string[] {
  try {
    const policy = parsePolicy('the trust policy', document);
    return [...new Set(policy.statements.filter(s => s.effect === 'Allow' && s.principals !== undefined).flatMap(s => s.principals === '*'
      ? ['*'] : Object.values(s.principals!).flat()))];
  } catch {
    return [];
  }
}

/**
 * The role's identity policies (inline, and each attached managed policy's default version) and its permissions
 * boundary: ListRolePolicies, GetRolePolicy, ListAttachedRolePolicies, GetPolicy and GetPolicyVersion.
 */
export async function readRoleDocuments(iam: IAMClient, roleName: string, boundaryArn: string | undefined): Promise<RoleDocuments | ReadFailure> {
  try {
    const [inline, attached, boundary] = await Promise.all([
      inlinePolicies(iam, roleName),
      attachedPolicies(iam, roleName),
      boundaryArn === undefined ? Promise.resolve(undefined) : managedPolicy(iam, boundaryArn, `permissions boundary ${policyName(boundaryArn)}`),
    ]);
    return { identity: [...inline, ...attached], boundary };
  } catch (e) {
    rethrowCredentialError(e, 'the node account');
    return { failed: e instanceof PolicyTextError ? e.message : `reading the policies of role ${roleName}: ${describeError(e)}` };
  }
}

async function inlinePolicies(iam: IAMClient, roleName: string): Promise<Policy[]> {
  const names: string[] = [];
  let marker: string | undefined;
  do {
    const page = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker: marker }));
    names.push(...page.PolicyNames ?? []);
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return Promise.all(names.map(async name => {
    const { PolicyDocument } = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
    return parsePolicy(`inline policy ${name}`, PolicyDocument ?? '{}');
  }));
}

async function attachedPolicies(iam: IAMClient, roleName: string): Promise<Policy[]> {
  const arns: string[] = [];
  let marker: string | undefined;
  do {
    const page = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker: marker }));
    arns.push(...(page.AttachedPolicies ?? []).map(p => p.PolicyArn!));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return Promise.all(arns.map(arn => managedPolicy(iam, arn, `managed policy ${policyName(arn)}`)));
}

async function managedPolicy(iam: IAMClient, arn: string, name: string): Promise<Policy> {
  const { Policy: meta } = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
  const { PolicyVersion } = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: meta!.DefaultVersionId! }));
  return parsePolicy(name, PolicyVersion?.Document ?? '{}');
}

export function policyName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

export interface RepositoryFacts {
  readonly exists: boolean;
  /** The repository's policy; undefined when it has none. */
  readonly policy?: Policy;
}

/**
 * ecr:GetRepositoryPolicy answers both questions: RepositoryNotFoundException when the repository does not exist in
 * that account and region, RepositoryPolicyNotFoundException when it exists without a policy.
 */
export async function readRepository(ecr: ECRClient, repository: Repository): Promise<RepositoryFacts | ReadFailure> {
  try {
    const { policyText } = await ecr.send(new GetRepositoryPolicyCommand({ registryId: repository.account, repositoryName: repository.name }));
    return { exists: true, policy: policyText ? parsePolicy(`the policy of repository ${repository.name}`, policyText) : undefined };
  } catch (e) {
    rethrowCredentialError(e, 'the registry account');
    const name = errorName(e);
    if (name === 'RepositoryPolicyNotFoundException') {
      return { exists: true };
    }
    if (name === 'RepositoryNotFoundException') {
      return { exists: false };
    }
    return { failed: e instanceof PolicyTextError ? e.message : `ecr:GetRepositoryPolicy ${repository.name} in ${repository.account}, ${repository.region}: ${describeError(e)}` };
  }
}

export interface PullThroughCacheRule {
  readonly prefix: string;
  readonly upstream: string;
}

export interface CreationTemplate {
  readonly prefix: string;
  readonly appliedFor: string[];
  readonly policy?: Policy;
}

/** ecr:DescribePullThroughCacheRules: the rule whose prefix the repository name starts with, if any. */
export async function readPullThroughCacheRule(ecr: ECRClient, repository: Repository): Promise<PullThroughCacheRule | undefined | ReadFailure> {
  try {
    const rules: PullThroughCacheRule[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ecr.send(new DescribePullThroughCacheRulesCommand({ registryId: repository.account, nextToken }));
      rules.push(...(page.pullThroughCacheRules ?? []).map(r => ({ prefix: r.ecrRepositoryPrefix!, upstream: r.upstreamRegistryUrl ?? 'an upstream registry' })));
      nextToken = page.nextToken;
    } while (nextToken);
    return rules.find(rule => repository.name.startsWith(`${rule.prefix}/`));
  } catch (e) {
    rethrowCredentialError(e, 'the registry account');
    return { failed: `ecr:DescribePullThroughCacheRules in ${repository.account}, ${repository.region}: ${describeError(e)}` };
  }
}

/**
 * ecr:DescribeRepositoryCreationTemplates: the template ECR applies to a repository it creates for `scenario`: the
 * longest prefix the name starts with (`<prefix>/`), else the `ROOT` template.
 */
export async function readCreationTemplate(ecr: ECRClient, repository: Repository, scenario: string)
  : Promise<CreationTemplate | undefined | ReadFailure> {
  try {
    const templates: CreationTemplate[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ecr.send(new DescribeRepositoryCreationTemplatesCommand({ nextToken }));
      for (const t of page.repositoryCreationTemplates ?? []) {
        templates.push({
          prefix: t.prefix!,
          appliedFor: t.appliedFor ?? [],
          policy: t.repositoryPolicy ? parsePolicy(`the repository policy of creation template ${t.prefix}`, t.repositoryPolicy) : undefined,
        });
      }
      nextToken = page.nextToken;
    } while (nextToken);
    const applicable = templates.filter(t => t.appliedFor.includes(scenario));
    const matching = applicable.filter(t => repository.name.startsWith(`${t.prefix}/`)).sort((a, b) => b.prefix.length - a.prefix.length);
    return matching[0] ?? applicable.find(t => t.prefix === 'ROOT');
  } catch (e) {
    rethrowCredentialError(e, 'the registry account');
    return { failed: e instanceof PolicyTextError ? e.message : `ecr:DescribeRepositoryCreationTemplates in ${repository.account}, ${repository.region}: ${describeError(e)}` };
  }
}

/** ecr:GetRegistryPolicy: undefined when the registry has none. */
export async function readRegistryPolicy(ecr: ECRClient, repository: Repository): Promise<Policy | undefined | ReadFailure> {
  try {
    const { policyText } = await ecr.send(new GetRegistryPolicyCommand({}));
    return policyText ? parsePolicy(`the registry policy of ${repository.account}, ${repository.region}`, policyText) : undefined;
  } catch (e) {
    rethrowCredentialError(e, 'the registry account');
    if (errorName(e) === 'RegistryPolicyNotFoundException') {
      return undefined;
    }
    return { failed: e instanceof PolicyTextError ? e.message : `ecr:GetRegistryPolicy in ${repository.account}, ${repository.region}: ${describeError(e)}` };
  }
}

/** Whether a repository of that name exists in another region of the registry (ecr:GetRepositoryPolicy there). */
export async function existsInRegion(ecr: ECRClient, repository: Repository): Promise<boolean> {
  try {
    await ecr.send(new GetRepositoryPolicyCommand({ registryId: repository.account, repositoryName: repository.name }));
    return true;
  } catch (e) {
    return errorName(e) === 'RepositoryPolicyNotFoundException';
  }
}

/** organizations:DescribeOrganization: the node account's organization id, `null` when it is in none. */
export async function readOrganizationId(organizations: OrganizationsClient): Promise<string | null | ReadFailure> {
  try {
    const { Organization } = await organizations.send(new DescribeOrganizationCommand({}));
    return Organization?.Id ?? null;
  } catch (e) {
    rethrowCredentialError(e, 'the node account');
    if (errorName(e) === 'AWSOrganizationsNotInUseException') {
      return null;
    }
    return { failed: `organizations:DescribeOrganization: ${describeError(e)}` };
  }
}

/** sts:GetCallerIdentity: the account the node credentials belong to. */
export async function readCallerAccount(sts: STSClient): Promise<string | ReadFailure> {
  try {
    const { Account } = await sts.send(new GetCallerIdentityCommand({}));
    return Account!;
  } catch (e) {
    rethrowCredentialError(e, 'the node account');
    return { failed: `sts:GetCallerIdentity: ${describeError(e)}` };
  }
}
