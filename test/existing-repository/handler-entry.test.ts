import { EventEmitter } from 'events';
import * as https from 'https';
import { ECRClient, GetRepositoryPolicyCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ALLOW_LIST_VARIABLE } from '../../lib/private/existing-repository/contract';
import { handler } from '../../lib/private/existing-repository/handler/merge-policy.lambda';
import { createEvent, deleteEvent, NODE_ROLE, pullStatement, SID } from '../support/handler';

// The Lambda entry point as Lambda calls it: the module's own ECR client (every ECRClient is mocked here), its
// environment, the real response sender (https is mocked: a request answers HTTP 200 at once, or, when `answering` is
// false, never, and then emits 'timeout' after its `timeout` option, as Node's socket does) and real timers (faked by jest).
jest.mock('https', () => ({ ...jest.requireActual('https'), request: jest.fn() }));
const httpsRequest = https.request as unknown as jest.Mock;
const ecr = mockClient(ECRClient);

let bodies: any[];
let hosts: string[];
let answering: boolean;
let errors: string[];
beforeEach(() => {
  jest.useFakeTimers();
  ecr.reset();
  bodies = [];
  hosts = [];
  answering = true;
  errors = [];
  httpsRequest.mockImplementation((options: https.RequestOptions, callback: (response: any) => void) => {
    const request = Object.assign(new EventEmitter(), {
      destroy: (error: Error) => request.emit('error', error),
      end: (body: string) => {
        bodies.push(JSON.parse(body));
        hosts.push(String(options.hostname));
        if (!answering) {
          setTimeout(() => request.emit('timeout'), options.timeout);
          return;
        }
        const response = Object.assign(new EventEmitter(), { resume: () => undefined, statusCode: 200 });
        callback(response);
        response.emit('end');
      },
    });
    return request;
  });
  jest.spyOn(console, 'error').mockImplementation(line => {
    errors.push(String(line));
  });
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  process.env[ALLOW_LIST_VARIABLE] = JSON.stringify({ principals: [NODE_ROLE], repositories: [['images', [0]]] });
});
afterEach(() => {
  jest.useRealTimers();
  delete process.env[ALLOW_LIST_VARIABLE];
});

const context = (remainingMs: number, partition = 'aws', region = 'us-east-1') => {
  const end = Date.now() + remainingMs;
  return {
    getRemainingTimeInMillis: () => end - Date.now(),
    invokedFunctionArn: `arn:${partition}:lambda:${region}:222222222222:function:Registry-Handler`,
  } as unknown as Context;
};
const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
const written = JSON.stringify({ Version: '2012-10-17', Statement: [pullStatement(SID, [NODE_ROLE])] });

async function run(remainingMs: number, partition?: string, event = createEvent()) {
  const done = handler(event, context(remainingMs, partition));
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
  await run(60_000, 'aws-cn', createEvent(undefined, { ResponseURL: 'https://cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com.cn/x' }));
  expect(bodies).toEqual([expect.objectContaining({ Status: 'FAILED', Reason: expect.stringContaining('is not arn:aws-cn:ecr:us-east-1:222222222222:repository/images') })]);
});

describe('partitions whose DNS suffix is not amazonaws.com', () => {
  test.each([
    ['aws-eusc', 'eusc-de-east-1', 'amazonaws.eu'],
    ['aws-iso', 'us-iso-east-1', 'c2s.ic.gov'],
    ['aws-iso-b', 'us-isob-east-1', 'sc2s.sgov.gov'],
  ])('a function of %s (%s) writes and answers on its own partition\'s response host (%s)', async (partition, region, suffix) => {
    // GIVEN the event as CloudFormation sends it in that partition, for the function's own stack and repository
    process.env[ALLOW_LIST_VARIABLE] = JSON.stringify({ principals: [`arn:${partition}:iam::111111111111:role/node`], repositories: [['images', [0]]] });
    const stackId = `arn:${partition}:cloudformation:${region}:222222222222:stack/Registry/6c0b4a30-0000-4000-8000-000000000001`;
    const responseHost = `cloudformation-custom-resource-response-${region.replace(/-/g, '')}.s3.${region}.${suffix}`;
    const event = createEvent({
      RepositoryName: 'images',
      RepositoryArn: `arn:${partition}:ecr:${region}:222222222222:repository/images`,
      Principals: [`arn:${partition}:iam::111111111111:role/node`],
    }, { StackId: stackId, ResponseURL: `https://${responseHost}/key?X-Amz-Signature=1` });
    ecr.on(GetRepositoryPolicyCommand).rejectsOnce(Object.assign(new Error('none'), { name: 'RepositoryPolicyNotFoundException' }))
      .callsFake(() => ({ policyText: ecr.commandCalls(SetRepositoryPolicyCommand)[0].args[0].input.policyText }));
    ecr.on(SetRepositoryPolicyCommand).resolves({});
    // WHEN
    const done = handler(event, context(300_000, partition, region));
    await jest.advanceTimersByTimeAsync(300_000);
    await done;
    // THEN
    expect(bodies).toEqual([expect.objectContaining({ Status: 'SUCCESS' })]);
    expect(hosts).toEqual([responseHost]);
  });

  test('a function of aws-eusc refuses a response URL of amazonaws.com: nothing is written, nothing is sent', async () => {
    const event = createEvent(undefined, { StackId: 'arn:aws-eusc:cloudformation:eusc-de-east-1:222222222222:stack/Registry/id' });
    await expect(handler(event, context(60_000, 'aws-eusc', 'eusc-de-east-1'))).rejects.toThrow('is not an https URL of an amazonaws.eu host');
    expect(ecr.calls()).toHaveLength(0);
    expect(bodies).toEqual([]);
  });
});

test('a response PUT that never answers ends the invocation before Lambda\'s timeout, even after the longest ECR calls', async () => {
  // GIVEN a Delete (which tries until the deadline), every ECR call taking 8 s (the client's connection and request
  // timeouts) and throttled, and a response PUT that hangs
  ecr.on(GetRepositoryPolicyCommand).callsFake(() => new Promise((_, reject) => setTimeout(() => reject(throttled), 8_000)));
  answering = false;
  const started = Date.now();
  let ended: number | undefined;
  // WHEN the function has its 5 minutes
  const done = handler(deleteEvent(`images:${SID}`), context(300_000)).finally(() => {
    ended = Date.now();
  });
  done.catch(() => undefined);
  await jest.advanceTimersByTimeAsync(300_000);
  // THEN it gave up on the PUT and ended before Lambda would have stopped it
  await expect(done).rejects.toThrow('The response PUT took longer than 10000 ms');
  expect(ended! - started).toBeLessThanOrEqual(300_000);
  expect(bodies).toEqual([expect.objectContaining({ Status: 'FAILED', Reason: expect.stringMatching(/out of time/) })]);
});

test('a Delete that cannot remove the statement logs an ERROR line that names the repository and the Sid', async () => {
  ecr.on(GetRepositoryPolicyCommand).rejects(throttled);
  await run(300_000, 'aws', deleteEvent(`images:${SID}`));
  expect(bodies).toEqual([expect.objectContaining({ Status: 'FAILED' })]);
  expect(errors).toEqual([expect.stringMatching(new RegExp(`^LEFTOVER STATEMENT: the statement with Sid ${SID} stays in the policy of repository images `))]);
});
