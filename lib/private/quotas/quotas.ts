import { Stack, Token, Tokenization } from 'aws-cdk-lib/core';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { MAX_POLICY_CHARACTERS } from '../constants/ecr-rules';
import { fixedPseudoParameters } from '../rendering/rendered-arns';
import { renderIntrinsic } from '../rendering/rendering';

/** AWS limits that the policies this library writes must stay within. */
export const QUOTAS = {
  /** ECR: characters of a repository policy text. */
  repositoryPolicyCharacters: MAX_POLICY_CHARACTERS,
  /** IAM: characters of a customer managed policy document, whitespace not counted. */
  managedPolicyCharacters: 6_144,
  /** IAM: characters of all inline policies of one role together, whitespace not counted. */
  inlinePolicyCharactersPerRole: 10_240,
  /** IAM: managed policies attached to one role, by default. */
  managedPoliciesPerRole: 10,
  /**
   * IAM: managed policies attached to one role, with the highest quota increase AWS documents ("you must submit a
   * Service Quotas increase request to raise the default limit from 10 to a maximum of 20": AWS Knowledge Center,
   * iam-increase-policy-size, read 2026-11-29). An account whose quota AWS raised further sets its own maximum.
   */
  managedPoliciesPerRoleRaised: 20,
} as const;

/** The longest of the names. */
function longest(names: string[]): string {
  return names.reduce((a, b) => (b.length > a.length ? b : a));
}
/**
 * The longest value each pseudo parameter can take, where the stack does not fix it: a stack without a region is
 * measured as if deployed to the region with the longest name, in the partition with the longest name.
 */
const LONGEST_PARTITION = longest(['aws-us-gov', ...RegionInfo.regions.flatMap(region => region.partition ?? [])]);
const LONGEST_REGION = longest(['ap-southeast-5', ...RegionInfo.regions.map(region => region.name)]);
const ACCOUNT_LENGTH = 12;

/** How long a policy (or a piece of one) will be once CloudFormation has rendered it. */
export interface Measure {
  /** Characters, counting every part that could be measured. */
  readonly characters: number;
  /** Values that are tokens CloudFormation resolves only at deploy time (a GetAtt, an import): not counted. */
  readonly unmeasured: number;
}

/**
 * Measures a value as CloudFormation will render it: compact JSON, with `Fn::Join` joined and the pseudo
 * parameters `AWS::Partition`, `AWS::Region` and `AWS::AccountId` replaced by the stack's values (or, where
 * the stack leaves them open, by their longest possible values). Other intrinsics (`Fn::GetAtt`,
 * `Fn::ImportValue`, a `Ref` to a resource or a parameter) are not guessed: they count as empty strings and
 * are reported in `unmeasured`.
 */
export function measure(stack: Stack, value: unknown, deployTimeLength?: DeployTimeLength): Measure {
  return measureResolved(stack, stack.resolve(value), deployTimeLength);
}

/**
 * The longest string an intrinsic that only deploy time resolves (a GetAtt, say) can render to, where the caller can
 * bound it; `undefined` leaves it unmeasured.
 */
export type DeployTimeLength = (intrinsic: Record<string, unknown>) => number | undefined;

/**
 * `measure` for a value that is already resolved (plain JSON with CloudFormation intrinsics). `rendered`: the lengths
 * of intrinsics of this stack measured before, by the intrinsic object (which nothing changes once resolved); each one
 * rendered here is added to it.
 */
export function measureResolved(stack: Stack, resolved: unknown, deployTimeLength?: DeployTimeLength, rendered?: Map<object, number>): Measure {
  const pseudo = pseudoParameters(stack);
  let unmeasured = 0;
  // Counts the characters of JSON.stringify(rendered) without building the string.
  const length = (node: unknown): number => {
    if (typeof node === 'string') {
      return JSON.stringify(node).length;
    }
    if (node === null || typeof node !== 'object') {
      return node === undefined ? 0 : String(node).length;
    }
    if (Array.isArray(node)) {
      return 2 + Math.max(0, node.length - 1) + node.reduce((total: number, child) => total + length(child), 0);
    }
    // Resolved values hold no undefined members: stack.resolve drops them, as JSON.stringify does.
    const keys = Object.keys(node);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      const before = rendered?.get(node);
      if (before !== undefined) {
        return before;
      }
      const text = renderIntrinsic(node, name => pseudo[name]);
      if (text === undefined) {
        const bound = deployTimeLength?.(node as Record<string, unknown>);
        if (bound !== undefined) {
          return bound + 2;
        }
        return 2 + knownPartsLength(node);
      }
      const characters = JSON.stringify(text).length;
      rendered?.set(node, characters);
      return characters;
    }
    return 2 + Math.max(0, keys.length - 1) +
      keys.reduce((total, key) => total + JSON.stringify(key).length + 1 + length((node as Record<string, unknown>)[key]), 0);
  };
  /**
   * The characters of an intrinsic that only deploy time renders, as far as synth time knows them: a `Fn::Join`'s literal
   * parts and separators (an ARN whose account is a parameter is still mostly text), its unknown parts counted as empty
   * (or as their bound) and reported in `unmeasured`; any other such intrinsic counts as empty.
   */
  const knownPartsLength = (node: unknown): number => {
    const join = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)['Fn::Join'] : undefined;
    if (!Array.isArray(join) || typeof join[0] !== 'string' || !Array.isArray(join[1])) {
      unmeasured += 1;
      return 0;
    }
    const [separator, parts] = join as [string, unknown[]];
    const inner = (text: string) => JSON.stringify(text).length - 2;
    return inner(separator) * Math.max(0, parts.length - 1) + parts.reduce((total: number, part) => {
      const text = renderIntrinsic(part, name => pseudo[name]);
      if (text !== undefined) {
        return total + inner(text);
      }
      const bound = part !== null && typeof part === 'object' ? deployTimeLength?.(part as Record<string, unknown>) : undefined;
      return total + (bound ?? knownPartsLength(part));
    }, 0);
  };
  return { characters: length(resolved), unmeasured };
}

/**
 * Whether resolving the value would leave it as it is, so that `measureResolved` can measure it unresolved: false when
 * it holds a token (a string, number or list that encodes one, an IResolvable) or an undefined member (which resolving
 * drops).
 */
export function isLiteral(node: unknown): boolean {
  if (typeof node === 'string' || typeof node === 'number') {
    return !Token.isUnresolved(node);
  }
  if (node === undefined || node === null || typeof node !== 'object') {
    return node !== undefined;
  }
  if (Tokenization.isResolvable(node)) {
    return false;
  }
  if (Array.isArray(node)) {
    // A list token is an array whose element alone does not read as a token.
    return !Token.isUnresolved(node) && node.every(isLiteral);
  }
  return Object.entries(node).every(([key, child]) => !Token.isUnresolved(key) && isLiteral(child));
}

/** The pseudo parameters as the stack fixes them, or at their longest where it leaves them open. */
function pseudoParameters(stack: Stack): Record<string, string> {
  const fixed = fixedPseudoParameters(stack);
  return {
    'AWS::Partition': fixed['AWS::Partition'] ?? LONGEST_PARTITION,
    'AWS::Region': fixed['AWS::Region'] ?? LONGEST_REGION,
    'AWS::AccountId': fixed['AWS::AccountId'] ?? '0'.repeat(ACCOUNT_LENGTH),
  };
}

/** The error message for a policy over a limit, or none. */
export function quotaError(what: string, size: Measure, limit: number, remedy: string): string[] {
  if (size.characters <= limit) {
    return [];
  }
  const unmeasured = size.unmeasured ? ` (plus ${size.unmeasured} deploy-time values not counted)` : '';
  return [`${what} is ${size.characters} characters${unmeasured}, over the AWS limit of ${limit}. ${remedy}`];
}
