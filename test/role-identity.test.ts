import * as iam from 'aws-cdk-lib/aws-iam';
import { App, CfnParameter, Stack } from 'aws-cdk-lib/core';
import { NODE_ACCOUNT, stackIn } from './support/stacks';
import { roleIdentity } from '../lib/private/accounts/role-identity';

// GIVEN roles reached in the ways an app reaches them; THEN one IAM role has one identity, and two roles two.
const ec2 = () => new iam.ServicePrincipal('ec2.amazonaws.com');

describe('roleIdentity', () => {
  test('a role the app defines with a literal name, and the same name imported by name or by an ARN with a path, are one identity', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const owned = new iam.Role(stack, 'Owned', { assumedBy: ec2(), roleName: 'anyscale-node' });
    const byName = iam.Role.fromRoleName(stack, 'ByName', 'anyscale-node');
    const withPath = iam.Role.fromRoleArn(stack, 'WithPath', `arn:aws:iam::${NODE_ACCOUNT}:role/anyscale/team/anyscale-node`);
    // THEN
    expect(roleIdentity(stack, owned)).toBe(`${NODE_ACCOUNT}/anyscale-node`);
    expect(roleIdentity(stack, byName)).toBe(`${NODE_ACCOUNT}/anyscale-node`);
    expect(roleIdentity(stack, withPath)).toBe(`${NODE_ACCOUNT}/anyscale-node`);
  });

  test('roles of other names, or of another account, are other identities', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const a = iam.Role.fromRoleArn(stack, 'A', `arn:aws:iam::${NODE_ACCOUNT}:role/a`);
    const b = iam.Role.fromRoleArn(stack, 'B', `arn:aws:iam::${NODE_ACCOUNT}:role/b`);
    const other = iam.Role.fromRoleArn(stack, 'Other', 'arn:aws:iam::999999999999:role/a');
    // THEN
    expect(new Set([a, b, other].map(role => roleIdentity(stack, role))).size).toBe(3);
    expect(roleIdentity(stack, other)).toBe('999999999999/a');
  });

  test('a role the app defines in a stack without an account is named by its ARN as the stack renders it, not by a token', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Agnostic');
    const named = new iam.Role(stack, 'Named', { assumedBy: ec2(), roleName: 'anyscale-node' });
    const other = new iam.Role(stack, 'Other', { assumedBy: ec2(), roleName: 'anyscale-other' });
    // WHEN
    const identity = roleIdentity(stack, named);
    // THEN
    expect(identity).not.toMatch(/Token|anyscale-node$/);
    expect(identity).toContain(stack.getLogicalId(named.node.defaultChild as iam.CfnRole));
    expect(roleIdentity(stack, other)).not.toBe(identity);
  });

  test('a role the app defines without a literal name is named by its ARN as the stack renders it', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const first = new iam.Role(stack, 'First', { assumedBy: ec2() });
    const second = new iam.Role(stack, 'Second', { assumedBy: ec2() });
    // WHEN
    const identity = roleIdentity(stack, first);
    // THEN
    expect(identity).toContain(stack.getLogicalId(first.node.defaultChild as iam.CfnRole));
    expect(identity).not.toMatch(new RegExp(`^${NODE_ACCOUNT}/`));
    expect(roleIdentity(stack, second)).not.toBe(identity);
  });

  test('a role the app defines with a name only deploy time knows (a parameter) is named by its ARN as the stack renders it', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const name = new CfnParameter(stack, 'RoleName').valueAsString;
    const role = new iam.Role(stack, 'Role', { assumedBy: ec2(), roleName: name });
    // WHEN
    const identity = roleIdentity(stack, role);
    // THEN
    expect(identity).not.toMatch(/Token/);
    expect(identity).toContain(stack.getLogicalId(role.node.defaultChild as iam.CfnRole));
  });

  test('an ARN that does not end in a role name is not read as account and name', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const odd = iam.Role.fromRoleArn(stack, 'Odd', `arn:aws:iam::${NODE_ACCOUNT}:role/anyscale-node/`);
    // THEN
    expect(roleIdentity(stack, odd)).toBe(`arn:aws:iam::${NODE_ACCOUNT}:role/anyscale-node/`);
  });
});
