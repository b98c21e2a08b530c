import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Arn, ArnFormat, Aws, Resource, Stack, Token, TokenComparison } from 'aws-cdk-lib/core';
import { stackPartition } from '../rendering/rendered-arns';

/** How two AWS accounts relate, as far as synth time can tell. */
export enum AccountRelation {
  /** Provably the same account. */
  SAME = 'SAME',
  /** Provably different accounts. */
  DIFFERENT = 'DIFFERENT',
  /** At least one account is an unresolved token that differs from the other. */
  UNKNOWN = 'UNKNOWN',
}

/**
 * The one place where two accounts are compared; the identity side and the repository side both use it.
 *
 * Two identical tokens (for example the `AWS::AccountId` of two environment-agnostic stacks) count as the
 * same account, as CDK's own `Grant` does: CDK deploys such stacks to one environment.
 */
export function compareAccounts(a: string, b: string): AccountRelation {
  switch (Token.compareStrings(a, b)) {
    case TokenComparison.SAME:
      return AccountRelation.SAME;
    case TokenComparison.DIFFERENT:
      return AccountRelation.DIFFERENT;
    case TokenComparison.BOTH_UNRESOLVED:
      return a === b ? AccountRelation.SAME : AccountRelation.UNKNOWN;
    default:
      return AccountRelation.UNKNOWN;
  }
}

/**
 * True when CDK defines the resource in this app (as opposed to importing an existing one). An `iam.LazyRole` is
 * defined here too, though its role (and so its CloudFormation resource) is created only when first used.
 */
export function isOwned(resource: Resource | iam.IRole | ecr.IRepository): boolean {
  return resource instanceof iam.LazyRole || Resource.isOwnedResource(resource);
}

/** Where a role or a repository lives, as far as synth time can tell. */
export interface Placement {
  /** The account: a literal, or a token resolved at deploy time. */
  readonly account: string;
  /** The partition, when the ARN names it literally. */
  readonly partition?: string;
  /** Whether this app defines the resource. */
  readonly owned: boolean;
}

/**
 * Where a role lives. An imported role's account comes from its ARN; an owned role's from its stack.
 */
export function rolePlacement(role: iam.IRole): Placement {
  return placement(role, () => role.roleArn);
}

/**
 * Where a repository lives. An imported repository's account comes from its ARN, because
 * `fromRepositoryName` and `fromRepositoryAttributes` report the importing stack's account in `env`.
 */
export function repositoryPlacement(repository: ecr.IRepository): Placement {
  return placement(repository, () => repository.repositoryArn);
}

/** The account of a role (see `rolePlacement`). */
export function roleAccount(role: iam.IRole): string {
  return rolePlacement(role).account;
}

/** The account of a repository (see `repositoryPlacement`). */
export function repositoryAccount(repository: ecr.IRepository): string {
  return repositoryPlacement(repository).account;
}

function placement(resource: iam.IRole | ecr.IRepository, arnOf: () => string): Placement {
  const owned = isOwned(resource);
  // An owned resource's ARN is a GetAtt: its account is the stack's, and its partition that of the stack's region. An
  // imported ARN with AWS::Partition is in the partition of the stack it is imported into.
  const stackPartitionOf = () => stackPartition(Stack.of(resource));
  return owned
    ? { owned, account: resource.env.account, partition: stackPartitionOf() }
    : {
      owned,
      account: accountInArn(arnOf()),
      partition: literalPartition(arnOf()) ?? (partitionIsPseudo(arnOf()) ? stackPartitionOf() : undefined),
    };
}

/** Whether the ARN's partition is the `AWS::Partition` pseudo parameter (as in the ARNs CDK formats for imports). */
function partitionIsPseudo(arn: string): boolean {
  return parseArn(arn)?.partition === Aws.PARTITION;
}

/** The partition in an ARN, or undefined when it is a token. */
export function literalPartition(arn: string): string | undefined {
  const parsed = parseArn(arn);
  return parsed && !Token.isUnresolved(parsed.partition) ? parsed.partition : undefined;
}

/** The components of an ARN that has the `arn:...` shape (possibly with tokens inside), else undefined. */
export function parseArn(arn: string) {
  return arn.startsWith('arn:') ? Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME) : undefined;
}

/** For a whole-token ARN (a parameter, an import), the account is a token resolved at deploy time. */
function accountInArn(arn: string): string {
  return Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME).account ?? '';
}
