import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Annotations, Stack, Token } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { OrganizationGrantee } from './organization-grantee';
import { isOwned } from './private/accounts/accounts';
import { assertCreationTemplatePrefix, normalizedPrefix, registerPrefix, registryName, repositoriesUnder, templateId } from './private/creation-templates/prefix';
import { CreatedRepositoryGrantee, createdRepositoryStatement, registryPolicyStatement } from './private/creation-templates/template-policy';
import { TemplateSettings, templateSettings } from './private/creation-templates/template-settings';
import { resourceGrantOf } from './private/grants/grant-parts';
import { assertRoleNamePatterns, DEFAULT_ROLE_NAME_PATTERNS, organizationPrincipal } from './private/grants/organization-statement';
import { assertRoleArn } from './private/naming/role-names';
import { measure, QUOTAS, quotaError } from './private/quotas/quotas';
import { displayJson } from './private/rendering/display';
import { stackPartition } from './private/rendering/rendered-arns';
import { WARNING_IDS } from './private/reporting/warning-ids';
import { ensureReferenceable } from './private/repository/repository-grant';
import { assertNotSynthesized } from './private/stage/synthesized';

/**
 * The ways ECR creates a repository by itself, for which a repository creation template applies
 * (`AppliedFor` of `AWS::ECR::RepositoryCreationTemplate`).
 */
export enum RepositoryCreationScenario {
  /** The first pull of an image through a pull-through cache rule (for example of Docker Hub's `anyscale/ray`). */
  PULL_THROUGH_CACHE = 'PULL_THROUGH_CACHE',
  /** Replication from another region or account into this registry. */
  REPLICATION = 'REPLICATION',
  /**
   * A push to a repository that does not exist. Listing this scenario is what switches create-on-push on: ECR's opt-in
   * (December 2025) is a creation template applied for CREATE_ON_PUSH, after which a push to a new name under the
   * prefix creates that repository (with the template's settings) instead of failing because the repository does not
   * exist. Without it, repositories under the prefix must be created before the first push, as before.
   */
  CREATE_ON_PUSH = 'CREATE_ON_PUSH',
}

const ALL_SCENARIOS: readonly RepositoryCreationScenario[] = Object.freeze([
  RepositoryCreationScenario.PULL_THROUGH_CACHE, RepositoryCreationScenario.REPLICATION, RepositoryCreationScenario.CREATE_ON_PUSH,
]);
const DEFAULT_APPLIED_FOR: readonly RepositoryCreationScenario[] = Object.freeze([
  RepositoryCreationScenario.PULL_THROUGH_CACHE, RepositoryCreationScenario.REPLICATION,
]);

/**
 * Properties of `AnyscaleEcrCreatedRepositoryAccess`. Give exactly one of `roles` and `grantee`.
 */
export interface AnyscaleEcrCreatedRepositoryAccessProps {
  /**
   * Repository name prefixes, one repository creation template each: the template applies to repositories whose
   * names start with the prefix and '/' (ECR adds the '/'), or, for `ROOT`, to every repository that no other
   * template matches. For pull-through cache use the rule's ECR repository prefix (for example `docker-hub`).
   * More can be added with `addPrefix`; by synthesis there must be at least one.
   *
   * @default - none yet: add them with `addPrefix`
   */
  readonly prefixes?: string[];

  /**
   * Which repositories ECR creates get the template. `CREATE_ON_PUSH` is not in the default, because listing it switches
   * create-on-push on for the prefixes (see `RepositoryCreationScenario.CREATE_ON_PUSH`): add it only if pushes should
   * create repositories.
   *
   * @default - PULL_THROUGH_CACHE and REPLICATION (AnyscaleEcrCreatedRepositoryAccess.DEFAULT_APPLIED_FOR)
   */
  readonly appliedFor?: RepositoryCreationScenario[];

  /**
   * The lifecycle policy of every repository ECR creates under the prefixes: the JSON text of an ECR lifecycle policy
   * (an object with a non-empty `rules` list; 100 to 30,720 characters, as CloudFormation takes it).
   *
   * @default - none: the repositories keep every image
   */
  readonly lifecyclePolicy?: string;

  /**
   * The tag mutability of every repository ECR creates under the prefixes.
   *
   * @default - ECR's default: ecr.TagMutability.MUTABLE
   */
  readonly imageTagMutability?: ecr.TagMutability;

  /**
   * With `imageTagMutability` `IMMUTABLE_WITH_EXCLUSION` or `MUTABLE_WITH_EXCLUSION` (and only then): the tags excluded
   * from it, as 1 to 5 wildcard patterns (letters, digits, `._-` and `*`, 1 to 128 characters each).
   *
   * @default - none
   */
  readonly imageTagMutabilityExclusionPatterns?: string[];

  /**
   * The encryption of every repository ECR creates under the prefixes. `KMS` and `KMS_DSSE` need `customRole`.
   *
   * @default - KMS if `encryptionKey` is given, else ECR's default (AES256)
   */
  readonly encryption?: ecr.RepositoryEncryption;

  /**
   * The KMS key of `encryption` `KMS` or `KMS_DSSE`: a key (not an alias) of the registry's region. Needs `customRole`,
   * which needs kms:CreateGrant, kms:RetireGrant and kms:DescribeKey on it.
   *
   * @default - with KMS encryption, the AWS managed key aws/ecr
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Tags of every repository ECR creates under the prefixes: 1 to 50, keys of 1 to 128 characters not starting with
   * `aws:`, values of at most 256. Need `customRole`.
   *
   * @default - no tags
   */
  readonly resourceTags?: { [key: string]: string };

  /**
   * The role ECR assumes to create the repositories, which it needs for KMS encryption and for resource tags (and only
   * then): a role of the registry's account and of the path `/`, trusted by `ecr.amazonaws.com`, allowed
   * `ecr:CreateRepository`, `ecr:ReplicateImage` and `ecr:TagResource`, and `kms:CreateGrant`, `kms:RetireGrant` and
   * `kms:DescribeKey` on the key. This construct passes it to the templates and changes nothing on it.
   *
   * @default - none: ECR uses its service-linked role
   */
  readonly customRole?: iam.IRole;

  /**
   * The node roles that may pull, named one by one in the repository policy (about 120 fit in it).
   *
   * @default - none: give `grantee` instead
   */
  readonly roles?: iam.IRole[];

  /**
   * Every node role of an AWS Organization, or of a list of accounts, as `AnyscaleEcrOrganizationAccess` grants them:
   * one statement whose size does not grow with the number of clouds.
   *
   * @default - none: give `roles` instead
   */
  readonly grantee?: OrganizationGrantee;

  /**
   * With `grantee`: names of the roles that may pull, as patterns with `*` and `?` wildcards (optionally after an
   * IAM path), matched against `aws:PrincipalArn` in every account granted.
   *
   * @default AnyscaleEcrOrganizationAccess.DEFAULT_ROLE_NAME_PATTERNS - every node role name that Anyscale's tools create
   */
  readonly roleNamePatterns?: string[];
}

/**
 * Lets Anyscale node roles, of this or other accounts, pull from the repositories that ECR creates by itself in this
 * stack's registry: pull-through cache repositories (for example of the `anyscale/ray` base images from Docker Hub,
 * which clusters in private subnets cannot fetch), repositories replicated into this region, and, when asked for,
 * create-on-push repositories. Such repositories are created without a policy, so cross-account nodes could not pull
 * from them. The templates can also give those repositories a lifecycle policy, tag mutability, encryption and tags.
 *
 * For each prefix it defines one `AWS::ECR::RepositoryCreationTemplate` whose repository policy is the library's pull
 * statement (with `ecr:BatchImportUpstreamImage` when the template applies to pull-through cache). The first pull of
 * a pull-through cache repository also needs `ecr:CreateRepository` in the registry policy, which is one document per
 * registry and region that CloudFormation would overwrite whole: this construct never writes it, and adds a warning
 * (`AnyscaleEcrAccessWarnings.REGISTRY_POLICY_NOT_APPLIED`) holding the exact statement to add.
 *
 * Deploy it in a stack of the registry account and region. The node accounts still give their roles ECR permissions
 * of their own.
 *
 * @example
 * declare const registryStack: Stack;
 * new AnyscaleEcrCreatedRepositoryAccess(registryStack, 'CachedImages', {
 *   prefixes: ['docker-hub'],
 *   grantee: OrganizationGrantee.organization('o-a1b2c3d4e5'),
 * });
 */
export class AnyscaleEcrCreatedRepositoryAccess extends Construct {
  /** Every way ECR creates repositories. The list is frozen: changing it throws and changes no template. */
  public static readonly ALL_SCENARIOS: RepositoryCreationScenario[] = ALL_SCENARIOS as RepositoryCreationScenario[];

  /**
   * The default of `appliedFor`: PULL_THROUGH_CACHE and REPLICATION, not CREATE_ON_PUSH, which would switch create-on-push
   * on. The list is frozen: changing it throws and changes no template.
   */
  public static readonly DEFAULT_APPLIED_FOR: RepositoryCreationScenario[] = DEFAULT_APPLIED_FOR as RepositoryCreationScenario[];

  /** How messages name this construct. */
  private readonly label: string;
  private readonly grantee: CreatedRepositoryGrantee;
  private readonly principal: iam.IPrincipal;
  private readonly appliedFor: RepositoryCreationScenario[];
  private readonly statement: iam.PolicyStatement;
  private readonly policy: iam.PolicyDocument;
  private readonly settings: TemplateSettings;
  private readonly grants = new Map<string, iam.Grant>();
  private readonly templates: ecr.CfnRepositoryCreationTemplate[] = [];
  /** How many prefixes that are tokens were added (their templates' ids are numbered). */
  private tokenPrefixes = 0;

  constructor(scope: Construct, id: string, props: AnyscaleEcrCreatedRepositoryAccessProps) {
    super(scope, id);
    this.label = `AnyscaleEcrCreatedRepositoryAccess ${this.node.path}`;
    const stack = Stack.of(this);
    this.appliedFor = this.validateAppliedFor(props.appliedFor);
    this.settings = templateSettings(stack, props, this.label);
    if ((props.roles === undefined) === (props.grantee === undefined)) {
      throw new Error(`${this.label}: give exactly one of props.roles (the node roles, by name) and props.grantee ` +
        `(${props.roles === undefined ? 'neither was given' : 'both were given'}). For example ` +
        "grantee: OrganizationGrantee.organization('o-...'), or roles: [AnyscaleNodeRole.fromRoleArn(this, 'NodeRole', '<role ARN>')].");
    }
    if (props.roles !== undefined) {
      if (props.roles.length === 0) {
        throw new Error(`${this.label}: props.roles is empty ([]), so no node role would be granted. Pass the node roles, ` +
          "for example roles: [AnyscaleNodeRole.fromRoleArn(this, 'NodeRole', 'arn:aws:iam::111111111111:role/cld_abc123-cluster_node_role')], " +
          "or grantee: OrganizationGrantee.organization('o-...') for every node role of an organization.");
      }
      if (props.roleNamePatterns !== undefined) {
        throw new Error(`${this.label}: props.roleNamePatterns (${JSON.stringify(props.roleNamePatterns)}) applies only with ` +
          'props.grantee; props.roles names each role already. Remove roleNamePatterns, or grant with grantee instead of roles.');
      }
      props.roles.forEach((role, i) => {
        assertRoleArn(role.roleArn, `${this.label}: props.roles[${i}]`);
        if (isOwned(role)) {
          ensureReferenceable(role, this, { prop: `${this.label}: props.roles[${i}]`, target: `the creation templates of ${this.node.path}` });
        }
      });
      this.grantee = { roleArns: props.roles.map(role => role.roleArn) };
      this.principal = props.roles.length === 1
        ? props.roles[0].grantPrincipal
        : new iam.CompositePrincipal(...props.roles.map(role => role.grantPrincipal));
    } else {
      const patterns = [...props.roleNamePatterns ?? DEFAULT_ROLE_NAME_PATTERNS];
      assertRoleNamePatterns(patterns, `${this.label}: props.roleNamePatterns`);
      const organization = {
        organizationId: props.grantee!.organizationId,
        organizationalUnitPaths: props.grantee!.organizationalUnitPaths,
        accountIds: props.grantee!.accountIds,
        roleNamePatterns: patterns,
      };
      this.grantee = { organization };
      this.principal = organizationPrincipal(organization);
    }
    this.statement = createdRepositoryStatement(stack, this.grantee, this.appliedFor.includes(RepositoryCreationScenario.PULL_THROUGH_CACHE));
    this.policy = new iam.PolicyDocument({ statements: [this.statement] });
    (props.prefixes ?? []).forEach(prefix => this.addPrefix(prefix));
    this.node.addValidation({ validate: () => this.validate() });
  }

  /**
   * Lets the node roles pull from the repositories ECR creates under one more prefix: one more repository creation
   * template. Returns the grant (`grant.applyBefore(resource)` orders a resource of yours after the template); its
   * statement is the template's repository policy. Adding a prefix again (also 'team/' after 'team') adds nothing and
   * returns the same grant.
   *
   * @param prefix a repository name prefix (for example `docker-hub` or `team/images`), or `ROOT`
   */
  public addPrefix(prefix: string): iam.Grant {
    assertNotSynthesized(this, () => `the creation template of prefix ${prefix}`);
    const key = Token.isUnresolved(prefix) ? prefix : normalizedPrefix(prefix);
    const existing = this.grants.get(key);
    if (existing) {
      return existing;
    }
    assertCreationTemplatePrefix(prefix, `${this.label}: prefix`);
    this.reportOverlaps(prefix);
    const stack = Stack.of(this);
    const id = templateId(prefix, Token.isUnresolved(prefix) ? this.tokenPrefixes++ : 0);
    const template = new ecr.CfnRepositoryCreationTemplate(this, id, {
      prefix,
      appliedFor: [...this.appliedFor],
      description: 'Lets Anyscale node roles pull from the repositories ECR creates under this prefix (cdk-anyscale-ecr-access).',
      repositoryPolicy: stack.toJsonString(this.policy),
      ...this.settings,
    });
    this.templates.push(template);
    if (this.appliedFor.includes(RepositoryCreationScenario.PULL_THROUGH_CACHE)) {
      this.reportRegistryPolicy(prefix);
    }
    const grant = resourceGrantOf(this.principal, repositoriesUnder(stack, prefix), { account: stack.account, region: stack.region },
      { statement: this.statement, carrier: template });
    this.grants.set(key, grant);
    return grant;
  }

  /** The prefixes granted so far, as given. */
  public get prefixes(): string[] {
    return this.templates.map(template => template.prefix);
  }

  private validateAppliedFor(appliedFor: RepositoryCreationScenario[] | undefined): RepositoryCreationScenario[] {
    if (appliedFor === undefined) {
      return [...DEFAULT_APPLIED_FOR];
    }
    if (appliedFor.length === 0) {
      throw new Error(`${this.label}: props.appliedFor is empty ([]): ECR requires at least one scenario. Omit it for the ` +
        'default (RepositoryCreationScenario.PULL_THROUGH_CACHE and REPLICATION).');
    }
    for (const scenario of appliedFor) {
      if (!Token.isUnresolved(scenario) && !ALL_SCENARIOS.includes(scenario)) {
        throw new Error(`${this.label}: props.appliedFor has '${scenario}', which is not one of ` +
          `${ALL_SCENARIOS.join(', ')}. Use the values of RepositoryCreationScenario.`);
      }
    }
    return [...new Set(appliedFor)];
  }

  private reportOverlaps(prefix: string): void {
    for (const { other, same } of registerPrefix(this, prefix)) {
      if (same) {
        throw new Error(`${this.label}: prefix '${prefix}' already has a creation template in ${other.registry}, from ` +
          `${other.owner.node.path}. ECR keeps one template per prefix and registry (the prefix is the template's ` +
          'identifier, and \'team\' and \'team/\' are one prefix), so the second could not be created. Grant every node ' +
          'role of that prefix in one construct (all of them in props.roles, or an organization-wide props.grantee).');
      }
      const [outer, inner] = other.prefix === 'ROOT' || normalizedPrefix(prefix).startsWith(`${other.prefix}/`)
        ? [other.prefix, normalizedPrefix(prefix)] : [normalizedPrefix(prefix), other.prefix];
      Annotations.of(this).addWarningV2(WARNING_IDS.nestedCreationTemplatePrefix,
        `The creation template of prefix '${normalizedPrefix(prefix)}' overlaps the one of prefix '${other.prefix}' (from ` +
        `${other.owner.node.path}) in ${other.registry}: repositories under '${inner}/' also fall under ` +
        `${outer === 'ROOT' ? 'ROOT' : `'${outer}/'`}. ECR gives a repository it creates the settings of one template (ROOT ` +
        'only where no other template matches; for nested prefixes AWS does not document which), so those repositories get ' +
        'the policy of one of them only, not both. Grant the node roles ' +
        `of '${outer}' in the template of '${inner}' too, or use prefixes that do not nest.`);
    }
  }

  private reportRegistryPolicy(prefix: string): void {
    const stack = Stack.of(this);
    const statement = registryPolicyStatement(stack, this.grantee, prefix);
    // Pasted by a person into one registry: its partition is known whenever its region is.
    const partition = stackPartition(stack);
    const show = (value: unknown) => partition ? displayJson(stack, value).split('<partition>').join(partition) : displayJson(stack, value);
    Annotations.of(this).addWarningV2(WARNING_IDS.registryPolicyNotApplied,
      `The first pull of an image under the pull-through cache prefix '${prefix}' creates its repository, which needs ` +
      'ecr:CreateRepository (and ecr:BatchImportUpstreamImage) for the node roles in the registry policy of ' +
      `${registryName(stack)}: a repository policy cannot hold CreateRepository, since the repository does not exist yet. The registry ` +
      'policy is one document per registry and region, which CloudFormation (AWS::ECR::RegistryPolicy) would overwrite ' +
      'whole, so this construct does not write it. Add this statement to it, keeping the statements already there (ECR ' +
      'console > Private registry > Permissions, or aws ecr get-registry-policy and put-registry-policy): ' +
      `${show(statement.toStatementJson())}. The node accounts must also allow these two actions to their ` +
      `roles on ${show(repositoriesUnder(stack, prefix))}. Until then, nodes of other accounts can pull ` +
      'only images the cache already holds.');
  }

  private validate(): string[] {
    if (this.templates.length === 0) {
      return [`${this.label}: no prefix to grant (props.prefixes is empty or not given, and addPrefix was not called). ` +
        "Pass the repository prefixes ECR creates repositories under, for example prefixes: ['docker-hub'], or call addPrefix."];
    }
    const stack = Stack.of(this);
    return quotaError(`The repository policy of the creation templates of ${this.node.path}`,
      measure(stack, this.policy.toJSON()), QUOTAS.repositoryPolicyCharacters,
      'Grant fewer node roles here, or grant them all at once with props.grantee (an organization or account list with a ' +
      'role-name pattern), whose size does not grow with the number of clouds.');
  }
}
