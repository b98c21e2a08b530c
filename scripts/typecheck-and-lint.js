#!/usr/bin/env node
// The type-check (tsc --noEmit -p test/tsconfig.json) and eslint (the eslint task's command, without --fix) over one
// TypeScript program: eslint's type-aware rules read the program the type-check built and checked, instead of building
// their own from the same tsconfig (about half of each run's time is building the program; BENCHMARKS.md).
//
//   node scripts/typecheck-and-lint.js
//
// Prints tsc's diagnostics as tsc prints them, then eslint's findings as eslint prints them. Fails when either found
// an error, after both ran. eslint's files, extensions and configuration are the eslint task's (.projen/tasks.json)
// and .eslintrc.json's, read here, so that `npx projen eslint` and this script lint the same files the same way.
'use strict';
const fs = require('fs');
const path = require('path');
const ts = require('typescript');
const { LegacyESLint } = require('eslint/use-at-your-own-risk');

const root = path.join(__dirname, '..');
const TSCONFIG = path.join(root, 'test', 'tsconfig.json');

/** The files, extensions and flags of the eslint task's command, or an error naming an argument this script does not know. */
function eslintTask() {
  const task = JSON.parse(fs.readFileSync(path.join(root, '.projen', 'tasks.json'), 'utf8')).tasks.eslint;
  const [command, ...args] = task.steps[0].execArgs;
  if (command !== 'eslint') {
    throw new Error(`The eslint task runs ${command}, not eslint: update scripts/typecheck-and-lint.js.`);
  }
  const options = { extensions: undefined, errorOnUnmatchedPattern: true, patterns: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--ext') {
      options.extensions = args[++i].split(',');
    } else if (arg === '--no-error-on-unmatched-pattern') {
      options.errorOnUnmatchedPattern = false;
    } else if (arg === '--fix' || arg === '$@') {
      // No fix beside jest (a file rewritten while a test reads it); no arguments from the command line.
    } else if (arg.startsWith('-')) {
      throw new Error(`The eslint task passes ${arg}, which scripts/typecheck-and-lint.js does not know: add it there.`);
    } else {
      options.patterns.push(arg);
    }
  }
  return options;
}

function program() {
  const config = ts.getParsedCommandLineOfConfigFile(TSCONFIG, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: diagnostic => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  if (config.errors.length > 0) {
    return { diagnostics: config.errors };
  }
  const built = ts.createProgram({ rootNames: config.fileNames, options: config.options, projectReferences: config.projectReferences });
  return { program: built, diagnostics: ts.getPreEmitDiagnostics(built) };
}

async function main() {
  const lint = eslintTask();
  console.log(`👾 typecheck | tsc --noEmit -p ${path.relative(root, TSCONFIG)}`);
  const typed = program();
  const host = { getCanonicalFileName: name => name, getCurrentDirectory: () => root, getNewLine: () => '\n' };
  if (typed.diagnostics.length > 0) {
    console.log(ts.formatDiagnosticsWithColorAndContext(typed.diagnostics, host));
  }
  const typeErrors = typed.diagnostics.filter(diagnostic => diagnostic.category === ts.DiagnosticCategory.Error).length;
  if (!typed.program) {
    return false;
  }

  console.log(`👾 eslint (no --fix, the type-check's program) | eslint --ext ${lint.extensions} ${lint.patterns.join(' ')}`);
  const eslint = new LegacyESLint({
    cwd: root,
    extensions: lint.extensions,
    errorOnUnmatchedPattern: lint.errorOnUnmatchedPattern,
    overrideConfig: { parserOptions: { programs: [typed.program] } },
  });
  const results = await eslint.lintFiles(lint.patterns);
  const formatter = await eslint.loadFormatter('stylish');
  const report = await formatter.format(results);
  if (report) {
    console.log(report);
  }
  const lintErrors = results.reduce((sum, result) => sum + result.errorCount, 0);
  if (typeErrors > 0 || lintErrors > 0) {
    console.error(`typecheck-and-lint: ${typeErrors} type error(s), ${lintErrors} eslint error(s)`);
    return false;
  }
  return true;
}

main().then(ok => process.exit(ok ? 0 : 1), error => {
  console.error(error);
  process.exit(1);
});
