import * as https from 'https';
import { ECRClient, GetRepositoryPolicyCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lib/private/existing-repository/handler/merge-policy.lambda';
import { ALLOW_LIST_VARIABLE } from '../../lib/private/shared/contract';
import { createEvent, NODE_ROLE, pullStatement, SID } from '../support/handler';

// The Lambda entry point as Lambda calls it: the module's own ECR client (every ECRClient is mocked here), its
// environment, the real response sender (https is mocked) and real timers (faked by jest).
jest.mock('https', () => ({ ...jest.requireActual('https'), request: jest.fn() }));
const httpsRequest = https.request as unknown as jest.Mock;
const ecr = mockClient(ECRClient);

let bodies: any[];
beforeEach(() => {
  jest.useFakeTimers();
  ecr.reset();
  bodies = [];
  httpsRequest.mockImplementation((_options: unknown, callback: (response: any) => void) => ({
    on: () => undefined,
    end: (body: string) => {
      bodies.push(JSON.parse(body));
      const listeners: Record<string, () => void> = {};
      callback({ resume: () => undefined, statusCode: 200, on: (event: string, listener: () => void) => { listeners[event] = listener; } });
      listeners.end();
    },
  }));
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  process.env[ALLOW_LIST_VARIABLE] = JSON.stringify({ principals: [NODE_ROLE], repositories: [['images', [0]]] });
});
afterEach(() => {
  jest.useRealTimers();
  delete process.env[ALLOW_LIST_VARIABLE];
});

const context = (remainingMs: number, partition = 'aws') => ({
  getRemainingTimeInMillis: () => remainingMs,
  invokedFunctionArn: `arn:${partition}:lambda:us-east-1:222222222222:function:Registry-Handler`,
}) as unknown as Context;
const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
const written = JSON.stringify({ Version: '2012-10-17', Statement: [pullStatement(SID, [NODE_ROLE])] });

async function run(remainingMs: number, partition?: string) {
  const done = handler(createEvent(), context(remainingMs, partition));
  await jest.advanceTimersByTimeAsync(remainingMs);
  await done;
}

test('answers SUCCESS after writing the statement and checking it again 11 s later', async () => {
  ecr.on(GetRepositoryPolicyCommand).rejectsOnce(Object.assign(new Error('none'), { name: 'RepositoryPolicyNotFoundException' }))
    .resolves({ policyText: written });
  ecr.on(SetRepositoryPolicyCommand).resolves({});
  await run(300_000);
  expect(bodies).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: `images:${SID}` })]);
  expect(ecr.commandCalls(SetRepositoryPolicyCommand)).toHaveLength(1);
  expect(ecr.commandCalls(SetRepositoryPolicyCommand)[0].args[0].input.policyText).toBe(written);
  expect(ecr.commandCalls(GetRepositoryPolicyCommand)).toHaveLength(3);
});

test('keeps 30 seconds of the Lambda\'s time to answer: with less left, it fails instead of waiting', async () => {
  ecr.on(GetRepositoryPolicyCommand).rejects(throttled);
  await run(30_100);
  expect(bodies).toEqual([expect.objectContaining({ Status: 'FAILED', Reason: expect.stringMatching(/out of time \(GetRepositoryPolicy on images: ThrottlingException/) })]);
});

test('the allow-list comes from the function\'s environment: without it nothing is allowed', async () => {
  delete process.env[ALLOW_LIST_VARIABLE];
  await run(60_000);
  expect(bodies).toEqual([expect.objectContaining({ Status: 'FAILED', Reason: expect.stringMatching(/^Repository images is not one this function's stack declared/) })]);
  expect(ecr.calls()).toHaveLength(0);
});

test('the function\'s partition, account and region come from its ARN: a repository of another partition is refused', async () => {
  await run(60_000, 'aws-cn');
  expect(bodies).toEqual([expect.objectContaining({ Status: 'FAILED', Reason: expect.stringContaining('is not arn:aws-cn:ecr:us-east-1:222222222222:repository/images') })]);
});
