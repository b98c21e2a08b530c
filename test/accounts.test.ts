import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { App, Aws, Fn, Stack, Token } from 'aws-cdk-lib/core';
import { NODE_ACCOUNT, REGISTRY_ACCOUNT, stackIn } from './support/stacks';
import { AccountRelation, compareAccounts, isOwned, literalPartition, repositoryAccount, roleAccount } from '../lib/private/accounts/accounts';

describe('compareAccounts', () => {
  const parameter = Token.asString({ Ref: 'AccountParameter' });
  test.each([
    ['two equal literals', NODE_ACCOUNT, NODE_ACCOUNT, AccountRelation.SAME],
    ['two different literals', NODE_ACCOUNT, REGISTRY_ACCOUNT, AccountRelation.DIFFERENT],
    ['a literal and the AWS::AccountId token', NODE_ACCOUNT, Aws.ACCOUNT_ID, AccountRelation.UNKNOWN],
    ['the AWS::AccountId token and a literal', Aws.ACCOUNT_ID, NODE_ACCOUNT, AccountRelation.UNKNOWN],
    ['the same token twice', Aws.ACCOUNT_ID, Aws.ACCOUNT_ID, AccountRelation.SAME],
    ['two different tokens', Aws.ACCOUNT_ID, parameter, AccountRelation.UNKNOWN],
  ])('%s', (_name, a, b, expected) => {
    // WHEN
    const relation = compareAccounts(a, b);
    // THEN
    expect(relation).toBe(expected);
  });
});

describe('roleAccount', () => {
  test('an owned role is in its stack\'s account', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    // THEN
    expect(roleAccount(role)).toBe(NODE_ACCOUNT);
  });

  test('an imported role is in the account of its ARN, not the importing stack\'s', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const role = iam.Role.fromRoleArn(stack, 'Role', `arn:aws:iam::${NODE_ACCOUNT}:role/path/node`);
    // THEN
    expect(roleAccount(role)).toBe(NODE_ACCOUNT);
  });

  test('a role imported from a whole-token ARN has an unresolved account', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const role = iam.Role.fromRoleArn(stack, 'Role', Fn.importValue('NodeRoleArn'));
    // THEN
    expect(Token.isUnresolved(roleAccount(role))).toBe(true);
  });
});

describe('repositoryAccount', () => {
  let stack: Stack;
  beforeEach(() => {
    stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
  });

  test('an owned repository is in its stack\'s account', () => {
    expect(repositoryAccount(new ecr.Repository(stack, 'Repo'))).toBe(NODE_ACCOUNT);
  });

  test('a repository imported by name is in the importing stack\'s account', () => {
    expect(repositoryAccount(ecr.Repository.fromRepositoryName(stack, 'Repo', 'images'))).toBe(NODE_ACCOUNT);
  });

  test.each([
    ['fromRepositoryArn', (s: Stack) => ecr.Repository.fromRepositoryArn(s, 'Repo',
      `arn:aws:ecr:us-east-1:${REGISTRY_ACCOUNT}:repository/team/images`)],
    // CDK reports the importing stack's account in env for this one: the ARN must win.
    ['fromRepositoryAttributes', (s: Stack) => ecr.Repository.fromRepositoryAttributes(s, 'Repo', {
      repositoryArn: `arn:aws:ecr:us-east-1:${REGISTRY_ACCOUNT}:repository/images`,
      repositoryName: 'images',
    })],
  ])('a repository imported with %s is in the account of its ARN', (_name, importRepository) => {
    // WHEN
    const repository = importRepository(stack);
    // THEN
    expect(repositoryAccount(repository)).toBe(REGISTRY_ACCOUNT);
  });
});

describe('isOwned and literalPartition', () => {
  test('tell owned from imported resources and read literal partitions only', () => {
    // GIVEN
    const stack = stackIn(new App(), 'Node', NODE_ACCOUNT);
    const owned = new ecr.Repository(stack, 'Owned');
    const imported = ecr.Repository.fromRepositoryName(stack, 'Imported', 'images');
    // THEN
    expect(isOwned(owned)).toBe(true);
    expect(isOwned(imported)).toBe(false);
    expect(literalPartition('arn:aws-cn:iam::111111111111:role/x')).toBe('aws-cn');
    expect(literalPartition(imported.repositoryArn)).toBeUndefined();
    expect(literalPartition(owned.repositoryArn)).toBeUndefined();
  });
});
