import { Aws, Stack } from 'aws-cdk-lib';

/**
 * An ARN as a person reads it: the pseudo-parameter tokens CDK puts into imported ARNs shown by name, and any other
 * token (a parameter, an import) as `<deploy-time value>` rather than CDK's `${Token[...]}`.
 */
export function displayArn(arn: string): string {
  return arn.split(Aws.PARTITION).join('<partition>').split(Aws.ACCOUNT_ID).join('<account>')
    .replace(/\$\{Token\[[^\]]*\]\}/g, '<deploy-time value>');
}

/**
 * A value as JSON a person can paste: resolved, with `Fn::Join` joined, the pseudo parameters shown as
 * `<partition>`, `<account>` and `<region>`, and any other deploy-time value as `<deploy-time value>`.
 */
export function displayJson(stack: Stack, value: unknown): string {
  return JSON.stringify(rendered(stack.resolve(value)));
}

const PSEUDO: Record<string, string> = { 'AWS::Partition': '<partition>', 'AWS::AccountId': '<account>', 'AWS::Region': '<region>' };

function rendered(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(rendered);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const node = value as Record<string, any>;
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === 'Fn::Join') {
    const [separator, parts] = node['Fn::Join'];
    return (parts as unknown[]).map(part => { const r = rendered(part); return typeof r === 'string' ? r : '<deploy-time value>'; }).join(separator);
  }
  if (keys.length === 1 && keys[0] === 'Ref') {
    return PSEUDO[node.Ref] ?? '<deploy-time value>';
  }
  if (keys.length === 1 && keys[0].startsWith('Fn::')) {
    return '<deploy-time value>';
  }
  return Object.fromEntries(keys.map(key => [key, rendered(node[key])]));
}
