import { Stage } from 'aws-cdk-lib/core';
import { IConstruct } from 'constructs';
import { isStageSynthesized } from '../cdk-internals/cdk-internals';

/**
 * Throws when the construct's stage was already synthesized: what is added to it now would never reach its template.
 * CDK Pipelines' `addStage` synthesizes a stage at once, so a grant made afterwards, in another stage, would be lost
 * without a word. `adding` says what was being added (only asked for when it throws: grants make this check often).
 */
export function assertNotSynthesized(construct: IConstruct, adding: () => string): void {
  if (!isStageSynthesized(construct)) {
    return;
  }
  throw new Error(
    `cdk-anyscale-ecr-access cannot add ${adding()}: ${stageName(construct)} was already ` +
    'synthesized (CDK Pipelines synthesizes a stage when pipeline.addStage(...) is called), so its templates would not ' +
    'have it. Create the grant before the stage is synthesized (before adding that stage to the pipeline, or inside ' +
    'that stage).',
  );
}

/** The construct's stage as messages name it: `stage <path>`, or `the app` for a construct outside any stage of its own. */
export function stageName(construct: IConstruct): string {
  const stage = Stage.of(construct);
  return stage?.node.path ? `stage ${stage.node.path}` : 'the app';
}
