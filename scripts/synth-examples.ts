// Synthesizes every app in examples/ to CloudFormation, in this process, with no AWS credentials and no
// network, and prints where each template is and what the construct reported.
import * as fs from 'fs';
import * as path from 'path';
import { synthesizeExample } from './example-apps';

const root = path.resolve(__dirname, '..');
const examplesDir = path.join(root, 'examples');
const outRoot = path.join(root, 'cdk.out');

const examples = fs.readdirSync(examplesDir).filter(file => file.endsWith('.ts')).sort();
for (const file of examples) {
  const name = path.basename(file, '.ts');
  const assembly = synthesizeExample(path.join(examplesDir, file), path.join(outRoot, name));
  console.log(`\n${name}`);
  for (const stack of assembly.stacks) {
    console.log(`  ${stack.stackName} (account ${stack.environment.account}): ${path.relative(root, stack.templateFullPath)}`);
    for (const message of stack.messages) {
      console.log(`    ${message.level}: ${message.id}: ${String(message.entry.data)}`);
    }
  }
}
console.log(`\n${examples.length} example apps synthesized; the CloudFormation templates are under ${path.relative(root, outRoot)}/`);
