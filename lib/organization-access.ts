import { Annotations, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { isOwned } from './private/placement/accounts';
import { displayJson } from './private/placement/display';
import { fingerprint } from './private/placement/fingerprint';
import { ROLE_NAME_WILDCARD_PATTERN } from './private/placement/validate';
import { RepositoryPolicy } from './private/repository/repository-policy';
import { ECR_PULL_ACTIONS } from './private/shared/pull-actions';
import { AnyscaleEcrAccessWarnings } from './warnings';

/**
 * Properties of `AnyscaleEcrOrganizationAccess`. Give exactly one of `organizationId` and `accounts`.
 */
export interface AnyscaleEcrOrganizationAccessProps {
  /**
   * The repositories the node roles pull from. They must be defined in this app (the statement goes into
   * their `RepositoryPolicyText`).
   */
  readonly repositories: ecr.IRepository[];

  /**
   * Grant the node roles of every account of this AWS Organization (`o-` followed by 10 to 32 lowercase
   * letters or digits). The statement's principal is `*`, limited by `aws:PrincipalOrgID`.
   *
   * @default - no organization: give `accounts`
   */
  readonly organizationId?: string;

  /**
   * Grant the node roles of these accounts. The statement's principals are the accounts' roots, limited by
   * the role-name patterns.
   *
   * @default - no accounts: give `organizationId`
   */
  readonly accounts?: string[];

  /**
   * Names of the roles that may pull, as patterns with `*` and `?` wildcards, matched against
   * `aws:PrincipalArn` in every account granted.
   *
   * @default ['*-cluster_node_role'] - the node roles that `anyscale cloud setup` creates
   */
  readonly roleNamePatterns?: string[];

  /**
   * Acknowledge cdk-nag's `AwsSolutions-ECR1` on each repository granted to an organization. The rule flags the
   * statement's `*` principal (limited by `aws:PrincipalOrgID`), and it has one finding per repository, not one per
   * statement: acknowledging it also hides any other open statement on the repository, such as one you add later.
   * Set this only when that is what you want; otherwise acknowledge it yourself once you have read the policy (it
   * applies only with `organizationId`: account roots as principals do not raise the finding):
   * `Validations.of(repository).acknowledge({ id: 'AwsSolutions-ECR1', reason: '...' })`.
   *
   * @default false - the finding is reported; nothing is acknowledged on your repositories
   */
  readonly acknowledgeNagOpenAccessFinding?: boolean;
}

const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const ACCOUNT_ID = /^\d{12}$/;

/**
 * Lets every Anyscale node role of an AWS Organization, or of a list of accounts, pull from repositories,
 * with one statement per repository whose size does not grow with the number of Anyscale clouds.
 *
 * This is the repository side only: each node account still gives its node role ECR permissions of its
 * own (for example with `AnyscaleEcrAccess` in a stack of that account, whose repository statement is then
 * not needed).
 *
 * @example
 * declare const stack: Stack;
 * new AnyscaleEcrOrganizationAccess(stack, 'AllClouds', {
 *   repositories: [new ecr.Repository(stack, 'Images')],
 *   organizationId: 'o-a1b2c3d4e5',
 * });
 */
export class AnyscaleEcrOrganizationAccess extends Construct {
  /** The role-name pattern granted when none is given: node roles made by `anyscale cloud setup`. */
  public static readonly DEFAULT_ROLE_NAME_PATTERN = '*-cluster_node_role';

  constructor(scope: Construct, id: string, props: AnyscaleEcrOrganizationAccessProps) {
    super(scope, id);
    const prefix = `AnyscaleEcrOrganizationAccess ${this.node.path}`;
    if (props.repositories.length === 0) {
      throw new Error(`${prefix}: props.repositories is empty ([]). Pass the repositories the node roles pull from.`);
    }
    if ((props.organizationId === undefined) === (props.accounts === undefined)) {
      throw new Error(
        `${prefix}: give exactly one of props.organizationId (got ${props.organizationId ?? 'none'}) and props.accounts ` +
        `(got ${props.accounts ? JSON.stringify(props.accounts) : 'none'}). Use two constructs to grant both.`,
      );
    }
    const patterns = props.roleNamePatterns ?? [AnyscaleEcrOrganizationAccess.DEFAULT_ROLE_NAME_PATTERN];
    assertAll(patterns, ROLE_NAME_WILDCARD_PATTERN, `${prefix}: props.roleNamePatterns`,
      'a role name of 1 to 64 characters from letters, digits, \'+=,.@_-\' and the wildcards * and ?');
    if (patterns.length === 0) {
      throw new Error(`${prefix}: props.roleNamePatterns is empty ([]). Omit it to grant '*-cluster_node_role'.`);
    }
    if (props.organizationId !== undefined) {
      assertAll([props.organizationId], ORGANIZATION_ID, `${prefix}: props.organizationId`,
        "an organization id: 'o-' followed by 10 to 32 lowercase letters or digits (AWS Organizations console > Settings)");
    }
    if (props.accounts !== undefined) {
      if (props.accounts.length === 0) {
        throw new Error(`${prefix}: props.accounts is empty ([]). Pass the 12-digit ids of the node accounts.`);
      }
      assertAll(props.accounts, ACCOUNT_ID, `${prefix}: props.accounts`, 'a 12-digit AWS account id');
    }

    for (const repository of props.repositories) {
      const statement = organizationStatement(repository, props.organizationId, props.accounts, patterns);
      if (!isOwned(repository)) {
        Annotations.of(this).addWarningV2(AnyscaleEcrAccessWarnings.REPOSITORY_POLICY_NOT_APPLIED,
          `Repository ${repository.repositoryName} is imported, and CDK cannot change the resource policy of a ` +
          'repository it does not define. Define it in a stack of its account and pass it here, or add this statement to ' +
          `its permissions: ${displayJson(Stack.of(repository), statement.toStatementJson())}`);
        continue;
      }
      RepositoryPolicy.of(repository).addStatement(statement);
      if (props.organizationId !== undefined && props.acknowledgeNagOpenAccessFinding) {
        Validations.of(repository).acknowledge({
          id: 'AwsSolutions-ECR1',
          reason: 'The principal * is limited to one AWS Organization (aws:PrincipalOrgID) and to node role names ' +
            '(aws:PrincipalArn): granted by AnyscaleEcrOrganizationAccess (acknowledgeNagOpenAccessFinding: true).',
        });
      }
    }
  }
}

function organizationStatement(repository: ecr.IRepository, organizationId: string | undefined,
  accounts: string[] | undefined, patterns: string[]): iam.PolicyStatement {
  const partition = Stack.of(repository).partition;
  const roleArns = patterns.map(pattern => `arn:${partition}:iam::*:role/${pattern}`);
  const grant = organizationId ?? accounts!.join(',');
  const statement = new iam.PolicyStatement({
    // One statement per distinct grant: the same grant twice on a repository is written once.
    sid: `AnyscaleEcrPullOrg${fingerprint(Stack.of(repository), `${grant}|${patterns.join(',')}`)}`,
    actions: [...ECR_PULL_ACTIONS],
    conditions: { ArnLike: { 'aws:PrincipalArn': roleArns } },
  });
  if (organizationId !== undefined) {
    statement.addAnyPrincipal();
    statement.addCondition('StringEquals', { 'aws:PrincipalOrgID': organizationId });
  } else {
    statement.addPrincipals(...accounts!.map(account => new iam.AccountPrincipal(account)));
  }
  return statement;
}

function assertAll(values: string[], pattern: RegExp, prop: string, expected: string): void {
  for (const value of values) {
    if (!Token.isUnresolved(value) && !pattern.test(value)) {
      throw new Error(`${prop} has '${value}', which is not ${expected}.`);
    }
  }
}
