import * as fs from 'fs';
import * as http from 'http';
import type * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import { CreateRepositoryCommand, ECRClient, GetRepositoryPolicyCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { App } from 'aws-cdk-lib/core';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { ECR_PULL_ACTIONS } from '../../lib/private/constants/pull-actions';
import { STATEMENT_RESOURCE_TYPE } from '../../lib/private/existing-repository/contract';
import { CloudFormation, CustomResourceResponse } from '../support/cloudformation';
import { MotoServer, startMoto } from '../support/moto';
import { registryStack, roleArn } from '../support/registry-app';

// The bundled handler, as Lambda runs it, against an ECR that no one here wrote: moto (test/support/moto.ts).
//
// - The app is synthesized to a real cloud assembly; the function's code is its asset folder there, whose index.js is
//   required and its exported `handler` called, with the context Lambda gives (the function's ARN, the time left).
//   The bundle keeps its own ECR client (the SDK bundled in), pointed at moto by AWS_ENDPOINT_URL.
// - The events are CloudFormation's, from test/support/cloudformation.ts: the synthesized template's custom resource
//   properties resolved for moto's account (123456789012) and region, in CloudFormation's order, each with the
//   function's environment (ALLOWED_GRANTS) as the template sets it.
// - The response PUT: the bundle sends it with https.request to CloudFormation's response host, which is not reachable
//   from here. https.request is wrapped so that the same request (method, path, headers, body, timeout) goes over plain
//   HTTP to a local server, which records it and answers 200. The bundle's code runs unchanged; only TLS and DNS are
//   skipped. Its URL check still runs on the real URL, which the CloudFormation model builds on amazonaws.com.
// - Real time: each write is read back once more 11 s later, so the three events take about 35 s.
//
// What moto does not do, which the fake ECR (test/support/fake-ecr.ts) models instead: it has no 10,240-character
// limit on the policy, never throttles, does not check that a principal exists (nor refuses a role IAM has not
// propagated yet), and stores the policy text exactly as given (real ECR may reformat it).

const ACCOUNT = '123456789012'; // moto's default account
const REGION = 'us-east-1';
/**
 * Someone else's statement, pretty-printed, keys in their own order, with an escape JSON.stringify would not write:
 * it must come back byte for byte. (moto refuses numbers as condition values, which ECR accepts.)
 */
const FOREIGN_TEXT = '{\n    "Sid": "CiPush",\n    "Principal": {"AWS": "arn:aws:iam::123456789012:role/ci"},\n    "Effect": "Allow",\n' +
  '    "Action": ["ecr:PutImage", "ecr:InitiateLayerUpload"],\n' +
  '    "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}, "StringEquals": {"aws:PrincipalTag/team": "m\\u006c"}}\n  }';
const ORIGINAL = `{\n  "Version": "2012-10-17",\n  "Statement": [\n  ${FOREIGN_TEXT}\n  ]\n}`;

let moto: MotoServer;
let ecr: ECRClient;
let responses: http.Server;
let puts: Array<{ method?: string; host?: string; path?: string; body: any }>;
/** What the bundled handler wrote to its log (console.log and console.error, as in Lambda). */
const logged: string[] = [];
const loggedErrors: string[] = [];
const savedEnv = { ...process.env };
const outdirs: string[] = [];

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  });
  delete process.env.AWS_PROFILE;
  ecr = new ECRClient({ endpoint: moto.endpoint, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  puts = [];
  responses = http.createServer((request, answer) => {
    let body = '';
    request.on('data', chunk => {
      body += chunk;
    });
    request.on('end', () => {
      puts.push({ method: request.method, host: request.headers.host, path: request.url, body: JSON.parse(body) });
      answer.writeHead(200).end();
    });
  });
  await new Promise<void>(resolve => responses.listen(0, '127.0.0.1', resolve));
  const port = (responses.address() as { port: number }).port;
  jest.spyOn(console, 'log').mockImplementation(line => {
    logged.push(String(line));
  });
  jest.spyOn(console, 'error').mockImplementation(line => {
    loggedErrors.push(String(line));
  });
  // The core module itself, which the bundle's require('https') returns too (a TypeScript namespace import is a copy).
  const coreHttps: typeof https = jest.requireActual('https');
  const httpsRequest = coreHttps.request;
  jest.spyOn(coreHttps, 'request').mockImplementation(((options: https.RequestOptions, callback: (response: http.IncomingMessage) => void) => {
    if (!String(options.hostname).startsWith('cloudformation-custom-resource-response-')) {
      return (httpsRequest as any)(options, callback);
    }
    return http.request({ ...options, hostname: '127.0.0.1', port, headers: { ...options.headers, host: String(options.hostname) } }, callback);
  }) as never);
}, 60_000);

afterAll(async () => {
  jest.restoreAllMocks();
  outdirs.forEach(outdir => fs.rmSync(outdir, { recursive: true, force: true }));
  await new Promise(resolve => responses?.close(resolve));
  await moto?.stop();
  process.env = savedEnv;
});

/** The stack synthesized to a real cloud assembly: its template, and the function's asset folder in the assembly. */
function synthesize(clouds: string[]) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'moto-bundle-'));
  outdirs.push(outdir);
  const app = new App({ outdir });
  registryStack(app, 'Registry', { account: ACCOUNT, region: REGION, clouds });
  const assembly = app.synth();
  const template = assembly.getStackByName('Registry').template;
  const [fn] = Object.values<any>(template.Resources).filter(resource => resource.Type === 'AWS::Lambda::Function');
  // The asset manifest names the folder of the file asset whose hash is the code's S3 key.
  const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'Registry.assets.json'), 'utf8'));
  const asset = manifest.files[String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')];
  expect(asset.source.packaging).toBe('zip');
  return { template, assetFolder: path.join(assembly.directory, asset.source.path) };
}

/** Lambda's way of running the function: its module loaded once, its handler called with an event and a context. */
function lambdaRuntime(assetFolder: string) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bundle = require(path.join(assetFolder, 'index.js')) as { handler: (event: unknown, context: Context) => Promise<void> };
  return async (event: CloudFormationCustomResourceEvent, environment: Record<string, string>): Promise<CustomResourceResponse | undefined> => {
    Object.assign(process.env, environment);
    const end = Date.now() + 300_000;
    const context = { invokedFunctionArn: event.ServiceToken, getRemainingTimeInMillis: () => end - Date.now() } as unknown as Context;
    await bundle.handler(event, context);
    const put = puts.find(p => p.body.RequestId === event.RequestId);
    return put?.body;
  };
}

async function storedPolicy(): Promise<string | undefined> {
  try {
    return (await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'images' }))).policyText;
  } catch (error) {
    if ((error as Error).name === 'RepositoryPolicyNotFoundException') {
      return undefined;
    }
    throw error;
  }
}

test('the bundled handler, loaded from the cloud assembly, creates, updates and deletes its statement in moto\'s ECR, keeping the foreign one byte for byte', async () => {
  // GIVEN a repository whose policy someone else wrote
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'images' }));
  await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'images', policyText: ORIGINAL }));
  expect(await storedPolicy()).toBe(ORIGINAL);
  const first = synthesize(['cld_abc']);
  const cloudformation = new CloudFormation({
    invoke: lambdaRuntime(first.assetFolder),
    env: { partition: 'aws', region: REGION, account: ACCOUNT },
    resourceTypes: [STATEMENT_RESOURCE_TYPE],
  });
  /** Our statements in a policy text, and the text without them (each was spliced in as `,<compact JSON>`). */
  const split = (text: string) => {
    const ours = JSON.parse(text).Statement.filter((s: any) => s.Sid !== 'CiPush');
    return { ours, rest: ours.reduce((t: string, s: unknown) => t.replace(`,${JSON.stringify(s)}`, ''), text) };
  };
  const statement = (sid: unknown, roles: string[]) => ({ Sid: sid, Effect: 'Allow', Principal: { AWS: roles }, Action: [...ECR_PULL_ACTIONS] });

  // WHEN the stack is created: THEN our statement is added after the foreign one, and every other byte is unchanged
  expect((await cloudformation.deploy('Registry', { template: first.template })).status).toBe('CREATE_COMPLETE');
  const created = split((await storedPolicy())!);
  expect(created.ours).toEqual([statement(expect.stringMatching(/^AnyscaleEcrPull[0-9A-F]{24}$/), [roleArn('cld_abc')])]);
  expect(created.rest).toBe(ORIGINAL);
  const sid = created.ours[0].Sid;

  // WHEN a cloud is added (an Update): THEN our statement names both roles, under the same Sid, in the same place
  expect((await cloudformation.deploy('Registry', { template: synthesize(['cld_abc', 'cld_xyz']).template })).status).toBe('UPDATE_COMPLETE');
  const updated = split((await storedPolicy())!);
  expect(updated.ours).toEqual([statement(sid, [roleArn('cld_abc'), roleArn('cld_xyz')])]);
  expect(updated.rest).toBe(ORIGINAL);

  // WHEN the stack is deleted: THEN the policy is exactly what it was
  expect((await cloudformation.deleteStack('Registry')).status).toBe('DELETE_COMPLETE');
  expect(await storedPolicy()).toBe(ORIGINAL);

  // AND every response went to CloudFormation's response host, in order, as SUCCESS
  expect(cloudformation.log.map(({ event, response, invocations }) => [event.RequestType, response.Status, invocations]))
    .toEqual([['Create', 'SUCCESS', 1], ['Update', 'SUCCESS', 1], ['Delete', 'SUCCESS', 1]]);
  expect(puts.map(p => [p.method, p.host])).toEqual(Array(3).fill(['PUT', `cloudformation-custom-resource-response-${REGION.replace(/-/g, '')}.s3.amazonaws.com`]));
  expect(puts.map(p => p.body.PhysicalResourceId)).toEqual(Array(3).fill(`images:${sid}`));
  expect(logged.map(line => JSON.parse(line)).map(entry => [entry.RequestType, entry.Status])).toEqual([['Create', 'SUCCESS'], ['Update', 'SUCCESS'], ['Delete', 'SUCCESS']]);
  expect(loggedErrors).toEqual([]);
}, 120_000);
