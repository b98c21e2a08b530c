import { Stack, Token } from 'aws-cdk-lib/core';
import { Construct, IConstruct } from 'constructs';

/** The prefix of the template that applies to every repository no other template matches. */
export const ROOT_PREFIX = 'ROOT';

/**
 * ECR's rule for a template's prefix (botocore's `Prefix` shape, and the `Prefix` pattern of CloudFormation's
 * `AWS::ECR::RepositoryCreationTemplate` schema in all but two regions): 1 to 256 characters. Segments separated by '/'
 * (one trailing '/' allowed) are lowercase letters and digits joined by '.', '_', '__' or a run of '-'.
 */
const PREFIX_PATTERN = /^([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\/?|ROOT)$/;
const MAX_PREFIX_LENGTH = 256;

/**
 * Throws unless ECR accepts the prefix of a repository creation template: lowercase path segments of letters and
 * digits, joined by '.', '_', '__' or a run of '-', separated by '/', with an optional trailing '/'; or exactly `ROOT`.
 * Tokens are not checked.
 */
export function assertCreationTemplatePrefix(prefix: string, prop: string): void {
  if (Token.isUnresolved(prefix)) {
    return;
  }
  if (prefix.length >= 1 && prefix.length <= MAX_PREFIX_LENGTH && PREFIX_PATTERN.test(prefix)) {
    return;
  }
  const rule = 'ECR takes a prefix of 1 to 256 characters: lowercase letters and digits, with \'.\', \'_\', \'__\' or ' +
    'one or more \'-\' between them, path segments separated by single \'/\' (one trailing \'/\' is allowed and changes ' +
    'nothing), or exactly \'ROOT\' for every repository that no other template matches.';
  throw new Error(`${prop} has '${prefix}' (${prefix.length} characters), which is not a repository creation template ` +
    `prefix. ${rule}${hint(prefix)}`);
}

function hint(prefix: string): string {
  if (prefix.toUpperCase() === ROOT_PREFIX) {
    return ' Write \'ROOT\' in capitals for the template of every repository.';
  }
  if (prefix.includes('*')) {
    return ' A prefix has no wildcards: \'docker-hub\' already covers every repository under docker-hub/.';
  }
  const candidate = prefix.toLowerCase().replace(/^\/+|\/+$/g, '');
  if (candidate !== prefix && candidate.length > 0 && candidate.length <= MAX_PREFIX_LENGTH && PREFIX_PATTERN.test(candidate)) {
    return ` Did you mean '${candidate}'?`;
  }
  return '';
}

/** The prefix as ECR matches it: ECR assumes a trailing '/', so 'team' and 'team/' are one prefix. */
export function normalizedPrefix(prefix: string): string {
  return prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
}

/** The ARNs of the repositories that ECR creates under the prefix, in the stack's registry (account and region). */
export function repositoriesUnder(stack: Stack, prefix: string): string {
  const normalized = normalizedPrefix(prefix);
  return stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: normalized === ROOT_PREFIX ? '*' : `${normalized}/*` });
}

/** Whether repositories under `inner` also fall under `outer` (ROOT covers every prefix). Literal prefixes only. */
function covers(outer: string, inner: string): boolean {
  return outer === ROOT_PREFIX || inner.startsWith(`${outer}/`);
}

/** A creation-template prefix of the app, as registered by the construct that owns it. */
export interface RegisteredPrefix {
  readonly prefix: string;
  readonly owner: IConstruct;
  /** The registry (account and region) as a person reads it. */
  readonly registry: string;
}

/** How a new prefix relates to one registered before in the same registry. */
export interface PrefixOverlap {
  readonly other: RegisteredPrefix;
  /** True when both are the same prefix; false when one covers the other. */
  readonly same: boolean;
}

const PREFIXES_ID = 'AnyscaleEcrCreationTemplatePrefixes';

/**
 * The creation-template prefixes of an app, by registry (account and region, tokens as they are): a child of the
 * app's root without resources, found by id.
 */
class CreationTemplatePrefixes extends Construct {
  public static of(root: IConstruct): CreationTemplatePrefixes {
    const found = root.node.tryFindChild(PREFIXES_ID) as CreationTemplatePrefixes | undefined;
    return found ?? new CreationTemplatePrefixes(root as Construct, PREFIXES_ID);
  }

  private readonly byRegistry = new Map<string, RegisteredPrefix[]>();

  public entries(registry: string): RegisteredPrefix[] {
    const entries = this.byRegistry.get(registry) ?? [];
    this.byRegistry.set(registry, entries);
    return entries;
  }
}

/**
 * Records a literal prefix of `owner`'s stack's registry and returns the prefixes of the app, in that registry, that it
 * overlaps: the same prefix, or one that covers it or that it covers. Two environment-agnostic stacks count as one
 * registry, since CDK deploys them to one environment. Tokens are neither recorded nor compared.
 */
export function registerPrefix(owner: IConstruct, prefix: string): PrefixOverlap[] {
  if (Token.isUnresolved(prefix)) {
    return [];
  }
  const stack = Stack.of(owner);
  const entries = CreationTemplatePrefixes.of(owner.node.root).entries(`${stack.account}|${stack.region}`);
  const normalized = normalizedPrefix(prefix);
  const overlaps = entries.filter(other => other.prefix === normalized || covers(other.prefix, normalized) || covers(normalized, other.prefix))
    .map(other => ({ other, same: other.prefix === normalized }));
  entries.push({ prefix: normalized, owner, registry: registryName(stack) });
  return overlaps;
}

/**
 * The id of a prefix's template under its construct, derived from the prefix alone, so that adding or removing another
 * prefix moves no template to another logical id (the prefix is the template's create-only identifier: a template on
 * a new logical id would be created while the old one still holds the prefix). '/' cannot be in a construct id, and a
 * prefix never holds ' ', so ' ' stands for '/' and two prefixes never share an id. Tokens, which have no stable text,
 * are numbered in the order they are added.
 */
export function templateId(prefix: string, tokenIndex: number): string {
  return Token.isUnresolved(prefix) ? `TemplateOfToken${tokenIndex}` : `Template ${normalizedPrefix(prefix).split('/').join(' ')}`;
}

/** A registry (account and region) as a person reads it. */
export function registryName(stack: Stack): string {
  const account = Token.isUnresolved(stack.account) ? 'the account it is deployed to' : `account ${stack.account}`;
  const region = Token.isUnresolved(stack.region) ? 'its region' : `region ${stack.region}`;
  return `${account}, ${region}`;
}
