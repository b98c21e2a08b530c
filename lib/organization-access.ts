import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Annotations, Stack, Token, Validations } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { OrganizationGrantee } from './organization-grantee';
import { ECR_PULL_ACTIONS } from './private/constants/pull-actions';
import { ORGANIZATION_SID_PREFIX } from './private/constants/sids';
import { resourceGrantOf } from './private/grants/grant-parts';
import {
  assertRoleNamePatterns, DEFAULT_ROLE_NAME_PATTERNS, EKS_NODE_ROLE_NAME_PATTERNS, EKS_NODE_ROLE_PATTERNS_BY_SOURCE, NODE_ROLE_NAME_PATTERNS,
  OrganizationGrant, organizationPrincipal, organizationStatement, TERRAFORM_NAME_PREFIX_SUFFIX_LENGTH,
} from './private/grants/organization-statement';
import { MAX_ROLE_NAME_LENGTH, ROLE_NAME_PATTERN } from './private/naming/role-names';
import { displayJson, displayRepository } from './private/rendering/display';
import { WARNING_IDS } from './private/reporting/warning-ids';
import { RepositoryPolicy } from './private/repository/repository-policy';

/**
 * Properties of `AnyscaleEcrOrganizationAccess`.
 */
export interface AnyscaleEcrOrganizationAccessProps {
  /**
   * Whose node roles may pull: `OrganizationGrantee.organization('o-...')` for every account of an AWS Organization,
   * `OrganizationGrantee.organizationalUnits('o-...', ['o-.../r-.../ou-.../'])` for the accounts of some of its OUs (and
   * the OUs under them), or `OrganizationGrantee.accounts([...])` for a list of accounts.
   */
  readonly grantee: OrganizationGrantee;

  /**
   * The repositories the node roles pull from. They must be defined in this app (the statement goes into their
   * `RepositoryPolicyText`). More can be added with `addRepository`; by synthesis there must be at least one.
   *
   * @default - none yet: add them with `addRepository`
   */
  readonly repositories?: ecr.IRepository[];

  /**
   * Names of the roles that may pull, as patterns with `*` and `?` wildcards (optionally after an IAM path, as in
   * `anyscale/*`), matched against `aws:PrincipalArn` (`arn:<partition>:iam::*:role/<pattern>`) in every account
   * granted. A leading `*` also matches any path.
   *
   * @default AnyscaleEcrOrganizationAccess.DEFAULT_ROLE_NAME_PATTERNS - every node role name that Anyscale's tools
   * create with their default naming: `*-cluster_node_role`, `*-cluster-node-role`, `anyscale-cluster-node-*`,
   * `*\/anyscale-cluster-node-*`, `ray-autoscaler-v1`
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
 *   grantee: OrganizationGrantee.organization('o-a1b2c3d4e5'),
 *   repositories: [new ecr.Repository(stack, 'Images')],
 * });
 */
export class AnyscaleEcrOrganizationAccess extends Construct {
  /**
   * Node roles of `anyscale cloud setup` (`<cloud-id>-cluster_node_role`) and of newer CLI clouds
   * (`vm-<region>-<8 hex>-cluster_node_role`, the default of `anyscale cloud resource setup --stack vm`), under any path.
   */
  public static readonly CLI_ROLE_NAME_PATTERN: string = NODE_ROLE_NAME_PATTERNS.cli;

  /**
   * Node roles of Anyscale's Terraform modules (anyscale/terraform-aws-anyscale-cloudfoundation-modules) with
   * `use_common_name`: `<common_name>-cluster-node-role`, under any path.
   */
  public static readonly TERRAFORM_COMMON_NAME_ROLE_NAME_PATTERN: string = NODE_ROLE_NAME_PATTERNS.terraformCommonName;

  /**
   * Node roles of Anyscale's Terraform modules named with their default prefix and Terraform's 26-character suffix:
   * `anyscale-cluster-node-<suffix>`, without a path. A `common_prefix` or `anyscale_iam_cluster_node_role_name_prefix`
   * replaces the prefix: see `terraformNamePrefixPattern`.
   */
  public static readonly TERRAFORM_PREFIX_ROLE_NAME_PATTERN: string = NODE_ROLE_NAME_PATTERNS.terraformPrefix;

  /**
   * The same Terraform-module names under an IAM path (`anyscale_cluster_node_role_path` of the `aws-anyscale-iam`
   * submodule): `<path>anyscale-cluster-node-<suffix>`.
   */
  public static readonly TERRAFORM_PREFIX_UNDER_PATH_ROLE_NAME_PATTERN: string = NODE_ROLE_NAME_PATTERNS.terraformPrefixUnderPath;

  /** The role and instance profile the open-source Ray autoscaler creates for the nodes it launches on AWS: `ray-autoscaler-v1`. */
  public static readonly RAY_AUTOSCALER_ROLE_NAME_PATTERN: string = NODE_ROLE_NAME_PATTERNS.rayAutoscaler;

  /**
   * The role-name patterns granted when none are given: every node role name Anyscale's tools create with their default
   * naming (the five patterns above). The list is frozen: changing it throws and changes no grant.
   */
  public static readonly DEFAULT_ROLE_NAME_PATTERNS: string[] = DEFAULT_ROLE_NAME_PATTERNS as string[];

  /**
   * Managed node groups of terraform-aws-modules/terraform-aws-eks (the module of Anyscale's EKS Terraform examples):
   * `<node group>-eks-node-group-<suffix>` (its `iam_role_use_name_prefix` default), under any path.
   */
  public static readonly EKS_TERRAFORM_NODE_GROUP_ROLE_NAME_PATTERN: string = EKS_NODE_ROLE_PATTERNS_BY_SOURCE.terraformManagedNodeGroup;

  /**
   * Node groups made by eksctl: `eksctl-<cluster>-nodegroup-<node group>-NodeInstanceRole-<id>` (CloudFormation names the
   * role from eksctl's stack; where cluster and node group names are long it shortens the name, and such roles are not
   * matched).
   */
  public static readonly EKSCTL_NODE_ROLE_NAME_PATTERN: string = EKS_NODE_ROLE_PATTERNS_BY_SOURCE.eksctl;

  /** Karpenter's getting-started guide (its CloudFormation template): `KarpenterNodeRole-<cluster>`. */
  public static readonly KARPENTER_GUIDE_NODE_ROLE_NAME_PATTERN: string = EKS_NODE_ROLE_PATTERNS_BY_SOURCE.karpenterGuide;

  /** The Karpenter module of terraform-aws-modules/terraform-aws-eks: `Karpenter-<cluster>-<suffix>`. */
  public static readonly EKS_TERRAFORM_KARPENTER_NODE_ROLE_NAME_PATTERN: string = EKS_NODE_ROLE_PATTERNS_BY_SOURCE.terraformKarpenter;

  /**
   * SageMaker HyperPod clusters on EKS (Anyscale's terraform-kubernetes-anyscale-foundation-modules example
   * `eks-hyperpod-new_cluster`): the execution role `<prefix>-SMHP-Exec-Role-<region>`, which the nodes run with.
   */
  public static readonly HYPERPOD_EXECUTION_ROLE_NAME_PATTERN: string = EKS_NODE_ROLE_PATTERNS_BY_SOURCE.hyperPod;

  /**
   * The instance roles of Kubernetes nodes on EKS, whose kubelet pulls the images of Anyscale's pods: the five EKS patterns
   * above. Not in the default, because these names are not Anyscale's: when the organization runs Anyscale on EKS, grant
   * both lists, `DEFAULT_ROLE_NAME_PATTERNS.concat(EKS_NODE_ROLE_NAME_PATTERNS)`, as `roleNamePatterns`. The list is
   * frozen: changing it throws and changes no grant.
   */
  public static readonly EKS_NODE_ROLE_NAME_PATTERNS: string[] = EKS_NODE_ROLE_NAME_PATTERNS as string[];

  /**
   * The pattern of node roles that Anyscale's Terraform modules name from a prefix of yours (`common_prefix` without
   * `use_common_name`, or `anyscale_iam_cluster_node_role_name_prefix`): the prefix followed by Terraform's 26-character
   * suffix. Not in the default: the prefix is yours, and a pattern without it would match every role any Terraform
   * configuration of the organization names with `name_prefix`. Limit: with `common_prefix` the module names Anyscale's
   * cross-account role (`anyscale_iam_access_role_name_prefix`) the same way, so that role matches as well.
   *
   * @param namePrefix the prefix as given to the module, for example `ml-prod-`
   */
  public static terraformNamePrefixPattern(namePrefix: string): string {
    const label = 'AnyscaleEcrOrganizationAccess.terraformNamePrefixPattern';
    if (!Token.isUnresolved(namePrefix)) {
      const longest = MAX_ROLE_NAME_LENGTH - TERRAFORM_NAME_PREFIX_SUFFIX_LENGTH;
      if (namePrefix.length === 0 || namePrefix.length > longest || !ROLE_NAME_PATTERN.test(namePrefix)) {
        throw new Error(`${label}: namePrefix '${namePrefix}' (${namePrefix.length} characters) is not a prefix Terraform can ` +
          `name a role with: 1 to ${longest} characters (IAM's 64 less the 26 Terraform appends) from letters, digits and ` +
          "'+=,.@_-'. Pass the module's common_prefix or anyscale_iam_cluster_node_role_name_prefix as written.");
      }
    }
    return `${namePrefix}${'?'.repeat(TERRAFORM_NAME_PREFIX_SUFFIX_LENGTH)}`;
  }

  private readonly grantee: OrganizationGrantee;
  private readonly patterns: string[];
  private readonly acknowledgeNagOpenAccessFinding: boolean;
  private readonly grants = new Map<ecr.IRepository, iam.Grant>();

  constructor(scope: Construct, id: string, props: AnyscaleEcrOrganizationAccessProps) {
    super(scope, id);
    const prefix = `AnyscaleEcrOrganizationAccess ${this.node.path}`;
    // A copy: neither the caller's list nor a public constant changes this grant afterwards.
    const patterns = [...props.roleNamePatterns ?? DEFAULT_ROLE_NAME_PATTERNS];
    assertRoleNamePatterns(patterns, `${prefix}: props.roleNamePatterns`);
    this.grantee = props.grantee;
    this.patterns = patterns;
    this.acknowledgeNagOpenAccessFinding = props.acknowledgeNagOpenAccessFinding ?? false;
    (props.repositories ?? []).forEach(repository => this.addRepository(repository));
    this.node.addValidation({
      validate: () => this.grants.size > 0 ? [] : [
        `${prefix}: no repository to grant (props.repositories is empty or not given, and addRepository was not called). ` +
        'Pass the repositories the node roles pull from, or call addRepository.',
      ],
    });
  }

  /**
   * Lets the granted node roles pull from one more repository, which must be defined in this app. Returns the grant
   * (`grant.applyBefore(resource)` orders a resource of yours after the repository); for an imported repository it
   * is a dropped grant (`success` false) and a warning holds the statement to add by hand. Adding a repository twice
   * adds nothing and returns the same grant.
   */
  public addRepository(repository: ecr.IRepository): iam.Grant {
    let grant = this.grants.get(repository);
    if (!grant) {
      grant = this.grant(repository);
      this.grants.set(repository, grant);
    }
    return grant;
  }

  private grant(repository: ecr.IRepository): iam.Grant {
    const grant: OrganizationGrant = {
      organizationId: this.grantee.organizationId,
      organizationalUnitPaths: this.grantee.organizationalUnitPaths,
      accountIds: this.grantee.accountIds,
      roleNamePatterns: this.patterns,
    };
    // One statement per distinct grant: the same grant twice on a repository is written once.
    const statement = organizationStatement(Stack.of(repository), grant, { sidPrefix: ORGANIZATION_SID_PREFIX, actions: ECR_PULL_ACTIONS });
    const principal = organizationPrincipal(grant);
    const written = RepositoryPolicy.addStatement(repository, statement);
    if (!written) {
      Annotations.of(this).addWarningV2(WARNING_IDS.repositoryPolicyNotApplied,
        `Repository ${displayRepository(repository)} is imported, and CDK cannot change the resource policy of a ` +
        'repository it does not define. Define it in a stack of its account and pass it here, or add this statement to ' +
        `its permissions: ${displayJson(Stack.of(repository), statement.toStatementJson())}`);
      return iam.Grant.drop(principal, `pull from ${repository.repositoryArn}`);
    }
    if (grant.organizationId !== undefined && this.acknowledgeNagOpenAccessFinding) {
      Validations.of(repository).acknowledge({
        id: 'AwsSolutions-ECR1',
        reason: 'The principal * is limited to one AWS Organization (aws:PrincipalOrgID) and to node role names ' +
          '(aws:PrincipalArn): granted by AnyscaleEcrOrganizationAccess (acknowledgeNagOpenAccessFinding: true).',
      });
    }
    return resourceGrantOf(principal, repository.repositoryArn, repository.env, { statement: written, carrier: repository });
  }
}
