import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { App, PhysicalName, Stack } from 'aws-cdk-lib/core';
import { AnyscaleEcrAccess, AnyscaleEcrCreatedRepositoryAccess, AnyscaleEcrOrganizationAccess, AnyscaleNodeRole, ExistingRepositoryPolicy, IdentityPolicy, OrganizationGrantee } from '../lib';
import { FakeEcr } from './support/fake-ecr';
import { synthesizeExample } from '../scripts/example-apps';
import * as managed from './fixtures/aws-managed-policies.json';
import { IamModel } from './support/iam-model';
import { DeployEnv } from './support/intrinsics';

const NODE = '111111111111';
const REGISTRY = '222222222222';
const THIRD = '333333333333';
const WRITE_ACTIONS = ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload',
  'ecr:BatchDeleteImage', 'ecr:DeleteRepository', 'ecr:SetRepositoryPolicy'];
const REPOSITORY_ACTIONS = AnyscaleEcrAccess.PULL_ACTIONS.filter(action => action !== 'ecr:GetAuthorizationToken');

/** One deployable app: the node role, the repositories it was granted, and one it was not. */
interface Scenario {
  readonly model: IamModel;
  readonly partition: string;
  readonly nodeRoleArn: string;
  readonly granted: string[];
  readonly notGranted: string;
}

const env = (account: string, region = 'us-west-2', partition = 'aws'): DeployEnv => ({ account, region, partition });

function stackIn(app: App, id: string, account?: string, region = 'us-west-2') {
  return new Stack(app, id, account ? { env: { account, region } } : {});
}

function repoArn(partition: string, region: string, account: string, name: string) {
  return `arn:${partition}:ecr:${region}:${account}:repository/${name}`;
}

const scenarios: Record<string, () => Scenario | Promise<Scenario>> = {
  'one account (examples/one-account.ts), plus a repository the construct was not given': () => {
    const assembly = synthesizeExample(path.join(__dirname, '..', 'examples', 'one-account.ts'), path.join(outdir(), 'one'));
    return {
      model: IamModel.fromAssembly(assembly, { AnyscaleImages: env(NODE) }),
      partition: 'aws',
      nodeRoleArn: `arn:aws:iam::${NODE}:role/cld_abc123-cluster_node_role`,
      granted: [repoArn('aws', 'us-west-2', NODE, 'anyscale/ray-images')],
      notGranted: '',
    };
  },
  'two accounts, role imported by cloud id (examples/two-accounts.ts)': () => {
    const assembly = synthesizeExample(path.join(__dirname, '..', 'examples', 'two-accounts.ts'), path.join(outdir(), 'two'));
    return {
      model: IamModel.fromAssembly(assembly, { AnyscaleRegistry: env(REGISTRY), AnyscaleNodeAccess: env(NODE) }),
      partition: 'aws',
      nodeRoleArn: `arn:aws:iam::${NODE}:role/cld_abc123-cluster_node_role`,
      granted: ['anyscale/ray-images', 'anyscale/training'].map(name => repoArn('aws', 'us-west-2', REGISTRY, name)),
      notGranted: '',
    };
  },
  'two stacks, owned role with a physical name, owned repositories, one of them not granted': () => {
    const app = new App();
    const node = stackIn(app, 'Node', NODE);
    const registry = stackIn(app, 'Registry', REGISTRY);
    const role = new iam.Role(node, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), roleName: PhysicalName.GENERATE_IF_NEEDED });
    const repositories = ['a', 'b'].map(name => new ecr.Repository(registry, name, { repositoryName: `team/${name}` }));
    new ecr.Repository(registry, 'Other', { repositoryName: 'team/other' });
    new AnyscaleEcrAccess(registry, 'Access', { role, repositories });
    const assembly = app.synth();
    const roleName = assembly.getStackByName('Node').template.Resources[node.getLogicalId(role.node.defaultChild as iam.CfnRole)].Properties.RoleName;
    return {
      model: IamModel.fromAssembly(assembly, { Node: env(NODE), Registry: env(REGISTRY) }),
      partition: 'aws',
      nodeRoleArn: `arn:aws:iam::${NODE}:role/${roleName}`,
      granted: ['a', 'b'].map(name => repoArn('aws', 'us-west-2', REGISTRY, `team/${name}`)),
      notGranted: repoArn('aws', 'us-west-2', REGISTRY, 'team/other'),
    };
  },
  'environment-agnostic stacks, role ARN literal, scoped identity policy': () => {
    const app = new App();
    const node = stackIn(app, 'Node');
    const registry = stackIn(app, 'Registry');
    const repositories = ['a', 'b'].map(name => new ecr.Repository(registry, name, { repositoryName: `team/${name}` }));
    new ecr.Repository(registry, 'Other', { repositoryName: 'team/other' });
    new AnyscaleEcrAccess(node, 'Access', {
      role: AnyscaleNodeRole.fromRoleArn(node, 'NodeRole', `arn:aws:iam::${NODE}:role/ray-autoscaler-v1`),
      repositories,
      identityPolicy: IdentityPolicy.REPOSITORY_SCOPED,
    });
    return {
      model: IamModel.fromAssembly(app.synth(), { Node: env(NODE), Registry: env(REGISTRY) }),
      partition: 'aws',
      nodeRoleArn: `arn:aws:iam::${NODE}:role/ray-autoscaler-v1`,
      granted: ['a', 'b'].map(name => repoArn('aws', 'us-west-2', REGISTRY, `team/${name}`)),
      notGranted: repoArn('aws', 'us-west-2', REGISTRY, 'team/other'),
    };
  },
  'aws-cn partition, two accounts, PULL_ONLY identity policy': () => {
    const app = new App();
    const node = stackIn(app, 'Node', NODE, 'cn-north-1');
    const registry = stackIn(app, 'Registry', REGISTRY, 'cn-north-1');
    const repository = new ecr.Repository(registry, 'Images', { repositoryName: 'images' });
    new ecr.Repository(registry, 'Other', { repositoryName: 'other' });
    new AnyscaleEcrAccess(node, 'Access', {
      role: AnyscaleNodeRole.fromCloudId(node, 'NodeRole', 'cld_cn1'),
      repositories: [repository],
      identityPolicy: IdentityPolicy.PULL_ONLY,
    });
    return {
      model: IamModel.fromAssembly(app.synth(), { Node: env(NODE, 'cn-north-1', 'aws-cn'), Registry: env(REGISTRY, 'cn-north-1', 'aws-cn') }),
      partition: 'aws-cn',
      nodeRoleArn: `arn:aws-cn:iam::${NODE}:role/cld_cn1-cluster_node_role`,
      granted: [repoArn('aws-cn', 'cn-north-1', REGISTRY, 'images')],
      notGranted: repoArn('aws-cn', 'cn-north-1', REGISTRY, 'other'),
    };
  },
  'aws-us-gov partition, role of another account named by ARN, identity attached in the node stack': () => {
    const app = new App();
    const node = stackIn(app, 'Node', NODE, 'us-gov-west-1');
    const registry = stackIn(app, 'Registry', REGISTRY, 'us-gov-west-1');
    const roleArn = `arn:aws-us-gov:iam::${NODE}:role/cld_gov1-cluster_node_role`;
    const repository = new ecr.Repository(registry, 'Images', { repositoryName: 'images' });
    new ecr.Repository(registry, 'Other', { repositoryName: 'other' });
    // Registry side in the registry stack, identity side in the node stack: the same construct in each.
    new AnyscaleEcrAccess(registry, 'Grant', { role: AnyscaleNodeRole.fromRoleArn(registry, 'NodeRole', roleArn), repositories: [repository] });
    new AnyscaleEcrAccess(node, 'Identity', { role: AnyscaleNodeRole.fromRoleArn(node, 'NodeRole', roleArn), repositories: [repository] });
    return {
      model: IamModel.fromAssembly(app.synth(), { Node: env(NODE, 'us-gov-west-1', 'aws-us-gov'), Registry: env(REGISTRY, 'us-gov-west-1', 'aws-us-gov') }),
      partition: 'aws-us-gov',
      nodeRoleArn: roleArn,
      granted: [repoArn('aws-us-gov', 'us-gov-west-1', REGISTRY, 'images')],
      notGranted: repoArn('aws-us-gov', 'us-gov-west-1', REGISTRY, 'other'),
    };
  },
  'existing repositories with other statements, merged by the custom resource (ExistingRepositoryPolicy.MERGE)': async () => {
    // GIVEN repositories that CI created, whose policies already let CI push; and one this app does not grant
    const ciPush = { Sid: 'CiPush', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${REGISTRY}:role/ci` }, Action: ['ecr:PutImage'] };
    const ecr0 = new FakeEcr()
      .withRepository('anyscale/ray-images', { Version: '2012-10-17', Statement: [ciPush] })
      .withRepository('anyscale/serve')
      .withRepository('anyscale/other', { Version: '2012-10-17', Statement: [ciPush] });
    const app = new App();
    const node = stackIn(app, 'Node', NODE);
    const registry = stackIn(app, 'Registry', REGISTRY);
    const roleArn = `arn:aws:iam::${NODE}:role/cld_abc123-cluster_node_role`;
    const names = ['anyscale/ray-images', 'anyscale/serve'];
    // WHEN the registry account merges, and the node account attaches the identity side
    new AnyscaleEcrAccess(registry, 'Grant', {
      role: AnyscaleNodeRole.fromRoleArn(registry, 'NodeRole', roleArn),
      repositories: names.map(name => ecr.Repository.fromRepositoryName(registry, name, name)),
      existingRepositoryPolicy: ExistingRepositoryPolicy.MERGE,
    });
    new AnyscaleEcrAccess(node, 'Identity', {
      role: AnyscaleNodeRole.fromRoleArn(node, 'NodeRole', roleArn),
      repositories: names.map(name => ecr.Repository.fromRepositoryArn(node, name, repoArn('aws', 'us-west-2', REGISTRY, name))),
    });
    const model = IamModel.fromAssembly(app.synth(), { Node: env(NODE), Registry: env(REGISTRY) });
    // THEN (checked by the tests below) the policies as the handler leaves them in ECR
    return {
      model: await model.deployMerges(ecr0, env(REGISTRY)),
      partition: 'aws',
      nodeRoleArn: roleArn,
      granted: names.map(name => repoArn('aws', 'us-west-2', REGISTRY, name)),
      notGranted: repoArn('aws', 'us-west-2', REGISTRY, 'anyscale/other'),
    };
  },
  'existing repositories after a replacement of the custom resource and a second registry stack that was deleted': async () => {
    // GIVEN the same registry app as above, and a second registry stack that merges another cloud into one repository
    const ciPush = { Sid: 'CiPush', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${REGISTRY}:role/ci` }, Action: ['ecr:PutImage'] };
    const ecr0 = new FakeEcr()
      .withRepository('anyscale/ray-images', { Version: '2012-10-17', Statement: [ciPush] })
      .withRepository('anyscale/other', { Version: '2012-10-17', Statement: [ciPush] });
    const app = new App();
    const registry = stackIn(app, 'Registry', REGISTRY);
    const second = stackIn(app, 'Registry-2', REGISTRY);
    const roleArn = `arn:aws:iam::${NODE}:role/cld_abc123-cluster_node_role`;
    new AnyscaleEcrAccess(registry, 'Grant', {
      role: AnyscaleNodeRole.fromRoleArn(registry, 'NodeRole', roleArn),
      repositories: [ecr.Repository.fromRepositoryName(registry, 'Images', 'anyscale/ray-images')],
      existingRepositoryPolicy: ExistingRepositoryPolicy.MERGE,
    });
    new AnyscaleEcrAccess(second, 'Grant', {
      role: AnyscaleNodeRole.fromCloudId(second, 'OtherRole', 'cld_other', { account: THIRD }),
      repositories: [ecr.Repository.fromRepositoryName(second, 'Images', 'anyscale/ray-images')],
      existingRepositoryPolicy: ExistingRepositoryPolicy.MERGE,
    });
    const node = stackIn(app, 'Node', NODE);
    new AnyscaleEcrAccess(node, 'Identity', {
      role: AnyscaleNodeRole.fromRoleArn(node, 'NodeRole', roleArn),
      repositories: [ecr.Repository.fromRepositoryArn(node, 'Images', repoArn('aws', 'us-west-2', REGISTRY, 'anyscale/ray-images'))],
    });
    const model = IamModel.fromAssembly(app.synth(), { 'Node': env(NODE), 'Registry': env(REGISTRY), 'Registry-2': env(REGISTRY) });
    // WHEN the first stack's custom resource is replaced (a new logical id), and the second stack is deleted
    const deployed = await model.deployMerges(ecr0, env(REGISTRY), async (cloudformation, stacks) => {
      const template = structuredClone(stacks.find(stack => stack.stackName === 'Registry')!.template);
      for (const id of Object.keys(template.Resources).filter(key => template.Resources[key].Type === 'Custom::AnyscaleEcrRepositoryStatement')) {
        template.Resources[`${id}Replacement`] = template.Resources[id];
        delete template.Resources[id];
      }
      expect((await cloudformation.deploy('Registry', { template })).status).toBe('UPDATE_COMPLETE');
      expect((await cloudformation.deleteStack('Registry-2')).status).toBe('DELETE_COMPLETE');
    });
    // THEN (checked by the tests below) the node role still pulls, and the deleted stack's cloud no longer does
    expect(await deployed.decide(`arn:aws:iam::${THIRD}:role/cld_other-cluster_node_role`, 'ecr:BatchGetImage',
      repoArn('aws', 'us-west-2', REGISTRY, 'anyscale/ray-images'), [])).toBe('ImplicitlyDenied');
    return {
      model: deployed,
      partition: 'aws',
      nodeRoleArn: roleArn,
      granted: [repoArn('aws', 'us-west-2', REGISTRY, 'anyscale/ray-images')],
      notGranted: repoArn('aws', 'us-west-2', REGISTRY, 'anyscale/other'),
    };
  },
};

let outRoot: string | undefined;
const outdir = () => (outRoot ??= fs.mkdtempSync(path.join(os.tmpdir(), 'anyscale-sim-')));
afterAll(() => outRoot && fs.rmSync(outRoot, { recursive: true, force: true }));

/** Each scenario is synthesized once (an example app module runs only once per test file). */
const built = new Map<string, Promise<Scenario>>();
function scenario(name: string): Promise<Scenario> {
  if (!built.has(name)) {
    built.set(name, Promise.resolve(scenarios[name]()));
  }
  return built.get(name)!;
}

describe.each(Object.keys(scenarios))('%s', name => {
  let s: Scenario;
  beforeAll(async () => {
    s = await scenario(name);
  });

  test('the node role is allowed the pull actions on each granted repository, and GetAuthorizationToken on *', async () => {
    const pullOnly = s.model.identityPolicies(s.nodeRoleArn).some(p => JSON.stringify(p.policy).includes('BatchImportUpstreamImage'));
    const actions = pullOnly ? ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] : REPOSITORY_ACTIONS;
    for (const repository of s.granted) {
      for (const action of actions) {
        expect([action, repository, await s.model.decide(s.nodeRoleArn, action, repository)]).toEqual([action, repository, 'Allowed']);
      }
    }
    expect(await s.model.decide(s.nodeRoleArn, 'ecr:GetAuthorizationToken', '*')).toBe('Allowed');
  });

  test('the node role is denied every write action', async () => {
    for (const repository of s.granted) {
      for (const action of WRITE_ACTIONS) {
        expect([action, await s.model.decide(s.nodeRoleArn, action, repository)]).toEqual([action, 'ImplicitlyDenied']);
      }
    }
  });

  test('other roles with the same identity policies are denied on repositories of other accounts', async () => {
    const policies = s.model.identityPolicies(s.nodeRoleArn);
    const others = [`arn:${s.partition}:iam::${NODE}:role/other-role`, `arn:${s.partition}:iam::${THIRD}:role/cld_xyz-cluster_node_role`];
    const crossAccount = s.granted.filter(repository => repository.split(':')[4] !== NODE);
    if (crossAccount.length === 0) {
      // One account: access comes from identity policies alone, so no repository names any role.
      s.granted.forEach(repository => expect(s.model.repositoryPolicy(repository)).toBeUndefined());
    }
    for (const principal of others) {
      for (const repository of crossAccount) {
        expect(await s.model.decide(principal, 'ecr:BatchGetImage', repository, policies)).toBe('ImplicitlyDenied');
      }
    }
  });

  test('a repository of the registry account that was not granted is denied', async () => {
    if (!s.notGranted) {
      expect(s.model.repositoryArns).toEqual(s.granted);
      return;
    }
    expect(await s.model.decide(s.nodeRoleArn, 'ecr:BatchGetImage', s.notGranted)).toBe('ImplicitlyDenied');
  });
});

describe('the simulation notices breakage', () => {
  test('without the repository statement a cross-account pull is denied; without the identity policy too', async () => {
    // GIVEN
    const s = await scenario('two accounts, role imported by cloud id (examples/two-accounts.ts)');
    const [repository] = s.granted;
    expect(await s.model.decide(s.nodeRoleArn, 'ecr:BatchGetImage', repository)).toBe('Allowed');
    // WHEN / THEN
    expect(await s.model.withRepositoryPolicy(repository, undefined).decide(s.nodeRoleArn, 'ecr:BatchGetImage', repository))
      .toBe('ImplicitlyDenied');
    expect(await s.model.withoutIdentityPolicies(s.nodeRoleArn).decide(s.nodeRoleArn, 'ecr:BatchGetImage', repository))
      .toBe('ImplicitlyDenied');
  });

  test('an existing repository whose merge did not run denies the cross-account pull; CI keeps its push either way', async () => {
    const s = await scenario('existing repositories with other statements, merged by the custom resource (ExistingRepositoryPolicy.MERGE)');
    const [repository] = s.granted;
    const ci = `arn:aws:iam::${REGISTRY}:role/ci`;
    const ciPolicies = [{ name: 'ci', policy: { Version: '2012-10-17', Statement: [] } }];
    expect(await s.model.decide(s.nodeRoleArn, 'ecr:BatchGetImage', repository)).toBe('Allowed');
    expect(await s.model.decide(ci, 'ecr:PutImage', repository, ciPolicies)).toBe('Allowed');
    const unmerged = s.model.withRepositoryPolicy(repository, {
      Version: '2012-10-17',
      Statement: (s.model.repositoryPolicy(repository)!.Statement as any[]).filter(statement => statement.Sid === 'CiPush'),
    });
    expect(await unmerged.decide(s.nodeRoleArn, 'ecr:BatchGetImage', repository)).toBe('ImplicitlyDenied');
    expect(await unmerged.decide(ci, 'ecr:PutImage', repository, ciPolicies)).toBe('Allowed');
  });
});

/** A registry repository granted organization-wide, and the identity policies a node account gives its roles. */
function organizationModel(grantee: OrganizationGrantee, roleNamePatterns?: string[]) {
  const app = new App();
  const registry = stackIn(app, 'Registry', REGISTRY);
  new AnyscaleEcrOrganizationAccess(registry, 'AllClouds', {
    grantee,
    roleNamePatterns,
    repositories: [new ecr.Repository(registry, 'Images', { repositoryName: 'anyscale/ray' })],
  });
  // A node account's role with the read-only identity policy, as each node account gives its role.
  const node = stackIn(app, 'Node', NODE);
  new AnyscaleEcrAccess(node, 'Access', {
    role: AnyscaleNodeRole.fromRoleName(node, 'NodeRole', 'any-node'),
    repositories: [ecr.Repository.fromRepositoryName(node, 'Same', 'same-account')],
  });
  const model = IamModel.fromAssembly(app.synth(), { Registry: env(REGISTRY), Node: env(NODE) });
  const repository = repoArn('aws', 'us-west-2', REGISTRY, 'anyscale/ray');
  const nodePolicies = model.identityPolicies(`arn:aws:iam::${NODE}:role/any-node`);
  /** IAM's decision on a pull by a role of the third account, with the request's organization context. */
  const pull = (roleName: string, context: Record<string, string | string[]>) =>
    model.decide(`arn:aws:iam::${THIRD}:role/${roleName}`, 'ecr:BatchGetImage', repository, nodePolicies, context);
  return { model, repository, nodePolicies, pull };
}

/** A suffix as Terraform's name_prefix appends it: a UTC timestamp to 1/10,000 s and an 8-digit hex counter (26 characters). */
const TERRAFORM_SUFFIX = '20261202153045123400000001';

describe('the organization grant\'s default role-name patterns', () => {
  // GIVEN a registry repository granted to the organization's node roles with the default patterns
  const ORGANIZATION = 'o-a1b2c3d4e5';
  let pull: ReturnType<typeof organizationModel>['pull'];
  let granted: ReturnType<typeof organizationModel>;
  beforeAll(() => {
    granted = organizationModel(OrganizationGrantee.organization(ORGANIZATION));
    pull = granted.pull;
  });
  const inOrganization = { 'aws:PrincipalOrgID': ORGANIZATION };

  test.each([
    ['anyscale cloud setup', 'cld_abc123-cluster_node_role'],
    ['a newer CLI cloud', 'vm-us-west-2-1a2b3c4d-cluster_node_role'],
    ['Terraform modules, common_name', 'ml-prod-cluster-node-role'],
    ['Terraform modules, default prefix', `anyscale-cluster-node-${TERRAFORM_SUFFIX}`],
    ['Terraform modules, default prefix under a path', `anyscale/anyscale-cluster-node-${TERRAFORM_SUFFIX}`],
    ['anyscale cloud setup under a path', 'teams/ml/cld_abc123-cluster_node_role'],
    ['the OSS Ray autoscaler', 'ray-autoscaler-v1'],
  ])('%s (%s) of an account of the organization is allowed to pull', async (_source, name) => {
    expect(await pull(name, inOrganization)).toBe('Allowed');
  });

  test.each([
    ['an unrelated role of the same account', 'ci-deployer'],
    ['a name that only starts like a node role', 'cluster_node_role-admin'],
    ['the prefix in the middle of a name', 'my-anyscale-cluster-node-x'],
    ['a name that only starts like the Ray autoscaler\'s', 'ray-autoscaler-v1-admin'],
    ['an EKS node group role (opt-in: EKS_NODE_ROLE_NAME_PATTERNS)', `gpu-eks-node-group-${TERRAFORM_SUFFIX}`],
    // Without the user's prefix, these look like any role a Terraform configuration names with name_prefix.
    ['a Terraform common_prefix node role (opt-in: terraformNamePrefixPattern)', `ml-prod-${TERRAFORM_SUFFIX}`],
    ['a role of another Terraform configuration named with name_prefix', `lambda-exec-${TERRAFORM_SUFFIX}`],
  ])('%s (%s) is denied', async (_what, name) => {
    expect(await pull(name, inOrganization)).toBe('ImplicitlyDenied');
  });

  test('a node role name of an account outside the organization is denied', async () => {
    expect(await pull('cld_abc123-cluster_node_role', { 'aws:PrincipalOrgID': 'o-0000000000' })).toBe('ImplicitlyDenied');
  });
});

describe('the EKS node-role patterns (opt-in) and terraformNamePrefixPattern', () => {
  const ORGANIZATION = 'o-a1b2c3d4e5';
  const inOrganization = { 'aws:PrincipalOrgID': ORGANIZATION };
  let eks: ReturnType<typeof organizationModel>['pull'];
  let prefixed: ReturnType<typeof organizationModel>['pull'];
  beforeAll(() => {
    eks = organizationModel(OrganizationGrantee.organization(ORGANIZATION),
      [...AnyscaleEcrOrganizationAccess.DEFAULT_ROLE_NAME_PATTERNS, ...AnyscaleEcrOrganizationAccess.EKS_NODE_ROLE_NAME_PATTERNS]).pull;
    prefixed = organizationModel(OrganizationGrantee.organization(ORGANIZATION),
      [AnyscaleEcrOrganizationAccess.terraformNamePrefixPattern('ml-prod-')]).pull;
  });

  test.each([
    ['terraform-aws-eks, a managed node group', `gpu-eks-node-group-${TERRAFORM_SUFFIX}`],
    ['eksctl', 'eksctl-ml-prod-nodegroup-gpu-NodeInstanceRole-1MHKUDMETSLJX'],
    ['Karpenter\'s getting-started guide', 'KarpenterNodeRole-ml-prod'],
    ['terraform-aws-eks, its Karpenter module', `Karpenter-ml-prod-${TERRAFORM_SUFFIX}`],
    ['SageMaker HyperPod (Anyscale\'s EKS HyperPod example)', 'anyscale-SMHP-Exec-Role-us-west-2'],
    ['and still a default name', 'cld_abc123-cluster_node_role'],
  ])('%s (%s) is allowed to pull', async (_source, name) => {
    expect(await eks(name, inOrganization)).toBe('Allowed');
  });

  test.each([
    ['an unrelated task role', 'payments-api-task-role'],
    ['eksctl\'s cluster service role', 'eksctl-ml-prod-cluster-ServiceRole-1AB2C3D4E5F6'],
    ['the Karpenter controller of the guide', 'KarpenterControllerRole-ml-prod'],
    ['the Karpenter controller of terraform-aws-eks', `KarpenterController-${TERRAFORM_SUFFIX}`],
    ['SageMaker\'s console execution role', `AmazonSageMaker-ExecutionRole-${TERRAFORM_SUFFIX.slice(0, 15)}`],
    ['a name that only contains eks-node-group', 'eks-node-group-admin'],
  ])('%s (%s) is denied', async (_what, name) => {
    expect(await eks(name, inOrganization)).toBe('ImplicitlyDenied');
  });

  test('terraformNamePrefixPattern(\'ml-prod-\'): the node role of that prefix is allowed; other names and lengths are denied', async () => {
    expect(await prefixed(`ml-prod-${TERRAFORM_SUFFIX}`, inOrganization)).toBe('Allowed');
    expect(await prefixed('ml-prod-admin', inOrganization)).toBe('ImplicitlyDenied');
    expect(await prefixed(`ml-prod-${TERRAFORM_SUFFIX.slice(1)}`, inOrganization)).toBe('ImplicitlyDenied');
    expect(await prefixed(`ml-prod-${TERRAFORM_SUFFIX}9`, inOrganization)).toBe('ImplicitlyDenied');
    expect(await prefixed(`ml-dev-${TERRAFORM_SUFFIX}`, inOrganization)).toBe('ImplicitlyDenied');
  });

  test('limit, as documented: with common_prefix the module names Anyscale\'s cross-account role the same way, and it matches too', async () => {
    // Both names are common_prefix + Terraform's suffix; nothing in the name tells them apart.
    const accessRole = `ml-prod-${TERRAFORM_SUFFIX.slice(0, -1)}2`;
    expect(await prefixed(accessRole, inOrganization)).toBe('Allowed');
  });
});

describe('an organizational-unit grant (OrganizationGrantee.organizationalUnits)', () => {
  const ORGANIZATION = 'o-a1b2c3d4e5';
  const OU = `${ORGANIZATION}/r-ab12/ou-ab12-11111111/`;
  let pull: ReturnType<typeof organizationModel>['pull'];
  beforeAll(() => {
    pull = organizationModel(OrganizationGrantee.organizationalUnits(ORGANIZATION, [OU])).pull;
  });
  const context = (organization: string, orgPath: string) => ({ 'aws:PrincipalOrgID': organization, 'aws:PrincipalOrgPaths': [orgPath] });

  test.each([
    ['an account directly in the OU', OU],
    ['an account in a child OU', `${OU}ou-ab12-22222222/`],
    ['an account two levels down', `${OU}ou-ab12-22222222/ou-ab12-44444444/`],
  ])('a node role of %s is allowed to pull', async (_where, orgPath) => {
    expect(await pull('cld_abc123-cluster_node_role', context(ORGANIZATION, orgPath))).toBe('Allowed');
  });

  test.each([
    ['another OU of the organization', context(ORGANIZATION, `${ORGANIZATION}/r-ab12/ou-ab12-33333333/`)],
    ['an OU whose id starts like the granted one', context(ORGANIZATION, `${ORGANIZATION}/r-ab12/ou-ab12-111111112/`)],
    ['the organization\'s root (an account outside every OU)', context(ORGANIZATION, `${ORGANIZATION}/r-ab12/`)],
    ['another organization, even with a look-alike path', context('o-0000000000', OU)],
    ['a request without organization context', {}],
  ])('a node role of %s is denied', async (_where, ctx) => {
    expect(await pull('cld_abc123-cluster_node_role', ctx)).toBe('ImplicitlyDenied');
  });

  test('an unrelated role inside the OU is denied', async () => {
    expect(await pull('ci-deployer', context(ORGANIZATION, OU))).toBe('ImplicitlyDenied');
  });
});

describe('repositories that ECR creates itself, under creation templates (examples/created-repositories.ts)', () => {
  // The node account 111111111111 gives its role ECR permissions of its own; here as the AWS managed policies it would
  // attach (the simulator holds no managed policy documents: they come from test/fixtures).
  const readOnly = [{ name: 'ReadOnly', policy: managed.AmazonEC2ContainerRegistryReadOnly.document }];
  const pullOnly = [{ name: 'PullOnly', policy: managed.AmazonEC2ContainerRegistryPullOnly.document }];
  const nodeRole = `arn:aws:iam::${NODE}:role/cld_abc123-cluster_node_role`;
  const unrelated = [`arn:aws:iam::${NODE}:role/other-role`, `arn:aws:iam::${THIRD}:role/cld_xyz-cluster_node_role`];
  const registry = `aws:us-west-2:${REGISTRY}`;
  let model: IamModel;
  beforeAll(() => {
    const assembly = synthesizeExample(path.join(__dirname, '..', 'examples', 'created-repositories.ts'), path.join(outdir(), 'created'));
    model = IamModel.fromAssembly(assembly, { AnyscaleCreatedRepositories: env(REGISTRY) });
  });

  test.each([
    ['a pull-through cache repository', 'docker-hub/anyscale/ray', 'PULL_THROUGH_CACHE'],
    ['a replicated repository', 'anyscale/replicated/ray-images', 'REPLICATION'],
  ])('%s: the node role of another account pulls; unrelated roles with the same identity policy are denied', async (_name, name, how) => {
    // GIVEN ECR created the repository, with the policy of the template that applies
    const created = model.withCreatedRepository(registry, name, how);
    const arn = repoArn('aws', 'us-west-2', REGISTRY, name);
    // THEN
    for (const action of REPOSITORY_ACTIONS) {
      expect([action, await created.decide(nodeRole, action, arn, readOnly)]).toEqual([action, 'Allowed']);
    }
    for (const principal of unrelated) {
      expect([principal, await created.decide(principal, 'ecr:BatchGetImage', arn, readOnly)]).toEqual([principal, 'ImplicitlyDenied']);
    }
    for (const action of WRITE_ACTIONS) {
      expect([action, await created.decide(nodeRole, action, arn, readOnly)]).toEqual([action, 'ImplicitlyDenied']);
    }
  });

  test.each([
    ['outside every prefix', 'other/images', 'REPLICATION'],
    ['under a prefix whose template is not applied for that scenario', 'anyscale/replicated/ray-images', 'CREATE_ON_PUSH'],
    ['under the cache prefix, but replicated', 'docker-hub/anyscale/ray', 'REPLICATION'],
  ])('a repository created %s has no policy, and the cross-account pull is denied (the simulation notices)', async (_name, name, how) => {
    const created = model.withCreatedRepository(registry, name, how);
    const arn = repoArn('aws', 'us-west-2', REGISTRY, name);
    expect(created.repositoryPolicy(arn)).toBeUndefined();
    expect(await created.decide(nodeRole, 'ecr:BatchGetImage', arn, readOnly)).toBe('ImplicitlyDenied');
  });

  test('pull-through cache: BatchImportUpstreamImage on the cached repository is allowed with PullOnly on the node side, not with ReadOnly', async () => {
    // The template's repository policy allows the import; the node account's identity policy must allow it too.
    const created = model.withCreatedRepository(registry, 'docker-hub/anyscale/ray', 'PULL_THROUGH_CACHE');
    const arn = repoArn('aws', 'us-west-2', REGISTRY, 'docker-hub/anyscale/ray');
    expect(await created.decide(nodeRole, 'ecr:BatchImportUpstreamImage', arn, pullOnly)).toBe('Allowed');
    expect(await created.decide(nodeRole, 'ecr:BatchImportUpstreamImage', arn, readOnly)).toBe('ImplicitlyDenied');
    expect(await created.decide(unrelated[1], 'ecr:BatchImportUpstreamImage', arn, pullOnly)).toBe('ImplicitlyDenied');
  });

  test('pull-through cache, first pull: CreateRepository is allowed only with the warned registry-policy statement and the node side\'s permission', async () => {
    // GIVEN the statement the warning holds (synthesized again without the example's acknowledgement)
    const app = new App();
    const stack = stackIn(app, 'Registry', REGISTRY);
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'Cache', { prefixes: ['docker-hub'], roles: [AnyscaleNodeRole.fromRoleArn(stack, 'NodeRole', nodeRole)] });
    const warning = String(app.synth().getStackByName('Registry').messages[0].entry.data);
    const statement = JSON.parse(/Add this statement to it[^:]*\): (\{.*\})\. The node accounts/.exec(warning)![1]);
    const registryPolicy = { Version: '2012-10-17', Statement: [statement] };
    // and the node account's permission for the two actions on the cache's repositories
    const createCached = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['ecr:CreateRepository', 'ecr:BatchImportUpstreamImage'], Resource: statement.Resource }],
    };
    const nodeSide = [...pullOnly, { name: 'CreateCached', policy: createCached }];
    const arn = repoArn('aws', 'us-west-2', REGISTRY, 'docker-hub/anyscale/ray');
    // THEN (the registry policy is passed as the request's resource policy: the simulator has no registry policy)
    expect(await model.decide(nodeRole, 'ecr:CreateRepository', arn, nodeSide, {}, registryPolicy)).toBe('Allowed');
    expect(await model.decide(nodeRole, 'ecr:CreateRepository', arn, nodeSide, undefined)).toBe('ImplicitlyDenied');
    expect(await model.decide(nodeRole, 'ecr:CreateRepository', arn, pullOnly, {}, registryPolicy)).toBe('ImplicitlyDenied');
    expect(await model.decide(unrelated[1], 'ecr:CreateRepository', arn, nodeSide, {}, registryPolicy)).toBe('ImplicitlyDenied');
    expect(await model.decide(nodeRole, 'ecr:CreateRepository', repoArn('aws', 'us-west-2', REGISTRY, 'other/ray'), nodeSide, {}, registryPolicy))
      .toBe('ImplicitlyDenied');
  });
});
