import { ActionAnalysis, Findings, IMAGE_ACTIONS } from './check';
import { EndpointFinding } from './endpoints';
import { Conditional, Grants, Reason } from './evaluation';
import { boundaryFix, denyFix, Fix, identityFix, repositoryFix, templateFix } from './fixes';
import { isUnknown } from './matching';
import { describeStatement } from './policy';
import { isFailure, policyName } from './reads';
import { OPAQUE_IDENTITY } from './simulator';

/** `note`: outside what the check decides (SCPs it could not see, routes); never a pass, never a failure. */
export type Status = 'pass' | 'fail' | 'depends' | 'note';

export interface CheckLine {
  readonly check: 'role' | 'identity' | 'boundary' | 'scp' | 'repository' | 'repository-policy' | 'first-pull' | 'endpoint' | 'decision';
  readonly status: Status;
  readonly text: string;
  readonly dependsOn?: string[];
  readonly fixes: Fix[];
}

export interface Report {
  readonly roleArn: string;
  readonly repositoryUri: string;
  readonly repositoryArn: string;
  /** How the role's side was decided. */
  readonly evaluatedBy: 'simulator' | 'documents';
  readonly simulatorUnavailable?: string;
  readonly lines: CheckLine[];
  readonly canPull: boolean;
  readonly exitCode: 0 | 1;
}

export function buildReport(findings: Findings): Report {
  const lines: CheckLine[] = [
    ...roleLines(findings),
    identityLine(findings),
    boundaryLine(findings),
    scpLine(findings),
    ...repositoryLines(findings),
    ...endpointLines(findings),
  ].filter((line): line is CheckLine => line !== undefined);
  const calls = needed(findings);
  const repositoryReady = !isFailure(findings.repository)
    && (findings.repository.exists || (findings.cache !== undefined && !isFailure(findings.cache)));
  // A call that is not allowed must show in a line that fails or depends; if none does, say so rather than pass. (A
  // repository that does not exist fails on its own line: its calls are not decided against a policy.)
  for (const analysis of repositoryReady ? calls : [findings.token]) {
    if (analysis.verdict.decision !== 'allowed' && !lines.some(l => (l.status === 'fail' || l.status === 'depends') && l.text.includes(analysis.action))) {
      const decision = analysis.verdict.decision;
      lines.push(isUnknown(decision)
        ? { check: 'decision', status: 'depends', text: `${analysis.action} depends on ${decision.dependsOn.join(', ')}`, dependsOn: decision.dependsOn, fixes: [] }
        : { check: 'decision', status: 'fail', text: `${analysis.action} is ${decision === 'explicitDeny' ? 'denied explicitly' : 'not allowed'}`, fixes: [] });
    }
  }
  const canPull = repositoryReady && calls.every(a => a.verdict.decision === 'allowed') && !lines.some(l => l.status === 'fail' || l.status === 'depends');
  return {
    roleArn: findings.args.role.arn,
    repositoryUri: findings.args.repository.uri,
    repositoryArn: findings.args.repository.arn,
    evaluatedBy: findings.simulator.used ? 'simulator' : 'documents',
    simulatorUnavailable: findings.simulator.used ? undefined : findings.simulator.reason,
    lines,
    canPull,
    exitCode: canPull ? 0 : 1,
  };
}

function needed(findings: Findings): ActionAnalysis[] {
  return [findings.token, ...findings.images, ...findings.firstPull];
}

function roleLines(findings: Findings): CheckLine[] {
  const { role } = findings;
  const arn = findings.args.role.arn;
  if (isFailure(role)) {
    return [{ check: 'role', status: 'note', text: `role ${arn}: could not be read (${role.failed})`, fixes: [] }];
  }
  if (!role.exists) {
    return [{
      check: 'role',
      status: 'fail',
      text: `role ${arn} does not exist in account ${findings.args.role.account}`,
      fixes: [{ account: findings.args.role.account, text: 'check the name: the role of the nodes\' instance profile (aws iam get-instance-profile --instance-profile-name <name>), with its path' }],
    }];
  }
  return [];
}

/** What a list of reasons names: policies, or statements of them. */
function names(reasons: Reason[]): string {
  return [...new Set(reasons.map(r => r.statement ? r.statement.policy : r.text))].join(', ');
}

function statementNames(reasons: Reason[]): string {
  return [...new Set(reasons.map(r => r.statement ? describeStatement(r.statement) : r.text))].join('; ');
}

function keysOf(conditionals: Conditional[]): string[] {
  return [...new Set(conditionals.flatMap(c => c.dependsOn))];
}

const hasAny = (grants: Grants) => grants.certain.length > 0 || grants.conditional.length > 0;

/** In the same account, a repository statement for the role (or `*`) grants an image call without the identity side. */
function grantedByRepository(findings: Findings, analysis: ActionAnalysis): boolean {
  const repository = analysis.facts.repository;
  return findings.sameAccount && repository !== undefined && (repository.allowDirect.certain.length > 0 || repository.allowRole.certain.length > 0);
}

function identityLine(findings: Findings): CheckLine | undefined {
  const { role: roleArn, repository } = findings.args;
  const title = `identity policies of ${roleArn.name} (account ${roleArn.account})`;
  if (!isFailure(findings.role) && !findings.role.exists) {
    return undefined;
  }
  if (findings.identityUnread !== undefined) {
    return { check: 'identity', status: 'depends', text: `${title}: not decided: ${findings.identityUnread}`, dependsOn: [findings.identityUnread], fixes: [] };
  }
  const calls = needed(findings);
  const denied = calls.filter(a => a.facts.identity.deny.certain.length > 0);
  if (denied.length > 0) {
    const reasons = denied.flatMap(a => a.facts.identity.deny.certain);
    return {
      check: 'identity',
      status: 'fail',
      text: `${title}: ${statementNames(reasons)} denies ${denied.map(a => a.action).join(', ')}`,
      fixes: [denyFix(roleArn.account, statementNames(reasons))],
    };
  }
  const required = calls.filter(a => !(IMAGE_ACTIONS.includes(a.action) && grantedByRepository(findings, a)));
  const missing = required.filter(a => !hasAny(a.facts.identity.allow));
  if (missing.length > 0) {
    return {
      check: 'identity',
      status: 'fail',
      text: `${title}: nothing allows ${missing.map(a => a.action).join(', ')}${findings.sameAccount ? '' : ' (in another account than the repository, the role\'s own policies must allow the calls)'}`,
      fixes: [identityFix(roleArn.arn, roleArn.name, roleArn.account, repository)],
    };
  }
  const uncertain = calls.filter(a => a.facts.identity.allow.conditional.length > 0 && a.facts.identity.allow.certain.length === 0
    && required.includes(a)
    || a.facts.identity.deny.conditional.length > 0);
  const conditionals = uncertain.flatMap(a => [...a.facts.identity.allow.conditional, ...a.facts.identity.deny.conditional]);
  if (conditionals.length > 0 && conditionals.every(c => c.reason.text === OPAQUE_IDENTITY)) {
    return { check: 'identity', status: 'note', text: `${title}: not decided on their own: the permissions boundary or an SCP blocks first (fix that, then run the check again)`, fixes: [] };
  }
  if (uncertain.length > 0) {
    const keys = keysOf(conditionals.filter(c => c.reason.text !== OPAQUE_IDENTITY));
    return {
      check: 'identity',
      status: 'depends',
      text: `${title}: ${uncertain.map(a => a.action).join(', ')} depends on ${keys.join(', ')} (${statementNames(conditionals.map(c => c.reason))})`,
      dependsOn: keys,
      fixes: [],
    };
  }
  const fromRepository = calls.filter(a => !required.includes(a)).map(a => a.action);
  const allowedBy = names(required.flatMap(a => a.facts.identity.allow.certain));
  return {
    check: 'identity',
    status: 'pass',
    text: `${title}: allow ${required.map(a => a.action).join(', ')}${allowedBy ? ` (${allowedBy})` : ''}${fromRepository.length > 0 ? `; ${fromRepository.join(', ')} come from the repository policy` : ''}`,
    fixes: [],
  };
}

function boundaryLine(findings: Findings): CheckLine | undefined {
  const { role: roleArn } = findings.args;
  if (findings.identityUnread !== undefined) {
    return undefined;
  }
  const calls = needed(findings);
  const withBoundary = calls.filter(a => a.facts.boundary !== undefined);
  const boundaryArn = !isFailure(findings.role) ? findings.role.boundaryArn : undefined;
  const name = boundaryArn ? policyName(boundaryArn) : 'of the role';
  if (withBoundary.length === 0) {
    return { check: 'boundary', status: 'pass', text: 'permissions boundary: none', fixes: [] };
  }
  const title = `permissions boundary ${name}`;
  const denied = withBoundary.filter(a => a.facts.boundary!.deny.certain.length > 0);
  if (denied.length > 0) {
    const reasons = denied.flatMap(a => a.facts.boundary!.deny.certain);
    return { check: 'boundary', status: 'fail', text: `${title}: ${statementNames(reasons)} denies ${denied.map(a => a.action).join(', ')}`, fixes: [denyFix(roleArn.account, statementNames(reasons))] };
  }
  // In the same account, a repository statement for `*` is not limited by the boundary.
  const bounded = withBoundary.filter(a =>
    !(findings.sameAccount && a.facts.repository !== undefined && a.facts.repository.allowDirect.certain.length > 0));
  const missing = bounded.filter(a => !hasAny(a.facts.boundary!.allow));
  if (missing.length > 0) {
    return {
      check: 'boundary',
      status: 'fail',
      text: `${title}: does not allow ${missing.map(a => a.action).join(', ')}`,
      fixes: [boundaryFix(name, roleArn.account, missing.map(a => a.action))],
    };
  }
  const uncertain = bounded.filter(a => a.facts.boundary!.allow.certain.length === 0 || a.facts.boundary!.deny.conditional.length > 0);
  if (uncertain.length > 0) {
    const conditionals = uncertain.flatMap(a => [...a.facts.boundary!.allow.conditional, ...a.facts.boundary!.deny.conditional]);
    const keys = keysOf(conditionals);
    return { check: 'boundary', status: 'depends', text: `${title}: ${uncertain.map(a => a.action).join(', ')} depends on ${keys.join(', ')} (${statementNames(conditionals.map(c => c.reason))})`, dependsOn: keys, fixes: [] };
  }
  return { check: 'boundary', status: 'pass', text: `${title}: allows ${bounded.map(a => a.action).join(', ')}`, fixes: [] };
}

function scpLine(findings: Findings): CheckLine | undefined {
  if (!isFailure(findings.role) && !findings.role.exists) {
    return undefined;
  }
  if (!findings.simulator.used) {
    return {
      check: 'scp',
      status: 'note',
      text: `SCPs: not seen: ${findings.simulator.reason}; the role's side was decided from its policy documents, without the organization's SCPs and RCPs`,
      fixes: [],
    };
  }
  const calls = needed(findings);
  const blocked = calls.filter(a => a.scpStatus === 'denied');
  const account = findings.args.role.account;
  if (blocked.length > 0) {
    return {
      check: 'scp',
      status: 'fail',
      text: `SCPs: an SCP of the organization of account ${account} blocks ${blocked.map(a => a.action).join(', ')} (AWS policy simulator, OrganizationsDecisionDetail)`,
      fixes: [{ account: 'the organization\'s management account', text: `let the SCPs on account ${account} (and its OUs) allow ${blocked.map(a => a.action).join(', ')}` }],
    };
  }
  if (calls.every(a => a.scpStatus === 'none')) {
    return { check: 'scp', status: 'pass', text: `SCPs: none apply (the simulator reports no organization for account ${account})`, fixes: [] };
  }
  return { check: 'scp', status: 'pass', text: 'SCPs: allow the calls (AWS policy simulator)', fixes: [] };
}

function repositoryLines(findings: Findings): CheckLine[] {
  const { repository } = findings.args;
  const where = `account ${repository.account}, region ${repository.region}`;
  const facts = findings.repository;
  if (isFailure(facts)) {
    return [{ check: 'repository', status: 'depends', text: `repository ${repository.name}: could not be read: ${facts.failed}`, dependsOn: [facts.failed], fixes: [] }];
  }
  const lines: CheckLine[] = [];
  if (facts.exists) {
    lines.push({ check: 'repository', status: 'pass', text: `repository ${repository.name} exists in ${where}`, fixes: [] });
    lines.push(repositoryPolicyLine(findings, 'repository', facts.policy !== undefined));
    return lines;
  }
  const cache = findings.cache;
  if (cache !== undefined && !isFailure(cache)) {
    lines.push({
      check: 'repository',
      status: 'pass',
      text: `repository ${repository.name} does not exist yet in ${where}; pull-through cache rule ${cache.rule.prefix} (${cache.rule.upstream}) creates it on the first pull`,
      fixes: [],
    });
    const template = cache.template;
    lines.push(repositoryPolicyLine(findings, 'template', template !== undefined && !isFailure(template) && template.policy !== undefined));
    lines.push(firstPullLine(findings));
    return lines;
  }
  const elsewhere = findings.otherRegion !== undefined ? `; a repository of that name exists in ${findings.otherRegion}: is the image URI's region right?` : '';
  const unread = cache !== undefined ? ` (${cache.failed})` : '';
  lines.push({
    check: 'repository',
    status: 'fail',
    text: `repository ${repository.name} does not exist in ${where}${elsewhere}${unread}`,
    fixes: [{ account: repository.account, text: `create it (or push the image) in ${where}, or correct the URI` }],
  });
  return lines;
}

function repositoryPolicyLine(findings: Findings, source: 'repository' | 'template', hasPolicy: boolean): CheckLine {
  const { role: roleArn, repository } = findings.args;
  const cache = findings.cache !== undefined && !isFailure(findings.cache) ? findings.cache : undefined;
  const template = cache?.template;
  const title = source === 'template'
    ? `policy of the repository ECR creates (${template === undefined ? 'no creation template applies' : isFailure(template) ? 'creation templates not read' : `creation template ${template.prefix}`})`
    : `repository policy (account ${repository.account})`;
  if (source === 'template' && template !== undefined && isFailure(template)) {
    return { check: 'repository-policy', status: 'depends', text: `${title}: ${template.failed}`, dependsOn: [template.failed], fixes: [] };
  }
  const images = findings.images;
  const denied = images.filter(a => a.facts.repository!.deny.certain.length > 0);
  if (denied.length > 0) {
    const reasons = denied.flatMap(a => a.facts.repository!.deny.certain);
    return {
      check: 'repository-policy',
      status: 'fail',
      text: `${title}: ${statementNames(reasons)} denies ${denied.map(a => a.action).join(', ')}`,
      fixes: [denyFix(repository.account, statementNames(reasons))],
    };
  }
  const allowing = (a: ActionAnalysis) => {
    const r = a.facts.repository!;
    return [...r.allowDirect.certain, ...r.allowRole.certain, ...(findings.sameAccount ? [] : r.allowAccount.certain)];
  };
  const conditional = (a: ActionAnalysis) => {
    const r = a.facts.repository!;
    const account = findings.sameAccount ? [] : r.allowAccount.conditional;
    return [...r.allowDirect.conditional, ...r.allowRole.conditional, ...account, ...r.deny.conditional];
  };
  if (findings.sameAccount) {
    const uncertainDeny = images.filter(a => a.facts.repository!.deny.conditional.length > 0);
    if (uncertainDeny.length > 0) {
      const conditionals = uncertainDeny.flatMap(a => a.facts.repository!.deny.conditional);
      const keys = keysOf(conditionals);
      return { check: 'repository-policy', status: 'depends', text: `${title}: a Deny of ${uncertainDeny.map(a => a.action).join(', ')} depends on ${keys.join(', ')} (${statementNames(conditionals.map(c => c.reason))})`, dependsOn: keys, fixes: [] };
    }
    const granted = images.filter(a => allowing(a).length > 0);
    return {
      check: 'repository-policy',
      status: 'pass',
      text: !hasPolicy ? `${title}: none, none needed in the same account`
        : granted.length > 0 ? `${title}: allows the role ${granted.map(a => a.action).join(', ')} (${statementNames(granted.flatMap(allowing))})`
          : `${title}: no statement for the role, none needed in the same account`,
      fixes: [],
    };
  }
  const missing = images.filter(a => allowing(a).length === 0 && conditional(a).length === 0);
  if (missing.length > 0) {
    const others = otherPrincipals(findings);
    return {
      check: 'repository-policy',
      status: 'fail',
      text: `${title}: ${hasPolicy ? 'no statement' : 'none, so nothing'} allows role ${roleArn.name} of account ${roleArn.account} ${missing.map(a => a.action).join(', ')}${others}`,
      fixes: [source === 'template' ? templateFix(roleArn.arn, repository, template && !isFailure(template) ? template.prefix : undefined) : repositoryFix(roleArn.arn, repository)],
    };
  }
  const uncertain = images.filter(a => conditional(a).length > 0 && (allowing(a).length === 0 || a.facts.repository!.deny.conditional.length > 0));
  if (uncertain.length > 0) {
    const conditionals = uncertain.flatMap(conditional);
    const keys = keysOf(conditionals);
    return { check: 'repository-policy', status: 'depends', text: `${title}: ${uncertain.map(a => a.action).join(', ')} depends on ${keys.join(', ')} (${statementNames(conditionals.map(c => c.reason))})`, dependsOn: keys, fixes: [] };
  }
  const accountOnly = images.every(a => a.facts.repository!.allowDirect.certain.length === 0 && a.facts.repository!.allowRole.certain.length === 0);
  return {
    check: 'repository-policy',
    status: 'pass',
    text: `${title}: allows ${accountOnly ? `account ${roleArn.account} (its roles, as their own policies allow)` : 'the role'} ${images.map(a => a.action).join(', ')} (${statementNames(images.flatMap(allowing))})`,
    fixes: [],
  };
}

/** Roles the repository policy does grant, when the nodes' role is not one of them: often the nodes run as another role. */
function otherPrincipals(findings: Findings): string {
  const facts = findings.repository;
  const policy = !isFailure(facts) && facts.exists ? facts.policy : undefined;
  if (!policy) {
    return '';
  }
  const roles = [...new Set(policy.statements.filter(s => s.effect === 'Allow' && s.principals !== undefined && s.principals !== '*')
    .flatMap(s => (s.principals as Record<string, string[]>).AWS ?? []).filter(p => /:role\//.test(p) || /^AROA[A-Z0-9]+$/.test(p)))];
  if (roles.length === 0) {
    return '';
  }
  const deleted = roles.filter(r => /^AROA/.test(r));
  return `; it grants ${roles.join(', ')}${deleted.length > 0 ? ' (an AROA... id is a role that was deleted since: name the role again)' : ''}: do the nodes run as one of those?`;
}

function firstPullLine(findings: Findings): CheckLine {
  const { role: roleArn, repository } = findings.args;
  const calls = findings.firstPull;
  const blocked = calls.filter(a => a.verdict.decision !== 'allowed');
  const title = 'first pull through the cache';
  if (blocked.length === 0) {
    return { check: 'first-pull', status: 'pass', text: `${title}: ${calls.map(a => a.action).join(', ')} allowed`, fixes: [] };
  }
  const unknown = blocked.map(a => a.verdict.decision).filter(isUnknown);
  if (unknown.length === blocked.length) {
    const keys = [...new Set(unknown.flatMap(u => u.dependsOn))];
    return { check: 'first-pull', status: 'depends', text: `${title}: ${blocked.map(a => a.action).join(', ')} depends on ${keys.join(', ')}`, dependsOn: keys, fixes: [] };
  }
  return {
    check: 'first-pull',
    status: 'fail',
    text: `${title}: ECR creates the repository with the puller's permissions, and ${blocked.map(a => a.action).join(', ')} ${blocked.length > 1 ? 'are' : 'is'} not allowed for the role (identity policies${findings.sameAccount ? ' or' : ' and'} the registry policy)`,
    fixes: [{
      account: roleArn.account,
      text: `allow them to role ${roleArn.name} on the repositories of the cache prefix (and, from another account, in the registry policy of ${repository.account} too):`,
      json: { Sid: 'EcrPullThroughCache', Effect: 'Allow', Action: calls.map(a => a.action), Resource: `arn:${repository.partition}:ecr:${repository.region}:${repository.account}:repository/${findings.cache && !isFailure(findings.cache) ? findings.cache.rule.prefix : '*'}/*` },
    }],
  };
}

function endpointLines(findings: Findings): CheckLine[] {
  const endpoints = findings.endpoints;
  if (endpoints === undefined) {
    return [];
  }
  const vpcId = findings.args.vpcId!;
  if (endpoints === 'no-such-vpc') {
    return [{ check: 'endpoint', status: 'fail', text: `VPC ${vpcId} does not exist in the region of AWS_REGION / the profile`, fixes: [] }];
  }
  if (isFailure(endpoints)) {
    return [{ check: 'endpoint', status: 'depends', text: `VPC endpoints of ${vpcId}: could not be read: ${endpoints.failed}`, dependsOn: [endpoints.failed], fixes: [] }];
  }
  return endpoints.map((e: EndpointFinding) => ({
    check: 'endpoint' as const,
    status: e.status,
    text: e.text,
    dependsOn: e.dependsOn,
    fixes: e.status === 'fail' && e.statement ? [{
      account: findings.args.role.account,
      text: `add to the policy of VPC endpoint ${e.endpointId} (account ${findings.args.role.account}):`,
      json: e.statement,
    }] : [],
  }));
}
