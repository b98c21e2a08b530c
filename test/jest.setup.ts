// Runs in each test file's sandbox before its tests (jest setupFilesAfterEnv, set in .projenrc.ts).
//
// aws-cdk-lib validates every template against CloudFormation's schemas on each App synthesis (a WebAssembly engine
// built anew per synthesis). In tests it only prints what it finds and never fails a synthesis, and it was most of
// the CPU time of the suite (see BENCHMARKS.md, Test loop). It stays on for the examples, the apps users start
// from (about 1.3 s of CPU per app); the other files synthesize without it. The integ apps too: each is synthesized
// twice in integ-apps.test.ts (13 s of validation in all) and compared template by template with its committed
// snapshot, and aws-cdk-lib validates them again when integ-runner synthesizes them to deploy. CDK_VALIDATION set in the
// environment (true or false) is left as it is.
const VALIDATED = /[\\/]test[\\/]examples\.test\.ts$/;

if (process.env.CDK_VALIDATION === undefined && !VALIDATED.test(expect.getState().testPath ?? '')) {
  process.env.CDK_VALIDATION = 'false';
}
