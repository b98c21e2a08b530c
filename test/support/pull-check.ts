import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ECRClient } from '@aws-sdk/client-ecr';
import { IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

/** The command as the npm package ships it: the esbuild bundle the `bundle` task writes (package.json `bin`). */
export const BUNDLE = path.join(__dirname, '..', '..', 'assets', 'lib', 'private', 'pull-check', 'cli', 'index.js');
const SOURCES = [path.join(__dirname, '..', '..', 'lib', 'private', 'pull-check'), path.join(__dirname, '..', '..', 'lib', 'private', 'constants')];

/** Fails with what to run when the bundle is missing or older than its sources (npm test bundles first). */
export function assertBundleFresh(): void {
  if (!fs.existsSync(BUNDLE)) {
    throw new Error(`${BUNDLE} does not exist: run \`npx projen bundle\` (npm test runs it first)`);
  }
  const built = fs.statSync(BUNDLE).mtimeMs;
  const newer = SOURCES.flatMap(dir => fs.readdirSync(dir).map(file => path.join(dir, file))).filter(file => fs.statSync(file).mtimeMs > built);
  if (newer.length > 0) {
    throw new Error(`the bundle is older than ${newer.map(f => path.basename(f)).join(', ')}: run \`npx projen bundle\``);
  }
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the bundled command with node, credentials for moto (any key: moto's account 123456789012), and no shared config
 * files or instance metadata, so that nothing of the machine it runs on leaks in.
 */
export function runCommand(args: string[], env: Record<string, string | undefined>): Promise<CommandResult> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  return new Promise(resolve => {
    execFile(process.execPath, [BUNDLE, ...args], {
      env: {
        ...clean,
        AWS_CONFIG_FILE: '/nonexistent/aws-config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
        AWS_EC2_METADATA_DISABLED: 'true',
        ...env,
      },
      timeout: 60_000,
    }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * Clients for moto in two accounts: the node account is moto's default (123456789012, any access key), the registry
 * account any other, whose credentials moto gives for sts:AssumeRole on arn:aws:iam::<account>:role/<any>.
 */
export class MotoAccounts {
  public static readonly NODE = '123456789012';
  public static readonly REGISTRY = '222222222222';
  public static readonly REGION = 'us-east-1';

  constructor(private readonly endpoint: string) {}

  public config(credentials: Credentials = { accessKeyId: 'test', secretAccessKey: 'test' }) {
    return { region: MotoAccounts.REGION, endpoint: this.endpoint, credentials };
  }

  public async credentialsOf(account: string): Promise<Credentials> {
    const sts = new STSClient(this.config());
    const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/setup`, RoleSessionName: 'setup' }));
    sts.destroy();
    return { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken };
  }

  public iam(): IAMClient {
    return new IAMClient(this.config());
  }

  public async ecr(account: string): Promise<ECRClient> {
    return new ECRClient(account === MotoAccounts.NODE ? this.config() : this.config(await this.credentialsOf(account)));
  }
}
