import * as fs from 'fs';
import * as path from 'path';
import * as cxapi from 'aws-cdk-lib/cx-api';

/** The integ-tests-alpha apps, as integ-runner finds them. */
export const INTEG_DIR = path.join(__dirname, '..', 'test');
export const INTEG_APPS = fs.readdirSync(INTEG_DIR).filter(file => /^integ\..+\.ts$/.test(file)).sort();

/** Where integ-runner keeps an app's committed snapshot: `test/<file>.snapshot/`. */
export function snapshotDir(file: string): string {
  return path.join(INTEG_DIR, `${file}.snapshot`);
}

/**
 * Synthesizes one integ app (a script that builds an App and calls `app.synth()`) into `outdir`, as integ-runner
 * does before it compares or deploys: the app reads its output directory from CDK_OUTDIR.
 */
export function synthesizeIntegApp(file: string, outdir: string, load: (modulePath: string) => void): cxapi.CloudAssembly {
  fs.rmSync(outdir, { recursive: true, force: true });
  const previous = process.env.CDK_OUTDIR;
  process.env.CDK_OUTDIR = outdir;
  try {
    load(path.join(INTEG_DIR, file));
  } finally {
    if (previous === undefined) {
      delete process.env.CDK_OUTDIR;
    } else {
      process.env.CDK_OUTDIR = previous;
    }
  }
  return new cxapi.CloudAssembly(outdir);
}

/**
 * The templates of an assembly directory, by file name, for comparison. The `salt` of each integ-tests assertion
 * is the synthesis time (so that the assertion runs on every deployment) and is replaced by a placeholder.
 */
export function templates(dir: string): Record<string, unknown> {
  return Object.fromEntries(fs.readdirSync(dir).filter(file => file.endsWith('.template.json')).sort()
    .map(file => [file, withoutSalt(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')))]));
}

function withoutSalt(template: { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> }) {
  for (const resource of Object.values(template.Resources ?? {})) {
    if (resource.Type.startsWith('Custom::DeployAssert@') && resource.Properties?.salt !== undefined) {
      resource.Properties.salt = '<synthesis time>';
    }
  }
  return template;
}
