// Where the time of `npm test` goes: runs each phase of the test task in order, as the task does, and prints its
// wall time and CPU time, then jest's slowest test files (from jest's JSON result). Two passes: the first as after
// `npm ci` in a fresh clone (no step-cache records, no rosetta tablet, an empty jest cache), the second right after
// it with nothing changed (what a developer's next `npm test` costs). A script that prints numbers; it asserts
// nothing. Run with `npm run bench:tests` (after `npm ci`).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..');
const jestCache = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-tests-jest-cache-'));

const PHASES: Array<[string, string[]]> = [
  ['bundle (esbuild, the Lambda handler)', ['projen', 'bundle']],
  ['compile (jsii)', ['projen', 'compile:if-changed']],
  ['rosetta (every snippet)', ['projen', 'rosetta:if-changed']],
  ['bindings (jsii-pacmak, 5 languages)', ['projen', 'bindings:if-changed']],
  ['jest', ['jest', '--json', '--outputFile=test-reports/jest-results.json', '--ci', '--silent', `--cacheDirectory=${jestCache}`]],
  ['type-check and eslint (one program)', ['node', 'scripts/typecheck-and-lint.js']],
];

/** CPU seconds (user + system) of the children this process has waited for, from /proc (Linux); else undefined. */
const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  } catch {
    return undefined;
  }
})();
function childrenCpu(): number | undefined {
  if (!ticksPerSecond || !fs.existsSync('/proc/self/stat')) {
    return undefined;
  }
  // The fields after the command name: state is field 3, cutime and cstime are fields 16 and 17.
  const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) / ticksPerSecond;
}

interface Timing { wall: number; cpu?: number }

function run(args: string[]): Timing {
  const cpuBefore = childrenCpu();
  const start = process.hrtime.bigint();
  execFileSync('npx', args, {
    cwd: root,
    stdio: 'ignore',
    env: { ...process.env, CI: undefined, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20', JSII_DEPRECATED: 'fail' },
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const cpuAfter = childrenCpu();
  return { wall, cpu: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore };
}

function pass(): Timing[] {
  return PHASES.map(([, args]) => run(args));
}

const load = () => os.loadavg().map(value => value.toFixed(2)).join(', ');
const loadBefore = load();

// As after `npm ci` in a fresh clone: nothing recorded, no rosetta tablet, and (above) an empty jest cache.
execFileSync('node', ['scripts/step-cache.js', 'clear'], { cwd: root });
fs.rmSync(path.join(root, '.jsii.tabl.json'), { force: true });
const first = pass();
const firstResults = fs.readFileSync(path.join(root, 'test-reports', 'jest-results.json'), 'utf8');
const second = pass();
fs.rmSync(jestCache, { recursive: true, force: true });

const sum = (timings: Timing[], key: keyof Timing) => timings.reduce((total, t) => total + (t[key] ?? NaN), 0);
const cell = (value: number | undefined) => value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(1);

console.log(`npm test by phase, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, Node ${process.version}`);
console.log(`load average (1, 5, 15 min): ${loadBefore} before, ${load()} after\n`);
console.log('| phase | as after npm ci: wall s | CPU s | again, nothing changed: wall s | CPU s |\n|---|---|---|---|---|');
PHASES.forEach(([name], i) => {
  console.log(`| ${name} | ${cell(first[i].wall)} | ${cell(first[i].cpu)} | ${cell(second[i].wall)} | ${cell(second[i].cpu)} |`);
});
console.log(`| all phases | ${cell(sum(first, 'wall'))} | ${cell(sum(first, 'cpu'))} | ${cell(sum(second, 'wall'))} | ${cell(sum(second, 'cpu'))} |`);

const results = JSON.parse(firstResults) as {
  numPassedTests: number;
  testResults: Array<{ name: string; startTime: number; endTime: number }>;
};
const files = results.testResults
  .map(file => ({ file: path.relative(root, file.name), seconds: (file.endTime - file.startTime) / 1000 }))
  .sort((a, b) => b.seconds - a.seconds);
console.log(`\njest (first pass): ${files.length} files, ${results.numPassedTests} tests passed; the slowest files (wall s, in a worker):\n`);
console.log('| file | wall s |\n|---|---|');
for (const { file, seconds } of files.slice(0, 10)) {
  console.log(`| ${file} | ${seconds.toFixed(1)} |`);
}
