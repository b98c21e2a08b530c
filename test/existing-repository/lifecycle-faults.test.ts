import * as ecr from 'aws-cdk-lib/aws-ecr';
import { App, CfnParameter } from 'aws-cdk-lib/core';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { AnyscaleEcrAccess, AnyscaleNodeRole, ExistingRepositoryPolicy } from '../../lib';
import { STATEMENT_RESOURCE_TYPE } from '../../lib/private/existing-repository/contract';
import { CloudFormation, noResponseReason } from '../support/cloudformation';
import { FakeEcr } from '../support/fake-ecr';
import { handlerFor, ManualClock, testTiming } from '../support/handler';
import { registryStack, roleArn, template } from '../support/registry-app';
import { NODE_ACCOUNT, REGION, REGISTRY_ACCOUNT, stackIn } from '../support/stacks';

// Templates synthesized from real apps, driven through the CloudFormation model with the faults CloudFormation and
// Lambda add: cleanup Deletes under long throttling (whose failures CloudFormation only logs), response PUTs that fail
// (CloudFormation then waits for the service timeout, and Lambda retries the invocation unless the function says
// otherwise), and partitions whose DNS suffix is not amazonaws.com. Each ends with the repository as the stack is.

const FOREIGN = { Sid: 'CiPush', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${REGISTRY_ACCOUNT}:role/ci` }, Action: 'ecr:PutImage' };
const ORIGINAL = JSON.stringify({ Version: '2012-10-17', Statement: [FOREIGN] });
/** What the Lambda entry point gives the handler: 5 minutes less the 30 s it keeps to answer. */
const DEADLINE_MS = 270_000;

interface Faults {
  /** Runs before each invocation: `attempt` 1, then 2 and 3 for Lambda's retries of the same event. */
  readonly beforeInvocation?: (event: CloudFormationCustomResourceEvent, attempt: number) => void;
  /** The response PUT of this invocation fails. */
  readonly loseResponse?: (event: CloudFormationCustomResourceEvent, attempt: number) => boolean;
}

function world(faults: Faults = {}, env = { partition: 'aws', region: REGION, account: REGISTRY_ACCOUNT }) {
  const clock = new ManualClock();
  const registry = new FakeEcr(clock).withRepository('images', ORIGINAL).withRepository('models', ORIGINAL);
  const errors: string[] = [];
  const cloudformation = new CloudFormation({
    invoke: handlerFor(registry, { timing: () => testTiming(clock, { deadline: clock.time + DEADLINE_MS }), errors, ...faults }),
    env,
    resourceTypes: [STATEMENT_RESOURCE_TYPE],
  });
  const pullers = (name: string) => [registry.policy(name)?.Statement ?? []].flat()
    .filter((s: any) => s.Sid.startsWith('AnyscaleEcrPull'))
    .map((s: any) => [s.Principal.AWS].flat().join(','));
  return { clock, registry, cloudformation, errors, pullers };
}

/** The custom resource events sent so far: request type, repository, and how often Lambda invoked the function. */
const sent = (cloudformation: CloudFormation) => cloudformation.log.map(({ event, invocations }) =>
  [event.RequestType, event.ResourceProperties.RepositoryName, invocations]);

describe('revocation in the cleanup phase', () => {
  const removeModels = async (throttleMs: number) => {
    const w = world();
    await w.cloudformation.deploy('Registry', template(registryStack(new App(), 'Registry', { account: REGISTRY_ACCOUNT, repositories: ['images', 'models'] })));
    expect(w.pullers('models')).toEqual([roleArn('cld_abc')]);
    // ECR throttles every call for `throttleMs` from the update on
    w.registry.throttleUntil(w.clock.time + throttleMs);
    const result = await w.cloudformation.deploy('Registry', template(registryStack(new App(), 'Registry', { account: REGISTRY_ACCOUNT, repositories: ['images'] })));
    return { ...w, result };
  };

  test('a repository removed from the stack under 60 s of throttling loses its statement: the cleanup Delete keeps trying', async () => {
    const { result, registry, pullers, errors } = await removeModels(60_000);
    expect(result).toMatchObject({ status: 'UPDATE_COMPLETE', cleanupFailures: [] });
    expect(registry.repositories.get('models')).toBe(ORIGINAL);
    expect(pullers('images')).toEqual([roleArn('cld_abc')]);
    expect(errors).toEqual([]);
  });

  test('the limit: throttling past the function\'s deadline leaves the statement, CloudFormation only logs the failure, and the ERROR line names it', async () => {
    const { result, registry, errors } = await removeModels(10 * 60_000);
    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(result.cleanupFailures).toEqual([expect.stringMatching(/: Could not remove statement AnyscaleEcrPull[0-9A-F]{24} in the policy of repository models: out of time/)]);
    const [leftover] = registry.policy('models').Statement.filter((s: any) => s.Sid !== 'CiPush');
    expect(errors).toEqual([expect.stringMatching(`^LEFTOVER STATEMENT: the statement with Sid ${leftover.Sid} stays in the policy of repository models `)]);
  });
});

describe('a response PUT that fails, with the function as the construct configures it (no Lambda retries)', () => {
  test('a Create whose answer is lost times out; the rollback Delete (with an id CloudFormation made up) removes what it wrote', async () => {
    // GIVEN the first invocation of the Create writes and its PUT fails; a retry of it, if any, would be throttled
    const { cloudformation, registry } = world({
      loseResponse: (event, attempt) => event.RequestType === 'Create' && attempt === 1,
      beforeInvocation: (_event, attempt) => attempt > 1 && registry.throttleUntil(Infinity),
    });
    // WHEN
    const result = await cloudformation.deploy('Registry', template(registryStack(new App(), 'Registry', { account: REGISTRY_ACCOUNT })));
    // THEN Lambda did not retry, CloudFormation gave up on the Create and rolled back, and the repository is as before
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failures).toEqual([expect.stringContaining(noResponseReason(cloudformation.log[0].event.RequestId))]);
    expect(sent(cloudformation)).toEqual([['Create', 'images', 1], ['Delete', 'images', 1]]);
    expect(cloudformation.log[1].event).toMatchObject({ PhysicalResourceId: expect.stringMatching(/^Registry-AnyscaleEcrExistingPolicy/) });
    expect(registry.repositories.get('images')).toBe(ORIGINAL);
  });

  test('a move whose answer is lost is rolled back, and the rollback Update removes the statement the move left', async () => {
    // GIVEN a grant whose repository is a parameter, moved from images to models, whose answer is lost
    const { cloudformation, registry, pullers } = world({
      loseResponse: (event, attempt) => event.RequestType === 'Update' && event.ResourceProperties.RepositoryName === 'models' && attempt === 1,
      beforeInvocation: (_event, attempt) => attempt > 1 && registry.throttleUntil(Infinity),
    });
    await cloudformation.deploy('Registry', { ...parameterStack(), parameters: { RepositoryName: 'images' } });
    // WHEN
    const result = await cloudformation.deploy('Registry', { ...parameterStack(), parameters: { RepositoryName: 'models' } });
    // THEN
    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(sent(cloudformation)).toEqual([['Create', 'images', 1], ['Update', 'models', 1], ['Update', 'images', 1]]);
    expect(pullers('images')).toEqual([roleArn('cld_abc')]);
    expect(registry.repositories.get('models')).toBe(ORIGINAL);
  });
});

describe('a response PUT that fails, with Lambda retrying (a function without the construct\'s retry setting)', () => {
  const withoutRetrySetting = (t: { template: any; parameters?: Record<string, string> }) => {
    const copy = structuredClone(t);
    for (const [id, resource] of Object.entries<any>(copy.template.Resources)) {
      if (resource.Type === 'AWS::Lambda::EventInvokeConfig') {
        delete copy.template.Resources[id];
      }
    }
    return copy;
  };

  test('a Create written by the first invocation and answered "nothing written" by the throttled retry: the rollback Delete removes it', async () => {
    const { cloudformation, registry, clock } = world({
      loseResponse: (event, attempt) => event.RequestType === 'Create' && attempt === 1,
      beforeInvocation: (_event, attempt) => attempt === 2 && registry.throttleUntil(clock.time + 30_000),
    });
    const result = await cloudformation.deploy('Registry', withoutRetrySetting(template(registryStack(new App(), 'Registry', { account: REGISTRY_ACCOUNT }))));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(sent(cloudformation)).toEqual([['Create', 'images', 2], ['Delete', 'images', 1]]);
    expect(cloudformation.log[0].response.PhysicalResourceId).toMatch(/^nothing-written:/);
    expect(registry.repositories.get('images')).toBe(ORIGINAL);
  });

  test('a move written by the first invocation and failed by the throttled retry: the retry removes the statement it did not write', async () => {
    const { cloudformation, registry, pullers, clock } = world({
      loseResponse: (event, attempt) => event.RequestType === 'Update' && event.ResourceProperties.RepositoryName === 'models' && attempt === 1,
      beforeInvocation: (_event, attempt) => attempt === 2 && registry.throttleUntil(clock.time + 30_000),
    });
    await cloudformation.deploy('Registry', withoutRetrySetting({ ...parameterStack(), parameters: { RepositoryName: 'images' } }));
    const result = await cloudformation.deploy('Registry', withoutRetrySetting({ ...parameterStack(), parameters: { RepositoryName: 'models' } }));
    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(sent(cloudformation)).toEqual([['Create', 'images', 1], ['Update', 'models', 2], ['Update', 'images', 1]]);
    expect(pullers('images')).toEqual([roleArn('cld_abc')]);
    expect(registry.repositories.get('models')).toBe(ORIGINAL);
  });
});

test('a registry stack in eusc-de-east-1 (DNS suffix amazonaws.eu) is created, answered and deleted', async () => {
  // GIVEN
  const { cloudformation, registry, pullers } = world({}, { partition: 'aws-eusc', region: 'eusc-de-east-1', account: REGISTRY_ACCOUNT });
  const stack = registryStack(new App(), 'Registry', { account: REGISTRY_ACCOUNT, region: 'eusc-de-east-1' });
  // WHEN
  const created = await cloudformation.deploy('Registry', template(stack));
  // THEN
  expect(created.status).toBe('CREATE_COMPLETE');
  expect(cloudformation.log[0].event.ResponseURL).toMatch(/^https:\/\/cloudformation-custom-resource-response-euscdeeast1\.s3\.amazonaws\.eu\//);
  expect(pullers('images')).toEqual([roleArn('cld_abc', NODE_ACCOUNT, 'aws-eusc')]);
  expect((await cloudformation.deleteStack('Registry')).status).toBe('DELETE_COMPLETE');
  expect(registry.repositories.get('images')).toBe(ORIGINAL);
});

/** A registry stack whose repository is a parameter: changing its value moves the grant (an Update, not a replacement). */
function parameterStack() {
  const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
  const name = new CfnParameter(stack, 'RepositoryName', { default: 'images' });
  const role = AnyscaleNodeRole.fromCloudId(stack, 'Role', 'cld_abc', { account: NODE_ACCOUNT });
  new AnyscaleEcrAccess(stack, 'Access', {
    role,
    repositories: [ecr.Repository.fromRepositoryName(stack, 'Images', name.valueAsString)],
    existingRepositoryPolicy: ExistingRepositoryPolicy.MERGE,
  });
  return template(stack);
}
