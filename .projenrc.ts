import { awscdk, javascript } from 'projen';
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
  github: false,

  // aws-cdk-lib is a peer dependency with a deliberate floor: the version every test runs against.
  cdkVersion: '2.276.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  minNodeVersion: '20.0.0',

  // Sources live in lib/, so the compiled JavaScript must go elsewhere, and the package must ship it.
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
    'aws-sdk-client-mock',
    '@types/aws-lambda',
    'esbuild',
  ],

  jestOptions: {
    updateSnapshot: UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      coverageReporters: ['text-summary', 'lcov'],
      collectCoverageFrom: ['lib/**/*.ts'],
    },
    extraCliOptions: ['--json', '--outputFile=test-reports/jest-results.json'],
  },
  // ts-jest runs with isolatedModules, which does not type-check: a tsc --noEmit step does.
  typecheckTests: true,
});

// With srcdir 'lib' projen ignores 'dist' in .npmignore, which would publish a package with no JavaScript.
project.npmignore?.removePatterns('dist');
project.npmignore?.addPatterns('/dist/**/*.ts', '!/dist/**/*.d.ts', '/examples/', '/scripts/', '/artifacts/', '/cdk.out/');
project.gitignore.addPatterns('/cdk.out/', '/artifacts/', '*.tgz');

// jsii prints an end-of-life banner on Node 20, which this project still supports.
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');

// The tests include a check of the packed tarball, which needs the compiled package.
project.testTask.prependSpawn(project.compileTask);
// Calling a deprecated aws-cdk-lib API fails the tests instead of printing a warning.
project.testTask.env('JSII_DEPRECATED', 'fail');

// scripts/ (example synthesis, tooling) is type-checked and linted with the tests.
project.tsconfigDev.addInclude('../scripts/**/*.ts');
project.eslint?.addLintPattern('scripts');

project.addTask('examples', {
  description: 'Synthesize every app in examples/ to CloudFormation under cdk.out/<example>/',
  exec: 'ts-node --project examples/tsconfig.json scripts/synth-examples.ts',
});

project.addTask('bench', {
  description: 'Benchmark synth time and policy sizes; prints a table (see BENCHMARKS.md)',
  exec: 'node --expose-gc -r ts-node/register scripts/bench.ts',
  env: { TS_NODE_PROJECT: 'scripts/tsconfig.json' },
});

project.synth();
