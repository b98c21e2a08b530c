// Runs in each test file's sandbox before its tests (jest setupFilesAfterEnv, set in .projenrc.ts).
//
// aws-cdk-lib validates every template against CloudFormation's schemas on each App synthesis (a WebAssembly engine
// built anew per synthesis). In tests it only prints what it finds and never fails a synthesis, and it was more than
// half of the CPU time of the suite (see BENCHMARKS.md, Test loop). It stays on for the apps that are deployed as
// they are, the examples and the integ apps; the unit tests synthesize without it. CDK_VALIDATION set in the
// environment (true or false) is left as it is.
const VALIDATED = /[\\/]test[\\/](examples|integ-apps)\.test\.ts$/;

if (process.env.CDK_VALIDATION === undefined && !VALIDATED.test(expect.getState().testPath ?? '')) {
  process.env.CDK_VALIDATION = 'false';
}
