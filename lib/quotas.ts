import { Stack, Token } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';

/** AWS limits that the policies this library writes must stay within. */
export const QUOTAS = {
  /** ECR: characters of a repository policy text. */
  repositoryPolicyCharacters: 10_240,
  /** IAM: characters of a customer managed policy document, whitespace not counted. */
  managedPolicyCharacters: 6_144,
  /** IAM: characters of all inline policies of one role together, whitespace not counted. */
  inlinePolicyCharactersPerRole: 10_240,
  /** IAM: managed policies attached to one role, by default. */
  managedPoliciesPerRole: 10,
  /** IAM: managed policies attached to one role, with the highest quota increase. */
  managedPoliciesPerRoleRaised: 20,
} as const;

/** The longest partition name: an unknown partition is counted as this one, so a measure is an upper bound. */
const LONGEST_PARTITION = 'aws-us-gov';
/** The longest value each pseudo parameter can take, where the stack does not fix it. */
const LONGEST_REGION = 'ap-southeast-5';
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
export function measure(stack: Stack, value: unknown): Measure {
  let unmeasured = 0;
  const render = (node: unknown): unknown => {
    if (Array.isArray(node)) {
      return node.map(render);
    }
    if (node === null || typeof node !== 'object') {
      return node;
    }
    const text = renderString(stack, node as Record<string, unknown>);
    if (text !== undefined) {
      return text;
    }
    const keys = Object.keys(node);
    if (keys.length === 1 && (keys[0].startsWith('Fn::') || keys[0] === 'Ref')) {
      unmeasured += 1;
      return '';
    }
    return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, render(child)]));
  };
  const rendered = render(stack.resolve(value));
  return { characters: JSON.stringify(rendered).length, unmeasured };
}

/** The string an intrinsic renders to, if it can be known at synth time. */
function renderString(stack: Stack, node: Record<string, unknown>): string | undefined {
  if ('Ref' in node && Object.keys(node).length === 1) {
    return pseudoParameter(stack, node.Ref as string);
  }
  if ('Fn::Join' in node && Object.keys(node).length === 1) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    const rendered = parts.map(part => typeof part === 'string' ? part : renderString(stack, part as Record<string, unknown>));
    return rendered.every(part => part !== undefined) ? rendered.join(separator) : undefined;
  }
  return undefined;
}

function pseudoParameter(stack: Stack, name: string): string | undefined {
  const region = Token.isUnresolved(stack.region) ? undefined : stack.region;
  switch (name) {
    case 'AWS::Partition':
      return (region && RegionInfo.get(region).partition) || LONGEST_PARTITION;
    case 'AWS::Region':
      return region ?? LONGEST_REGION;
    case 'AWS::AccountId':
      return Token.isUnresolved(stack.account) ? '0'.repeat(ACCOUNT_LENGTH) : stack.account;
    default:
      return undefined;
  }
}

/** The error message for a policy over a limit, or none. */
export function quotaError(what: string, size: Measure, limit: number, remedy: string): string[] {
  if (size.characters <= limit) {
    return [];
  }
  const unmeasured = size.unmeasured ? ` (plus ${size.unmeasured} deploy-time values not counted)` : '';
  return [`${what} is ${size.characters} characters${unmeasured}, over the AWS limit of ${limit}. ${remedy}`];
}
