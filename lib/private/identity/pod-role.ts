import * as iam from 'aws-cdk-lib/aws-iam';
import { Annotations, Stack } from 'aws-cdk-lib/core';
import { IConstruct } from 'constructs';
import { cfnRoleOf } from '../accounts/role-identity';
import { displayArn } from '../rendering/display';
import { WARNING_IDS } from '../reporting/warning-ids';

const POD_IDENTITY_SERVICE = 'pods.eks.amazonaws.com';
const NODE_SERVICE = 'ec2.amazonaws.com';
/**
 * Services whose trust makes a role a node role: EC2 instances, and SageMaker HyperPod, whose cluster instances (EKS
 * nodes included) run with the execution role that SageMaker assumes; that role is often trusted by EKS pods as well.
 */
const NODE_SERVICES = [NODE_SERVICE, 'sagemaker.amazonaws.com'];

/**
 * Warns when a role the app defines is trusted only by EKS pods (EKS Pod Identity, or IRSA's web identity federation)
 * and not by EC2 or SageMaker (HyperPod's execution role): on Kubernetes the kubelet pulls images with the node group's instance role, never with a pod's role,
 * so granting a pod role leaves the nodes without access. Imported roles carry no trust policy here and are not checked.
 */
export function warnIfPodRole(role: iam.IRole, reporter: IConstruct): void {
  // An iam.Role has its trust policy; an iam.LazyRole only in the CfnRole it creates on first use (reading roleArn
  // creates it); an imported role has none, which resolves to no statement.
  const roleArn = role.roleArn;
  const trust = (role as Partial<iam.Role>).assumeRolePolicy ?? cfnRoleOf(role)?.assumeRolePolicyDocument;
  const statements = ((Stack.of(role).resolve(trust) as { Statement?: any[] } | undefined)?.Statement ?? [])
    .filter(statement => statement.Effect === 'Allow');
  const services = statements.flatMap(statement => [statement.Principal?.Service ?? []].flat());
  const actions = statements.flatMap(statement => [statement.Action ?? []].flat());
  const federated = statements.some(statement => statement.Principal?.Federated !== undefined) &&
    actions.includes('sts:AssumeRoleWithWebIdentity');
  if (services.some(service => NODE_SERVICES.includes(service)) || !(services.includes(POD_IDENTITY_SERVICE) || federated)) {
    return;
  }
  Annotations.of(reporter).addWarningV2(
    WARNING_IDS.podRoleNotNodeRole,
    `Role ${displayArn(roleArn)} is trusted by EKS pods (${federated ? 'IRSA web identity' : POD_IDENTITY_SERVICE}), not by ` +
    `${NODE_SERVICE}: images are pulled by the kubelet with the node group's instance role, not with a pod's role. ` +
    'Pass the node group\'s role (for example nodegroup.role) and identityPolicy: IdentityPolicy.PULL_ONLY.',
  );
}
