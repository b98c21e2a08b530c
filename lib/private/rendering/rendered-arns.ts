import { Stack, Token } from 'aws-cdk-lib/core';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { renderIntrinsic } from './rendering';

const ID = 'AnyscaleEcrRenderedArns';

/** An ARN as the stack will deploy it: `key` says which principal it is, `order` where it sorts. */
interface Rendered {
  /**
   * The string CloudFormation deploys where the stack fixes every part of it (`AWS::Partition` by the stack's region,
   * `AWS::Region`, `AWS::AccountId`), else the JSON of the resolved value: one role reached two ways (a literal
   * `arn:aws:...` and one with `AWS::Partition`) has one key where the stack's region is known.
   */
  readonly key: string;
  /** The JSON of the resolved value, as CloudFormation writes it: a stable order, whatever the run's token numbers. */
  readonly order: string;
  /**
   * The resolved value, where it can stand in for the ARN in what the stack renders: it names no resource (only
   * literals and the pseudo parameters), so no later logical-id override or cross-stack reference can change it.
   */
  readonly fixed?: unknown;
}

/**
 * ARNs as CloudFormation will render them, resolved once per stack: the same role ARNs are sorted in many repository
 * policies of a stack. The cache is part of the stack's construct tree (a child without resources), found by id.
 */
class RenderedArns extends Construct {
  public static of(stack: Stack): RenderedArns | undefined {
    const found = stack.node.tryFindChild(ID) as RenderedArns | undefined;
    // A locked tree takes no new child: a stack whose cache was not prepared then resolves without one.
    return found ?? (stack.node.locked ? undefined : new RenderedArns(stack, ID));
  }

  private readonly rendered = new Map<string, Rendered>();
  /** The stack's fixed pseudo parameters, looked up once. */
  public pseudoParameters?: Record<string, string | undefined>;
  /** See `fixedLengths`. */
  public readonly lengths = new Map<object, number>();

  public get(stack: Stack, arn: string): Rendered {
    let found = this.rendered.get(arn);
    if (found === undefined) {
      found = render(stack, arn);
      this.rendered.set(arn, found);
    }
    return found;
  }
}

function render(stack: Stack, arn: string): Rendered {
  const resolved = stack.resolve(arn);
  return { key: deployedKey(stack, resolved), order: JSON.stringify(resolved), fixed: namesNoResource(resolved) ? resolved : undefined };
}

/** True for a resolved value made of literals and `Ref`s to pseudo parameters (`AWS::...`) only. */
function namesNoResource(value: unknown): boolean {
  if (value === null || typeof value !== 'object') {
    return true;
  }
  if (Array.isArray(value)) {
    return value.every(namesNoResource);
  }
  return Object.entries(value).every(([key, inner]) => key === 'Ref'
    ? typeof inner === 'string' && inner.startsWith('AWS::')
    : key === 'Fn::Join' && namesNoResource(inner));
}

/** The key (see `Rendered.key`) of a value that is already resolved in `stack`. */
export function deployedKey(stack: Stack, resolved: unknown): string {
  const pseudo = fixedPseudoParameters(stack);
  return renderIntrinsic(resolved, name => pseudo[name]) ?? JSON.stringify(resolved);
}

/** The pseudo parameters whose value the stack fixes at synth time (`AWS::Partition` by its region); undefined where it does not. */
export function fixedPseudoParameters(stack: Stack): Record<string, string | undefined> {
  const cache = stack.node.tryFindChild(ID) as RenderedArns | undefined;
  if (cache) {
    return cache.pseudoParameters ??= lookUpPseudoParameters(stack);
  }
  return lookUpPseudoParameters(stack);
}

function lookUpPseudoParameters(stack: Stack): Record<string, string | undefined> {
  const region = Token.isUnresolved(stack.region) ? undefined : stack.region;
  return {
    'AWS::Partition': region ? RegionInfo.get(region).partition : undefined,
    'AWS::Region': region,
    'AWS::AccountId': Token.isUnresolved(stack.account) ? undefined : stack.account,
  };
}

/** The partition of the stack's region, where the stack has a literal region that aws-cdk-lib knows. */
export function stackPartition(stack: Stack): string | undefined {
  return fixedPseudoParameters(stack)['AWS::Partition'];
}

/** Creates the stack's cache while the tree can still change (when a grant is made), so synthesis only reads it. */
export function prepareRenderedArns(stack: Stack): void {
  RenderedArns.of(stack);
}

function rendered(stack: Stack, arn: string): Rendered {
  return RenderedArns.of(stack)?.get(stack, arn) ?? render(stack, arn);
}

/** Whether the stack renders the ARN as a value fixed at synth time (see `Rendered.fixed`), which `renderedValue` gives. */
export function isFixed(stack: Stack, arn: string): boolean {
  return rendered(stack, arn).fixed !== undefined;
}

/**
 * The rendered lengths of the stack's intrinsics (the fixed values of `renderedValue` among them), by the intrinsic
 * object, for `measureResolved`: the stack's repository policies name the same roles, so each is measured once per
 * stack. `undefined` where the stack has no cache.
 */
export function fixedLengths(stack: Stack): Map<object, number> | undefined {
  return (stack.node.tryFindChild(ID) as RenderedArns | undefined)?.lengths;
}

/**
 * The ARN as the stack renders it, resolved once per stack, where that value names no resource (see `Rendered.fixed`);
 * else the ARN itself, for synthesis to resolve. A policy of many repositories then resolves each role once.
 */
export function renderedValue(stack: Stack, arn: string): unknown {
  return rendered(stack, arn).fixed ?? arn;
}

/** Which principal an ARN is, as the stack deploys it (see `Rendered.key`), resolved once per stack. */
export function renderedKey(stack: Stack, arn: string): string {
  return rendered(stack, arn).key;
}

/**
 * ARNs sorted as CloudFormation will render them, each principal once: token strings carry run-dependent numbers,
 * so sorting them as they are would reorder principals between runs, and one role reached two ways (an owned role
 * with a fixed name and the same role imported by name; a literal ARN and one with `AWS::Partition` in a stack whose
 * region is known) gives two ARNs that deploy alike. Of two such ARNs the one that sorts first is kept.
 */
export function sortByRendering(stack: Stack, arns: string[]): string[] {
  const byKey = new Map<string, { arn: string; order: string }>();
  for (const arn of arns) {
    const { key, order } = rendered(stack, arn);
    const kept = byKey.get(key);
    if (!kept || order < kept.order) {
      byKey.set(key, { arn, order });
    }
  }
  return [...byKey.values()].sort((a, b) => a.order < b.order ? -1 : a.order > b.order ? 1 : 0).map(entry => entry.arn);
}
