import { App, Aws, CfnParameter, Fn, Lazy, Stack, Token } from 'aws-cdk-lib/core';
import { REGISTRY_ACCOUNT, stackIn } from './support/stacks';
import { isLiteral, measure, measureResolved, QUOTAS, quotaError } from '../lib/private/quotas/quotas';

describe('measure', () => {
  test('a literal value is its compact JSON', () => {
    const stack = stackIn(new App(), 'S', REGISTRY_ACCOUNT);
    const value = { Statement: [{ Effect: 'Allow', Action: ['ecr:BatchGetImage'] }] };
    expect(measure(stack, value)).toEqual({ characters: JSON.stringify(value).length, unmeasured: 0 });
  });

  test.each([
    ['us-east-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
  ])('AWS::Partition in a stack of %s renders as %s', (region, partition) => {
    // GIVEN
    const stack = new Stack(new App(), 'S', { env: { account: REGISTRY_ACCOUNT, region } });
    const arn = `arn:${Aws.PARTITION}:iam::111111111111:role/nodes`;
    // WHEN
    const size = measure(stack, { AWS: arn });
    // THEN
    expect(size).toEqual({ characters: JSON.stringify({ AWS: `arn:${partition}:iam::111111111111:role/nodes` }).length, unmeasured: 0 });
  });

  test('an environment-agnostic stack counts pseudo parameters at their longest', () => {
    // GIVEN
    const stack = new Stack(new App(), 'S');
    // WHEN
    const size = measure(stack, [`${Aws.PARTITION}:${Aws.REGION}:${Aws.ACCOUNT_ID}`]);
    // THEN
    // The longest partition and region names aws-cdk-lib knows (us-isof-south-1: 15 characters, longer than ap-southeast-5).
    expect(size.characters).toBe(JSON.stringify(['aws-us-gov:us-isof-south-1:000000000000']).length);
    expect(size.unmeasured).toBe(0);
  });

  test('deploy-time values are not guessed: they count as empty and are reported; the text around them counts', () => {
    // GIVEN
    const stack = stackIn(new App(), 'S', REGISTRY_ACCOUNT);
    // WHEN
    const size = measure(stack, { AWS: [Fn.importValue('NodeRoleArn'), `x${Fn.getAtt('Role', 'Arn')}`] });
    // THEN
    expect(size).toEqual({ characters: JSON.stringify({ AWS: ['', 'x'] }).length, unmeasured: 2 });
  });

  test('an ARN whose account is a parameter counts all its text, pseudo parameters rendered, the account as empty', () => {
    // GIVEN
    const stack = stackIn(new App(), 'S', REGISTRY_ACCOUNT);
    const account = new CfnParameter(stack, 'NodeAccount').valueAsString;
    // WHEN
    const size = measure(stack, { AWS: `arn:${Aws.PARTITION}:iam::${account}:role/cld_abc123-cluster_node_role` });
    // THEN
    expect(size).toEqual({ characters: JSON.stringify({ AWS: 'arn:aws:iam:::role/cld_abc123-cluster_node_role' }).length, unmeasured: 1 });
  });

  test('a join part that is null or a number (a Lazy producing it) is not known: counted as empty and reported, no crash', () => {
    const stack = stackIn(new App(), 'S', REGISTRY_ACCOUNT);
    const parameter = new CfnParameter(stack, 'P').valueAsString;
    const size = measure(stack, Fn.join('-', ['a', Token.asString(Lazy.any({ produce: () => null })), parameter]));
    expect(size.characters).toBeGreaterThanOrEqual(JSON.stringify('a--').length);
    expect(size.unmeasured).toBeGreaterThanOrEqual(1);
  });

  test('a join of a list parameter (its parts known only at deploy time) is counted as empty and reported, no crash', () => {
    const stack = stackIn(new App(), 'S', REGISTRY_ACCOUNT);
    const endpoints = new CfnParameter(stack, 'Endpoints', { type: 'CommaDelimitedList' }).valueAsList;
    expect(measure(stack, { Resource: Fn.join(',', endpoints) })).toEqual({ characters: JSON.stringify({ Resource: '' }).length, unmeasured: 1 });
  });

  test('the separator of a join counts between its parts, escaped as JSON writes it; each unknown part is reported', () => {
    const stack = stackIn(new App(), 'S', REGISTRY_ACCOUNT);
    const [a, b] = ['A', 'B'].map(id => new CfnParameter(stack, id).valueAsString);
    const size = measure(stack, Fn.join('"', [a, 'x', b]));
    expect(size).toEqual({ characters: JSON.stringify('"x"').length, unmeasured: 2 });
  });

  test('numbers, booleans and null count as their JSON; undefined members, as in JSON.stringify, not at all', () => {
    const stack = stackIn(new App(), 'S', REGISTRY_ACCOUNT);
    const value = { A: 12, B: true, C: null, D: undefined, E: [false, 0], F: {}, G: [] };
    expect(measure(stack, value)).toEqual({ characters: JSON.stringify(value).length, unmeasured: 0 });
  });

  test('a pseudo parameter on its own renders as the stack fixes it', () => {
    const stack = stackIn(new App(), 'S', REGISTRY_ACCOUNT);
    expect(measure(stack, { Principal: Aws.ACCOUNT_ID })).toEqual({
      characters: JSON.stringify({ Principal: REGISTRY_ACCOUNT }).length, unmeasured: 0,
    });
  });
});

describe('isLiteral, and measuring a literal value unresolved', () => {
  const join = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:role/nodes']] };

  test('a value without tokens (intrinsics written as JSON included) measures as it would once resolved', () => {
    const stack = stackIn(new App(), 'S', REGISTRY_ACCOUNT);
    const value = { Statement: [{ Principal: { AWS: [join, 'arn:aws:iam::111111111111:role/a'] }, Condition: { Bool: { x: true } } }] };
    expect(isLiteral(value)).toBe(true);
    expect(measureResolved(stack, value)).toEqual(measure(stack, value));
  });

  const tokenHolders: Array<[string, () => unknown]> = [
    ['a token string', () => ({ Key: `arn:${Aws.PARTITION}:iam::111111111111:role/nodes` })],
    ['a token number', () => ({ Key: Token.asNumber(Lazy.number({ produce: () => 3 })) })],
    ['an IResolvable', () => ({ Key: Lazy.any({ produce: () => 'x' }) })],
    ['a list token', () => ({ Key: Token.asList(Lazy.any({ produce: () => ['a', 'b'] })) })],
    ['an undefined member', () => ({ Key: undefined })],
    ['a token key', () => ({ [Aws.REGION]: 'plain' })],
  ];
  test.each(tokenHolders)('a value holding %s is not literal: it must be resolved first', (_name, make) => {
    expect(isLiteral({ Statement: [make()] })).toBe(false);
  });

  test('an intrinsic measured once is read from the map after (what the repository policies of a stack share)', () => {
    const stack = stackIn(new App(), 'S', REGISTRY_ACCOUNT);
    const rendered = new Map<object, number>();
    const length = JSON.stringify('arn:aws:iam::111111111111:role/nodes').length;
    expect(measureResolved(stack, [join], undefined, rendered).characters).toBe(2 + length);
    expect(rendered.get(join)).toBe(length);
    // WHEN the map says otherwise, the map is what counts (the intrinsic is not rendered again)
    rendered.set(join, 100);
    expect(measureResolved(stack, [join], undefined, rendered).characters).toBe(2 + 100);
  });
});

describe('quotaError', () => {
  test('none at the limit; one past it names what, size, limit and remedy', () => {
    expect(quotaError('Policy P', { characters: QUOTAS.managedPolicyCharacters, unmeasured: 0 }, QUOTAS.managedPolicyCharacters, 'Fix it.')).toEqual([]);
    expect(quotaError('Policy P', { characters: 6145, unmeasured: 2 }, QUOTAS.managedPolicyCharacters, 'Fix it.')).toEqual([
      'Policy P is 6145 characters (plus 2 deploy-time values not counted), over the AWS limit of 6144. Fix it.',
    ]);
  });
});
