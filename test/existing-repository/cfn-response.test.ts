import * as https from 'https';
import { EventEmitter } from 'stream';
import { sendResponse } from '../../lib/existing-repository/cfn-response';

jest.mock('https', () => ({ request: jest.fn() }));
const httpsRequest = https.request as unknown as jest.Mock;

test('PUTs the response as JSON to the pre-signed URL, with an empty content type as S3 signed it', async () => {
  // GIVEN
  const sent: { options?: https.RequestOptions; body?: string } = {};
  httpsRequest.mockImplementation(((options: https.RequestOptions, callback: (response: EventEmitter & { resume(): void }) => void) => {
    sent.options = options;
    const request = new EventEmitter() as EventEmitter & { end(body: string): void };
    request.end = (body: string) => {
      sent.body = body;
      const response = Object.assign(new EventEmitter(), { resume: () => undefined });
      callback(response);
      response.emit('end');
    };
    return request;
  }) as never);

  // WHEN
  await sendResponse('https://bucket.s3.amazonaws.com/path/to?X-Amz-Signature=abc', {
    Status: 'FAILED', PhysicalResourceId: 'images:Sid', StackId: 's', RequestId: 'r', LogicalResourceId: 'l', Reason: 'x'.repeat(5_000),
  });

  // THEN
  expect(sent.options).toMatchObject({ hostname: 'bucket.s3.amazonaws.com', path: '/path/to?X-Amz-Signature=abc', method: 'PUT' });
  expect(sent.options!.headers).toEqual({ 'content-type': '', 'content-length': Buffer.byteLength(sent.body!) });
  const body = JSON.parse(sent.body!);
  expect(body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'images:Sid', StackId: 's', RequestId: 'r', LogicalResourceId: 'l' });
  expect(body.Reason).toHaveLength(1_000); // CloudFormation rejects responses over 4,096 bytes
});

test('a failed PUT rejects, so the error reaches the Lambda log', async () => {
  httpsRequest.mockImplementation((() => {
    const request = new EventEmitter() as EventEmitter & { end(): void };
    request.end = () => setImmediate(() => request.emit('error', new Error('socket hang up')));
    return request;
  }) as never);
  await expect(sendResponse('https://bucket/x', { Status: 'SUCCESS', PhysicalResourceId: 'p', StackId: 's', RequestId: 'r', LogicalResourceId: 'l' }))
    .rejects.toThrow('socket hang up');
});
