/**
 * The string a resolved `Ref` or `Fn::Join` renders to, with each `Ref` named by `ref` and any other intrinsic by
 * `other`; `undefined` when a part cannot be rendered. The size checks, the messages and the cdk-nag finding ids each
 * render CloudFormation values this way, with their own names for what is known only at deploy time.
 */
export function renderIntrinsic(
  value: unknown,
  ref: (name: string) => string | undefined,
  other: (node: Record<string, unknown>) => string | undefined = () => undefined,
): string | undefined {
  if (typeof value === 'string') {
    return value;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return undefined;
  }
  const node = value as Record<string, unknown>;
  if ('Ref' in node) {
    return ref(node.Ref as string);
  }
  if ('Fn::Join' in node) {
    const [separator, parts] = node['Fn::Join'] as [unknown, unknown];
    // A list parameter or a token separator renders only at deploy time.
    if (typeof separator !== 'string' || !Array.isArray(parts)) {
      return undefined;
    }
    const rendered = parts.map(part => renderIntrinsic(part, ref, other));
    return rendered.every(part => part !== undefined) ? rendered.join(separator) : undefined;
  }
  return other(node);
}
