// Runs in each test file's sandbox before its tests (jest setupFilesAfterEnv, set in .projenrc.ts).
//
// aws-cdk-lib validates every template against CloudFormation's schemas on each App synthesis (a WebAssembly engine
// built anew per synthesis). It only prints what it finds (as warnings, unless a feature flag makes them errors) and
// never fails a synthesis here, and it was most of the CPU time of the suite (see BENCHMARKS.md, Test loop). The
// templates users deploy are linted instead by cfn-lint (cfn-lint.test.ts: every example app, every integ app's
// snapshot and an app with each kind of resource the library writes), whose findings fail the test; the integ apps
// are validated again by aws-cdk-lib when integ-runner synthesizes them to deploy. CDK_VALIDATION set in the
// environment (true or false) is left as it is.
if (process.env.CDK_VALIDATION === undefined) {
  process.env.CDK_VALIDATION = 'false';
}
