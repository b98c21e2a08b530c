import { CustomResource, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { MergePolicyFunction } from './merge-policy-function';
import { fingerprint } from '../fingerprint';
import { NagAcknowledgements } from '../nag-acknowledgements';
import { ECR_PULL_ACTIONS } from '../pull-actions';
import { measure, QUOTAS, quotaError } from '../quotas';
import { PULL_STATEMENT_SID, sortByRendering } from '../repository-policy';

/** The custom resource type, as it appears in templates and in CloudFormation events. */
export const EXISTING_STATEMENT_RESOURCE_TYPE = 'Custom::AnyscaleEcrRepositoryStatement';

/** The only calls the handler makes, each allowed on the repositories of its stack and nothing else. */
export const HANDLER_ACTIONS = ['ecr:GetRepositoryPolicy', 'ecr:SetRepositoryPolicy', 'ecr:DeleteRepositoryPolicy'];

const HANDLER_ID = 'AnyscaleEcrExistingRepositoryHandler';

/**
 * The most repositories one stack's handler serves. Its role names each one; past about 100 ARNs, CDK spreads the
 * statements over more managed policies than IAM's default quota of 10 per role allows.
 */
export const MAX_REPOSITORIES_PER_HANDLER = 100;

/**
 * The statement this library keeps in the policy of one repository that the app imports, written by a custom
 * resource of the importing stack. Every construct that grants on the repository adds its role here, so the
 * repository gets one statement and one writer per stack (ECR has no conditional write).
 *
 * The Sid names the stack (`AnyscaleEcrPull<StackName>`): two stacks or apps that merge into the same
 * repository keep separate statements instead of overwriting each other's principals.
 */
export class ExistingRepositoryStatement extends Construct {
  /** The statement for this repository in its importing stack, created on first use. */
  public static of(repository: ecr.IRepository): ExistingRepositoryStatement {
    const stack = Stack.of(repository);
    const id = `AnyscaleEcrExistingPolicy${fingerprint(stack, repository.repositoryArn)}`;
    return (stack.node.tryFindChild(id) as ExistingRepositoryStatement | undefined)
      ?? new ExistingRepositoryStatement(stack, id, repository);
  }

  /** The Sid of the statement, unique to the stack that writes it. */
  public readonly sid: string;
  private readonly roleArns = new Set<string>();

  private constructor(stack: Stack, id: string, repository: ecr.IRepository) {
    super(stack, id);
    this.sid = statementSid(stack);
    const handler = handlerOf(stack);
    // A statement per repository: past one inline policy's size, CDK moves whole statements into managed policies.
    handler.addToRolePolicy(new iam.PolicyStatement({ actions: HANDLER_ACTIONS, resources: [repository.repositoryArn] }));
    const principals = Lazy.list({ produce: () => sortByRendering(stack, [...this.roleArns]) });
    new CustomResource(this, 'Resource', {
      serviceToken: handler.functionArn,
      resourceType: EXISTING_STATEMENT_RESOURCE_TYPE,
      properties: {
        RepositoryName: repository.repositoryName,
        Sid: this.sid,
        Principals: principals,
        Actions: [...ECR_PULL_ACTIONS],
      },
    });
    this.node.addValidation({
      validate: () => quotaError(
        `The statement ${this.sid} for repository ${repository.repositoryName}`,
        measure(stack, { Sid: this.sid, Effect: 'Allow', Principal: { AWS: principals }, Action: ECR_PULL_ACTIONS }),
        QUOTAS.repositoryPolicyCharacters,
        'Grant fewer node roles on this repository, or grant them all at once with AnyscaleEcrOrganizationAccess.',
      ),
    });
  }

  /** Lets one more role ARN pull. Adding an ARN twice adds nothing. */
  public addRole(roleArn: string): void {
    this.roleArns.add(roleArn);
  }
}

/** One handler function per stack serves every imported repository of that stack. */
function handlerOf(stack: Stack): MergePolicyFunction {
  const existing = stack.node.tryFindChild(HANDLER_ID) as MergePolicyFunction | undefined;
  if (existing) {
    return existing;
  }
  const handler = new MergePolicyFunction(stack, HANDLER_ID, {
    description: 'cdk-anyscale-ecr-access: adds and removes the AnyscaleEcrPull statement in existing ECR repository policies',
    // Retries with backoff while other writers or throttling get in the way; it answers 15 s before this ends.
    timeout: Duration.minutes(5),
  });
  NagAcknowledgements.lambdaBasicExecution(handler.role!);
  handler.node.addValidation({
    validate: () => {
      const served = stack.node.children.filter(child => child instanceof ExistingRepositoryStatement).length;
      return served <= MAX_REPOSITORIES_PER_HANDLER ? [] : [
        `Stack ${stack.stackName} merges the pull statement into ${served} imported repositories with ` +
        `ExistingRepositoryPolicy.MERGE; one stack serves at most ${MAX_REPOSITORIES_PER_HANDLER}, because the handler's ` +
        'role must name each repository within IAM\'s policy quotas. Import the repositories in several stacks.',
      ];
    },
  });
  return handler;
}

function statementSid(stack: Stack): string {
  const name = Token.isUnresolved(stack.stackName) ? fingerprint(stack, stack.stackName) : stack.stackName.replace(/[^A-Za-z0-9]/g, '');
  return `${PULL_STATEMENT_SID}${name}`;
}
