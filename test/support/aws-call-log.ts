import * as http from 'http';
import * as net from 'net';

/** One AWS API call as it went over the wire: `iam:GetRole`, `ecr:GetRepositoryPolicy`, ... */
export interface RecordedCall {
  readonly action: string;
  /** When the request arrived (Date.now()). */
  readonly at: number;
}

/**
 * An HTTP proxy in front of an AWS endpoint (moto) that records every call: the service from the SigV4 credential scope,
 * the operation from the query protocol's `Action` parameter or the JSON protocol's `X-Amz-Target` header. Point
 * AWS_ENDPOINT_URL at `endpoint` to see exactly what a program calls, retries included.
 */
export interface AwsCallLog {
  readonly endpoint: string;
  readonly calls: RecordedCall[];
  clear(): void;
  stop(): Promise<void>;
}

export async function startAwsCallLog(target: string): Promise<AwsCallLog> {
  const upstream = new URL(target);
  const calls: RecordedCall[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', chunk => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      calls.push({ action: actionOf(request, body.toString('utf8')), at: Date.now() });
      const forward = http.request({
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: `localhost:${upstream.port}` },
      }, answer => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      });
      forward.on('error', e => {
        response.writeHead(502);
        response.end(String(e));
      });
      forward.end(body);
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    endpoint: `http://localhost:${port}`,
    calls,
    clear: () => {
      calls.length = 0;
    },
    stop: () => new Promise<void>(resolve => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function actionOf(request: http.IncomingMessage, body: string): string {
  const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(String(request.headers.authorization ?? ''))?.[1] ?? 'unsigned';
  const target = request.headers['x-amz-target'];
  const operation = typeof target === 'string'
    ? target.slice(target.lastIndexOf('.') + 1)
    : new URLSearchParams(body).get('Action') ?? new URL(request.url ?? '/', 'http://x').searchParams.get('Action') ?? `${request.method} ${request.url}`;
  return `${service}:${operation}`;
}
