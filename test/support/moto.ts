import { ChildProcess, spawn } from 'child_process';
import * as http from 'http';
import * as net from 'net';
import { pythonFailure } from './python';

/**
 * moto (https://github.com/getmoto/moto), an AWS emulator that no one on this project wrote, as a server on a free
 * loopback port. This project's machine image and CI's have it (python3, moto 5.2); a machine without it fails the
 * test with the reason instead of skipping it.
 */
export interface MotoServer {
  /** `http://localhost:<port>`: moto reads an S3 bucket from the host name otherwise. */
  readonly endpoint: string;
  readonly port: number;
  /** Forgets every resource of every account (POST /moto-api/reset). */
  reset(): Promise<void>;
  /** Stops the server by its pid and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts moto on a free loopback port, with AWS managed policies loaded in IAM (`MOTO_IAM_LOAD_MANAGED_POLICIES`).
 * Stop it in `afterAll`.
 */
export async function startMoto(options: { readonly startTimeoutMs?: number } = {}): Promise<MotoServer> {
  const port = await freePort();
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let spawnError: NodeJS.ErrnoException | undefined;
  child.once('error', error => {
    spawnError = error;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
  const endpoint = `http://localhost:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  while (!(await answers(port))) {
    if (spawnError !== undefined || child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw pythonFailure(`moto did not start on 127.0.0.1:${port}`, { code: spawnError?.code ?? child.exitCode, stderr, message: spawnError?.message });
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  return {
    endpoint,
    port,
    reset: async () => {
      await request(port, 'POST', '/moto-api/reset');
    },
    stop: () => stop(child, exited),
  };
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const killed = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killed);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function answers(port: number): Promise<boolean> {
  try {
    return (await request(port, 'GET', '/moto-api/')) === 200;
  } catch {
    return false;
  }
}

function request(port: number, method: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, timeout: 2_000 }, response => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
