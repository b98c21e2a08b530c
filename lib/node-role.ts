import * as iam from 'aws-cdk-lib/aws-iam';
import { ArnFormat, Stack, Token } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { assertRoleArn, assertRoleName, assertRolePath, ROLE_NAME_PATTERN } from './private/naming/role-names';

/**
 * Where to find an existing Anyscale node role, and how CDK imports it (`iam.FromRoleArnOptions`: with
 * `mutable: false` this library attaches nothing to the role and warns that its ECR permissions are yours to give).
 */
export interface AnyscaleNodeRoleOptions extends iam.FromRoleArnOptions {
  /**
   * The AWS account that holds the role.
   *
   * Set it when the role lives in another account than the stack you import it into, for example when a
   * registry-account stack grants the node account's role. CDK cannot change a role of another account:
   * such a role is only named in repository policies.
   *
   * @default - the account of the stack that `scope` belongs to
   */
  readonly account?: string;

  /**
   * The role's IAM path, for a role created with one (for example by Terraform with `role_path`): starts and ends
   * with `/`. `fromRoleArn` keeps the path of the ARN it is given.
   *
   * @default '/' - no path
   */
  readonly path?: string;
}

const CLOUD_NODE_ROLE_SUFFIX = '-cluster_node_role';

/**
 * Imports the IAM role that Anyscale cluster nodes run with.
 *
 * `anyscale cloud setup` creates the role `<cloud-id>-cluster_node_role`; clusters started by the Ray
 * autoscaler use `ray-autoscaler-v1`; any other role can be imported by name or ARN. The ARNs keep the
 * stack's partition (`aws`, `aws-cn`, `aws-us-gov`).
 *
 * @example
 * declare const stack: Stack;
 * const nodeRole = AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123');
 */
export class AnyscaleNodeRole {
  /**
   * The name of the node role that `anyscale cloud setup` creates for a cloud: `<cloud-id>-cluster_node_role`.
   *
   * @param cloudId the Anyscale cloud id, for example `cld_abc123`
   */
  public static cloudNodeRoleName(cloudId: string): string {
    if (!Token.isUnresolved(cloudId)) {
      if (!ROLE_NAME_PATTERN.test(cloudId)) {
        throw new Error(
          `AnyscaleNodeRole: cloudId '${cloudId}' cannot be part of an IAM role name: use only letters, digits and ` +
          "'+=,.@_-'. Pass the id that 'anyscale cloud list' shows, for example 'cld_abc123'.",
        );
      }
    }
    const roleName = `${cloudId}${CLOUD_NODE_ROLE_SUFFIX}`;
    assertRoleName(roleName, 'AnyscaleNodeRole: cloudId');
    return roleName;
  }

  /**
   * The node role that `anyscale cloud setup` created for a cloud: `<cloud-id>-cluster_node_role`.
   *
   * @param cloudId the Anyscale cloud id, for example `cld_abc123`
   */
  public static fromCloudId(scope: Construct, id: string, cloudId: string, options: AnyscaleNodeRoleOptions = {}): iam.IRole {
    return AnyscaleNodeRole.fromRoleName(scope, id, AnyscaleNodeRole.cloudNodeRoleName(cloudId), options);
  }

  /**
   * The role `ray-autoscaler-v1`, which clusters started by the Ray autoscaler run with.
   */
  public static rayAutoscalerV1(scope: Construct, id: string, options: AnyscaleNodeRoleOptions = {}): iam.IRole {
    return AnyscaleNodeRole.fromRoleName(scope, id, 'ray-autoscaler-v1', options);
  }

  /**
   * A role you bring, by name (and `path`, if it has one): for example a role of Anyscale's Terraform modules,
   * `anyscale-cluster-node-<suffix>` or `<common name>-cluster-node-role`, or the role given to
   * `anyscale cloud register --instance-iam-role-id`.
   */
  public static fromRoleName(scope: Construct, id: string, roleName: string, options: AnyscaleNodeRoleOptions = {}): iam.IRole {
    assertRoleName(roleName, 'AnyscaleNodeRole: roleName');
    const path = options.path ?? '/';
    assertRolePath(path, 'AnyscaleNodeRole: options.path');
    const stack = Stack.of(scope);
    // role<path><name>: the path starts and ends with '/'.
    const roleArn = stack.formatArn({
      service: 'iam',
      region: '',
      account: options.account ?? stack.account,
      resource: `role${path}${roleName}`,
      arnFormat: ArnFormat.NO_RESOURCE_NAME,
    });
    return iam.Role.fromRoleArn(scope, id, roleArn, importOptions(options));
  }

  /**
   * A role you bring, by ARN. The ARN must be an IAM role's, not a user's or an assumed-role session's.
   */
  public static fromRoleArn(scope: Construct, id: string, roleArn: string, options: iam.FromRoleArnOptions = {}): iam.IRole {
    assertRoleArn(roleArn, 'AnyscaleNodeRole: roleArn');
    return iam.Role.fromRoleArn(scope, id, roleArn, options);
  }

  private constructor() {}
}

/** The options `iam.Role.fromRoleArn` takes: `account` is this library's own. */
function importOptions(options: AnyscaleNodeRoleOptions): iam.FromRoleArnOptions {
  const { account: _account, path: _path, ...fromRoleArn } = options;
  return fromRoleArn;
}
