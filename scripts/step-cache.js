#!/usr/bin/env node
// Lets `npm test` skip compile, rosetta and bindings when nothing they read or wrote changed since they last passed.
//
//   node scripts/step-cache.js check <step>    exit 0: the step must run; exit 1: skip it (the condition of the
//                                              <step>:if-changed task in .projenrc.ts)
//   node scripts/step-cache.js record <step>   after the step passed: store the hashes of its inputs and outputs
//   node scripts/step-cache.js clear           forget every step (the next npm test runs them all)
//
// A step is skipped only when the SHA-256 of its inputs (files, the installed packages, its task definition, the
// Node.js version, this script) AND of its outputs are those recorded after its last successful run: the same
// inputs give the same result, and outputs edited or deleted since are caught. check hashes the inputs before the
// step runs; record stores them only if the step passed (record is the task's last step) and they did not change
// while it ran. The records live in node_modules/.cache, which `npm ci` deletes, so a
// fresh clone runs every step. CI=true or STEP_CACHE=off never skips.
'use strict';
const { execFileSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const cacheDir = path.join(root, 'node_modules', '.cache', 'step-cache');

/** The top-level files and directories of what `npm pack` puts in the tarball (jsii-pacmak's JavaScript target). */
function packedPaths() {
  const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(output)[0].files.map(file => file.path.split('/')[0]);
}

/** Paths relative to the root, files or directories; inputs are hashed before the step runs, outputs after. */
const STEPS = {
  // jsii reads the sources, its tsconfig, package.json (its jsii section) and the README (the assembly's readme).
  compile: { inputs: () => ['lib', 'package.json', 'tsconfig.json', 'README.md'], outputs: ['dist', '.jsii'] },
  // jsii-rosetta compiles the snippets of the assembly against the package itself (dist/*.d.ts) and the fixtures.
  rosetta: { inputs: () => ['.jsii', 'dist', 'package.json', 'rosetta'], outputs: ['.jsii.tabl.json'] },
  // jsii-pacmak reads the assembly, the snippets' translations and, for JavaScript, everything npm packs;
  // compileall depends on the Python version.
  bindings: {
    inputs: () => ['.jsii', '.jsii.tabl.json', '.npmignore', ...packedPaths()],
    outputs: ['artifacts/bindings'],
    extra: () => execFileSync('python3', ['--version'], { encoding: 'utf8' }),
  },
};

function filesUnder(relative) {
  const full = path.join(root, relative);
  if (!fs.existsSync(full)) {
    return [[relative, 'missing']];
  }
  if (!fs.statSync(full).isDirectory()) {
    return [[relative, 'file']];
  }
  return fs.readdirSync(full).sort().flatMap(entry => filesUnder(path.join(relative, entry)));
}

function hashOf(paths, extra = '') {
  const hash = crypto.createHash('sha256').update(extra);
  const files = [...new Set(paths)].sort().flatMap(filesUnder);
  for (const [file, kind] of files) {
    hash.update(`\0${file}\0${kind}\0`);
    if (kind === 'file') {
      hash.update(fs.readFileSync(path.join(root, file)));
    }
  }
  return hash.digest('hex');
}

/** The hash of a step's inputs, and the paths it read (record hashes the same paths again). */
function inputsHash(name, paths = [...new Set(STEPS[name].inputs())].sort()) {
  const step = STEPS[name];
  const task = JSON.parse(fs.readFileSync(path.join(root, '.projen', 'tasks.json'), 'utf8')).tasks[name];
  const extra = [
    JSON.stringify(task), process.version, process.platform, process.arch,
    fs.readFileSync(__filename, 'utf8'), step.extra ? step.extra() : '',
  ].join('\0');
  // node_modules/.package-lock.json is npm's record of what is installed (names, versions, integrity).
  return { hash: hashOf([...paths, 'node_modules/.package-lock.json'], extra), paths };
}

const [command, name] = process.argv.slice(2);
const record = path.join(cacheDir, `${name}.json`);
const pending = path.join(cacheDir, `${name}.pending`);

/** Whether the step can be skipped; writes the inputs' hash for record when it cannot. */
function check() {
  if (process.env.CI === 'true' || process.env.STEP_CACHE === 'off') {
    // Nothing is skipped, so nothing is hashed; without the pending inputs, record stores nothing either.
    fs.rmSync(record, { force: true });
    fs.rmSync(pending, { force: true });
    return false;
  }
  const inputs = inputsHash(name);
  const last = fs.existsSync(record) ? JSON.parse(fs.readFileSync(record, 'utf8')) : undefined;
  if (last?.inputs === inputs.hash && last?.outputs === hashOf(STEPS[name].outputs)) {
    console.error(`${name}: skipped, its inputs and outputs are those of its run that passed at ${last.passed} `
      + '(STEP_CACHE=off npm test runs it)');
    return true;
  }
  fs.rmSync(record, { force: true });
  fs.mkdirSync(cacheDir, { recursive: true });
  fs.writeFileSync(pending, JSON.stringify(inputs));
  return false;
}

/** Records the inputs hashed by check, if they did not change while the step ran. */
function recordPassed() {
  const inputs = fs.existsSync(pending) ? JSON.parse(fs.readFileSync(pending, 'utf8')) : undefined;
  fs.rmSync(pending, { force: true });
  if (inputs && inputs.hash === inputsHash(name, inputs.paths).hash) {
    const entry = { inputs: inputs.hash, outputs: hashOf(STEPS[name].outputs), passed: new Date().toISOString() };
    fs.writeFileSync(record, JSON.stringify(entry, undefined, 2) + '\n');
  }
}

// A task's condition skips the task on any exit code but 0: check exits 1 only when it decided to skip, and any
// error (here or in a usage) runs the step.
if (command === 'clear') {
  fs.rmSync(cacheDir, { recursive: true, force: true });
} else if (command === 'check') {
  let skip = false;
  try {
    skip = Boolean(STEPS[name]) && check();
  } catch (error) {
    console.error(`step-cache: ${error.message}; running ${name}`);
  }
  process.exit(skip ? 1 : 0);
} else if (command === 'record' && STEPS[name]) {
  try {
    recordPassed();
  } catch (error) {
    console.error(`step-cache: ${error.message}; ${name} not recorded, the next npm test runs it`);
  }
} else {
  console.error(`usage: step-cache.js check|record <${Object.keys(STEPS).join('|')}>, or step-cache.js clear`);
  process.exit(2);
}
