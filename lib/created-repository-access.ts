import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { OrganizationGrantee } from './organization-grantee';
import { assertCreationTemplatePrefix, normalizedPrefix, registerPrefix, registryName, repositoriesUnder } from './private/creation-templates/prefix';
import { CreatedRepositoryGrantee, createdRepositoryStatement, registryPolicyStatement } from './private/creation-templates/template-policy';
import { resourceGrantOf } from './private/grants/grant-parts';
import { assertRoleNamePatterns, DEFAULT_ROLE_NAME_PATTERNS, organizationPrincipal } from './private/grants/organization-statement';
import { isOwned } from './private/placement/accounts';
import { displayJson } from './private/placement/display';
import { assertNotSynthesized } from './private/placement/synthesized';
import { assertRoleArn } from './private/placement/validate';
import { measure, QUOTAS, quotaError } from './private/quotas/quotas';
import { WARNING_IDS } from './private/reporting/warning-ids';
import { ensureReferenceable } from './private/repository/repository-grant';

/**
 * The ways ECR creates a repository by itself, for which a repository creation template applies
 * (`AppliedFor` of `AWS::ECR::RepositoryCreationTemplate`).
 */
export enum RepositoryCreationScenario {
  /** The first pull of an image through a pull-through cache rule (for example of Docker Hub's `anyscale/ray`). */
  PULL_THROUGH_CACHE = 'PULL_THROUGH_CACHE',
  /** Replication from another region or account into this registry. */
  REPLICATION = 'REPLICATION',
  /** The first push to a repository that does not exist yet, with create-on-push turned on. */
  CREATE_ON_PUSH = 'CREATE_ON_PUSH',
}

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
   * Which repositories ECR creates get the template.
   *
   * @default - all three: PULL_THROUGH_CACHE, REPLICATION and CREATE_ON_PUSH
   */
  readonly appliedFor?: RepositoryCreationScenario[];

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
 * which clusters in private subnets cannot fetch), repositories replicated into this region, and create-on-push
 * repositories. Such repositories are created without a policy, so cross-account nodes could not pull from them.
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
  /** Every way ECR creates repositories: the default of `appliedFor`. */
  public static readonly ALL_SCENARIOS: RepositoryCreationScenario[] = [
    RepositoryCreationScenario.PULL_THROUGH_CACHE, RepositoryCreationScenario.REPLICATION, RepositoryCreationScenario.CREATE_ON_PUSH,
  ];

  /** How messages name this construct. */
  private readonly label: string;
  private readonly grantee: CreatedRepositoryGrantee;
  private readonly principal: iam.IPrincipal;
  private readonly appliedFor: RepositoryCreationScenario[];
  private readonly statement: iam.PolicyStatement;
  private readonly policy: iam.PolicyDocument;
  private readonly grants = new Map<string, iam.Grant>();
  private readonly templates: ecr.CfnRepositoryCreationTemplate[] = [];

  constructor(scope: Construct, id: string, props: AnyscaleEcrCreatedRepositoryAccessProps) {
    super(scope, id);
    this.label = `AnyscaleEcrCreatedRepositoryAccess ${this.node.path}`;
    const stack = Stack.of(this);
    this.appliedFor = this.validateAppliedFor(props.appliedFor);
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
      const patterns = props.roleNamePatterns ?? DEFAULT_ROLE_NAME_PATTERNS;
      assertRoleNamePatterns(patterns, `${this.label}: props.roleNamePatterns`);
      const organization = {
        organizationId: props.grantee!.organizationId,
        accountIds: props.grantee!.accountIds,
        roleNamePatterns: [...patterns],
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
    assertNotSynthesized(this, `the creation template of prefix ${prefix}`);
    const key = Token.isUnresolved(prefix) ? prefix : normalizedPrefix(prefix);
    const existing = this.grants.get(key);
    if (existing) {
      return existing;
    }
    assertCreationTemplatePrefix(prefix, `${this.label}: prefix`);
    this.reportOverlaps(prefix);
    const stack = Stack.of(this);
    const template = new ecr.CfnRepositoryCreationTemplate(this, `Template${this.templates.length}`, {
      prefix,
      appliedFor: [...this.appliedFor],
      description: 'Lets Anyscale node roles pull from the repositories ECR creates under this prefix (cdk-anyscale-ecr-access).',
      repositoryPolicy: stack.toJsonString(this.policy),
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
      return [...AnyscaleEcrCreatedRepositoryAccess.ALL_SCENARIOS];
    }
    if (appliedFor.length === 0) {
      throw new Error(`${this.label}: props.appliedFor is empty ([]): ECR requires at least one scenario. Omit it for all ` +
        'three (RepositoryCreationScenario.PULL_THROUGH_CACHE, REPLICATION and CREATE_ON_PUSH).');
    }
    for (const scenario of appliedFor) {
      if (!Token.isUnresolved(scenario) && !AnyscaleEcrCreatedRepositoryAccess.ALL_SCENARIOS.includes(scenario)) {
        throw new Error(`${this.label}: props.appliedFor has '${scenario}', which is not one of ` +
          `${AnyscaleEcrCreatedRepositoryAccess.ALL_SCENARIOS.join(', ')}. Use the values of RepositoryCreationScenario.`);
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
    const partition = Token.isUnresolved(stack.region) ? undefined : RegionInfo.get(stack.region).partition;
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
