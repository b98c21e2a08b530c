import { createHash } from 'crypto';
import { Stack, Token } from 'aws-cdk-lib/core';
import { Construct, IConstruct } from 'constructs';

/**
 * A short, stable digest of a value as CloudFormation will see it, for construct ids of singletons.
 * Token strings are resolved first: their numbers differ between runs.
 */
export function fingerprint(stack: Stack, value: string): string {
  return digest(stack, value).slice(0, 8);
}

/** The whole SHA-256 (upper-case hex) of a value as CloudFormation will see it. */
function digest(stack: Stack, value: string): string {
  const resolved = Token.isUnresolved(value) ? JSON.stringify(stack.resolve(value)) : value;
  return createHash('sha256').update(resolved).digest('hex').toUpperCase();
}

/**
 * The id of the singleton child of `scope` that belongs to `key`: `prefix` and the key's fingerprint, found by its key
 * (`keyOf`), never by the short digest alone. In the unlikely case that another key's child holds that id, the id
 * takes the key's full digest instead, so two keys never share a child.
 */
export function singletonId(scope: Construct, prefix: string, key: string, keyOf: (child: IConstruct) => string | undefined): string {
  const stack = Stack.of(scope);
  const id = `${prefix}${fingerprint(stack, key)}`;
  const holder = scope.node.tryFindChild(id);
  if (holder === undefined || keyOf(holder) === key) {
    return id;
  }
  return `${prefix}${digest(stack, key)}`;
}
