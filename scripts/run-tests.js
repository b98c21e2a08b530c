#!/usr/bin/env node
// The test task (`npm test`) after the bundle: the same steps as one after the other, but in three lanes at once
// where nothing orders them, so that a step waiting on something (a test's real-time wait, a child process) leaves the
// machine to the others:
//
//   lane 1: compile (jsii) -> rosetta (every snippet) -> bindings (jsii-pacmak, 5 languages) -> jest
//           test/package.test.ts and test/bindings.test.ts (they read the compiled package and the bindings)
//   lane 2: jest, every other file
//   lane 3: the type-check and eslint (without --fix) over one TypeScript program (scripts/typecheck-and-lint.js)
//   then:   lane 1's jest result is merged into test-reports/jest-results.json, which .ci/run reads.
//
// Only lane 1's last step reads what compile writes (dist/, .jsii); the others read the sources (jsii reads the
// tsconfig.json it is given and does not rewrite it). compile, rosetta and bindings are still skipped when unchanged
// (scripts/step-cache.js). With arguments (`npm test -- test/some.test.ts`), the steps run one after the other and
// jest gets the arguments, as before. Prints each lane's steps as they start; fails when any step fails, after all
// lanes have ended.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const REPORT = path.join('test-reports', 'jest-results.json');
const AFTER_BUILD_REPORT = path.join('test-reports', 'jest-after-build.json');
/** The test files that read what lane 1 writes. */
const AFTER_BUILD = ['test/package.test.ts', 'test/bindings.test.ts'];
const args = process.argv.slice(2);

function run(label, command, commandArgs, env = {}) {
  console.log(`👾 test » ${label} | ${[command, ...commandArgs].join(' ')}`);
  return new Promise(resolve => {
    const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('close', code => resolve(code === 0));
    child.on('error', error => {
      console.error(`${label}: ${error.message}`);
      resolve(false);
    });
  });
}

const projen = (task) => () => run(task, 'npx', ['projen', task]);

const typecheck = () => run('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'test/tsconfig.json']);
/** The type-check and eslint without --fix (beside jest, a fix written while a test reads the file could fail it). */
const typecheckAndLint = () => run('typecheck and eslint', 'node', ['scripts/typecheck-and-lint.js']);
const jest = (extra) => () => run('jest', 'npx', ['jest', '--json', `--outputFile=${REPORT}`, '--ci', ...extra]);

/** Runs steps in order, stopping at the first that fails; resolves true when all passed. */
async function lane(steps) {
  for (const step of steps) {
    if (!(await step())) {
      return false;
    }
  }
  return true;
}

/** Adds the result of the files run after the build to the main jest result, as one jest run would have reported both. */
function mergeReports() {
  const main = JSON.parse(fs.readFileSync(path.join(root, REPORT), 'utf8'));
  const extra = JSON.parse(fs.readFileSync(path.join(root, AFTER_BUILD_REPORT), 'utf8'));
  for (const key of Object.keys(main)) {
    if (key.startsWith('num') && typeof main[key] === 'number' && typeof extra[key] === 'number') {
      main[key] += extra[key];
    }
  }
  main.success = main.success && extra.success;
  main.testResults = [...main.testResults, ...extra.testResults];
  fs.writeFileSync(path.join(root, REPORT), JSON.stringify(main));
  fs.rmSync(path.join(root, AFTER_BUILD_REPORT));
}

async function main() {
  // A result left by an earlier run must not be merged with this one's, nor read as this run's.
  [REPORT, AFTER_BUILD_REPORT].forEach(file => fs.rmSync(path.join(root, file), { force: true }));
  if (args.length > 0) {
    return lane([projen('compile:if-changed'), projen('rosetta:if-changed'), projen('bindings:if-changed'), typecheck, jest(args), projen('eslint')]);
  }
  // Its own JUnit file too (jest-junit writes test-reports/junit.xml by default, and the other jest would overwrite it).
  const afterBuild = () => run('jest (package, bindings)', 'npx',
    ['jest', '--json', `--outputFile=${AFTER_BUILD_REPORT}`, '--ci', ...AFTER_BUILD],
    { JEST_JUNIT_OUTPUT_NAME: 'junit-after-build.xml' });
  const results = await Promise.all([
    lane([projen('compile:if-changed'), projen('rosetta:if-changed'), projen('bindings:if-changed'), afterBuild]),
    lane([jest(['--testPathIgnorePatterns=/node_modules/', ...AFTER_BUILD.map(file => `--testPathIgnorePatterns=/${file}$`)])]),
    lane([typecheckAndLint]),
  ]);
  if (fs.existsSync(path.join(root, REPORT)) && fs.existsSync(path.join(root, AFTER_BUILD_REPORT))) {
    mergeReports();
  } else if (fs.existsSync(path.join(root, AFTER_BUILD_REPORT))) {
    fs.renameSync(path.join(root, AFTER_BUILD_REPORT), path.join(root, REPORT));
  }
  return results.every(ok => ok);
}

main().then(ok => process.exit(ok ? 0 : 1), error => {
  console.error(error);
  process.exit(1);
});
