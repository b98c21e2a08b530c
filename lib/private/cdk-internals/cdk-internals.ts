import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as iam from 'aws-cdk-lib/aws-iam';
import { App, CfnResource, Stack, Stage } from 'aws-cdk-lib/core';
import { IConstruct } from 'constructs';

/**
 * The aws-cdk-lib internals this library relies on where aws-cdk-lib has no public API, each checked against a small
 * app of known behaviour before it is first used: with an aws-cdk-lib whose internals changed, the library throws
 * rather than fall back to something that writes more (an immutable role that would get a policy, an override that
 * would go unseen).
 *
 * - `ImmutableRole` (returned by `Role.fromRoleArn` with `mutable: false` and by `Role.withoutPolicyUpdates()`) is not
 *   exported: it is recognised by its fields `role` and `addGrantsToResources`.
 * - `CfnResource.rawOverrides` holds what `addOverride`, `addPropertyOverride` and their deletions set, and
 *   `CfnResource._toCloudFormation()` renders a resource with them applied.
 * - `Stage.assembly` is the cloud assembly that `Stage.synth()` keeps once a stage is synthesized.
 */
export interface Internals {
  isImmutableRole(role: iam.IRole): boolean;
  hasRawOverrides(resource: CfnResource): boolean;
  renderedProperties(resource: CfnResource): Record<string, unknown> | undefined;
  isSynthesized(stage: Stage): boolean;
}

export const INTERNALS: Internals = {
  isImmutableRole: role => 'addGrantsToResources' in role && 'role' in role,
  hasRawOverrides: resource => Object.keys((resource as unknown as { rawOverrides?: object }).rawOverrides ?? {}).length > 0,
  renderedProperties: resource => {
    const rendered = (resource as unknown as { _toCloudFormation(): unknown })._toCloudFormation();
    const resources = (Stack.of(resource).resolve(rendered) as { Resources: Record<string, { Properties?: Record<string, unknown> }> }).Resources;
    return resources[Stack.of(resource).resolve(resource.logicalId) as string].Properties;
  },
  isSynthesized: stage => (stage as unknown as { assembly?: unknown }).assembly !== undefined,
};

/** Checks each internal against an app whose answers are known; the reasons it does not behave as expected. */
export function checkInternals(internals: Internals = INTERNALS): string[] {
  const failures: string[] = [];
  const expect = (what: string, check: () => boolean) => {
    try {
      if (!check()) {
        failures.push(what);
      }
    } catch (e) {
      failures.push(`${what} (${(e as Error).message})`);
    }
  };
  // Stage.synth() writes a cloud assembly: the probe's goes to a folder of its own, removed afterwards.
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-anyscale-ecr-access-probe-'));
  try {
    probe(internals, outdir, expect);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  return failures;
}

function probe(internals: Internals, outdir: string, expect: (what: string, check: () => boolean) => void): void {
  // Run by the CDK CLI (CDK_OUTDIR set), an App synthesizes itself again when the process ends unless told not to: by
  // then the probe's folder is gone, and the user's app would end with an error.
  const app = new App({ outdir, autoSynth: false });
  const stack = new Stack(app, 'Probe');
  const owned = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  const arn = 'arn:aws:iam::111111111111:role/probe';
  expect('an ImmutableRole from Role.fromRoleArn(..., { mutable: false }) is recognised',
    () => internals.isImmutableRole(iam.Role.fromRoleArn(stack, 'Immutable', arn, { mutable: false })));
  expect('an ImmutableRole from Role.withoutPolicyUpdates() is recognised', () => internals.isImmutableRole(owned.withoutPolicyUpdates()));
  expect('a mutable imported role is not taken for an ImmutableRole', () => !internals.isImmutableRole(iam.Role.fromRoleArn(stack, 'Mutable', arn)));
  expect('a Role is not taken for an ImmutableRole', () => !internals.isImmutableRole(owned));

  const plain = new CfnResource(stack, 'Plain', { type: 'Probe::Resource', properties: { Kept: 'yes' } });
  const overridden = new CfnResource(stack, 'Overridden', { type: 'Probe::Resource', properties: { Kept: 'yes', Dropped: 'yes' } });
  overridden.addPropertyOverride('Added.Nested', 'yes');
  overridden.addPropertyDeletionOverride('Dropped');
  expect('a resource without overrides has no raw overrides', () => !internals.hasRawOverrides(plain));
  expect('addPropertyOverride is seen as a raw override', () => internals.hasRawOverrides(overridden));
  expect('a resource renders with its overrides applied', () =>
    JSON.stringify(internals.renderedProperties(overridden)) === JSON.stringify({ Kept: 'yes', Added: { Nested: 'yes' } }));

  const stage = new Stage(app, 'ProbeStage');
  new Stack(stage, 'Empty');
  expect('a stage is not synthesized before Stage.synth()', () => !internals.isSynthesized(stage));
  stage.synth();
  expect('a stage is synthesized after Stage.synth()', () => internals.isSynthesized(stage));
}

let checked = false;

/** The internals, once they have passed their check in this process; throws otherwise. */
function checkedInternals(): Internals {
  if (!checked) {
    const failures = checkInternals();
    if (failures.length > 0) {
      throw unsupported(failures);
    }
    checked = true;
  }
  return INTERNALS;
}

/** The error for an aws-cdk-lib whose internals do not behave as this library needs. */
export function unsupported(failures: string[]): Error {
  return new Error(
    'This aws-cdk-lib version is not supported by cdk-anyscale-ecr-access: it relies on aws-cdk-lib internals that ' +
    `no longer behave as expected (${failures.join('; ')}). Use the aws-cdk-lib version this release was tested with, ` +
    'or a newer release of cdk-anyscale-ecr-access.',
  );
}

/**
 * Whether the role ignores the policies attached to it: CDK's `ImmutableRole` wrapper, returned by `fromRoleArn` with
 * `mutable: false` (or for a role of another account, which has its own warning) and by `Role.withoutPolicyUpdates()`.
 */
export function isImmutableRole(role: iam.IRole): boolean {
  return checkedInternals().isImmutableRole(role);
}

/** Whether the resource has raw overrides (`addOverride`, `addPropertyOverride`, deletions), applied after its properties. */
export function hasRawOverrides(resource: CfnResource): boolean {
  return checkedInternals().hasRawOverrides(resource);
}

/** The resource's properties as synthesis writes them, resolved, overrides included. */
export function renderedProperties(resource: CfnResource): Record<string, unknown> | undefined {
  return checkedInternals().renderedProperties(resource);
}

/** Whether the construct's stage was synthesized already (what is added to it now would never reach its templates). */
export function isStageSynthesized(construct: IConstruct): boolean {
  const stage = Stage.of(construct);
  return stage !== undefined && checkedInternals().isSynthesized(stage);
}
