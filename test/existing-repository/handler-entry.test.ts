import * as https from 'https';
import { ECRClient, GetRepositoryPolicyCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lib/existing-repository/merge-policy.lambda';
import { ECR_PULL_ACTIONS } from '../../lib/pull-actions';

// The Lambda entry point as Lambda calls it: the module's own ECR client (every ECRClient is mocked here) and the
// real response sender (https is mocked).
jest.mock('https', () => ({ ...jest.requireActual('https'), request: jest.fn() }));
const httpsRequest = https.request as unknown as jest.Mock;
const ecr = mockClient(ECRClient);

let bodies: any[];
beforeEach(() => {
  ecr.reset();
  bodies = [];
  httpsRequest.mockImplementation((_options: unknown, callback: (response: any) => void) => ({
    on: () => undefined,
    end: (body: string) => {
      bodies.push(JSON.parse(body));
      const listeners: Record<string, () => void> = {};
      callback({ resume: () => undefined, on: (event: string, listener: () => void) => { listeners[event] = listener; } });
      listeners.end();
    },
  }));
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});

const event = {
  RequestType: 'Create',
  ServiceToken: 't',
  ResponseURL: 'https://bucket.s3.amazonaws.com/r',
  StackId: 's',
  RequestId: 'r',
  LogicalResourceId: 'L',
  ResourceType: 'Custom::AnyscaleEcrRepositoryStatement',
  ResourceProperties: { ServiceToken: 't', RepositoryName: 'images', Sid: 'AnyscaleEcrPullX', Principals: ['arn:aws:iam::1:role/n'], Actions: ECR_PULL_ACTIONS },
} as unknown as CloudFormationCustomResourceEvent;
const context = (remainingMs: number) => ({ getRemainingTimeInMillis: () => remainingMs }) as unknown as Context;
const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

test('answers SUCCESS after writing the statement', async () => {
  ecr.on(GetRepositoryPolicyCommand).rejectsOnce(Object.assign(new Error('none'), { name: 'RepositoryPolicyNotFoundException' }))
    .rejectsOnce(Object.assign(new Error('none'), { name: 'RepositoryPolicyNotFoundException' }))
    .resolves({ policyText: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'AnyscaleEcrPullX', Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::1:role/n'] }, Action: ECR_PULL_ACTIONS }] }) });
  ecr.on(SetRepositoryPolicyCommand).resolves({});
  await handler(event, context(300_000));
  expect(bodies).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'images:AnyscaleEcrPullX' })]);
  expect(ecr.commandCalls(SetRepositoryPolicyCommand)).toHaveLength(1);
});

test('keeps 15 seconds of the Lambda\'s time to answer: with less left, a throttled call is not retried', async () => {
  ecr.on(GetRepositoryPolicyCommand).rejects(throttled);
  await handler(event, context(14_000));
  expect(bodies).toEqual([expect.objectContaining({ Status: 'FAILED', Reason: expect.stringMatching(/no time left for another/) })]);
  expect(ecr.commandCalls(GetRepositoryPolicyCommand)).toHaveLength(1);
});

test('with time left, a throttled call is retried and the create succeeds', async () => {
  ecr.on(GetRepositoryPolicyCommand).rejectsOnce(throttled)
    .resolves({ policyText: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'AnyscaleEcrPullX', Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::1:role/n'] }, Action: ECR_PULL_ACTIONS }] }) });
  await handler(event, context(60_000));
  expect(bodies).toEqual([expect.objectContaining({ Status: 'SUCCESS' })]);
  expect(ecr.commandCalls(GetRepositoryPolicyCommand)).toHaveLength(2);
});
