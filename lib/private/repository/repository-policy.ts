import { Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { prepareRenderedArns, sortByRendering } from '../placement/rendered-arns';
import { assertNotSynthesized } from '../placement/synthesized';
import { measureResolved, QUOTAS, quotaError } from '../quotas/quotas';
import { ECR_PULL_ACTIONS } from '../shared/pull-actions';

/** The `Sid` of the one statement this library keeps in each repository policy for node roles. */
export const PULL_STATEMENT_SID = 'AnyscaleEcrPull';

/** The id of the child construct that holds the library's statements of a repository. */
const ID = 'AnyscaleEcrPolicy';

/**
 * The pull statement of one repository: its principals are the role ARNs granted so far, written sorted by how
 * CloudFormation renders them and de-duplicated the same way, so adding or removing a cloud changes only that list
 * and one role reached two ways is named once.
 */
class PullStatement extends iam.PolicyStatement {
  /** How many times the statement was rendered: a policy text rendered from it names every role granted so far. */
  public renderings = 0;
  private readonly roleArns = new Set<string>();

  constructor(private readonly stack: Stack, private readonly repository: ecr.IRepository) {
    super({ sid: PULL_STATEMENT_SID, actions: [...ECR_PULL_ACTIONS] });
    prepareRenderedArns(stack);
  }

  public addRole(roleArn: string): void {
    if (this.frozen) {
      throw new Error(
        `The policy of repository ${this.repository.node.path} was already rendered when a node role was granted on it: ` +
        'grant every role before the repository\'s stage or stack is synthesized.',
      );
    }
    this.roleArns.add(roleArn);
    // CDK checks that a resource policy statement names a principal; the rendering below names each role once.
    this.addArnPrincipal(roleArn);
  }

  /** The role ARNs of the statement, as they were granted. */
  public get roles(): string[] {
    return [...this.roleArns];
  }

  public override toStatementJson(): any {
    this.renderings += 1;
    const json = super.toStatementJson();
    const principals = sortByRendering(this.stack, this.roles);
    return { ...json, Principal: { AWS: principals.length === 1 ? principals[0] : principals } };
  }
}

/**
 * The statements this library adds to one repository's policy, shared by every construct that grants on it: a child
 * of the repository, found by id. Statements go in through the repository's own `addToResourcePolicy`, and only
 * where it takes them (a repository this app defines).
 */
export class RepositoryPolicy extends Construct {
  /**
   * Lets the role pull from the repository: the role's ARN joins the repository's pull statement, which is added to
   * the repository's policy with the first role. `undefined` when the repository does not take statements (imported).
   * `beforeAdding` runs once the statement is in the policy, before the role is named in it.
   */
  public static addRole(repository: ecr.IRepository, roleArn: string, beforeAdding: () => void): iam.PolicyStatement | undefined {
    assertNotSynthesized(repository, `a node role to the policy of repository ${repository.node.path}`);
    const found = repository.node.tryFindChild(ID) as RepositoryPolicy | undefined;
    let statement = found?.pull;
    if (!statement) {
      statement = new PullStatement(Stack.of(repository), repository);
      if (!RepositoryPolicy.add(repository, found, statement)) {
        return undefined;
      }
      RepositoryPolicy.of(repository).pull = statement;
    }
    beforeAdding();
    statement.addRole(roleArn);
    return statement;
  }

  /**
   * Adds a statement that does not depend on other grants (an organization-wide grant; the same grant twice is two
   * equal statements, which the policy document writes once). `undefined` when the repository does not take statements
   * (imported).
   */
  public static addStatement(repository: ecr.IRepository, statement: iam.PolicyStatement): iam.PolicyStatement | undefined {
    assertNotSynthesized(repository, `a statement to the policy of repository ${repository.node.path}`);
    const found = repository.node.tryFindChild(ID) as RepositoryPolicy | undefined;
    return RepositoryPolicy.add(repository, found, statement) ? statement : undefined;
  }

  private static add(repository: ecr.IRepository, found: RepositoryPolicy | undefined, statement: iam.PolicyStatement): boolean {
    if (!repository.addToResourcePolicy(statement).statementAdded) {
      return false;
    }
    (found ?? RepositoryPolicy.of(repository)).statements.push(statement);
    return true;
  }

  private static of(repository: ecr.IRepository): RepositoryPolicy {
    return repository.node.tryFindChild(ID) as RepositoryPolicy | undefined ?? new RepositoryPolicy(repository);
  }

  /** The statements the library added, in order; each must be in the policy synthesis writes. */
  private readonly statements: iam.PolicyStatement[] = [];
  private pull?: PullStatement;
  private constructor(private readonly repository: ecr.IRepository) {
    super(repository, ID);
    this.node.addValidation({ validate: () => this.validate() });
  }

  private validate(): string[] {
    const cfn = this.repository.node.defaultChild;
    if (!(cfn instanceof ecr.CfnRepository)) {
      // A repository class of its own took the statements: what it writes is its own to check.
      return [];
    }
    // Validation runs after references are prepared, so this is the text synthesis would resolve.
    const stack = Stack.of(this.repository);
    const overridden = hasRawOverrides(cfn);
    const renderings = this.pull?.renderings ?? 0;
    const rendered = overridden ? renderedPolicyText(stack, cfn) : stack.resolve(cfn.repositoryPolicyText);
    // Rendered from the pull statement itself, the text names every role; otherwise (a text the user set, a raw
    // override) each role is looked for.
    const fromPullStatement = !overridden && this.pull !== undefined && this.pull.renderings > renderings;
    const document = typeof rendered === 'string' ? parseOrUndefined(rendered) : rendered;
    const missing = this.missingStatements(stack, document, fromPullStatement);
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
  private missingStatements(stack: Stack, document: unknown, fromPullStatement: boolean): string[] {
    const statements = [(document as { Statement?: unknown } | undefined)?.Statement ?? []].flat() as Array<Record<string, any> | null>;
    const bySid = new Map(statements.map(statement => [statement?.Sid, statement]));
    const missing = this.statements.map(statement => statement.sid!).filter(sid => !bySid.has(sid));
    const pull = bySid.get(PULL_STATEMENT_SID);
    if (pull && this.pull && !fromPullStatement) {
      const named = new Set([pull.Principal?.AWS ?? []].flat().map(arn => JSON.stringify(arn)));
      // Resolved afresh, as the policy just rendered was (renderedKey's cache may predate cross-stack references), in one
      // call for all roles.
      if ((stack.resolve(this.pull.roles) as unknown[]).some(arn => !named.has(JSON.stringify(arn)))) {
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
  // `_toCloudFormation` is the CfnResource internal (aws-cdk-lib 2.276) that applies the raw overrides.
  const rendered = (cfn as unknown as { _toCloudFormation(): unknown })._toCloudFormation();
  const resources = (stack.resolve(rendered) as { Resources: Record<string, { Properties?: Record<string, unknown> }> }).Resources;
  return Object.values(resources)[0].Properties?.RepositoryPolicyText;
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
