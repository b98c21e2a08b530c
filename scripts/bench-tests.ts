// Where the time of `npm test` goes: runs each phase of the test task in order, as the task does, and prints its
// wall time, then jest's slowest test files (from jest's JSON result). A script that prints numbers; it asserts
// nothing. Run with `npm run bench:tests` (after `npm ci`).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..');

const PHASES: Array<[string, string[]]> = [
  ['bundle (esbuild, the Lambda handler)', ['projen', 'bundle']],
  ['compile (jsii)', ['projen', 'compile']],
  ['rosetta (every snippet)', ['projen', 'rosetta']],
  ['bindings (jsii-pacmak, 5 languages)', ['projen', 'bindings']],
  ['type-check the tests (tsc)', ['tsc', '--noEmit', '-p', 'test/tsconfig.json']],
  ['jest', ['jest', '--json', '--outputFile=test-reports/jest-results.json', '--ci', '--silent']],
  ['eslint', ['projen', 'eslint']],
];

function run(args: string[]): number {
  const start = process.hrtime.bigint();
  execFileSync('npx', args, { cwd: root, stdio: 'ignore', env: { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' } });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const times = PHASES.map(([name, args]) => [name, run(args)] as const);
const total = times.reduce((sum, [, seconds]) => sum + seconds, 0);
console.log(`npm test by phase, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, Node ${process.version}\n`);
console.log('| phase | wall s |\n|---|---|');
for (const [name, seconds] of times) {
  console.log(`| ${name} | ${seconds.toFixed(1)} |`);
}
console.log(`| all phases | ${total.toFixed(1)} |`);

const results = JSON.parse(fs.readFileSync(path.join(root, 'test-reports', 'jest-results.json'), 'utf8')) as {
  numPassedTests: number;
  testResults: Array<{ name: string; startTime: number; endTime: number }>;
};
const files = results.testResults
  .map(file => ({ file: path.relative(root, file.name), seconds: (file.endTime - file.startTime) / 1000 }))
  .sort((a, b) => b.seconds - a.seconds);
console.log(`\njest: ${files.length} files, ${results.numPassedTests} tests passed; the slowest files (wall s, in a worker):\n`);
console.log('| file | wall s |\n|---|---|');
for (const { file, seconds } of files.slice(0, 10)) {
  console.log(`| ${file} | ${seconds.toFixed(1)} |`);
}
