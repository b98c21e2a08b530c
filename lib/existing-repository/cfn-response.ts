import * as https from 'https';
import { URL } from 'url';

/** What the handler tells CloudFormation about one custom resource event. */
export interface CfnResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** CloudFormation reads at most 4,096 bytes of a response; a longer reason would fail the whole stack update. */
const MAX_REASON = 1_000;

/** PUTs the response to the pre-signed S3 URL CloudFormation gave in the event. */
export function sendResponse(responseUrl: string, response: CfnResponse): Promise<void> {
  const body = JSON.stringify({ ...response, Reason: response.Reason?.slice(0, MAX_REASON) });
  const url = new URL(responseUrl);
  return new Promise((resolve, reject) => {
    const request = https.request({
      hostname: url.hostname,
      path: url.pathname + url.search,
      method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
    }, answer => {
      answer.resume();
      answer.on('end', () => resolve());
    });
    request.on('error', reject);
    request.end(body);
  });
}
