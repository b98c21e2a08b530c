import { Aspects, IAspect, Lazy, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { sortByRendering } from '../placement/rendered-arns';
import { measureResolved, QUOTAS, quotaError } from '../quotas/quotas';
import { ECR_PULL_ACTIONS } from '../shared/pull-actions';

/** The `Sid` of the one statement this library keeps in each repository policy for node roles. */
export const PULL_STATEMENT_SID = 'AnyscaleEcrPull';

/**
 * The statements this library adds to one owned repository's policy, shared by every construct that grants
 * on it. Node roles go into one statement whose principals are the sorted, de-duplicated union of their
 * ARNs, so adding or removing a cloud changes only that list.
 */
export class RepositoryPolicy implements IAspect {
  /** The library's policy state of a repository, created on first use. */
  public static of(repository: ecr.IRepository): RepositoryPolicy {
    let policy = policies.get(repository);
    if (!policy) {
      policy = new RepositoryPolicy(repository);
      policies.set(repository, policy);
    }
    return policy;
  }

  private readonly roleArns = new Set<string>();
  /** The Sids of the statements this library added, which must be in the policy synthesis writes. */
  private readonly sids = new Set<string>();
  private rendered = false;
  private readonly cfn: ecr.CfnRepository;
  private readonly policyText: unknown;
  private readonly ownText: unknown;
  /** The policy text as the size check resolved it, which synthesis then writes instead of resolving it again. */
  private checkedPolicyText: unknown;

  private constructor(private readonly repository: ecr.IRepository) {
    // Principals are written when the app is synthesized, once all constructs have added theirs, in order.
    Aspects.of(repository).add(this);
    this.cfn = repository.node.defaultChild as ecr.CfnRepository;
    this.policyText = this.cfn.repositoryPolicyText;
    // Resolving a large policy twice (once to measure, once to write) would double its share of synth time.
    this.ownText = Lazy.uncachedAny({ produce: () => this.checkedPolicyText ?? this.policyText });
    this.cfn.repositoryPolicyText = this.ownText;
    repository.node.addValidation({ validate: () => this.validateSize() });
  }

  /** Lets one more role ARN pull. Adding an ARN twice adds nothing. */
  public addRole(roleArn: string): void {
    this.roleArns.add(roleArn);
  }

  /** Adds a statement that does not depend on other grants (an organization-wide grant). */
  public addStatement(statement: iam.PolicyStatement): void {
    this.repository.addToResourcePolicy(statement);
    if (statement.sid) {
      this.sids.add(statement.sid);
    }
  }

  public visit(node: IConstruct): void {
    if (node !== this.repository || this.rendered || this.roleArns.size === 0) {
      return;
    }
    this.rendered = true;
    this.sids.add(PULL_STATEMENT_SID);
    const principals = sortByRendering(Stack.of(this.repository), [...this.roleArns]).map(arn => new iam.ArnPrincipal(arn));
    this.repository.addToResourcePolicy(new iam.PolicyStatement({
      sid: PULL_STATEMENT_SID,
      principals,
      actions: [...ECR_PULL_ACTIONS],
    }));
  }

  private validateSize(): string[] {
    // Validation runs after references are prepared, so this is the text synthesis would resolve.
    const stack = Stack.of(this.repository);
    let rendered: unknown;
    if (this.cfn.repositoryPolicyText === this.ownText && !hasRawOverrides(this.cfn)) {
      // Resolving a large policy twice (once to check, once to write) would double its share of synth time.
      rendered = this.checkedPolicyText = stack.resolve(this.policyText);
    } else {
      rendered = renderedPolicyText(stack, this.cfn);
    }
    const document = typeof rendered === 'string' ? parseOrUndefined(rendered) : rendered;
    const missing = this.missingStatements(stack, document);
    if (missing.length > 0) {
      return missing;
    }
    return quotaError(
      `The policy of repository ${this.repository.node.path}`,
      typeof rendered === 'string' ? { characters: rendered.length, unmeasured: 0 } : measureResolved(stack, rendered),
      QUOTAS.repositoryPolicyCharacters,
      'Grant fewer node roles here, or grant them all at once with AnyscaleEcrOrganizationAccess ' +
      '(an organization or account list with a role-name pattern), whose size does not grow with the number of clouds.',
    );
  }

  /**
   * The L1 escape hatch (`CfnRepository.repositoryPolicyText` set directly, or a raw override, before or after the
   * grant) replaces what `addToResourcePolicy` collects: a statement of ours missing from what synthesis writes, or
   * a pull statement without every granted role, is an error, not a silence.
   */
  private missingStatements(stack: Stack, document: unknown): string[] {
    const statements = [(document as { Statement?: unknown } | undefined)?.Statement ?? []].flat() as Array<Record<string, any> | null>;
    const bySid = new Map(statements.map(statement => [statement?.Sid, statement]));
    const missing = [...this.sids].filter(sid => !bySid.has(sid));
    const pull = bySid.get(PULL_STATEMENT_SID);
    if (pull && this.sids.has(PULL_STATEMENT_SID)) {
      const named = new Set([pull.Principal?.AWS ?? []].flat().map(arn => JSON.stringify(arn)));
      // Resolved afresh, as the policy just rendered was (renderedKey's cache may predate cross-stack references).
      if ([...this.roleArns].some(arn => !named.has(JSON.stringify(stack.resolve(arn))))) {
        missing.push(`${PULL_STATEMENT_SID} (present, but without every granted role)`);
      }
    }
    return missing.length === 0 ? [] : [
      `The policy of repository ${this.repository.node.path} is set directly on its CfnRepository (repositoryPolicyText ` +
      `or an override), which replaces the statements added with addToResourcePolicy: the statement ${missing.join(', ')} ` +
      'that lets the node roles pull would be lost. Add your statements with repository.addToResourcePolicy(...) instead.',
    ];
  }
}

/** Whether the resource has raw overrides (`addOverride`, `addPropertyOverride`), which apply after its properties. */
function hasRawOverrides(cfn: ecr.CfnRepository): boolean {
  // `rawOverrides` and `_toCloudFormation` are CfnResource internals (aws-cdk-lib 2.276); without them, the properties
  // are all there is to check.
  const overrides = (cfn as unknown as { rawOverrides?: Record<string, unknown> }).rawOverrides;
  return overrides !== undefined && Object.keys(overrides).length > 0;
}

/** The repository policy text as synthesis writes it, overrides included. */
function renderedPolicyText(stack: Stack, cfn: ecr.CfnRepository): unknown {
  const render = (cfn as unknown as { _toCloudFormation?: () => unknown })._toCloudFormation;
  if (typeof render !== 'function') {
    return stack.resolve(cfn.repositoryPolicyText);
  }
  const resources = (stack.resolve(render.call(cfn)) as { Resources?: Record<string, { Properties?: Record<string, unknown> }> }).Resources ?? {};
  return Object.values(resources)[0]?.Properties?.RepositoryPolicyText;
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const policies = new WeakMap<ecr.IRepository, RepositoryPolicy>();
