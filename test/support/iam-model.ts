import { runSimulation } from '@cloud-copilot/iam-simulate';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { CloudFormation } from './cloudformation';
import { FakeEcr } from './fake-ecr';
import { handlerFor } from './handler';
import { DeployEnv, ResolveContext, resolveIntrinsics } from './intrinsics';
import { STATEMENT_RESOURCE_TYPE } from '../../lib/private/existing-repository/contract';
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
    model.merges.push(...stacks.filter(stack => Object.values<any>(stack.resources).some(r => r.Type === STATEMENT_RESOURCE_TYPE))
      .map(stack => ({ stackName: stack.name, template: assembly.getStackByName(stack.name).template })));
    return model;
  }

  private readonly identity = new Map<string, Array<{ name: string; policy: PolicyDocument }>>();
  private readonly repositories = new Map<string, PolicyDocument | undefined>();
  /** Repository creation templates by registry (`<partition>:<region>:<account>`): prefix, scenarios and policy. */
  private readonly creationTemplates = new Map<string, Array<{ prefix: string; appliedFor: string[]; policy?: PolicyDocument }>>();
  /** The stacks whose custom resources merge a statement into existing repositories' policies. */
  private readonly merges: Array<{ stackName: string; template: any }> = [];

  private constructor() {}

  /**
   * Deploys the stacks that hold ExistingRepositoryPolicy.MERGE custom resources with the CloudFormation model, whose
   * events run the real handler against `ecr` (the repositories as they were before). `afterwards` may deploy more
   * (an update, another stack, a deletion). The model then has every repository of `ecr` (with `env`'s account and
   * region) with its policy as ECR holds it at the end.
   */
  public async deployMerges(ecr: FakeEcr, env: DeployEnv,
    afterwards?: (cloudformation: CloudFormation, stacks: Array<{ stackName: string; template: any }>) => Promise<void>): Promise<IamModel> {
    const copy = this.copy();
    const invoke = handlerFor(ecr);
    const cloudformation = new CloudFormation({ invoke, env, resourceTypes: [STATEMENT_RESOURCE_TYPE] });
    for (const { stackName, template } of this.merges) {
      const result = await cloudformation.deploy(stackName, { template });
      if (result.status !== 'CREATE_COMPLETE') {
        throw new Error(`${stackName}: ${result.status} ${result.failures.join('; ')}`);
      }
    }
    await afterwards?.(cloudformation, this.merges);
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

  /**
   * A copy of the model in which ECR has created the repository `name` in `registry` (`<partition>:<region>:<account>`)
   * by `scenario` (PULL_THROUGH_CACHE, REPLICATION or CREATE_ON_PUSH), with the policy of the one creation template
   * that applies, as ECR documents it: the template whose prefix (plus '/') the name starts with and that is applied
   * for the scenario, the longest such prefix when several match (the documentation does not say; this is the
   * assumption), else ROOT, else none (a repository without a policy).
   */
  public withCreatedRepository(registry: string, name: string, scenario: string): IamModel {
    const candidates = (this.creationTemplates.get(registry) ?? []).filter(t => t.appliedFor.includes(scenario));
    const matching = candidates.filter(t => name.startsWith(`${t.prefix}/`)).sort((a, b) => b.prefix.length - a.prefix.length);
    const template = matching[0] ?? candidates.find(t => t.prefix === 'ROOT');
    const [partition, region, account] = registry.split(':');
    const copy = this.copy();
    copy.repositories.set(`arn:${partition}:ecr:${region}:${account}:repository/${name}`, template?.policy);
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
    identityPolicies = this.identityPolicies(principalArn), contextVariables: Record<string, string | string[]> = {},
    resourcePolicy = this.repositories.get(resourceArn)): Promise<string> {
    const result = await runSimulation({
      request: {
        principal: principalArn,
        action,
        resource: { resource: resourceArn, accountId: resourceArn === '*' ? accountOf(principalArn) : accountOf(resourceArn) },
        // AWS sets aws:PrincipalArn on every request of an IAM role (to the role's ARN); the simulator does not.
        contextVariables: { 'aws:PrincipalArn': principalArn, ...contextVariables },
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
        case 'AWS::ECR::RepositoryCreationTemplate': {
          const registry = `${partition}:${ctx.env.region}:${account}`;
          const policy = props.RepositoryPolicy === undefined ? undefined : JSON.parse(resolveIntrinsics(props.RepositoryPolicy, ctx));
          const templates = this.creationTemplates.get(registry) ?? [];
          templates.push({ prefix: String(props.Prefix).replace(/\/$/, ''), appliedFor: props.AppliedFor, policy });
          this.creationTemplates.set(registry, templates);
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
    this.creationTemplates.forEach((templates, registry) => copy.creationTemplates.set(registry, [...templates]));
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
