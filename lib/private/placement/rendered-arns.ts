import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';

const ID = 'AnyscaleEcrRenderedArns';

/**
 * ARNs as CloudFormation will render them (JSON of the resolved value), resolved once per stack: the same role ARNs
 * are sorted in many repositories of a stack. The cache is part of the stack's construct tree (a child without
 * resources), found by id.
 */
class RenderedArns extends Construct {
  public static of(stack: Stack): RenderedArns | undefined {
    const found = stack.node.tryFindChild(ID) as RenderedArns | undefined;
    // A locked tree takes no new child: a stack whose cache was not prepared then resolves without one.
    return found ?? (stack.node.locked ? undefined : new RenderedArns(stack, ID));
  }

  private readonly keys = new Map<string, string>();

  public key(stack: Stack, arn: string): string {
    let key = this.keys.get(arn);
    if (key === undefined) {
      key = JSON.stringify(stack.resolve(arn));
      this.keys.set(arn, key);
    }
    return key;
  }
}

/** Creates the stack's cache while the tree can still change (when a grant is made), so synthesis only reads it. */
export function prepareRenderedArns(stack: Stack): void {
  RenderedArns.of(stack);
}

/** An ARN as CloudFormation will render it (JSON of the resolved value), resolved once per stack. */
export function renderedKey(stack: Stack, arn: string): string {
  return RenderedArns.of(stack)?.key(stack, arn) ?? JSON.stringify(stack.resolve(arn));
}

/**
 * ARNs sorted as CloudFormation will render them, each rendering once: token strings carry run-dependent numbers,
 * so sorting them as they are would reorder principals between runs, and one role reached two ways (an owned role
 * with a fixed name and the same role imported by name) gives two tokens that render alike.
 */
export function sortByRendering(stack: Stack, arns: string[]): string[] {
  const byKey = new Map(arns.map(arn => [renderedKey(stack, arn), arn]));
  return [...byKey.keys()].sort().map(key => byKey.get(key)!);
}
