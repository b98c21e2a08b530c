import { Token } from 'aws-cdk-lib/core';
import { parseArn } from '../accounts/accounts';

/** Characters IAM allows in a role name but '-' (letters, digits and '+=,.@_'), as a regular expression class body; '-' goes last. */
const ROLE_NAME_CHARACTERS = '\\w+=,.@';
export const MAX_ROLE_NAME_LENGTH = 64;
/** IAM: the longest path, without its leading `/` (the pattern follows `role/`). */
const MAX_ROLE_PATH_LENGTH_FOR_PATTERNS = 511;
/** Characters IAM allows in a role name. */
export const ROLE_NAME_PATTERN = new RegExp(`^[${ROLE_NAME_CHARACTERS}-]+$`);
/**
 * A role name, optionally after its path, with the `*` and `?` wildcards of `ArnLike`: at most as long as a path and a
 * role name together.
 */
export const ROLE_NAME_WILDCARD_PATTERN = new RegExp(`^[${ROLE_NAME_CHARACTERS}*?/-]{1,${MAX_ROLE_PATH_LENGTH_FOR_PATTERNS + MAX_ROLE_NAME_LENGTH}}$`);

/** Throws unless the name is a valid IAM role name. Tokens are not checked. */
export function assertRoleName(roleName: string, prop: string): void {
  if (Token.isUnresolved(roleName)) {
    return;
  }
  if (roleName.length > MAX_ROLE_NAME_LENGTH || !ROLE_NAME_PATTERN.test(roleName)) {
    throw new Error(
      `${prop} gives the role name '${roleName}' (${roleName.length} characters), which IAM rejects: ` +
      `a role name has 1 to ${MAX_ROLE_NAME_LENGTH} characters from letters, digits and '+=,.@_-'. ` +
      'Check the value against the role shown in the IAM console.',
    );
  }
}

/** IAM: a path is `/`, or `/` + printable ASCII characters + `/`, at most 512 characters. */
const ROLE_PATH_PATTERN = /^(\/|\/[\u0021-\u007E]+\/)$/;
const MAX_ROLE_PATH_LENGTH = 512;

/**
 * Throws unless the path is one IAM accepts, known at synth time: CDK's `Role.fromRoleArn` reads the role name from
 * the ARN, after the path.
 */
export function assertRolePath(path: string, prop: string): void {
  if (Token.isUnresolved(path)) {
    throw new Error(`${prop} is a deploy-time value (${path}): the role's path must be known at synth time, because ` +
      'CDK reads the role name from its ARN. Pass the path as a string, or import the role by ARN with fromRoleArn.');
  }
  if (path.length > MAX_ROLE_PATH_LENGTH || !ROLE_PATH_PATTERN.test(path)) {
    throw new Error(
      `${prop} is '${path}' (${path.length} characters), which IAM rejects: a path starts and ends with '/', has at ` +
      `most ${MAX_ROLE_PATH_LENGTH} characters, and printable ASCII characters between, for example '/anyscale/'.`,
    );
  }
}

/**
 * Throws unless the ARN names an IAM role. Users, assumed-role sessions and account roots cannot be
 * Anyscale node roles. An ARN that is wholly or partly a token is checked only in its literal parts.
 */
export function assertRoleArn(roleArn: string, prop: string): void {
  const parsed = parseArn(roleArn);
  if (!parsed) {
    if (Token.isUnresolved(roleArn)) {
      return;
    }
    throw new Error(`${prop} '${roleArn}' is not an ARN. Pass an IAM role ARN: arn:<partition>:iam::<account>:role/<name>.`);
  }
  const service = literal(parsed.service);
  const resource = literal(parsed.resource);
  if (service === 'iam' && resource === 'role') {
    return;
  }
  if (service === undefined || resource === undefined) {
    return;
  }
  let fix = 'Pass the ARN of the IAM role that the Anyscale nodes run with: arn:<partition>:iam::<account>:role/<name>.';
  if (service === 'sts' && resource === 'assumed-role') {
    const roleName = (parsed.resourceName ?? '').split('/')[0];
    fix = `This is an assumed-role session ARN; pass the role itself: arn:${parsed.partition}:iam::${parsed.account}:role/${roleName}.`;
  } else if (service === 'iam' && resource === 'user') {
    fix = 'IAM users cannot be the node role: pass the role of the nodes\' instance profile (for example <cloud-id>-cluster_node_role).';
  } else if (service === 'iam' && resource === 'root') {
    fix = 'An account root is not a role: pass the node role of that account (for example <cloud-id>-cluster_node_role).';
  }
  throw new Error(`${prop} '${roleArn}' is not an IAM role ARN (service '${service}', resource '${resource}'). ${fix}`);
}

function literal(value: string | undefined): string | undefined {
  return value === undefined || Token.isUnresolved(value) ? undefined : value;
}
