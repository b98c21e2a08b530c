import * as https from 'https';
import { URL } from 'url';
import { dnsSuffixOf } from '../../constants/partitions';

/** What the handler tells CloudFormation about one custom resource event. */
export interface CfnResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
}

/** CloudFormation reads at most 4,096 bytes of a response; a longer one fails the stack operation. */
export const MAX_RESPONSE_BYTES = 4_096;

/**
 * How long the response PUT may take before the handler gives up on it. With the last ECR call (8 s), it must fit in
 * the 30 s the handler keeps back from the Lambda timeout.
 */
export const RESPONSE_TIMEOUT_MS = 10_000;

/**
 * The response URL must be CloudFormation's pre-signed S3 URL: https, on a host under the DNS suffix of the function's
 * own partition (amazonaws.com, amazonaws.com.cn in China, amazonaws.eu in the European Sovereign Cloud, ...). The
 * event comes from whoever may invoke the function, so any other URL is refused.
 */
export function checkResponseUrl(responseUrl: unknown, partition: string): URL {
  const suffix = dnsSuffixOf(partition);
  let url: URL | undefined;
  try {
    url = new URL(String(responseUrl));
  } catch {
    url = undefined;
  }
  const host = new RegExp(`^([a-z0-9-]+\\.)+${suffix.replace(/\./g, '\\.')}$`);
  if (!url || url.protocol !== 'https:' || url.port !== '' || url.username !== '' || url.password !== '' || !host.test(url.hostname)) {
    throw new Error(`ResponseURL ${JSON.stringify(String(responseUrl).slice(0, 200))} is not an https URL of an ${suffix} host ` +
      `(the DNS suffix of partition ${partition}, this function's); no response was sent.`);
  }
  return url;
}

/** The response body, with the reason cut (at a whole character) so that the body fits in 4,096 bytes. */
export function responseBody(response: CfnResponse): string {
  const body = (reason: string | undefined) => JSON.stringify({ ...response, Reason: reason });
  const reason = response.Reason;
  if (reason === undefined || Buffer.byteLength(body(reason)) <= MAX_RESPONSE_BYTES) {
    return body(reason);
  }
  const characters = [...reason];
  let low = 0;
  let high = characters.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (Buffer.byteLength(body(`${characters.slice(0, middle).join('')}…`)) <= MAX_RESPONSE_BYTES) {
      low = middle;
    } else {
      high = middle - 1;
    }
  }
  return body(`${characters.slice(0, low).join('')}…`);
}

/** PUTs the response to the URL CloudFormation gave; fails on a refused URL, an HTTP error or a timeout. */
export async function sendResponse(responseUrl: string, response: CfnResponse, partition: string): Promise<void> {
  const url = checkResponseUrl(responseUrl, partition);
  const body = responseBody(response);
  return new Promise((resolve, reject) => {
    const request = https.request({
      hostname: url.hostname,
      path: url.pathname + url.search,
      method: 'PUT',
      timeout: RESPONSE_TIMEOUT_MS,
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
    }, answer => {
      answer.resume();
      answer.on('end', () => {
        const status = answer.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          resolve();
        } else {
          reject(new Error(`CloudFormation's response URL answered HTTP ${status}`));
        }
      });
    });
    request.on('timeout', () => request.destroy(new Error(`The response PUT took longer than ${RESPONSE_TIMEOUT_MS} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}
