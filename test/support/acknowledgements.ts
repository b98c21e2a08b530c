import { Validations } from 'aws-cdk-lib/core';
import { IConstruct } from 'constructs';

/** Every cdk-nag acknowledgement under `scope`: construct path → finding id → reason. */
export function acknowledgements(scope: IConstruct): Record<string, Record<string, string>> {
  const found: Record<string, Record<string, string>> = {};
  for (const construct of scope.node.findAll()) {
    for (const entry of construct.node.metadata.filter(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)) {
      // CDK keys each acknowledgement by a kind prefix and the finding id
      const rules = Object.entries(entry.data as Record<string, string>).map(([key, reason]) => [key.replace(/^\w+::/, ''), reason]);
      found[construct.node.path] = { ...found[construct.node.path], ...Object.fromEntries(rules) };
    }
  }
  return found;
}
