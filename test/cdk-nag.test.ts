import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { App, Stack, Validations } from 'aws-cdk-lib/core';
import { AnyscaleEcrAccess, AnyscaleEcrOrganizationAccess, AnyscaleNodeRole, ExistingRepositoryPolicy, IdentityPolicy, OrganizationGrantee } from '../lib';
import { AwsSolutionsChecks } from './support/cdk-nag';
import { synthesizeExample } from '../scripts/example-apps';

// cdk-nag 3 runs as a validation plugin at synth: findings that are not acknowledged fail synthesis.
let outRoot: string;
beforeAll(() => {
  outRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'anyscale-nag-'));
});
afterAll(() => fs.rmSync(outRoot, { recursive: true, force: true }));

/** The cdk-nag report of an app, or '' when synthesis passed. */
function nagReport(synth: () => void): string {
  try {
    synth();
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

test.each(['one-account', 'two-accounts', 'registry-account-only', 'existing-repository', 'eks-node-group', 'created-repositories'])('example %s passes AwsSolutionsChecks', name => {
  const report = nagReport(() => synthesizeExample(path.join(__dirname, '..', 'examples', `${name}.ts`),
    path.join(outRoot, name), [new AwsSolutionsChecks(new App())]));
  expect(report).toBe('');
});

describe('the library acknowledges only the findings it brings', () => {
  function appWith(build: (stack: Stack) => void): string {
    const app = new App({ outdir: fs.mkdtempSync(path.join(outRoot, 'app-')) });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    build(new Stack(app, 'Node', { env: { account: '111111111111', region: 'us-west-2' } }));
    return nagReport(() => app.synth());
  }
  const nodeRole = (stack: Stack) => new iam.Role(stack, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  const repository = (stack: Stack) => new ecr.Repository(stack, 'Images', { imageScanOnPush: true });

  test.each([
    ['an owned role with the AWS managed policy (IAM4)', IdentityPolicy.READ_ONLY],
    ['an owned role with PullOnly (IAM4)', IdentityPolicy.PULL_ONLY],
    ['repository-scoped policies (IAM5 for GetAuthorizationToken)', IdentityPolicy.REPOSITORY_SCOPED],
  ])('%s passes', (_name, identityPolicy) => {
    expect(appWith(stack => new AnyscaleEcrAccess(stack, 'Access', { role: nodeRole(stack), repositories: [repository(stack)], identityPolicy })))
      .toBe('');
  });

  test('another policy with Resource * on the same role still fails IAM5', () => {
    const report = appWith(stack => {
      const role = AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123');
      new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [repository(stack)] });
      new iam.Policy(stack, 'Broad', { roles: [role], statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })] });
    });
    expect(report).toMatch(/wildcard permissions[\s\S]*Node\/Broad\/Resource/);
    expect(report).not.toMatch(/AnyscaleEcrReadOnly/);
  });

  test('the handler of ExistingRepositoryPolicy.MERGE passes; another function with the same managed policy still fails IAM4', () => {
    const report = appWith(stack => {
      new AnyscaleEcrAccess(stack, 'Access', {
        role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123', { account: '333333333333' }),
        repositories: [ecr.Repository.fromRepositoryName(stack, 'Existing', 'images')],
        existingRepositoryPolicy: ExistingRepositoryPolicy.MERGE,
      });
      new lambda.Function(stack, 'Other', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });
    });
    expect(report).toMatch(/Node\/Other\/ServiceRole\/Resource[\s\S]*AWSLambdaBasicExecutionRole/);
    expect(report).not.toMatch(/AnyscaleEcrExistingRepositoryHandler/);
  });

  test('another AWS managed policy on the node role still fails IAM4', () => {
    const report = appWith(stack => {
      const role = nodeRole(stack);
      role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonS3ReadOnlyAccess'));
      new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [repository(stack)] });
    });
    expect(report).toMatch(/AWS managed policies/);
    expect(report).toMatch(/AmazonS3ReadOnlyAccess/);
    expect(report).not.toMatch(/AmazonEC2ContainerRegistryReadOnly/);
  });

  describe('an organization grant leaves the user\'s own open statements visible', () => {
    const openPush = new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['ecr:PutImage'] });
    const grant = (acknowledge?: boolean) => (stack: Stack) => {
      const images = repository(stack);
      new AnyscaleEcrOrganizationAccess(stack, 'AllClouds', { repositories: [images], grantee: OrganizationGrantee.organization('o-a1b2c3d4e5'), acknowledgeNagOpenAccessFinding: acknowledge });
      return images;
    };

    test('by default cdk-nag reports ECR1 on the repository, so the user decides', () => {
      expect(appWith(stack => grant()(stack))).toMatch(/Node\/Images\/Resource[\s\S]*AwsSolutions-ECR1/);
    });

    test('a public push statement the user adds is reported (the library no longer hides it)', () => {
      const report = appWith(stack => {
        grant()(stack).addToResourcePolicy(openPush);
      });
      expect(report).toMatch(/Node\/Images\/Resource[\s\S]*AwsSolutions-ECR1/);
    });

    test('with acknowledgeNagOpenAccessFinding the finding is acknowledged, as the prop documents', () => {
      expect(appWith(stack => grant(true)(stack))).toBe('');
    });

    test('or the user acknowledges it with the plain cdk-nag call', () => {
      expect(appWith(stack => {
        Validations.of(grant()(stack)).acknowledge({ id: 'AwsSolutions-ECR1', reason: 'org-limited pull for Anyscale nodes' });
      })).toBe('');
    });
  });
});
