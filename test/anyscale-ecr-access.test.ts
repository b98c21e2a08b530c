import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AnyscaleEcrAccess, AnyscaleNodeRole } from '../lib';
import { NODE_ACCOUNT, REGISTRY_ACCOUNT, repositoryStatements, stackIn } from './support/stacks';

let stack: Stack;
beforeEach(() => {
  stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
});

test('PULL_ACTIONS are the twelve actions of Anyscale\'s guide', () => {
  expect(AnyscaleEcrAccess.PULL_ACTIONS).toEqual([
    'ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:DescribeImageScanFindings', 'ecr:DescribeImages',
    'ecr:DescribeRepositories', 'ecr:GetAuthorizationToken', 'ecr:GetDownloadUrlForLayer', 'ecr:GetLifecyclePolicy',
    'ecr:GetLifecyclePolicyPreview', 'ecr:GetRepositoryPolicy', 'ecr:ListImages', 'ecr:ListTagsForResource',
  ]);
});

describe('props.repositories', () => {
  test('empty: throws, naming the prop and saying what to pass', () => {
    const role = AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123', { account: NODE_ACCOUNT });
    expect(() => new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [] }))
      .toThrow(/AnyscaleEcrAccess Registry\/Access: props\.repositories is empty \(\[\]\)\. Pass the repositories the nodes pull from/);
  });

  test('addRepository grants one more repository, once', () => {
    // GIVEN
    const role = AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123', { account: NODE_ACCOUNT });
    const first = new ecr.Repository(stack, 'First');
    const second = new ecr.Repository(stack, 'Second');
    const access = new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [first] });
    // WHEN
    access.addRepository(second);
    access.addRepository(second);
    // THEN
    expect(access.grantedRepositories).toEqual([first, second]);
    expect(repositoryStatements(Template.fromStack(stack))).toHaveLength(2);
  });
});

describe('props.role', () => {
  test.each([
    ['an IAM user', `arn:aws:iam::${NODE_ACCOUNT}:user/alice`, /IAM users cannot be the node role/],
    ['an assumed-role session', `arn:aws:sts::${NODE_ACCOUNT}:assumed-role/nodes/i-0abc`,
      new RegExp(`pass the role itself: arn:aws:iam::${NODE_ACCOUNT}:role/nodes\\.`)],
  ])('that is %s: throws, naming the prop, the value and the fix', (_name, arn, fix) => {
    // GIVEN: CDK's own import does not check what the ARN names
    const role = iam.Role.fromRoleArn(stack, 'NotARole', arn);
    const repositories = [new ecr.Repository(stack, 'Images')];
    // WHEN / THEN
    const create = () => new AnyscaleEcrAccess(stack, 'Access', { role, repositories });
    const escapedArn = arn.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    expect(create).toThrow(new RegExp(`^AnyscaleEcrAccess: props\\.role '${escapedArn}' is not an IAM role ARN.*${fix.source}`));
  });

  test('a token ARN (a parameter) is never rejected', () => {
    // GIVEN
    const arn = new CfnParameter(stack, 'NodeRoleArn').valueAsString;
    // WHEN
    new AnyscaleEcrAccess(stack, 'Access', {
      role: iam.Role.fromRoleArn(stack, 'NodeRole', arn),
      repositories: [new ecr.Repository(stack, 'Images')],
    });
    // THEN
    expect(repositoryStatements(Template.fromStack(stack))[0].Principal).toEqual({ AWS: { Ref: 'NodeRoleArn' } });
  });

  test('is exposed as the construct\'s role', () => {
    const role = AnyscaleNodeRole.rayAutoscalerV1(stack, 'NodeRole', { account: NODE_ACCOUNT });
    expect(new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [new ecr.Repository(stack, 'Images')] }).role).toBe(role);
  });
});
