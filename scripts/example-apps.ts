import * as fs from 'fs';
import * as cxapi from 'aws-cdk-lib/cx-api';

/**
 * Runs one example app (which ends with `app.synth()`) with its cloud assembly written to `outdir`, and
 * returns that assembly. Each app runs in a fresh module registry, so an example can run more than once.
 */
export function synthesizeExample(file: string, outdir: string): cxapi.CloudAssembly {
  fs.rmSync(outdir, { recursive: true, force: true });
  const previous = process.env.CDK_OUTDIR;
  process.env.CDK_OUTDIR = outdir;
  try {
    delete require.cache[require.resolve(file)];
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an example app runs when its module loads
    require(file);
  } finally {
    if (previous === undefined) {
      delete process.env.CDK_OUTDIR;
    } else {
      process.env.CDK_OUTDIR = previous;
    }
  }
  return new cxapi.CloudAssembly(outdir);
}
