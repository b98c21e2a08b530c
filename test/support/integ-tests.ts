import type { App, Stack } from 'aws-cdk-lib/core';

// @aws-cdk/integ-tests-alpha's IntegTest and ExpectedResult, typed by the use the integ apps (test/integ.*.ts) make of
// them. Its own declarations import aws-cdk-lib's root module, which would make the type-check and eslint parse every
// aws-cdk-lib module's declarations (44 MB of the 66 MB they read); integ-apps.test.ts synthesizes both apps with the
// real module, and integ-runner deploys them.

/** An assertion's expected result. */
export interface ExpectedResultLike {
  readonly result: string;
}

interface AwsApiCallLike {
  expect(expected: ExpectedResultLike): void;
}

interface IntegTestLike {
  readonly assertions: {
    awsApiCall(service: string, api: string, parameters?: Record<string, unknown>): AwsApiCallLike;
  };
}

interface IntegTestsAlpha {
  readonly IntegTest: new (scope: App, id: string, props: { readonly testCases: Stack[]; readonly assertionStack?: Stack }) => IntegTestLike;
  readonly ExpectedResult: { objectLike(expected: Record<string, unknown>): ExpectedResultLike };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { IntegTest, ExpectedResult } = require('@aws-cdk/integ-tests-alpha') as IntegTestsAlpha;
