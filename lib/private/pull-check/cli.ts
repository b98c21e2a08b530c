#!/usr/bin/env node
// The `cdk-anyscale-ecr-access` command (package.json `bin`), bundled by esbuild with the AWS SDK clients it uses into
// one file that ships in the npm package; nothing here is part of the library's API (lib/index.ts exports none of it).
import { main } from './main';

// The SDK inside the bundle is fixed when the package is built: its warning about future SDK releases and Node 20 is
// not for the command's users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

main(process.argv.slice(2), {
  stdout: text => process.stdout.write(text),
  stderr: text => process.stderr.write(text),
}).then(code => {
  process.exitCode = code;
}, (e: unknown) => {
  process.stderr.write(`cdk-anyscale-ecr-access: ${String(e)}\n`);
  process.exitCode = 1;
});
