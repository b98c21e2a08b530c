import { runSimulation } from '@cloud-copilot/iam-simulate';
import * as cxapi from 'aws-cdk-lib/cx-api';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { DeployEnv, ResolveContext, resolveIntrinsics } from './intrinsics';
import { EXISTING_STATEMENT_RESOURCE_TYPE } from '../../lib/existing-repository/existing-repository-statement';
import { applyEvent, MergeProperties } from '../../lib/existing-repository/merge-policy.lambda';
import { FakeEcr, instantBackoff } from '../existing-repository/fake-ecr';
import * as managed from '../fixtures/aws-managed-policies.json';

type PolicyDocument = Record<string, unknown>;
const AWS_MANAGED = /^arn:[^:]+:iam::aws:policy\/(.+)$/;

/**
 * The IAM state an app would deploy: each role's identity policies and each repository's policy, with every
 * intrinsic resolved for the environment its stack is deployed to. Roles the app only names (imported roles)
 * appear through the policies attached to them by name.
 */
export class IamModel {
  /** Reads every stack of the assembly; `envs` gives each stack's environment by stack name. */
  public static fromAssembly(assembly: cxapi.CloudAssembly, envs: Record<string, DeployEnv>): IamModel {
    const stacks = assembly.stacks.map(stack => {
      const env = envs[stack.stackName];
      if (!env) {
        throw new Error(`no deploy environment given for stack ${stack.stackName}`);
      }
      return { name: stack.stackName, env, resources: stack.template.Resources ?? {}, outputs: stack.template.Outputs ?? {} };
    });
    const exports: Record<string, unknown> = {};
    const contexts = stacks.map(stack => ({ stackName: stack.name, env: stack.env, resources: stack.resources, exports }));
    stacks.forEach((stack, i) => {
      for (const output of Object.values<any>(stack.outputs)) {
        if (output.Export) {
          exports[resolveIntrinsics(output.Export.Name, contexts[i])] = resolveIntrinsics(output.Value, contexts[i]);
        }
      }
    });
    const model = new IamModel();
    contexts.forEach(ctx => model.read(ctx));
    return model;
  }

  private readonly identity = new Map<string, Array<{ name: string; policy: PolicyDocument }>>();
  private readonly repositories = new Map<string, PolicyDocument | undefined>();
  /** Custom resources that merge a statement into an existing repository's policy, with resolved properties. */
  private readonly merges: Array<{ repositoryArn: string; properties: MergeProperties }> = [];

  private constructor() {}

  /**
   * Deploys the app's ExistingRepositoryPolicy.MERGE custom resources: each Create event runs the real handler
   * against `ecr`, which holds the repositories as they were before the deployment. The model then has every
   * repository of `ecr` (with `account` and `region`) with its policy as ECR holds it afterwards.
   */
  public async deployMerges(ecr: FakeEcr, env: DeployEnv): Promise<IamModel> {
    const copy = this.copy();
    for (const { properties } of this.merges) {
      const event = { RequestType: 'Create', ResourceProperties: { ServiceToken: 'simulation', ...properties } };
      await applyEvent(event as unknown as CloudFormationCustomResourceEvent, ecr.client, instantBackoff());
    }
    for (const name of ecr.repositories.keys()) {
      copy.repositories.set(`arn:${env.partition}:ecr:${env.region}:${env.account}:repository/${name}`, ecr.policy(name));
    }
    return copy;
  }

  /** The identity policies attached to a role, by ARN. */
  public identityPolicies(roleArn: string) {
    return this.identity.get(roleArn) ?? [];
  }

  /** The repositories the app defines, by ARN. */
  public get repositoryArns(): string[] {
    return [...this.repositories.keys()];
  }

  /** A repository's policy, or undefined when it has none. */
  public repositoryPolicy(repositoryArn: string): PolicyDocument | undefined {
    if (!this.repositories.has(repositoryArn)) {
      throw new Error(`the app defines no repository ${repositoryArn}; it defines ${this.repositoryArns.join(', ')}`);
    }
    return this.repositories.get(repositoryArn);
  }

  /** A copy of the model with one repository's policy replaced (to show that a check notices breakage). */
  public withRepositoryPolicy(repositoryArn: string, policy: PolicyDocument | undefined): IamModel {
    const copy = this.copy();
    copy.repositories.set(repositoryArn, policy);
    return copy;
  }

  /** A copy of the model without any identity policy of the role. */
  public withoutIdentityPolicies(roleArn: string): IamModel {
    const copy = this.copy();
    copy.identity.delete(roleArn);
    return copy;
  }

  /** IAM's decision for a request: Allowed, ImplicitlyDenied or ExplicitlyDenied. */
  public async decide(principalArn: string, action: string, resourceArn: string,
    identityPolicies = this.identityPolicies(principalArn)): Promise<string> {
    const resourcePolicy = this.repositories.get(resourceArn);
    const result = await runSimulation({
      request: {
        principal: principalArn,
        action,
        resource: { resource: resourceArn, accountId: resourceArn === '*' ? accountOf(principalArn) : accountOf(resourceArn) },
        contextVariables: {},
      },
      identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy,
    }, {});
    if (result.resultType === 'error') {
      throw new Error(`simulation failed: ${JSON.stringify(result.errors)}`);
    }
    return result.overallResult;
  }

  private read(ctx: ResolveContext): void {
    const { partition, account } = ctx.env;
    const roleArn = (name: string) => `arn:${partition}:iam::${account}:role/${name}`;
    for (const [logicalId, resource] of Object.entries<any>(ctx.resources)) {
      const props = resource.Properties ?? {};
      switch (resource.Type) {
        case 'AWS::IAM::Role': {
          const arn = resolveIntrinsics({ 'Fn::GetAtt': [logicalId, 'Arn'] }, ctx);
          for (const policyArn of resolveIntrinsics(props.ManagedPolicyArns ?? [], ctx) as string[]) {
            const awsManaged = AWS_MANAGED.exec(policyArn);
            if (awsManaged) {
              this.attach(arn, policyArn, awsManagedDocument(awsManaged[1]));
            }
          }
          for (const inline of resolveIntrinsics(props.Policies ?? [], ctx) as any[]) {
            this.attach(arn, inline.PolicyName, inline.PolicyDocument);
          }
          break;
        }
        case 'AWS::IAM::Policy':
        case 'AWS::IAM::ManagedPolicy':
          for (const name of resolveIntrinsics(props.Roles ?? [], ctx) as string[]) {
            this.attach(roleArn(name), `${ctx.stackName}/${logicalId}`, resolveIntrinsics(props.PolicyDocument, ctx));
          }
          break;
        case EXISTING_STATEMENT_RESOURCE_TYPE: {
          const { RepositoryName, Sid, Principals, Actions } = props;
          const properties = resolveIntrinsics({ RepositoryName, Sid, Principals, Actions }, ctx) as MergeProperties;
          this.merges.push({ repositoryArn: `arn:${partition}:ecr:${ctx.env.region}:${account}:repository/${properties.RepositoryName}`, properties });
          break;
        }
        case 'AWS::ECR::Repository':
          this.repositories.set(resolveIntrinsics({ 'Fn::GetAtt': [logicalId, 'Arn'] }, ctx),
            props.RepositoryPolicyText === undefined ? undefined : resolveIntrinsics(props.RepositoryPolicyText, ctx));
          break;
      }
    }
  }

  private attach(roleArn: string, name: string, policy: PolicyDocument): void {
    this.identity.set(roleArn, [...this.identityPolicies(roleArn), { name, policy }]);
  }

  private copy(): IamModel {
    const copy = new IamModel();
    this.identity.forEach((policies, arn) => copy.identity.set(arn, [...policies]));
    this.repositories.forEach((policy, arn) => copy.repositories.set(arn, policy));
    copy.merges.push(...this.merges);
    return copy;
  }
}

function awsManagedDocument(name: string): PolicyDocument {
  const entry = (managed as Record<string, any>)[name];
  if (!entry?.document) {
    throw new Error(`no fixture for the AWS managed policy ${name}: add its document to test/fixtures/aws-managed-policies.json`);
  }
  return entry.document;
}

function accountOf(arn: string): string {
  return arn.split(':')[4];
}
