// Writes the snapshot of every integ app (test/integ.*.ts) to test/<file>.snapshot/, the layout integ-runner
// reads. Run `npx projen integ:snapshot` after a change that changes their templates; the tests compare.
import * as fs from 'fs';
import * as path from 'path';
import { INTEG_APPS, snapshotDir, synthesizeIntegApp } from './integ-apps';

for (const file of INTEG_APPS) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- integ apps are scripts loaded by path
  const assembly = synthesizeIntegApp(file, snapshotDir(file), modulePath => require(modulePath));
  // The assertion provider's bundle (2 MB, from @aws-cdk/integ-tests-alpha) is named by its hash in the templates.
  for (const entry of fs.readdirSync(assembly.directory)) {
    if (entry.startsWith('asset.') || entry === 'validation-report.json') {
      fs.rmSync(path.join(assembly.directory, entry), { recursive: true, force: true });
    }
  }
  console.log(`${file}: ${assembly.stacks.map(stack => stack.stackName).join(', ')} -> ${assembly.directory}`);
}
