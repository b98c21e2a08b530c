import * as iam from 'aws-cdk-lib/aws-iam';
import { App, CfnParameter, Fn, Stack } from 'aws-cdk-lib/core';
import { NODE_ACCOUNT, stackIn } from './support/stacks';
import { prepareRenderedArns, renderedKey, renderedValue, sortByRendering } from '../lib/private/rendering/rendered-arns';
import { renderIntrinsic } from '../lib/private/rendering/rendering';

// The rendered form of an ARN is resolved once per stack: the same role ARNs are sorted in every repository policy.

function counted(stack: Stack): { calls: () => number } {
  const resolve = jest.spyOn(stack, 'resolve');
  return { calls: () => resolve.mock.calls.length };
}

test('each ARN is resolved once per stack, however often it is sorted', () => {
  // GIVEN
  const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
  const arns = ['b', 'a'].map(name => stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: name }));
  prepareRenderedArns(stack);
  const resolves = counted(stack);
  // WHEN
  const first = sortByRendering(stack, arns);
  const second = sortByRendering(stack, arns);
  // THEN
  expect(first).toEqual([arns[1], arns[0]]);
  expect(second).toEqual(first);
  expect(resolves.calls()).toBe(2);
});

test('a key is what CloudFormation renders: the JSON of the resolved ARN', () => {
  const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
  const arn = `arn:aws:iam::${new CfnParameter(stack, 'Account').valueAsString}:role/x`;
  expect(renderedKey(stack, arn)).toBe(JSON.stringify({ 'Fn::Join': ['', ['arn:aws:iam::', { Ref: 'Account' }, ':role/x']] }));
});

test('a cache prepared before the tree is locked serves it afterwards; without one, each call resolves', () => {
  // GIVEN two stacks, one prepared while it could still take a child
  const app = new App();
  const prepared = stackIn(app, 'Prepared', NODE_ACCOUNT);
  const unprepared = stackIn(app, 'Unprepared', NODE_ACCOUNT);
  prepareRenderedArns(prepared);
  prepared.node.lock();
  unprepared.node.lock();
  const [preparedResolves, unpreparedResolves] = [counted(prepared), counted(unprepared)];
  // WHEN
  for (let i = 0; i < 3; i++) {
    renderedKey(prepared, 'arn:aws:iam::111111111111:role/x');
    renderedKey(unprepared, 'arn:aws:iam::111111111111:role/x');
  }
  // THEN
  expect(preparedResolves.calls()).toBe(1);
  expect(unpreparedResolves.calls()).toBe(3);
  expect(unprepared.node.children.map(child => child.node.id)).not.toContain('AnyscaleEcrRenderedArns');
});

describe('renderIntrinsic', () => {
  const ref = (name: string) => `<${name}>`;
  test.each([
    ['a string', 'text', 'text'],
    ['a Ref', { Ref: 'AWS::Region' }, '<AWS::Region>'],
    ['a Join of strings and Refs', { 'Fn::Join': ['-', ['a', { Ref: 'X' }]] }, 'a-<X>'],
    ['null', null, undefined],
    ['a number', 12, undefined],
    ['a list', ['a'], undefined],
    ['a Join with a number in it', { 'Fn::Join': ['', ['a', 1]] }, undefined],
    ['another intrinsic, without a renderer for it', { 'Fn::GetAtt': ['R', 'Arn'] }, undefined],
  ])('%s', (_name, value, rendered) => {
    expect(renderIntrinsic(value, ref)).toBe(rendered);
  });

  test('another intrinsic goes to the renderer given for it', () => {
    expect(renderIntrinsic({ 'Fn::GetAtt': ['R', 'Arn'] }, ref, node => `<${JSON.stringify(node)}>`)).toBe('<{"Fn::GetAtt":["R","Arn"]}>');
  });
});

describe('renderedValue: the value a policy names in place of the ARN', () => {
  test.each([
    ['a literal ARN', () => 'arn:aws:iam::111111111111:role/node', 'arn:aws:iam::111111111111:role/node'],
    ['an ARN with AWS::Partition (fromCloudId)', (stack: Stack) => stack.formatArn({ service: 'iam', region: '', account: NODE_ACCOUNT, resource: 'role', resourceName: 'node' }),
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${NODE_ACCOUNT}:role/node`]] }],
  ])('%s names no resource: its resolved value, resolved once per stack', (_, arn, expected) => {
    // GIVEN
    const stack = stackIn(new App(), 'Registry', NODE_ACCOUNT);
    prepareRenderedArns(stack);
    // THEN
    expect(renderedValue(stack, arn(stack))).toEqual(expected);
  });

  test.each([
    ['a role of this stack (its logical id may still be overridden)', (stack: Stack) => new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() }).roleArn],
    ['a parameter', (stack: Stack) => new CfnParameter(stack, 'RoleArn').valueAsString],
    ['an import', () => Fn.importValue('NodeRoleArn')],
  ])('%s names something synthesis resolves: the ARN itself, left to synthesis', (_, arn) => {
    // GIVEN
    const stack = stackIn(new App(), 'Registry', NODE_ACCOUNT);
    prepareRenderedArns(stack);
    const value = arn(stack);
    // THEN
    expect(renderedValue(stack, value)).toBe(value);
  });
});
