import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Stack, Token, Tokenization } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { hasRawOverrides, renderedProperties } from '../cdk-internals/cdk-internals';
import { ECR_PULL_ACTIONS } from '../constants/pull-actions';
import { PULL_STATEMENT_SID, SID_COLLISION_SEPARATOR } from '../constants/sids';
import { isLiteral, Measure, measureResolved, QUOTAS, quotaError } from '../quotas/quotas';
import { deployedKey, fixedLengths, isFixed, prepareRenderedArns, renderedValue, sortByRendering } from '../rendering/rendered-arns';
import { assertNotSynthesized } from '../stage/synthesized';

/** The id of the child construct that holds the library's statements of a repository. */
const ID = 'AnyscaleEcrPolicy';
/** What the pull statement says, but for its principals (the roles granted). */
const PULL_MEANING: Record<string, unknown> = { Sid: PULL_STATEMENT_SID, Effect: 'Allow', Action: [...ECR_PULL_ACTIONS] };

/**
 * The pull statement of one repository: its principals are the role ARNs granted so far, written sorted by how
 * CloudFormation renders them and de-duplicated the same way, so adding or removing a cloud changes only that list
 * and one role reached two ways is named once.
 */
class PullStatement extends iam.PolicyStatement {
  /** How many times the statement was rendered: a policy text rendered from it names every role granted so far. */
  public renderings = 0;
  private readonly roleArns = new Set<string>();
  private rendered?: any;
  /** Whether the kept JSON names every role by a value fixed at synth time (no token left for synthesis to resolve). */
  private principalsFixed = false;

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
    // Once frozen (the policy was rendered), no role can be added: later renderings give the same JSON.
    if (this.frozen && this.rendered) {
      return this.rendered;
    }
    const json = super.toStatementJson();
    const arns = sortByRendering(this.stack, this.roles);
    const principals = arns.map(arn => renderedValue(this.stack, arn));
    const rendered = { ...json, Principal: { AWS: principals.length === 1 ? principals[0] : principals } };
    if (this.frozen) {
      this.rendered = rendered;
      this.principalsFixed = arns.every(arn => isFixed(this.stack, arn));
    }
    return rendered;
  }

  /**
   * The JSON synthesis will write, where it holds no token: frozen (no role can be added), rendered, every role a fixed
   * value, and the rest as the library wrote it (the caller checks the meaning). `undefined` otherwise.
   */
  public get literalJson(): Record<string, unknown> | undefined {
    return this.frozen && this.rendered && this.principalsFixed ? this.rendered : undefined;
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
    assertNotSynthesized(repository, () => `a node role to the policy of repository ${repository.node.path}`);
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
    assertNotSynthesized(repository, () => `a statement to the policy of repository ${repository.node.path}`);
    const found = repository.node.tryFindChild(ID) as RepositoryPolicy | undefined;
    found?.giveOwnSid(statement);
    return RepositoryPolicy.add(repository, found, statement) ? statement : undefined;
  }

  private static add(repository: ecr.IRepository, found: RepositoryPolicy | undefined, statement: iam.PolicyStatement): boolean {
    const added = repository.addToResourcePolicy(statement);
    if (!added.statementAdded) {
      return false;
    }
    const policy = found ?? RepositoryPolicy.of(repository);
    policy.statements.push(statement);
    // ecr.Repository returns the policy document that took the statement (what its policy text renders).
    policy.document = added.policyDependable instanceof iam.PolicyDocument ? added.policyDependable : undefined;
    return true;
  }

  private static of(repository: ecr.IRepository): RepositoryPolicy {
    return repository.node.tryFindChild(ID) as RepositoryPolicy | undefined ?? new RepositoryPolicy(repository);
  }

  /** The statements the library added, in order; each must be in the policy synthesis writes. */
  private readonly statements: iam.PolicyStatement[] = [];
  /** The policy document the repository added the last statement to, when it said which. */
  private document?: iam.PolicyDocument;
  private pull?: PullStatement;
  private constructor(private readonly repository: ecr.IRepository) {
    super(repository, ID);
    this.node.addValidation({ validate: () => this.validate() });
  }

  /**
   * A statement's Sid is its prefix and 8 hex digits of its grant's digest, so two different grants can share one: by
   * chance (one pair in 2³², as `team1359-*` and `team79641-*` in organization o-a1b2c3d4e5), or because the digest is
   * taken before synthesis, when a value from another stack is only its logical id there (the same role path in two
   * stacks). A Sid held by another of the library's statements of this policy, with other content, takes the first
   * free `N2`, `N3`, ... after it, so that each statement keeps a Sid of its own, by which the policy check finds it.
   * Content is compared as written, tokens by identity; a statement equal to one already there takes that one's Sid,
   * and the document writes it once. Such a Sid depends on the order of the grants: removing the first renames the
   * second, which changes only the policy text.
   */
  private giveOwnSid(statement: iam.PolicyStatement): void {
    const base = statement.sid;
    if (base === undefined) {
      return;
    }
    // Only a Sid already held asks for the content, and then once.
    let content: string | undefined;
    let sid = base;
    for (let n = 2; ; n++) {
      const holder = this.statements.find(other => other.sid === sid);
      if (holder === undefined || writtenContent(holder) === (content ??= writtenContent(statement))) {
        break;
      }
      sid = `${base}${SID_COLLISION_SEPARATOR}${n}`;
    }
    if (sid !== base) {
      statement.sid = sid;
    }
  }

  private validate(): string[] {
    const cfn = this.repository.node.defaultChild;
    if (!(cfn instanceof ecr.CfnRepository)) {
      // A repository class of its own took the statements: what it writes is its own to check.
      return [];
    }
    const stack = Stack.of(this.repository);
    const overridden = hasRawOverrides(cfn);
    const byConstruction = overridden ? undefined : this.checkByConstruction(cfn, stack);
    if (byConstruction) {
      return byConstruction;
    }
    // Validation runs after references are prepared, so this is the text synthesis would resolve.
    const renderings = this.pull?.renderings ?? 0;
    const rendered = overridden ? renderedProperties(cfn)?.RepositoryPolicyText : stack.resolve(cfn.repositoryPolicyText);
    // Rendered from the pull statement itself, the text names every role; otherwise (a text the user set, a raw
    // override) each role is looked for.
    const fromPullStatement = !overridden && this.pull !== undefined && this.pull.renderings > renderings;
    const document = typeof rendered === 'string' ? parseOrUndefined(rendered) : rendered;
    const statements = [(document as { Statement?: unknown } | undefined)?.Statement ?? []].flat() as Array<Record<string, any> | null>;
    const bySid = new Map(statements.map(statement => [statement?.Sid, statement]));
    const wrong = [...this.missingStatements(stack, bySid, fromPullStatement), ...this.changedStatements(stack, bySid)];
    if (wrong.length > 0) {
      return wrong;
    }
    return this.sizeError(typeof rendered === 'string' ? { characters: rendered.length, unmeasured: 0 } : measureResolved(stack, rendered));
  }

  /**
   * The same verdict without resolving the policy text, where the text can only be the library's statements as it
   * wrote them (resolving each repository's policy was most of the library's validation time; BENCHMARKS.md): no raw
   * override; repositoryPolicyText still the repository's own value, which renders the document that took the
   * statements (aws-cdk-lib keeps the document in a box whose get() returns it: any other value, or a box of another
   * shape, takes the full check); that document holding only the library's statements, with Sids of their own; the
   * pull statement meaning what the library wrote; and no token in them (an owned role renders from a GetAtt).
   * `undefined` when any of these does not hold: the text is then resolved and read.
   */
  private checkByConstruction(cfn: ecr.CfnRepository, stack: Stack): string[] | undefined {
    const text = cfn.repositoryPolicyText as { get?: () => unknown } | undefined;
    // Only aws-cdk-lib's own addToResourcePolicy is known to put the library's statement objects in the document (a
    // subclass may add a changed copy).
    if (this.repository.addToResourcePolicy !== ecr.Repository.prototype.addToResourcePolicy ||
      this.document === undefined || typeof text?.get !== 'function' || text.get() !== this.document ||
      this.document.statementCount !== this.statements.length ||
      new Set(this.statements.map(statement => statement.sid)).size !== this.statements.length) {
      return undefined;
    }
    // As resolving the document would: the JSON measured here is the JSON that synthesis writes.
    this.pull?.freeze();
    if (this.pull && differences(PULL_MEANING, withoutKey(this.pull.toStatementJson(), 'Principal')).length > 0) {
      return undefined;
    }
    const statements: unknown[] = [];
    for (const statement of this.statements) {
      // The pull statement says whether its roles are all fixed values; any other statement is walked for tokens.
      const json = statement === this.pull ? this.pull.literalJson : statement.toStatementJson();
      if (json === undefined || (statement !== this.pull && !isLiteral(json))) {
        return undefined;
      }
      statements.push(json);
    }
    // The document writes equal statements once; each Sid is the library's own, so only equal grants are equal.
    const unique = statements.length === 1 ? statements : [...new Map(statements.map(json => [JSON.stringify(json), json])).values()];
    return this.sizeError(measureResolved(stack, { Statement: unique, Version: '2012-10-17' }, undefined, fixedLengths(stack)));
  }

  private sizeError(size: Measure): string[] {
    return quotaError(
      `The policy of repository ${this.repository.node.path}`,
      size,
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
  private missingStatements(stack: Stack, bySid: Map<unknown, Record<string, any> | null>, fromPullStatement: boolean): string[] {
    const missing = this.statements.map(statement => statement.sid!).filter(sid => !bySid.has(sid));
    const pull = bySid.get(PULL_STATEMENT_SID);
    if (pull && this.pull && !fromPullStatement) {
      const named = new Set([pull.Principal?.AWS ?? []].flat().map(arn => deployedKey(stack, arn)));
      // Resolved afresh, as the policy just rendered was (renderedKey's cache may predate cross-stack references), in one
      // call for all roles.
      if ((stack.resolve(this.pull.roles) as unknown[]).some(arn => !named.has(deployedKey(stack, arn)))) {
        missing.push(`${PULL_STATEMENT_SID} (present, but without every granted role)`);
      }
    }
    return missing.length === 0 ? [] : [
      `The policy of repository ${this.repository.node.path} is set directly on its CfnRepository (repositoryPolicyText ` +
      `or an override), which replaces the statements added with addToResourcePolicy: the statement ${missing.join(', ')} ` +
      'that lets the node roles pull would be lost. Add your statements with repository.addToResourcePolicy(...) instead.',
    ];
  }

  /**
   * Each statement of ours that synthesis writes must still mean what the library wrote: an override or an aspect that
   * turns it into a Deny, drops actions or adds a condition would change the grant without a word. (Which roles the pull
   * statement names is `missingStatements`' check.)
   */
  private changedStatements(stack: Stack, bySid: Map<unknown, Record<string, any> | null>): string[] {
    return this.statements.flatMap(statement => {
      const written = bySid.get(statement.sid);
      if (!written) {
        return [];
      }
      // The pull statement's principals are the roles granted so far, which missingStatements checks.
      const changes = statement === this.pull
        ? differences(PULL_MEANING, withoutKey(written, 'Principal'))
        : differences(stack.resolve(statement.toStatementJson()), written);
      return changes.length === 0 ? [] : [
        `The statement ${statement.sid} in the policy of repository ${this.repository.node.path} was changed after the ` +
        `library wrote it (by an override, an aspect or repositoryPolicyText set on its CfnRepository): ${changes.join('; ')}. ` +
        'The node roles would not get the pull access they were granted. Remove that change, and add statements of your ' +
        'own with repository.addToResourcePolicy(...).',
      ];
    });
  }
}

/** How a written statement differs from the expected one, key by key; lists compare as sets, as IAM reads them. */
function differences(expected: Record<string, unknown>, written: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(written)])].sort();
  return keys.flatMap(key => {
    if (!(key in written)) {
      return [`${key} removed`];
    }
    if (!(key in expected)) {
      return [`${key} added (${JSON.stringify(written[key])})`];
    }
    if (sameJson(expected[key], written[key]) || canonical(expected[key]) === canonical(written[key])) {
      return [];
    }
    const wanted = [expected[key]].flat();
    const got = [written[key]].flat();
    const lists = Array.isArray(expected[key]) || Array.isArray(written[key]);
    if (lists && [...wanted, ...got].every(value => typeof value === 'string')) {
      const lacks = wanted.filter(value => !got.includes(value));
      const adds = got.filter(value => !wanted.includes(value));
      return [`${key} ${[...lacks.length ? [`without ${lacks.join(', ')}`] : [], ...adds.length ? [`with ${adds.join(', ')}`] : []].join(' and ')}`];
    }
    return [`${key} is ${JSON.stringify(written[key])}, not ${JSON.stringify(expected[key])}`];
  });
}

/** Equal as written (same order, same shape): the common case, decided without sorting. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  }
  return false;
}

/** A statement's JSON without its Sid, before synthesis: each token as its own string, so two tokens are never equal. */
function writtenContent(statement: iam.PolicyStatement): string {
  return JSON.stringify(withoutKey(statement.toStatementJson(), 'Sid'), (_key, value) => Tokenization.isResolvable(value) ? Token.asString(value) : value);
}

function withoutKey(object: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _removed, ...rest } = object;
  return rest;
}

/** JSON of a policy value with lists as sorted sets and one-element lists as their element, as IAM reads them. */
function canonical(value: unknown): string {
  const normal = (node: unknown): unknown => {
    if (Array.isArray(node)) {
      const items = node.map(normal);
      return items.length === 1 ? items[0] : items.map(item => JSON.stringify(item)).sort().map(item => JSON.parse(item));
    }
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.keys(node).sort().map(key => [key, normal((node as Record<string, unknown>)[key])]));
    }
    return node;
  };
  return JSON.stringify(normal(value));
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
