#!/usr/bin/env node
// Prints 'tests: N passed, M failed' from a jest --json result file; exits 1 when a test failed, when a
// suite failed to run, or when no test ran.
const fs = require('fs');

const file = process.argv[2];
if (!file || !fs.existsSync(file)) {
  console.error(`no jest result at ${file}: the tests did not run`);
  console.log('tests: 0 passed, 0 failed');
  process.exit(1);
}
const result = JSON.parse(fs.readFileSync(file, 'utf8'));
const failed = result.numFailedTests + result.numRuntimeErrorTestSuites;
console.log(`tests: ${result.numPassedTests} passed, ${failed} failed`);
process.exit(failed > 0 || result.numTotalTests === 0 ? 1 : 0);
