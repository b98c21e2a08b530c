import { RegionInfo } from 'aws-cdk-lib/region-info';

/** The environment a stack is deployed to, for resolving its template. */
export interface DeployEnv {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** What resolving one stack's template needs: its environment, its resources and the app's exports. */
export interface ResolveContext {
  readonly stackName: string;
  readonly env: DeployEnv;
  readonly resources: Record<string, any>;
  readonly exports: Record<string, unknown>;
  /** Values of the template's Parameters, for `Ref` to a parameter. */
  readonly parameters?: Record<string, string>;
  /** Physical ids of resources created so far (custom resources), which is what `Ref` to them returns. */
  readonly physicalIds?: Record<string, string>;
}

const PSEUDO: Record<string, (env: DeployEnv) => string> = {
  'AWS::Partition': env => env.partition,
  'AWS::Region': env => env.region,
  'AWS::AccountId': env => env.account,
  'AWS::URLSuffix': env => RegionInfo.get(env.region).domainSuffix ?? 'amazonaws.com',
};

/**
 * Resolves the few intrinsics these templates use to concrete values, as CloudFormation would for `env`.
 * Anything else throws: a simulation on a half-resolved policy would prove nothing.
 */
export function resolveIntrinsics(value: unknown, ctx: ResolveContext): any {
  if (Array.isArray(value)) {
    return value.map(item => resolveIntrinsics(item, ctx));
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const keys = Object.keys(value);
  const node = value as Record<string, any>;
  if (keys.length === 1 && keys[0] === 'Ref') {
    return ref(node.Ref, ctx);
  }
  if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
    const [logicalId, attribute] = node['Fn::GetAtt'];
    if (attribute !== 'Arn') {
      throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.${attribute} in ${ctx.stackName}`);
    }
    return arnOf(logicalId, ctx);
  }
  if (keys.length === 1 && keys[0] === 'Fn::Join') {
    const [separator, parts] = node['Fn::Join'];
    return resolveIntrinsics(parts, ctx).map((part: unknown) => String(part)).join(separator);
  }
  if (keys.length === 1 && keys[0] === 'Fn::Select') {
    const [index, list] = resolveIntrinsics(node['Fn::Select'], ctx);
    if (!Array.isArray(list) || !(Number(index) >= 0 && Number(index) < list.length)) {
      throw new Error(`cannot resolve Fn::Select ${index} of ${JSON.stringify(list)} in ${ctx.stackName}`);
    }
    return list[Number(index)];
  }
  if (keys.length === 1 && keys[0] === 'Fn::Split') {
    const [separator, source] = resolveIntrinsics(node['Fn::Split'], ctx);
    return String(source).split(separator);
  }
  if (keys.length === 1 && keys[0] === 'Fn::ImportValue') {
    const name = resolveIntrinsics(node['Fn::ImportValue'], ctx);
    if (!(name in ctx.exports)) {
      throw new Error(`cannot resolve Fn::ImportValue ${name} in ${ctx.stackName}: no stack exports it`);
    }
    return ctx.exports[name];
  }
  if (keys.some(key => key === 'Ref' || key.startsWith('Fn::'))) {
    throw new Error(`cannot resolve ${JSON.stringify(value)} in ${ctx.stackName}`);
  }
  return Object.fromEntries(keys.map(key => [key, resolveIntrinsics(node[key], ctx)]));
}

function ref(name: string, ctx: ResolveContext): string {
  const pseudo = PSEUDO[name];
  if (pseudo) {
    return pseudo(ctx.env);
  }
  if (ctx.parameters && name in ctx.parameters) {
    return ctx.parameters[name];
  }
  if (ctx.physicalIds && name in ctx.physicalIds) {
    return ctx.physicalIds[name];
  }
  const resource = ctx.resources[name];
  switch (resource?.Type) {
    case 'AWS::IAM::Role':
    case 'AWS::ECR::Repository':
    case 'AWS::IAM::Policy':
    case 'AWS::Lambda::Function':
    case 'AWS::Logs::LogGroup':
      return physicalName(name, ctx);
    case 'AWS::IAM::ManagedPolicy':
      return `arn:${ctx.env.partition}:iam::${ctx.env.account}:policy/${physicalName(name, ctx)}`;
    default:
      throw new Error(`cannot resolve Ref ${name} in ${ctx.stackName}`);
  }
}

function arnOf(logicalId: string, ctx: ResolveContext): string {
  const { partition, region, account } = ctx.env;
  switch (ctx.resources[logicalId]?.Type) {
    case 'AWS::IAM::Role':
      return `arn:${partition}:iam::${account}:role/${physicalName(logicalId, ctx)}`;
    case 'AWS::ECR::Repository':
      return `arn:${partition}:ecr:${region}:${account}:repository/${physicalName(logicalId, ctx)}`;
    case 'AWS::Lambda::Function':
      return `arn:${partition}:lambda:${region}:${account}:function:${physicalName(logicalId, ctx)}`;
    case 'AWS::Logs::LogGroup':
      return `arn:${partition}:logs:${region}:${account}:log-group:${physicalName(logicalId, ctx)}:*`;
    default:
      throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.Arn in ${ctx.stackName}`);
  }
}

/** The resource's name property, or the kind of name CloudFormation generates when there is none. */
export function physicalName(logicalId: string, ctx: ResolveContext): string {
  const resource = ctx.resources[logicalId];
  const property = {
    'AWS::IAM::Role': 'RoleName',
    'AWS::ECR::Repository': 'RepositoryName',
    'AWS::IAM::Policy': 'PolicyName',
    'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
    'AWS::Lambda::Function': 'FunctionName',
    'AWS::Logs::LogGroup': 'LogGroupName',
  }[resource.Type as string];
  const given = property ? resource.Properties?.[property] : undefined;
  if (given !== undefined) {
    return resolveIntrinsics(given, ctx);
  }
  const generated = `${ctx.stackName}-${logicalId}-GENERATED`;
  return resource.Type === 'AWS::ECR::Repository' ? generated.toLowerCase() : generated;
}
