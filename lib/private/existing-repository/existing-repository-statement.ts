import { createHash } from 'crypto';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ArnFormat, CustomResource, Duration, Lazy, RemovalPolicy, Stack, Stage, Token, TokenComparison } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { ALLOW_LIST_VARIABLE, AllowList, HANDLER_ACTIONS, STATEMENT_RESOURCE_TYPE } from './contract';
import { MergePolicyFunction } from './merge-policy-function';
import { REPOSITORY_NAME_PATTERN } from '../constants/ecr-rules';
import { ECR_PULL_ACTIONS } from '../constants/pull-actions';
import { HANDLER_SID_DIGITS, HANDLER_SID_PREFIX } from '../constants/sids';
import { measure, QUOTAS, quotaError } from '../quotas/quotas';
import { displayArn, displayRepository } from '../rendering/display';
import { prepareRenderedArns, renderedKey, sortByRendering } from '../rendering/rendered-arns';
import { NagAcknowledgements } from '../reporting/nag-acknowledgements';

const HANDLER_ID = 'AnyscaleEcrExistingRepositoryHandler';
/** The id of the handler's child that sets Lambda's retries of asynchronous invocations. */
const ASYNC_INVOKE_ID = 'AsyncInvoke';

/**
 * The most repositories one stack's handler serves: its configuration names each one with its principals, and
 * Lambda allows 4 KB of environment variables.
 */
export const MAX_REPOSITORIES_PER_HANDLER = 100;

/** Lambda: bytes of all environment variables of a function together. */
const MAX_ENVIRONMENT_BYTES = 4_096;

/** The handler's Sid: the prefix and 24 hex digits, computed at deploy time from the stack id and logical id. */
const SID_FOR_MEASURING = `${HANDLER_SID_PREFIX}${'0'.repeat(HANDLER_SID_DIGITS)}`;

/**
 * The statement this library keeps in the policy of one repository that the app imports, written by a custom
 * resource of the importing stack. Every construct that grants on the repository adds its role here, so the
 * repository gets one statement per stack, whichever way it was imported: the construct is found by the
 * repository's name.
 *
 * The handler computes the statement's Sid from the custom resource's stack id and logical id, so that no two
 * resources (two stacks, nested stacks, a replacement and the resource it replaces) ever share one.
 */
export class ExistingRepositoryStatement extends Construct {
  /**
   * The statement for this repository in its importing stack, created on first use. It is found by the repository's
   * name as CloudFormation will see it, never by a digest alone: two names whose digests collide are two statements.
   */
  public static of(repository: ecr.IRepository): ExistingRepositoryStatement {
    const stack = Stack.of(repository);
    checkServable(stack, repository);
    const key = nameKey(stack, repository.repositoryName);
    prepareRenderedArns(stack);
    return statementsOf(stack).find(statement => statement.key === key)
      ?? new ExistingRepositoryStatement(stack, `AnyscaleEcrExistingPolicy${digest(key)}`, repository, key);
  }

  /**
   * Whether a statement of this app lets the role pull from the repository: one in the repository's own stack (for a
   * repository of that stack's region), or in another stack of the same stage, literal account and region that imports
   * a repository of the same literal name.
   * Read at synthesis (all constructs exist by then); it creates nothing.
   */
  public static appliedFor(repository: ecr.IRepository, roleArn: string): boolean {
    const own = Stack.of(repository);
    const name = repository.repositoryName;
    // The repository's own stack merges only repositories of its own region (checkServable): one imported from another
    // region by ARN is another repository, whatever its name.
    // (Equal strings: the same literal region, or the stack's own region token.)
    const sameRegistry = (stack: Stack) => (stack === own && repository.env.region === own.region) || (!Token.isUnresolved(name)
      && [[stack.account, repository.env.account], [stack.region, repository.env.region]]
        .every(([a, b]) => !Token.isUnresolved(a) && !Token.isUnresolved(b) && a === b));
    const stage = Stage.of(own);
    const stacks = stage ? stage.node.findAll().filter((c): c is Stack => Stack.isStack(c) && Stage.of(c) === stage) : [own];
    return stacks.filter(sameRegistry).some(stack => {
      const key = nameKey(stack, name);
      const statement = statementsOf(stack).find(candidate => candidate.key === key);
      if (!statement) {
        return false;
      }
      try {
        const wanted = renderedKey(stack, roleArn);
        return statement.roles().some(arn => renderedKey(stack, arn) === wanted);
      } catch {
        // A role this stack cannot name (an owned role of another environment) is not one of its principals.
        return false;
      }
    });
  }

  public readonly repositoryName: string;
  /** The repository name as CloudFormation will see it (a token resolved). */
  private readonly key: string;
  private readonly principals: string[];
  private readonly roleArns = new Set<string>();

  private constructor(stack: Stack, id: string, repository: ecr.IRepository, key: string) {
    super(stack, id);
    this.repositoryName = repository.repositoryName;
    this.key = key;
    const handler = handlerOf(stack);
    this.principals = Lazy.list({ produce: () => this.roles() });
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: handler.functionArn,
      resourceType: STATEMENT_RESOURCE_TYPE,
      // A handler that crashed without answering fails the stack operation after this, not after an hour.
      serviceTimeout: Duration.minutes(10),
      properties: { RepositoryName: repository.repositoryName, RepositoryArn: repository.repositoryArn, Principals: this.principals },
    });
    // The function's retry setting is in place before the first event (the function itself is named by ServiceToken).
    resource.node.addDependency(handler.node.findChild(ASYNC_INVOKE_ID));
    this.node.addValidation({
      validate: () => quotaError(
        `The statement for repository ${displayRepository(repository)}`,
        measure(stack, { Sid: SID_FOR_MEASURING, Effect: 'Allow', Principal: { AWS: this.principals }, Action: ECR_PULL_ACTIONS }),
        QUOTAS.repositoryPolicyCharacters,
        'Grant fewer node roles on this repository, or grant them all at once with AnyscaleEcrOrganizationAccess.',
      ),
    });
  }

  /** Lets one more role ARN pull. Adding an ARN twice adds nothing. */
  public addRole(roleArn: string): void {
    this.roleArns.add(roleArn);
  }

  /** The role ARNs, sorted as CloudFormation renders them. */
  public roles(): string[] {
    return sortByRendering(Stack.of(this), [...this.roleArns]);
  }
}

/** The statements of a stack, in the order they were created. */
function statementsOf(stack: Stack): ExistingRepositoryStatement[] {
  return stack.node.children.filter((child): child is ExistingRepositoryStatement => child instanceof ExistingRepositoryStatement);
}

/** A repository name as CloudFormation will see it: a token resolved, since its string differs between runs. */
function nameKey(stack: Stack, name: string): string {
  return Token.isUnresolved(name) ? JSON.stringify(stack.resolve(name)) : name;
}

/** 128 bits of the name's SHA-256, for the construct id: long enough that no two names of one stack share one. */
function digest(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 32).toUpperCase();
}

/**
 * The handler serves repositories of its own account and region, whose names ECR accepts: anything else would
 * only fail at deploy time, so it is refused here, with the fix.
 */
function checkServable(stack: Stack, repository: ecr.IRepository): void {
  const name = repository.repositoryName;
  if (!Token.isUnresolved(name) && !REPOSITORY_NAME_PATTERN.test(name)) {
    throw new Error(`ExistingRepositoryPolicy.MERGE: repository name ${JSON.stringify(name)} (${repository.node.path}) is not one ECR ` +
      'accepts (2 to 256 characters: lowercase letters and digits, joined by \'.\', \'_\', \'__\' or a run of \'-\', in ' +
      'segments separated by \'/\'). Check the name passed to ' +
      'Repository.fromRepositoryName or fromRepositoryArn.');
  }
  const region = repository.env.region;
  if (Token.compareStrings(region, stack.region) === TokenComparison.DIFFERENT) {
    throw new Error(`ExistingRepositoryPolicy.MERGE: repository ${displayArn(repository.repositoryArn)} is in region ${region}, ` +
      `but stack ${stack.stackName}, whose custom resource would change its policy, is in region ${stack.region}. Import the ` +
      `repository in a stack of region ${region} (and account ${displayArn(repository.env.account)}) and merge there.`);
  }
}

/** One handler function per stack serves every imported repository of that stack. */
function handlerOf(stack: Stack): MergePolicyFunction {
  const existing = stack.node.tryFindChild(HANDLER_ID) as MergePolicyFunction | undefined;
  if (existing) {
    return existing;
  }
  const statements = () => statementsOf(stack);
  const logGroup = new logs.LogGroup(stack, `${HANDLER_ID}Logs`, {
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const role = new iam.Role(stack, `${HANDLER_ID}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: 'cdk-anyscale-ecr-access: the ExistingRepositoryPolicy.MERGE handler',
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logGroup.logGroupArn],
  }));
  // Every repository of the stack's account and region: CloudFormation removes a repository's statement in the
  // cleanup phase, after this policy has been updated without it. The handler itself writes only what the stack
  // declared (ALLOWED_GRANTS) and removes only statements of its own form.
  const repositories = stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...HANDLER_ACTIONS], resources: [repositories] }));
  const allowList = Lazy.string({ produce: () => stack.toJsonString(allowListOf(stack, statements())) });
  const handler = new MergePolicyFunction(stack, HANDLER_ID, {
    description: `cdk-anyscale-ecr-access: adds and removes the ${HANDLER_SID_PREFIX} statement in existing ECR repository policies`,
    // Retries with backoff while other writers or throttling get in the way; it answers 30 s before this ends.
    timeout: Duration.minutes(5),
    role,
    logGroup,
    environment: { [ALLOW_LIST_VARIABLE]: allowList },
  });
  // CloudFormation invokes the function asynchronously, and Lambda would retry a failed invocation (one whose response
  // PUT failed, say) up to twice: a retry that failed before writing would answer "nothing written" for a statement
  // that the first invocation wrote. Without retries, CloudFormation waits for the service timeout instead, and its
  // rollback Delete removes the resource's own statement.
  new lambda.EventInvokeConfig(handler, ASYNC_INVOKE_ID, { function: handler, retryAttempts: 0 });
  NagAcknowledgements.handlerRepositoryWildcard(role, repositories);
  handler.node.addValidation({
    validate: () => {
      const served = statements().length;
      if (served > MAX_REPOSITORIES_PER_HANDLER) {
        return [`Stack ${stack.stackName} merges the pull statement into ${served} imported repositories with ` +
          `ExistingRepositoryPolicy.MERGE; one stack serves at most ${MAX_REPOSITORIES_PER_HANDLER}. Import the repositories in several stacks.`];
      }
      return quotaError(
        `The environment variable ${ALLOW_LIST_VARIABLE} of the ExistingRepositoryPolicy.MERGE handler of stack ${stack.stackName}`,
        measure(stack, allowListOf(stack, statements())),
        MAX_ENVIRONMENT_BYTES - ALLOW_LIST_VARIABLE.length,
        'It names every repository and node role the handler may write; import the repositories in several stacks.',
      );
    },
  });
  return handler;
}

/** The handler's allow-list: each principal once, and each repository with the indexes of its principals. */
function allowListOf(stack: Stack, statements: ExistingRepositoryStatement[]): AllowList {
  const principals = sortByRendering(stack, statements.flatMap(s => s.roles()));
  const index = new Map(principals.map((arn, i) => [renderedKey(stack, arn), i]));
  return {
    principals,
    repositories: statements.map(s => [s.repositoryName, s.roles().map(arn => index.get(renderedKey(stack, arn))!)]),
  };
}
