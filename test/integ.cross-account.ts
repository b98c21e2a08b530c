// Integration test, two accounts: the node account (CDK_INTEG_NODE_ACCOUNT, default 111111111111) holds the
// node role, the registry account (CDK_INTEG_REGISTRY_ACCOUNT, default 222222222222) the repository. Deploy with
// `npx integ-runner --language typescript --update-on-failed` and a profile that can deploy to both
// (bootstrapped with --trust between them). The assertion reads the repository policy back from ECR.
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { App, PhysicalName, RemovalPolicy, Stack } from 'aws-cdk-lib/core';
import { AnyscaleEcrAccess } from '../lib';
import { ExpectedResult, IntegTest } from './support/integ-tests';

const region = process.env.CDK_INTEG_REGION ?? 'us-east-1';
const app = new App();
const node = new Stack(app, 'AnyscaleEcrNode', { env: { account: process.env.CDK_INTEG_NODE_ACCOUNT ?? '111111111111', region } });
const registry = new Stack(app, 'AnyscaleEcrRegistry', { env: { account: process.env.CDK_INTEG_REGISTRY_ACCOUNT ?? '222222222222', region } });
const role = new iam.Role(node, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), roleName: PhysicalName.GENERATE_IF_NEEDED });
const repository = new ecr.Repository(registry, 'Images', {
  repositoryName: 'anyscale-integ/images', removalPolicy: RemovalPolicy.DESTROY, emptyOnDelete: true,
});
new AnyscaleEcrAccess(registry, 'Access', { role, repositories: [repository] });

// The assertions run in the registry account, where the repository policy can be read.
const assertions = new Stack(app, 'AnyscaleEcrRegistryAssertions', { env: { account: registry.account, region } });
const integ = new IntegTest(app, 'CrossAccount', { testCases: [node, registry], assertionStack: assertions });
integ.assertions
  .awsApiCall('ECR', 'getRepositoryPolicy', { repositoryName: 'anyscale-integ/images' })
  .expect(ExpectedResult.objectLike({ repositoryName: 'anyscale-integ/images' }));

app.synth();
