import * as https from 'https';
import { EventEmitter } from 'stream';
import { checkResponseUrl, MAX_RESPONSE_BYTES, responseBody, RESPONSE_TIMEOUT_MS, sendResponse } from '../../lib/private/existing-repository/handler/cfn-response';

jest.mock('https', () => ({ request: jest.fn() }));
const httpsRequest = https.request as unknown as jest.Mock;

const URL = 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/path/to?X-Amz-Signature=abc';
const RESPONSE = { Status: 'SUCCESS' as const, PhysicalResourceId: 'images:Sid', StackId: 's', RequestId: 'r', LogicalResourceId: 'l' };

type FakeRequest = EventEmitter & { end(body: string): void; destroy(error: Error): void };

/** https.request answering with `status`, or never (for the timeout). */
function answerWith(status: number | undefined, sent: { options?: https.RequestOptions; body?: string } = {}) {
  type Answer = EventEmitter & { statusCode?: number; resume(): void };
  httpsRequest.mockImplementation(((options: https.RequestOptions, callback: (response: Answer) => void) => {
    sent.options = options;
    const request = new EventEmitter() as FakeRequest;
    request.destroy = error => request.emit('error', error);
    request.end = (body: string) => {
      sent.body = body;
      if (status === undefined) {
        return;
      }
      const response = Object.assign(new EventEmitter(), { resume: () => undefined, statusCode: status });
      callback(response);
      response.emit('end');
    };
    return request;
  }) as never);
  return sent;
}

test('PUTs the response as JSON to the pre-signed URL, with an empty content type as S3 signed it and a timeout', async () => {
  const sent = answerWith(200);
  await sendResponse(URL, { ...RESPONSE, Reason: 'why' }, 'aws');
  expect(sent.options).toMatchObject({
    hostname: 'cloudformation-custom-resource-response-useast1.s3.amazonaws.com',
    path: '/path/to?X-Amz-Signature=abc',
    method: 'PUT',
    timeout: RESPONSE_TIMEOUT_MS,
  });
  expect(sent.options!.headers).toEqual({ 'content-type': '', 'content-length': Buffer.byteLength(sent.body!) });
  expect(JSON.parse(sent.body!)).toEqual({ ...RESPONSE, Reason: 'why' });
});

test.each([403, 500, 301, 300, 199])('an answer of HTTP %d rejects, so the error reaches the Lambda log', async status => {
  answerWith(status);
  await expect(sendResponse(URL, RESPONSE, 'aws')).rejects.toThrow(`CloudFormation's response URL answered HTTP ${status}`);
});

test('a PUT that never answers is ended at the timeout', async () => {
  answerWith(undefined);
  const sending = sendResponse(URL, RESPONSE, 'aws');
  const request = httpsRequest.mock.results[0].value as FakeRequest;
  request.emit('timeout');
  await expect(sending).rejects.toThrow(`The response PUT took longer than ${RESPONSE_TIMEOUT_MS} ms`);
});

test('a refused URL sends nothing', async () => {
  httpsRequest.mockClear();
  await expect(sendResponse('https://example.com/x', RESPONSE, 'aws')).rejects.toThrow('is not an https URL of an amazonaws.com host');
  expect(httpsRequest).not.toHaveBeenCalled();
});

describe('the body fits CloudFormation\'s 4,096 bytes, measured in bytes', () => {
  test.each([
    ['ASCII', 'x'],
    ['3-byte characters', '€'],
    ['4-byte characters (surrogate pairs)', '😀'],
    ['control characters (6 bytes each once escaped in JSON)', '\u0001'],
  ])('a long reason of %s is cut at a whole character, with an ellipsis, to at most 4,096 bytes', (_, unit) => {
    const body = responseBody({ ...RESPONSE, Status: 'FAILED', Reason: unit.repeat(5_000) });
    const bytes = Buffer.byteLength(body);
    expect(bytes).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    // (at most one more character would have fitted: the ellipsis takes 3 bytes)
    expect(bytes).toBeGreaterThan(MAX_RESPONSE_BYTES - (Buffer.byteLength(JSON.stringify(unit)) - 2) - 3);
    const reason: string = JSON.parse(body).Reason;
    expect(reason.endsWith('…')).toBe(true);
    expect([...reason.slice(0, -1)].every(c => c === unit)).toBe(true);
  });

  test('a reason that fits is sent whole', () => {
    const reason = '€'.repeat(1_000);
    expect(JSON.parse(responseBody({ ...RESPONSE, Reason: reason })).Reason).toBe(reason);
  });

  test('no reason: no Reason key', () => {
    expect(JSON.parse(responseBody(RESPONSE))).toEqual(RESPONSE);
  });
});

describe('checkResponseUrl: https, on a host under the DNS suffix of the function\'s own partition', () => {
  test.each([
    ['aws', URL],
    ['aws', 'https://s3.amazonaws.com/bucket/key'],
    ['aws-us-gov', 'https://cloudformation-custom-resource-response-usgovwest1.s3.us-gov-west-1.amazonaws.com/x?sig=1'],
    ['aws-cn', 'https://cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com.cn/x?sig=1'],
    ['aws-eusc', 'https://cloudformation-custom-resource-response-euscdeeast1.s3.eusc-de-east-1.amazonaws.eu/x?sig=1'],
    ['aws-iso', 'https://cloudformation-custom-resource-response-usisoeast1.s3.us-iso-east-1.c2s.ic.gov/x?sig=1'],
    ['aws-iso-b', 'https://cloudformation-custom-resource-response-usisobeast1.s3.us-isob-east-1.sc2s.sgov.gov/x?sig=1'],
    ['aws-iso-e', 'https://s3.eu-isoe-west-1.cloud.adc-e.uk/x'],
    ['aws-iso-f', 'https://s3.us-isof-south-1.csp.hci.ic.gov/x'],
  ])('partition %s accepts %s', (partition, url) => {
    expect(checkResponseUrl(url, partition).href).toBe(url);
  });

  test.each([
    'http://s3.amazonaws.com/x',
    'https://amazonaws.com/x',
    'https://s3.amazonaws.com.evil.example/x',
    'https://evil-amazonaws.com/x',
    'https://s3.amazonaws.com:444/x',
    'https://a:b@s3.amazonaws.com/x',
    'https://a@s3.amazonaws.com/x',
    'https://:b@s3.amazonaws.com/x',
    'ftp://s3.amazonaws.com/x',
    'https://s3.amazonawsxcom/x',
    '',
  ])('refuses %s', url => {
    expect(() => checkResponseUrl(url, 'aws')).toThrow(`ResponseURL ${JSON.stringify(url)} is not an https URL of an amazonaws.com host ` +
      '(the DNS suffix of partition aws, this function\'s); no response was sent.');
  });

  test.each([
    ['aws', 'https://s3.cn-north-1.amazonaws.com.cn/x', 'amazonaws.com'],
    ['aws', 'https://s3.eusc-de-east-1.amazonaws.eu/x', 'amazonaws.com'],
    ['aws-cn', 'https://s3.amazonaws.com/x', 'amazonaws.com.cn'],
    ['aws-eusc', 'https://s3.amazonaws.com/x', 'amazonaws.eu'],
    ['aws-iso', 'https://s3.us-isob-east-1.sc2s.sgov.gov/x', 'c2s.ic.gov'],
  ])('a function of partition %s refuses %s, of another partition', (partition, url, suffix) => {
    expect(() => checkResponseUrl(url, partition)).toThrow(`is not an https URL of an ${suffix} host (the DNS suffix of partition ${partition}`);
  });

  test('a non-string is refused', () => {
    expect(() => checkResponseUrl(undefined, 'aws')).toThrow('ResponseURL "undefined"');
  });

  test('a partition the handler does not know is refused with its name', () => {
    expect(() => checkResponseUrl(URL, 'aws-mars')).toThrow('Partition "aws-mars" of this function is not one the handler knows (aws, aws-cn, ' +
      'aws-us-gov, aws-eusc, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f); it cannot tell CloudFormation\'s response URLs there, so no response was sent.');
  });
});
