import { parseCommand, USAGE, UsageError } from './arguments';
import type { AwsClients } from './aws-clients';

export interface Output {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Runs the command; resolves to its exit code (0 can pull, 1 cannot or undecided, 2 usage or credentials). */
export async function main(argv: readonly string[], output: Output): Promise<number> {
  const json = argv.includes('--json');
  let clients: AwsClients | undefined;
  try {
    const command = parseCommand(argv);
    if (command.kind === 'help') {
      output.stdout(`${USAGE}\n`);
      return 0;
    }
    // Loaded after the arguments: --help and usage errors answer without evaluating the AWS SDK.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { createClients, detectDefaultRegion } = require('./aws-clients') as typeof import('./aws-clients');
    const { collectFindings } = require('./check') as typeof import('./check');
    const { buildReport } = require('./report') as typeof import('./report');
    const { renderJson, renderText } = require('./render') as typeof import('./render');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const defaultRegion = await detectDefaultRegion();
    clients = await createClients(command.args, { defaultRegion });
    const report = buildReport(await collectFindings(command.args, clients, { defaultRegion }));
    output.stdout(command.args.json ? renderJson(report) : renderText(report));
    return report.exitCode;
  } catch (e) {
    const usage = e instanceof UsageError;
    const message = usage ? (e as Error).message : `could not complete the check: ${(e as Error)?.stack?.split('\n').slice(0, 2).join(' ') ?? String(e)}`;
    if (json) {
      output.stdout(`${JSON.stringify({ version: 1, canPull: false, exitCode: usage ? 2 : 1, error: message }, undefined, 2)}\n`);
    }
    output.stderr(`cdk-anyscale-ecr-access: ${message}\n`);
    return usage ? 2 : 1;
  } finally {
    clients?.destroy();
  }
}
