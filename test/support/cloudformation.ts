import { isDeepStrictEqual } from 'util';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { DeployEnv, ResolveContext, resolveIntrinsics } from './intrinsics';

/** What the function PUT to the ResponseURL. */
export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly PhysicalResourceId: string;
  readonly Reason?: string;
  readonly Data?: Record<string, unknown>;
}

/**
 * One invocation of the function with one event. Resolves with what the function PUT to the ResponseURL, or undefined
 * when no PUT arrived; rejects when the invocation failed (the function threw, for example because its PUT failed),
 * which Lambda retries: CloudFormation invokes custom resource functions asynchronously. (A function that PUT its
 * response and then failed is not modelled.) functionEnvironment: the resolved Environment.Variables of the Lambda
 * function the ServiceToken points at, as deployed at that moment.
 */
export type Invoke = (
  event: CloudFormationCustomResourceEvent,
  functionEnvironment: Record<string, string>,
) => Promise<CustomResourceResponse | undefined>;

/** Lambda retries a failed asynchronous invocation twice, unless the function's EventInvokeConfig says otherwise. */
export const LAMBDA_DEFAULT_RETRIES = 2;

export interface StackTemplate {
  readonly template: any;
  readonly parameters?: Record<string, string>;
}

export type StackStatus = 'CREATE_COMPLETE' | 'ROLLBACK_COMPLETE' | 'ROLLBACK_FAILED' | 'UPDATE_COMPLETE' | 'UPDATE_ROLLBACK_COMPLETE'
| 'UPDATE_ROLLBACK_FAILED' | 'DELETE_COMPLETE' | 'DELETE_FAILED';

export interface OperationResult {
  readonly status: StackStatus;
  /** Cleanup-phase deletes that failed: CloudFormation logs them and still completes the update (or its rollback). */
  readonly cleanupFailures: string[];
  readonly failures: string[];
}

interface Recorded { physicalId: string; properties: Record<string, unknown>; type: string }
interface Stack { id: string; status: StackStatus; template: any; parameters: Record<string, string>; resources: Record<string, Recorded> }
type Event = CloudFormationCustomResourceEvent;

/** What CloudFormation answers itself for an event whose function never PUT a response, after the service timeout. */
export function noResponseReason(requestId: string): string {
  return `CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId [${requestId}].`;
}

/** Only these can be updated; the others must be deleted (or, for UPDATE_ROLLBACK_FAILED, rolled back further) first. */
const UPDATABLE: StackStatus[] = ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'];

/**
 * A model of how CloudFormation drives custom resources through a stack's life: which events it sends, in which
 * order, with which physical ids and properties, and what it does when a response says FAILED. Resources of other
 * types are assumed to exist; they only resolve intrinsics. CloudFormation works on independent resources in
 * parallel; this runs one at a time, in dependency order and otherwise template order, which is one order it may use.
 */
export class CloudFormation {
  /**
   * Every event sent, in order, with the response CloudFormation took (its own after the service timeout when none
   * arrived) and the number of invocations Lambda made for it.
   */
  public readonly log: Array<{ event: Event; response: CustomResourceResponse; invocations: number }> = [];
  private readonly stacks = new Map<string, Stack>();
  private counter = 0;

  constructor(private readonly options: {
    invoke: Invoke;
    env: DeployEnv;
    resourceTypes: string[];
    /** Exports of stacks outside this model, for Fn::ImportValue (the modelled stacks' own exports are added). */
    exports?: Record<string, unknown>;
  }) {}

  public stackId(stackName: string): string | undefined {
    return this.stacks.get(stackName)?.id;
  }

  /** The custom resources of a stack as CloudFormation records them: logical id -> { physicalId, properties }. */
  public resources(stackName: string): Record<string, { physicalId: string; properties: Record<string, unknown> }> {
    return Object.fromEntries(Object.entries(this.stacks.get(stackName)?.resources ?? {})
      .map(([id, { physicalId, properties }]) => [id, structuredClone({ physicalId, properties })]));
  }

  /** Creates the stack, or updates it when it exists. Like CloudFormation, refuses stacks that cannot be updated. */
  public async deploy(stackName: string, { template, parameters = {} }: StackTemplate): Promise<OperationResult> {
    const values = parameterValues(template, parameters);
    const stack = this.stacks.get(stackName);
    if (!stack) {
      return this.create(stackName, template, values);
    }
    if (!UPDATABLE.includes(stack.status)) {
      throw new Error(`Stack:${stack.id} is in ${stack.status} state and can not be updated.`);
    }
    if (isDeepStrictEqual(stack.template, template) && isDeepStrictEqual(stack.parameters, values)) {
      return { status: stack.status, failures: [], cleanupFailures: [] }; // "No updates are to be performed."
    }
    return this.update(stackName, stack, template, values);
  }

  /** Deletes every recorded custom resource, dependents first. A failed delete leaves the stack in DELETE_FAILED. */
  public async deleteStack(stackName: string): Promise<OperationResult> {
    const stack = this.stacks.get(stackName);
    if (!stack) {
      return { status: 'DELETE_COMPLETE', failures: [], cleanupFailures: [] };
    }
    const current = this.version(stackName, stack.template, stack.parameters, stack.resources);
    const failed = await this.deleteEach(stack, dependentsFirst(current, Object.entries(stack.resources)), [current]);
    stack.resources = Object.fromEntries(failed.map(([id, recorded]) => [id, recorded]));
    stack.status = failed.length ? 'DELETE_FAILED' : 'DELETE_COMPLETE';
    if (!failed.length) {
      this.stacks.delete(stackName); // A stack created again with this name is a new stack, with a new StackId.
    }
    return { status: stack.status, failures: failed.map(([, , reason]) => reason), cleanupFailures: [] };
  }

  private async create(stackName: string, template: any, parameters: Record<string, string>): Promise<OperationResult> {
    const { partition, region, account } = this.options.env;
    const id = `arn:${partition}:cloudformation:${region}:${account}:stack/${stackName}/${this.uuid()}`;
    const stack: Stack = { id, status: 'CREATE_COMPLETE', template, parameters, resources: {} };
    this.stacks.set(stackName, stack);
    const next = this.version(stackName, template, parameters, stack.resources);
    for (const logicalId of next.order) {
      const properties = next.properties(logicalId);
      const response = await this.send(stack, next.type(logicalId), 'Create', logicalId, properties, {}, [next]);
      // A FAILED create still records the physical id it answered: the rollback's Delete carries it.
      stack.resources[logicalId] = { physicalId: response.PhysicalResourceId, properties, type: next.type(logicalId) };
      if (response.Status === 'FAILED') {
        const failed = await this.deleteEach(stack, dependentsFirst(next, Object.entries(stack.resources)), [next]);
        stack.resources = Object.fromEntries(failed.map(([logical, recorded]) => [logical, recorded])); // For DeleteStack to retry.
        stack.status = failed.length ? 'ROLLBACK_FAILED' : 'ROLLBACK_COMPLETE';
        return { status: stack.status, failures: [`${logicalId}: ${response.Reason}`, ...failed.map(([, , reason]) => reason)], cleanupFailures: [] };
      }
    }
    return { status: 'CREATE_COMPLETE', failures: [], cleanupFailures: [] };
  }

  /**
   * Creates and updates in the new template's dependency order, then (cleanup) deletes what the new template no longer
   * has and the old physical ids of replacements. A failure instead rolls back: Updates back to the old properties, then
   * (rollback cleanup) Deletes of what this update created. Cleanup failures are only logged, as CloudFormation does.
   */
  private async update(stackName: string, stack: Stack, template: any, parameters: Record<string, string>): Promise<OperationResult> {
    const before = { ...stack.resources };
    const working = { ...stack.resources }; // Live: after a replacement, dependents' Ref resolve to the new physical id.
    const previous = this.version(stackName, stack.template, stack.parameters, working);
    const next = this.version(stackName, template, parameters, working);
    const failures: string[] = [];
    const created: string[] = [];
    const updated: string[] = [];
    for (const id of next.order) {
      const properties = next.properties(id);
      const old = before[id];
      if (old && isDeepStrictEqual(old.properties, properties)) {
        continue;
      }
      if (old && old.properties.ServiceToken !== properties.ServiceToken) {
        failures.push(`${id}: Modifying service token is not allowed.`); // Refused before any event is sent.
        break;
      }
      const extra = old ? { PhysicalResourceId: old.physicalId, OldResourceProperties: old.properties } : {};
      const response = await this.send(stack, next.type(id), old ? 'Update' : 'Create', id, properties, extra, [next, previous]);
      (old ? updated : created).push(id);
      // A FAILED answer's physical id too: the rollback's Update (or, for a create, Delete) carries it.
      working[id] = { physicalId: response.PhysicalResourceId, properties, type: next.type(id) };
      if (response.Status === 'FAILED') {
        failures.push(`${id}: ${response.Reason}`);
        break;
      }
    }
    if (!failures.length) {
      const removed = previous.order.filter(id => id in before && !next.order.includes(id));
      const replaced = updated.filter(id => working[id].physicalId !== before[id].physicalId);
      Object.assign(stack, { status: 'UPDATE_COMPLETE', template, parameters, resources: Object.fromEntries(next.order.map(id => [id, working[id]])) });
      const failed = await this.deleteEach(stack, dependentsFirst(previous, [...removed, ...replaced].map(id => [id, before[id]])), [next, previous]);
      return { status: 'UPDATE_COMPLETE', failures, cleanupFailures: failed.map(([, , reason]) => reason) };
    }
    // The rollback is an update back to the old template: in its dependency order, with the function as it was.
    const rollbackFailures: string[] = [];
    const doomed: Array<[string, Recorded]> = created.map(id => [id, working[id]]);
    const restored = { ...before };
    for (const id of previous.order.filter(logicalId => updated.includes(logicalId))) {
      const forward = working[id];
      const response = await this.send(stack, forward.type, 'Update', id, before[id].properties,
        { PhysicalResourceId: forward.physicalId, OldResourceProperties: forward.properties }, [previous, next]);
      if (response.Status === 'FAILED') {
        rollbackFailures.push(`${id}: ${response.Reason}`);
        restored[id] = forward; // Stuck in its new state until the rollback is continued.
        continue;
      }
      restored[id] = { ...before[id], physicalId: response.PhysicalResourceId };
      if (response.PhysicalResourceId !== forward.physicalId) {
        doomed.push([id, forward]); // A replacement undone: the forward resource goes in the rollback cleanup.
      }
    }
    if (rollbackFailures.length) { // No cleanup: the stack holds what the failed update created until it is deleted.
      const resources = { ...restored, ...Object.fromEntries(created.map(id => [id, working[id]])) };
      Object.assign(stack, { status: 'UPDATE_ROLLBACK_FAILED', resources });
      return { status: stack.status, failures: [...failures, ...rollbackFailures], cleanupFailures: [] };
    }
    Object.assign(stack, { status: 'UPDATE_ROLLBACK_COMPLETE', resources: restored });
    const failed = await this.deleteEach(stack, dependentsFirst(next, doomed), [previous, next]);
    return { status: stack.status, failures, cleanupFailures: failed.map(([, , reason]) => reason) };
  }

  /** Sends a Delete for each resource, in the order given; returns those that answered FAILED, with the reason. */
  private async deleteEach(stack: Stack, doomed: Array<[string, Recorded]>, environments: Version[]): Promise<Array<[string, Recorded, string]>> {
    const failed: Array<[string, Recorded, string]> = [];
    for (const [id, recorded] of doomed) {
      const response = await this.send(stack, recorded.type, 'Delete', id, recorded.properties, { PhysicalResourceId: recorded.physicalId }, environments);
      if (response.Status === 'FAILED') {
        failed.push([id, recorded, `${id}: ${response.Reason}`]);
      }
    }
    return failed;
  }

  /** Sends one event and logs it. `environments`: where to look for the function, first match wins. */
  private async send(stack: Stack, resourceType: string, requestType: Event['RequestType'], logicalId: string,
    properties: Record<string, unknown>, extra: { PhysicalResourceId?: string; OldResourceProperties?: Record<string, unknown> },
    environments: Version[]): Promise<CustomResourceResponse> {
    const requestId = this.uuid();
    const serviceToken = String(properties.ServiceToken);
    const { region } = this.options.env;
    const key = encodeURIComponent(`${stack.id}|${logicalId}|${requestId}`).replace(/%2F/g, '/');
    const host = `cloudformation-custom-resource-response-${region.replace(/-/g, '')}.s3.${RegionInfo.get(region).domainSuffix}`;
    const event = {
      RequestType: requestType,
      ServiceToken: serviceToken,
      StackId: stack.id,
      RequestId: requestId,
      LogicalResourceId: logicalId,
      ResponseURL: `https://${host}/${key}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=7200&X-Amz-SignedHeaders=host&X-Amz-Signature=${requestId.replace(/-/g, '')}`,
      ResourceType: resourceType,
      ResourceProperties: properties,
      ...extra,
    } as Event;
    const environment = environments.map(candidate => candidate.environment(serviceToken)).find(found => found !== undefined) ?? {};
    const retries = environments.map(candidate => candidate.retryAttempts(serviceToken)).find(found => found !== undefined) ?? LAMBDA_DEFAULT_RETRIES;
    let answered: CustomResourceResponse | undefined;
    let invocations = 0;
    while (invocations <= retries) {
      invocations++;
      try {
        answered = await this.options.invoke(structuredClone(event), environment);
        break; // A successful invocation is not retried, whether or not its PUT arrived.
      } catch {
        // Lambda retries a failed asynchronous invocation (after a minute, then two: within the service timeout).
      }
    }
    // No response: CloudFormation fails the event after the service timeout. For a Create it makes a physical id up.
    const response = answered ?? {
      Status: 'FAILED',
      Reason: noResponseReason(requestId),
      PhysicalResourceId: extra.PhysicalResourceId ?? `${stack.id.split('/')[1]}-${logicalId}-${this.madeUpSuffix()}`,
    };
    this.log.push({ event, response, invocations });
    return response;
  }

  /** 13 characters, as CloudFormation's generated physical ids end. */
  private madeUpSuffix(): string {
    return `X${String(++this.counter).padStart(12, '0')}`;
  }

  /** The template as it resolves in this stack now. Other stacks' exports are importable, as in one account and region. */
  private version(stackName: string, template: any, parameters: Record<string, string>, recorded: Record<string, Recorded>): Version {
    const exports: Record<string, unknown> = { ...this.options.exports };
    for (const [name, other] of this.stacks) {
      if (name !== stackName && !other.status.startsWith('ROLLBACK')) {
        const ctx = context(name, this.options.env, other.template, other.parameters, other.resources, {});
        for (const output of Object.values<any>(other.template.Outputs ?? {}).filter(candidate => candidate.Export)) {
          exports[resolveIntrinsics(output.Export.Name, ctx)] = resolveIntrinsics(output.Value, ctx);
        }
      }
    }
    return new Version(this.options.resourceTypes, context(stackName, this.options.env, template, parameters, recorded, exports));
  }

  private uuid(): string {
    return `00000000-0000-4000-8000-${String(++this.counter).padStart(12, '0')}`;
  }
}

/** One template with its parameter values, resolved as CloudFormation would in the stack's account and region. */
class Version {
  /** The executed custom resources, in dependency order: a resource after those it references, else template order. */
  public readonly order: string[];

  constructor(types: string[], private readonly ctx: ResolveContext) {
    const ids = Object.keys(ctx.resources);
    const dependencies = new Map(ids.map(id => [id, [...references(ctx.resources[id].Properties), ...[ctx.resources[id].DependsOn ?? []].flat()]
      .filter(other => other in ctx.resources)]));
    const order: string[] = [];
    while (order.length < ids.length) {
      const ready = ids.find(id => !order.includes(id) && dependencies.get(id)!.every(other => order.includes(other)));
      if (!ready) {
        throw new Error(`Circular dependency between resources: ${ids.filter(id => !order.includes(id))}`);
      }
      order.push(ready);
    }
    this.order = order.filter(id => types.includes(this.type(id)));
  }

  public type(logicalId: string): string {
    return this.ctx.resources[logicalId].Type;
  }

  /** The properties as an event carries them: resolved, numbers and booleans turned into strings. */
  public properties(logicalId: string): Record<string, unknown> {
    return asSent(resolveIntrinsics(this.ctx.resources[logicalId].Properties ?? {}, this.ctx));
  }

  /** The resolved Environment.Variables of this template's function whose ARN is `functionArn`, if it has one. */
  public environment(functionArn: string): Record<string, string> | undefined {
    const fn = this.functionId(functionArn);
    return fn === undefined ? undefined : asSent(resolveIntrinsics(this.ctx.resources[fn].Properties?.Environment?.Variables ?? {}, this.ctx));
  }

  /**
   * How often Lambda retries a failed asynchronous invocation of this template's function whose ARN is `functionArn`
   * (the MaximumRetryAttempts of its AWS::Lambda::EventInvokeConfig for $LATEST, else Lambda's default), if it has one.
   */
  public retryAttempts(functionArn: string): number | undefined {
    const fn = this.functionId(functionArn);
    if (fn === undefined) {
      return undefined;
    }
    const names = [resolveIntrinsics({ Ref: fn }, this.ctx), functionArn];
    const config = Object.values<any>(this.ctx.resources).find(resource => resource.Type === 'AWS::Lambda::EventInvokeConfig'
      && names.includes(resolveIntrinsics(resource.Properties.FunctionName, this.ctx)) && resource.Properties.Qualifier === '$LATEST');
    return config?.Properties.MaximumRetryAttempts ?? LAMBDA_DEFAULT_RETRIES;
  }

  private functionId(functionArn: string): string | undefined {
    return Object.keys(this.ctx.resources).find(id => this.ctx.resources[id].Type === 'AWS::Lambda::Function'
      && resolveIntrinsics({ 'Fn::GetAtt': [id, 'Arn'] }, this.ctx) === functionArn);
  }
}

/** In reverse dependency order of `version`; resources it does not have (left by a failed update rollback) first. */
function dependentsFirst(version: Version, resources: Array<[string, Recorded]>): Array<[string, Recorded]> {
  const rank = (id: string) => (version.order.includes(id) ? version.order.indexOf(id) : version.order.length);
  return [...resources].sort(([a], [b]) => rank(b) - rank(a));
}

/** `recorded` is read at each use: after a replacement, a `Ref` to the resource gives its new physical id. */
function context(stackName: string, env: DeployEnv, template: any, parameters: Record<string, string>, recorded: Record<string, Recorded>,
  exports: Record<string, unknown>): ResolveContext {
  return {
    stackName,
    env,
    resources: template.Resources ?? {},
    exports,
    parameters,
    get physicalIds() { return Object.fromEntries(Object.entries(recorded).map(([id, { physicalId }]) => [id, physicalId])); },
  };
}

/** The logical ids a value names through Ref, Fn::GetAtt or Fn::Sub, which make the resource wait for them. */
function references(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.flatMap(references);
  }
  if (value === null || typeof value !== 'object') {
    return [];
  }
  return Object.entries(value).flatMap(([key, inner]) => {
    if (key === 'Ref') return [String(inner)];
    if (key === 'Fn::GetAtt') return [Array.isArray(inner) ? String(inner[0]) : String(inner).split('.')[0]];
    if (key === 'Fn::Sub') {
      const [text, variables] = Array.isArray(inner) ? inner : [inner, {}];
      return [...[...String(text).matchAll(/\$\{([^!}.][^}.]*)/g)].map(match => match[1]), ...references(variables)];
    }
    return references(inner);
  });
}

/** CloudFormation sends custom resource property values as strings: numbers and booleans, at any depth, become strings. */
function asSent<T>(value: T): T {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value) as T;
  if (Array.isArray(value)) return value.map(asSent) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, asSent(inner)])) as T;
}

/** The template's parameter values: the given ones over the defaults. Like CloudFormation, refuses missing and unknown ones. */
function parameterValues(template: any, given: Record<string, string>): Record<string, string> {
  const declared: Record<string, any> = template.Parameters ?? {};
  const unknown = Object.keys(given).filter(name => !(name in declared));
  const missing = Object.keys(declared).filter(name => !(name in given) && declared[name].Default === undefined);
  if (unknown.length || missing.length) {
    throw new Error(unknown.length ? `Parameters: [${unknown}] do not exist in the template` : `Parameters: [${missing}] must have values`);
  }
  return Object.fromEntries(Object.keys(declared).map(name => [name, String(given[name] ?? declared[name].Default)]));
}
