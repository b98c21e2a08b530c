import type { IPolicyValidationPlugin } from 'aws-cdk-lib/core';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag's AwsSolutionsChecks (the tests' oracle for cdk-nag 3), typed by the one use the tests make of it: a
 * validation plugin built on a scope. cdk-nag's own declarations import aws-cdk-lib's root module, which would make the
 * type-check and eslint parse every aws-cdk-lib module's declarations (44 MB of the 66 MB they read).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const AwsSolutionsChecks: new (scope?: IConstruct) => IPolicyValidationPlugin = require('cdk-nag').AwsSolutionsChecks;
