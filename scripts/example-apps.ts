import * as fs from 'fs';
import { App, IPolicyValidationPlugin, Validations } from 'aws-cdk-lib/core';
import * as cxapi from 'aws-cdk-lib/cx-api';

/** An example app module: `build(app)` adds its stacks; run directly, it also synthesizes them. */
interface ExampleModule {
  build(app: App): void;
}

/**
 * Builds one example app (`examples/<name>.ts`, which exports `build(app)`) into a new App that writes its
 * cloud assembly to `outdir`, with the given validation plugins (cdk-nag, for instance), and synthesizes it.
 */
export function synthesizeExample(file: string, outdir: string, plugins: IPolicyValidationPlugin[] = []): cxapi.CloudAssembly {
  fs.rmSync(outdir, { recursive: true, force: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- example apps are loaded by path
  const example = require(file) as ExampleModule;
  const app = new App({ outdir });
  if (plugins.length > 0) {
    Validations.of(app).addPlugins(...plugins);
  }
  example.build(app);
  return app.synth();
}
