import * as ecr from 'aws-cdk-lib/aws-ecr';
import { App, CfnParameter, NestedStack } from 'aws-cdk-lib/core';
import { AnyscaleEcrAccess, AnyscaleNodeRole, ExistingRepositoryPolicy } from '../../lib';
import { STATEMENT_RESOURCE_TYPE } from '../../lib/private/existing-repository/contract';
import { CloudFormation } from '../support/cloudformation';
import { FakeEcr } from '../support/fake-ecr';
import { handlerFor, pullStatement } from '../support/handler';
import { registryStack, roleArn, template } from '../support/registry-app';
import { NODE_ACCOUNT, REGION, REGISTRY_ACCOUNT, stackIn, THIRD_ACCOUNT } from '../support/stacks';

// The real handler driven by CloudFormation's events, in CloudFormation's order, for templates synthesized from
// real apps: replacements with their cleanup, rollbacks, stacks that share a repository, nested stacks.

const MERGE = { existingRepositoryPolicy: ExistingRepositoryPolicy.MERGE };
const FOREIGN = { Sid: 'CiPush', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${REGISTRY_ACCOUNT}:role/ci` }, Action: 'ecr:PutImage' };

function world() {
  const registry = new FakeEcr()
    .withRepository('images', { Version: '2012-10-17', Statement: [FOREIGN] })
    .withRepository('models');
  const cloudformation = new CloudFormation({
    invoke: handlerFor(registry),
    env: { partition: 'aws', region: REGION, account: REGISTRY_ACCOUNT },
    resourceTypes: [STATEMENT_RESOURCE_TYPE],
  });
  const pullers = (name: string) => [registry.policy(name)?.Statement ?? []].flat()
    .filter((s: any) => s.Sid.startsWith('AnyscaleEcrPull'))
    .map((s: any) => [s.Principal.AWS].flat().join(','));
  return { registry, cloudformation, pullers };
}

describe('replacements and moves', () => {
  test('giving an environment-agnostic registry stack an explicit env, and importing by ARN instead of by name, keeps the grant', async () => {
    const { cloudformation, pullers } = world();
    // GIVEN the stack deployed without an env, importing by name
    expect((await cloudformation.deploy('Registry', template(registryStack(new App(), 'Registry')))).status).toBe('CREATE_COMPLETE');
    // WHEN it is given an env, and then imports by ARN
    expect((await cloudformation.deploy('Registry', template(registryStack(new App(), 'Registry', { account: REGISTRY_ACCOUNT }))))).toMatchObject({ status: 'UPDATE_COMPLETE', cleanupFailures: [] });
    expect((await cloudformation.deploy('Registry', template(registryStack(new App(), 'Registry', { account: REGISTRY_ACCOUNT, byArn: true }))))).toMatchObject({ status: 'UPDATE_COMPLETE', cleanupFailures: [] });
    // THEN the nodes can still pull
    expect(pullers('images')).toEqual([roleArn('cld_abc')]);
  });

  test('a replacement (the custom resource under a new logical id): the new statement is written, and the cleanup Delete of the old one does not touch it', async () => {
    // GIVEN
    const { cloudformation, pullers, registry } = world();
    const before = template(registryStack(new App(), 'Registry', { account: REGISTRY_ACCOUNT }));
    await cloudformation.deploy('Registry', before);
    // WHEN the same template is deployed with the custom resource renamed (as a refactoring or a library upgrade does)
    const after = structuredClone(before.template);
    const [logicalId] = Object.keys(after.Resources).filter(id => after.Resources[id].Type === STATEMENT_RESOURCE_TYPE);
    after.Resources[`${logicalId}Renamed`] = after.Resources[logicalId];
    delete after.Resources[logicalId];
    const result = await cloudformation.deploy('Registry', { template: after });
    // THEN CloudFormation created the new resource, then deleted the old one in cleanup, and the grant holds
    expect(result).toMatchObject({ status: 'UPDATE_COMPLETE', cleanupFailures: [] });
    expect(cloudformation.log.slice(-2).map(({ event }) => event.RequestType)).toEqual(['Create', 'Delete']);
    expect(pullers('images')).toEqual([roleArn('cld_abc')]);
    expect(registry.policy('images').Statement[0]).toEqual(FOREIGN);
  });

  test('a repository removed from the stack loses its statement in the cleanup, though the function no longer lists it', async () => {
    const { cloudformation, pullers, registry } = world();
    await cloudformation.deploy('Registry', template(registryStack(new App(), 'Registry', { account: REGISTRY_ACCOUNT, repositories: ['images', 'models'] })));
    expect(pullers('models')).toEqual([roleArn('cld_abc')]);
    const result = await cloudformation.deploy('Registry', template(registryStack(new App(), 'Registry', { account: REGISTRY_ACCOUNT, repositories: ['images'] })));
    expect(result).toMatchObject({ status: 'UPDATE_COMPLETE', cleanupFailures: [] });
    expect(registry.policy('models')).toBeUndefined();
    expect(pullers('images')).toEqual([roleArn('cld_abc')]);
  });

  test('a cloud added and removed changes the principals in place', async () => {
    const { cloudformation, pullers } = world();
    await cloudformation.deploy('Registry', template(registryStack(new App(), 'Registry', { account: REGISTRY_ACCOUNT })));
    await cloudformation.deploy('Registry', template(registryStack(new App(), 'Registry', { account: REGISTRY_ACCOUNT, clouds: ['cld_abc', 'cld_xyz'] })));
    expect(pullers('images')).toEqual([[roleArn('cld_abc'), roleArn('cld_xyz')].join(',')]);
    await cloudformation.deploy('Registry', template(registryStack(new App(), 'Registry', { account: REGISTRY_ACCOUNT, clouds: ['cld_xyz'] })));
    expect(pullers('images')).toEqual([roleArn('cld_xyz')]);
  });
});

describe('stacks that share a repository', () => {
  test('stacks Registry-B and RegistryB keep separate statements: deleting one leaves the other\'s grant', async () => {
    // GIVEN two stacks whose names differ only by a hyphen, each granting its own cloud
    const { cloudformation, pullers, registry } = world();
    await cloudformation.deploy('Registry-B', template(registryStack(new App(), 'Registry-B', { account: REGISTRY_ACCOUNT, clouds: ['cld_one'] })));
    await cloudformation.deploy('RegistryB', template(registryStack(new App(), 'RegistryB', { account: REGISTRY_ACCOUNT, clouds: ['cld_two'] })));
    expect(pullers('images').sort()).toEqual([roleArn('cld_one'), roleArn('cld_two')]);
    // WHEN
    expect((await cloudformation.deleteStack('Registry-B')).status).toBe('DELETE_COMPLETE');
    // THEN
    expect(pullers('images')).toEqual([roleArn('cld_two')]);
    expect(registry.policy('images').Statement[0]).toEqual(FOREIGN);
  });

  test('two nested stacks of one parent keep separate statements (each nested stack has its own stack id)', async () => {
    // GIVEN
    const { cloudformation, pullers } = world();
    const parent = stackIn(new App(), 'Parent', REGISTRY_ACCOUNT);
    const nested = ['One', 'Two'].map((id, i) => {
      const stack = new NestedStack(parent, id);
      const role = AnyscaleNodeRole.fromCloudId(stack, 'Role', `cld_${id.toLowerCase()}`, { account: i === 0 ? NODE_ACCOUNT : THIRD_ACCOUNT });
      new AnyscaleEcrAccess(stack, 'Access', { role, repositories: [ecr.Repository.fromRepositoryName(stack, 'Images', 'images')], ...MERGE });
      return stack;
    });
    // The logical ids inside the two nested templates are the same: only the stack ids tell them apart.
    const [one, two] = nested.map(stack => template(stack));
    expect(Object.keys(one.template.Resources).filter(id => id.startsWith('AnyscaleEcrExistingPolicy')))
      .toEqual(Object.keys(two.template.Resources).filter(id => id.startsWith('AnyscaleEcrExistingPolicy')));
    // WHEN both are deployed, then one is removed
    await cloudformation.deploy('Parent-One', one);
    await cloudformation.deploy('Parent-Two', two);
    expect(pullers('images').sort()).toEqual([roleArn('cld_one'), roleArn('cld_two', THIRD_ACCOUNT)]);
    await cloudformation.deleteStack('Parent-One');
    // THEN
    expect(pullers('images')).toEqual([roleArn('cld_two', THIRD_ACCOUNT)]);
  });

  test('one repository imported by name and by ARN in one stack: one custom resource, both roles, and deletion removes both', async () => {
    const { cloudformation, pullers, registry } = world();
    const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
    const first = AnyscaleNodeRole.fromCloudId(stack, 'First', 'cld_one', { account: NODE_ACCOUNT });
    const second = AnyscaleNodeRole.fromCloudId(stack, 'Second', 'cld_two', { account: NODE_ACCOUNT });
    new AnyscaleEcrAccess(stack, 'ByName', { role: first, repositories: [ecr.Repository.fromRepositoryName(stack, 'Name', 'images')], ...MERGE });
    new AnyscaleEcrAccess(stack, 'ByArn', {
      role: second,
      repositories: [ecr.Repository.fromRepositoryArn(stack, 'Arn', `arn:aws:ecr:${REGION}:${REGISTRY_ACCOUNT}:repository/images`)],
      ...MERGE,
    });
    await cloudformation.deploy('Registry', template(stack));
    expect(pullers('images')).toEqual([[roleArn('cld_one'), roleArn('cld_two')].join(',')]);
    await cloudformation.deleteStack('Registry');
    expect(registry.policy('images')).toEqual({ Version: '2012-10-17', Statement: [FOREIGN] });
  });
});

test('one repository named literally and through a parameter: two custom resources with two statements, both deployed', async () => {
  // GIVEN a name the template cannot compare with the literal one (a CfnParameter whose value is the same name)
  const { cloudformation, pullers, registry } = world();
  const stack = stackIn(new App(), 'Registry', REGISTRY_ACCOUNT);
  const name = new CfnParameter(stack, 'ImagesName', { default: 'images' });
  const first = AnyscaleNodeRole.fromCloudId(stack, 'First', 'cld_one', { account: NODE_ACCOUNT });
  const second = AnyscaleNodeRole.fromCloudId(stack, 'Second', 'cld_two', { account: NODE_ACCOUNT });
  new AnyscaleEcrAccess(stack, 'LiteralAccess', { role: first, repositories: [ecr.Repository.fromRepositoryName(stack, 'Literal', 'images')], ...MERGE });
  new AnyscaleEcrAccess(stack, 'ParameterAccess', { role: second, repositories: [ecr.Repository.fromRepositoryName(stack, 'Param', name.valueAsString)], ...MERGE });
  // WHEN
  const result = await cloudformation.deploy('Registry', template(stack));
  // THEN each resource owns its statement, and deleting the stack removes both
  expect(result.status).toBe('CREATE_COMPLETE');
  expect(pullers('images').sort()).toEqual([roleArn('cld_one'), roleArn('cld_two')]);
  await cloudformation.deleteStack('Registry');
  expect(registry.policy('images')).toEqual({ Version: '2012-10-17', Statement: [FOREIGN] });
});

describe('failures never strand a stack', () => {
  test('a Create that never answered (cancelled or timed out) gets a Delete with an id CloudFormation made up: its statement goes', async () => {
    // GIVEN the statement a Create wrote before CloudFormation stopped waiting for it
    const { cloudformation, registry } = world();
    await cloudformation.deploy('Registry', template(registryStack(new App(), 'Registry', { account: REGISTRY_ACCOUNT })));
    const [{ event }] = cloudformation.log;
    // WHEN CloudFormation sends the rollback Delete with a physical id of its own
    const made = { ...event, RequestType: 'Delete', PhysicalResourceId: `Registry-${event.LogicalResourceId}-1ABCDEF2GHIJK` } as const;
    const response = (await handlerFor(registry)(made as never, { }))!;
    // THEN
    expect(response.Status).toBe('SUCCESS');
    expect(registry.policy('images')).toEqual({ Version: '2012-10-17', Statement: [FOREIGN] });
  });

  test.each([
    ['access denied', (registry: FakeEcr) => registry.deny('GetRepositoryPolicy')],
    ['a repository that does not exist', (registry: FakeEcr) => registry.repositories.delete('models')],
  ])('a Create that fails on %s rolls back to ROLLBACK_COMPLETE, and the other repository is left as it was', async (_, breakIt) => {
    // GIVEN
    const { cloudformation, registry } = world();
    breakIt(registry);
    // WHEN
    const result = await cloudformation.deploy('Registry', template(registryStack(new App(), 'Registry', { account: REGISTRY_ACCOUNT, repositories: ['images', 'models'] })));
    // THEN
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(registry.repositories.get('images')).toBe(JSON.stringify({ Version: '2012-10-17', Statement: [FOREIGN] }));
    // and the stack can be deleted
    expect((await cloudformation.deleteStack('Registry')).status).toBe('DELETE_COMPLETE');
  });

  test('an update that fails on a new repository rolls back, and the grant on the other is as before', async () => {
    const { cloudformation, pullers, registry } = world();
    await cloudformation.deploy('Registry', template(registryStack(new App(), 'Registry', { account: REGISTRY_ACCOUNT })));
    registry.repositories.delete('models');
    const result = await cloudformation.deploy('Registry', template(registryStack(new App(), 'Registry', {
      account: REGISTRY_ACCOUNT, repositories: ['images', 'models'], clouds: ['cld_abc', 'cld_xyz'],
    })));
    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(pullers('images')).toEqual([roleArn('cld_abc')]);
  });

  test('a statement someone else wrote under our Sid fails the stack deletion with its reason, and is left as it is', async () => {
    const { cloudformation, registry } = world();
    await cloudformation.deploy('Registry', template(registryStack(new App(), 'Registry', { account: REGISTRY_ACCOUNT })));
    const policy = registry.policy('images');
    const ours = policy.Statement.find((s: any) => s.Sid.startsWith('AnyscaleEcrPull'));
    registry.write('images', JSON.stringify({ ...policy, Statement: [FOREIGN, { ...ours, Effect: 'Deny' }] }));
    const result = await cloudformation.deleteStack('Registry');
    expect(result.status).toBe('DELETE_FAILED');
    expect(cloudformation.log.at(-1)!.response.Reason).toMatch(/that this handler did not write \(its Effect is "Deny"\); it was left as it is/);
    expect(registry.policy('images').Statement[1]).toEqual({ ...pullStatement(ours.Sid, [roleArn('cld_abc')]), Effect: 'Deny' });
  });
});
