import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import * as fc from 'fast-check';
import { FakeEcr, instantBackoff } from './fake-ecr';
import { applyEvent, MergeProperties } from '../../lib/existing-repository/merge-policy.lambda';
import { ECR_PULL_ACTIONS } from '../../lib/pull-actions';

const SID = 'AnyscaleEcrPullRegistry';
const event = { ServiceToken: 'token', ResponseURL: 'https://x', StackId: 'stack', RequestId: 'r', LogicalResourceId: 'L', ResourceType: 'Custom::X' };

const account = fc.stringMatching(/^[0-9]{12}$/);
const roleArn = fc.tuple(account, fc.stringMatching(/^[A-Za-z0-9+=,.@_-]{1,20}$/)).map(([a, name]) => `arn:aws:iam::${a}:role/${name}`);
const principal = fc.oneof(
  roleArn,
  fc.array(roleArn, { minLength: 1, maxLength: 4 }),
  fc.constant('*'),
  account.map(a => `arn:aws:iam::${a}:root`),
).map(aws => ({ AWS: aws }));
const action = fc.constantFrom('ecr:PutImage', 'ecr:BatchGetImage', 'ecr:ListImages', 'ecr:*', 'ecr:DeleteRepository');
const condition = fc.option(fc.record({ StringEquals: fc.dictionary(fc.constantFrom('aws:PrincipalOrgID', 'aws:SourceVpce', 'aws:PrincipalTag/team'), fc.string({ maxLength: 12 })) }), { nil: undefined });
/** A statement someone else wrote: any Sid but ours (or none), string or list principals, maybe a condition. */
const foreignStatement = fc.record({
  Sid: fc.option(fc.stringMatching(/^[A-Za-z0-9]{1,16}$/).filter(sid => sid !== SID), { nil: undefined }),
  Effect: fc.constantFrom('Allow', 'Deny'),
  Principal: principal,
  Action: fc.oneof(action, fc.array(action, { minLength: 1, maxLength: 3 })),
  Condition: condition,
}).map(statement => JSON.parse(JSON.stringify(statement)));
const existingPolicy = fc.option(
  fc.record({ Version: fc.constantFrom('2012-10-17', '2008-10-17'), Statement: fc.array(foreignStatement, { maxLength: 30 }) }),
  { nil: undefined },
);
const principals = fc.uniqueArray(roleArn, { minLength: 1, maxLength: 5 });

const properties = (p: string[]): MergeProperties => ({ RepositoryName: 'images', Sid: SID, Principals: p, Actions: [...ECR_PULL_ACTIONS] });
const ours = (ecr: FakeEcr) => (ecr.policy('images')?.Statement ?? []).filter((s: any) => s.Sid === SID);
const theirs = (ecr: FakeEcr) => (ecr.policy('images')?.Statement ?? []).filter((s: any) => s.Sid !== SID);

test('create → update → delete keeps every foreign statement exactly, and ours exactly between create and delete', async () => {
  await fc.assert(fc.asyncProperty(existingPolicy, principals, principals, async (policy, first, second) => {
    // GIVEN a repository with a random policy, or none
    const ecr = new FakeEcr().withRepository('images', policy);
    const foreign = policy?.Statement ?? [];

    // WHEN created
    await applyEvent({ ...event, RequestType: 'Create', ResourceProperties: { ...properties(first) } } as unknown as CloudFormationCustomResourceEvent, ecr.client, instantBackoff());
    // THEN ours is there once with the first principals; theirs are unchanged and in order
    expect(ours(ecr)).toEqual([{ Sid: SID, Effect: 'Allow', Principal: { AWS: first }, Action: ECR_PULL_ACTIONS }]);
    expect(theirs(ecr)).toEqual(foreign);

    // WHEN updated with other principals
    await applyEvent({
      ...event,
      RequestType: 'Update',
      PhysicalResourceId: `images:${SID}`,
      ResourceProperties: { ...properties(second) },
      OldResourceProperties: { ...properties(first) },
    } as unknown as CloudFormationCustomResourceEvent, ecr.client, instantBackoff());
    expect(ours(ecr)).toEqual([{ Sid: SID, Effect: 'Allow', Principal: { AWS: second }, Action: ECR_PULL_ACTIONS }]);
    expect(theirs(ecr)).toEqual(foreign);

    // WHEN deleted
    await applyEvent({ ...event, RequestType: 'Delete', PhysicalResourceId: `images:${SID}`, ResourceProperties: { ...properties(second) } } as unknown as CloudFormationCustomResourceEvent, ecr.client, instantBackoff());
    // THEN ours is gone, theirs are as they were, and an empty policy was deleted rather than left behind
    expect(ours(ecr)).toEqual([]);
    expect(theirs(ecr)).toEqual(foreign);
    expect(ecr.repositories.get('images') === undefined).toBe(foreign.length === 0);
    if (policy && foreign.length > 0) {
      expect(ecr.policy('images').Version).toBe(policy.Version);
    }
  }), { numRuns: 100 });
});
