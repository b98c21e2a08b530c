import { createHash } from 'crypto';
import { Stack, Token } from 'aws-cdk-lib';

/**
 * A short, stable digest of a value as CloudFormation will see it, for construct ids of singletons.
 * Token strings are resolved first: their numbers differ between runs.
 */
export function fingerprint(stack: Stack, value: string): string {
  const resolved = Token.isUnresolved(value) ? JSON.stringify(stack.resolve(value)) : value;
  return createHash('sha256').update(resolved).digest('hex').slice(0, 8).toUpperCase();
}
