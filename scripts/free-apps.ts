// Frees the apps a bench process synthesized, as if each synth had run in a process of its own (as `cdk synth` runs).
//
// aws-cdk-lib never frees an app: two process-wide tables reach every app's constructs, its token map
// (global.__cdkTokenMap) and CfnReference's reference table (a static Map keyed by construct). Found with a heap
// snapshot's retainer path, 2026-12-03. The bench builds hundreds of apps, 3 to 8 MB each; without this, each synth
// would run on a heap grown by every app before it, and collections would slow it the more, the later it runs.
import * as path from 'path';

interface Tables {
  readonly strings: Map<string, unknown>;
  readonly numbers: Map<number, unknown>;
  readonly references: Map<unknown, unknown>;
}

interface Kept {
  readonly strings: Set<string>;
  readonly numbers: Set<number>;
  readonly references: Set<unknown>;
}

let kept: Kept | undefined;

function tables(): Tables {
  const root = path.dirname(require.resolve('aws-cdk-lib/package.json'));
  const tokenMap = (globalThis as { __cdkTokenMap?: { stringTokenMap?: unknown; numberTokenMap?: unknown } }).__cdkTokenMap;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const references = require(path.join(root, 'core', 'lib', 'private', 'cfn-reference.js')).CfnReference?.referenceTable;
  if (!(tokenMap?.stringTokenMap instanceof Map) || !(tokenMap.numberTokenMap instanceof Map) || !(references instanceof Map)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    throw new Error(`bench: aws-cdk-lib ${require(path.join(root, 'package.json')).version} no longer keeps its tokens in ` +
      'global.__cdkTokenMap and its references in CfnReference.referenceTable (or no app was synthesized yet): update ' +
      'scripts/free-apps.ts.');
  }
  return { strings: tokenMap.stringTokenMap, numbers: tokenMap.numberTokenMap as Map<number, unknown>, references };
}

/**
 * Keeps what the tables hold now: the tokens of aws-cdk-lib's own modules, registered on their first use. Call it once,
 * after a synth of every kind of app the bench builds. A module's token first used later would be dropped, and its next
 * use would throw aws-cdk-lib's "Unrecognized token key": the bench fails, it does not measure something else.
 */
export function keepTokensSoFar(): void {
  const now = tables();
  kept = { strings: new Set(now.strings.keys()), numbers: new Set(now.numbers.keys()), references: new Set(now.references.keys()) };
}

/** Drops what the tables gained since keepTokensSoFar, so that every app built since can be collected. */
export function freeApps(): void {
  if (!kept) {
    throw new Error('bench: call keepTokensSoFar() after the warm-up synths, before freeApps().');
  }
  const now = tables();
  const drop = <K>(table: Map<K, unknown>, keep: Set<K>) => [...table.keys()].filter(key => !keep.has(key)).forEach(key => table.delete(key));
  drop(now.strings, kept.strings);
  drop(now.numbers, kept.numbers);
  drop(now.references, kept.references);
}
