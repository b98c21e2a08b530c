// Integration test, one account: deploy with `npx integ-runner --language typescript --update-on-failed`
// and credentials of a sandbox account (see CONTRIBUTING.md for the integ-runner version this needs). It creates a role and a repository, grants, asserts through the
// AWS APIs, and destroys everything.
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib/core';
import { AnyscaleEcrAccess } from '../lib';
import { ExpectedResult, IntegTest } from './support/integ-tests';

const app = new App();
const stack = new Stack(app, 'AnyscaleEcrSameAccount');
const role = new iam.Role(stack, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
const repository = new ecr.Repository(stack, 'Images', { removalPolicy: RemovalPolicy.DESTROY, emptyOnDelete: true });
new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [repository] });

const integ = new IntegTest(app, 'SameAccount', { testCases: [stack] });
integ.assertions
  .awsApiCall('IAM', 'listAttachedRolePolicies', { RoleName: role.roleName })
  .expect(ExpectedResult.objectLike({
    AttachedPolicies: [{ PolicyName: 'AmazonEC2ContainerRegistryReadOnly', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly' }],
  }));

app.synth();
