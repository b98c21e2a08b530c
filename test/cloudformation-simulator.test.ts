import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { CloudFormation, CustomResourceResponse, Invoke, noResponseReason } from './support/cloudformation';
import { DeployEnv } from './support/intrinsics';

const env: DeployEnv = { partition: 'aws', region: 'eu-west-1', account: '123456789012' };
const TOKEN = 'arn:aws:lambda:eu-west-1:123456789012:function:App-Handler-GENERATED';

/** A custom resource of the type under test, served by the template's function `Handler`. */
function thing(properties: Record<string, unknown>) {
  return { Type: 'Custom::Thing', Properties: { ServiceToken: { 'Fn::GetAtt': ['Handler', 'Arn'] }, ...properties } };
}

/** A small stack: an IAM role, a Lambda function with an environment, and the custom resources given, in that order. */
function template(things: Record<string, unknown>, variables: Record<string, unknown> = { MODE: 'blue' }) {
  return {
    Parameters: { Stage: { Type: 'String', Default: 'dev' } },
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [] } } },
      Handler: {
        Type: 'AWS::Lambda::Function',
        Properties: { Role: { 'Fn::GetAtt': ['Role', 'Arn'] }, Environment: { Variables: { STAGE: { Ref: 'Stage' }, ...variables } } },
      },
      ...things,
    },
  };
}

/** Second comes first in the template but refers to First, so CloudFormation must create First before it. */
const BASE = {
  Second: thing({ Key: 'two', Peer: { Ref: 'First' }, Enabled: true }),
  First: thing({ Key: 'one', Count: 1 }),
};

/**
 * A recording function: answers with a physical id computed from the properties (`thing-<Key>`), so a changed Key is a
 * replacement; Delete answers with the id it got. When `failOn` matches, it answers FAILED, on a Create with the id
 * `thing-<Key>-failed` (what it would have created), otherwise with the id it got.
 */
class FakeFunction {
  public readonly environments: Array<Record<string, string>> = [];
  public failOn: (event: CloudFormationCustomResourceEvent) => boolean = () => false;

  public readonly invoke: Invoke = async (event, environment) => {
    this.environments.push(environment);
    const computed = `thing-${event.ResourceProperties.Key}`;
    if (this.failOn(event)) {
      const PhysicalResourceId = event.RequestType === 'Create' ? `${computed}-failed` : event.PhysicalResourceId;
      return { Status: 'FAILED', PhysicalResourceId, Reason: `told to fail ${event.RequestType}` } satisfies CustomResourceResponse;
    }
    return { Status: 'SUCCESS', PhysicalResourceId: event.RequestType === 'Delete' ? event.PhysicalResourceId : computed };
  };
}

function setup() {
  const fn = new FakeFunction();
  const cfn = new CloudFormation({ invoke: fn.invoke, env, resourceTypes: ['Custom::Thing'] });
  /** (RequestType, LogicalResourceId, PhysicalResourceId) of the events since `from`; for a Create, the id it answered. */
  const sequence = (from = 0) => cfn.log.slice(from).map(({ event, response }) =>
    [event.RequestType, event.LogicalResourceId, event.RequestType === 'Create' ? response.PhysicalResourceId : event.PhysicalResourceId]);
  return { fn, cfn, sequence };
}

const events = (cfn: CloudFormation, from = 0) => cfn.log.slice(from).map(entry => entry.event as any);

describe('CloudFormation model (test support for custom resource handlers)', () => {
  test('create: a Create per custom resource in dependency order, with the fields CloudFormation sends', async () => {
    const { cfn, sequence } = setup();
    const result = await cfn.deploy('App', { template: template(BASE) });

    expect(result).toEqual({ status: 'CREATE_COMPLETE', failures: [], cleanupFailures: [] });
    expect(sequence()).toEqual([['Create', 'First', 'thing-one'], ['Create', 'Second', 'thing-two']]);
    const stackId = cfn.stackId('App')!;
    expect(stackId).toMatch(/^arn:aws:cloudformation:eu-west-1:123456789012:stack\/App\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    const [first, second] = events(cfn);
    expect(second).toEqual({
      RequestType: 'Create',
      ServiceToken: TOKEN,
      StackId: stackId,
      RequestId: expect.any(String),
      LogicalResourceId: 'Second',
      ResponseURL: expect.stringMatching(/^https:\/\/cloudformation-custom-resource-response-euwest1\.s3\.amazonaws\.com\/arn%3Aaws%3Acloudformation%3A.*Second.*\?.*X-Amz-Signature=/),
      ResourceType: 'Custom::Thing',
      // Numbers and booleans arrive as strings; a Ref to a custom resource is its physical id.
      ResourceProperties: { ServiceToken: TOKEN, Key: 'two', Peer: 'thing-one', Enabled: 'true' },
    });
    expect(first.ResourceProperties.Count).toBe('1');
    expect(first.RequestId).not.toBe(second.RequestId);
    expect(cfn.resources('App')).toEqual({
      First: { physicalId: 'thing-one', properties: { ServiceToken: TOKEN, Key: 'one', Count: '1' } },
      Second: { physicalId: 'thing-two', properties: { ServiceToken: TOKEN, Key: 'two', Peer: 'thing-one', Enabled: 'true' } },
    });
  });

  test('no-op redeploy: the same template and parameters send nothing; a change outside the custom resources neither', async () => {
    const { cfn } = setup();
    await cfn.deploy('App', { template: template(BASE) });

    expect(await cfn.deploy('App', { template: template(BASE), parameters: { Stage: 'dev' } }))
      .toEqual({ status: 'CREATE_COMPLETE', failures: [], cleanupFailures: [] });
    expect(await cfn.deploy('App', { template: template(BASE), parameters: { Stage: 'prod' } }))
      .toEqual({ status: 'UPDATE_COMPLETE', failures: [], cleanupFailures: [] });
    expect(cfn.log).toHaveLength(2);
  });

  test('property change: an Update with the new and the old properties and the recorded physical id', async () => {
    const { cfn, sequence } = setup();
    await cfn.deploy('App', { template: template(BASE) });
    const result = await cfn.deploy('App', { template: template({ ...BASE, First: thing({ Key: 'one', Count: 2 }) }) });

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(sequence(2)).toEqual([['Update', 'First', 'thing-one']]);
    expect(events(cfn, 2)[0]).toMatchObject({
      ResourceProperties: { Key: 'one', Count: '2' }, OldResourceProperties: { Key: 'one', Count: '1' }, StackId: cfn.stackId('App'),
    });
    expect(cfn.resources('App').First.properties.Count).toBe('2');
  });

  test('replacement: a new physical id gets the old one a Delete with the old properties, after every create and update', async () => {
    const { cfn, sequence } = setup();
    await cfn.deploy('App', { template: template(BASE) });
    const result = await cfn.deploy('App', {
      template: template({ ...BASE, First: thing({ Key: 'uno', Count: 1 }), Third: thing({ Key: 'three' }) }),
    });

    expect(result).toEqual({ status: 'UPDATE_COMPLETE', failures: [], cleanupFailures: [] });
    // Second refers to First, so its properties change with First's physical id.
    expect(sequence(2)).toEqual([
      ['Update', 'First', 'thing-one'], ['Update', 'Second', 'thing-two'], ['Create', 'Third', 'thing-three'], ['Delete', 'First', 'thing-one'],
    ]);
    expect(events(cfn, 2)[1]).toMatchObject({ ResourceProperties: { Peer: 'thing-uno' }, OldResourceProperties: { Peer: 'thing-one' } });
    expect(events(cfn, 2)[3].ResourceProperties).toEqual({ ServiceToken: TOKEN, Key: 'one', Count: '1' });
    expect(cfn.resources('App').First.physicalId).toBe('thing-uno');
  });

  test('logical id renamed: a Create for the new id, then a cleanup Delete of the old one, even when both have one physical id', async () => {
    const { cfn, sequence } = setup();
    await cfn.deploy('App', { template: template(BASE) });
    const result = await cfn.deploy('App', {
      template: template({ Second: thing({ Key: 'two', Peer: { Ref: 'Primary' }, Enabled: true }), Primary: thing({ Key: 'one', Count: 1 }) }),
    });

    expect(result.status).toBe('UPDATE_COMPLETE');
    // Second's properties resolve to what they were (Peer is still thing-one): no Update for it.
    expect(sequence(2)).toEqual([['Create', 'Primary', 'thing-one'], ['Delete', 'First', 'thing-one']]);
    expect(Object.keys(cfn.resources('App')).sort()).toEqual(['Primary', 'Second']);
  });

  test('removal: a cleanup Delete with the last properties; a failed cleanup Delete still completes the update', async () => {
    const { fn, cfn, sequence } = setup();
    await cfn.deploy('App', { template: template({ ...BASE, Third: thing({ Key: 'three' }) }) });
    expect(await cfn.deploy('App', { template: template(BASE) })).toEqual({ status: 'UPDATE_COMPLETE', failures: [], cleanupFailures: [] });
    expect(sequence(3)).toEqual([['Delete', 'Third', 'thing-three']]);
    expect(events(cfn, 3)[0].ResourceProperties).toEqual({ ServiceToken: TOKEN, Key: 'three' });

    fn.failOn = event => event.RequestType === 'Delete';
    const result = await cfn.deploy('App', { template: template({ First: BASE.First }) });
    expect(result).toEqual({ status: 'UPDATE_COMPLETE', failures: [], cleanupFailures: ['Second: told to fail Delete'] });
    expect(sequence(4)).toEqual([['Delete', 'Second', 'thing-two']]);
    expect(Object.keys(cfn.resources('App'))).toEqual(['First']);
  });

  test('failed create in a new stack: rollback Deletes in reverse order, the failed one with the id its FAILED answer gave', async () => {
    const { fn, cfn, sequence } = setup();
    fn.failOn = event => event.RequestType === 'Create' && event.LogicalResourceId === 'Second';
    const result = await cfn.deploy('App', { template: template(BASE) });

    expect(result).toEqual({ status: 'ROLLBACK_COMPLETE', failures: ['Second: told to fail Create'], cleanupFailures: [] });
    expect(sequence()).toEqual([
      ['Create', 'First', 'thing-one'], ['Create', 'Second', 'thing-two-failed'], ['Delete', 'Second', 'thing-two-failed'], ['Delete', 'First', 'thing-one'],
    ]);
    expect(cfn.resources('App')).toEqual({});
    const stackId = cfn.stackId('App');
    await expect(cfn.deploy('App', { template: template(BASE) })).rejects.toThrow(`Stack:${stackId} is in ROLLBACK_COMPLETE state and can not be updated.`);

    expect(await cfn.deleteStack('App')).toEqual({ status: 'DELETE_COMPLETE', failures: [], cleanupFailures: [] });
    expect(cfn.log).toHaveLength(4);
  });

  test('failed create whose rollback Delete fails too: ROLLBACK_FAILED, and the stack keeps that resource for DeleteStack', async () => {
    const { fn, cfn, sequence } = setup();
    fn.failOn = event => event.LogicalResourceId === 'Second';
    expect((await cfn.deploy('App', { template: template(BASE) })).status).toBe('ROLLBACK_FAILED');
    expect(Object.keys(cfn.resources('App'))).toEqual(['Second']);

    fn.failOn = () => false;
    expect((await cfn.deleteStack('App')).status).toBe('DELETE_COMPLETE');
    expect(sequence(4)).toEqual([['Delete', 'Second', 'thing-two-failed']]);
  });

  test('failed update: Updates back to the old properties, then Deletes of what the update created and of forward replacements', async () => {
    const { fn, cfn, sequence } = setup();
    await cfn.deploy('App', { template: template(BASE) });
    fn.failOn = event => event.RequestType === 'Update' && event.ResourceProperties.Count === '5';
    const result = await cfn.deploy('App', {
      template: template({
        Second: thing({ Key: 'two', Peer: { Ref: 'First' }, Enabled: true, Count: 5 }), Third: thing({ Key: 'three' }), First: thing({ Key: 'uno', Count: 1 }),
      }),
    });

    expect(result).toEqual({ status: 'UPDATE_ROLLBACK_COMPLETE', failures: ['Second: told to fail Update'], cleanupFailures: [] });
    expect(sequence(2)).toEqual([
      ['Create', 'Third', 'thing-three'], ['Update', 'First', 'thing-one'], ['Update', 'Second', 'thing-two'], // forward, Second fails
      ['Update', 'First', 'thing-uno'], ['Update', 'Second', 'thing-two'], // rollback, in the old template's order
      ['Delete', 'First', 'thing-uno'], ['Delete', 'Third', 'thing-three'], // rollback cleanup
    ]);
    const rollback = events(cfn, 5);
    expect(rollback[0]).toMatchObject({ ResourceProperties: { Key: 'one' }, OldResourceProperties: { Key: 'uno' } });
    expect(rollback[1].ResourceProperties).toEqual({ ServiceToken: TOKEN, Key: 'two', Peer: 'thing-one', Enabled: 'true' });
    expect(rollback[2].ResourceProperties.Key).toBe('uno');
    expect(cfn.resources('App')).toEqual({
      First: { physicalId: 'thing-one', properties: { ServiceToken: TOKEN, Key: 'one', Count: '1' } },
      Second: { physicalId: 'thing-two', properties: { ServiceToken: TOKEN, Key: 'two', Peer: 'thing-one', Enabled: 'true' } },
    });
    // The stack is usable again, at the old template: deploying it sends nothing.
    expect((await cfn.deploy('App', { template: template(BASE) })).status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(cfn.log).toHaveLength(9);
  });

  test('failed update whose rollback fails: UPDATE_ROLLBACK_FAILED, no cleanup, no further update, but DeleteStack', async () => {
    const { fn, cfn, sequence } = setup();
    await cfn.deploy('App', { template: template(BASE) });
    fn.failOn = event => event.RequestType === 'Update';
    const result = await cfn.deploy('App', { template: template({ Third: thing({ Key: 'three' }), ...BASE, First: thing({ Key: 'one', Count: 2 }) }) });

    expect(result).toEqual({ status: 'UPDATE_ROLLBACK_FAILED', failures: ['First: told to fail Update', 'First: told to fail Update'], cleanupFailures: [] });
    expect(sequence(2)).toEqual([['Create', 'Third', 'thing-three'], ['Update', 'First', 'thing-one'], ['Update', 'First', 'thing-one']]);
    expect(cfn.resources('App').First.properties.Count).toBe('2'); // stuck in its new state
    await expect(cfn.deploy('App', { template: template(BASE) })).rejects.toThrow(/UPDATE_ROLLBACK_FAILED state and can not be updated/);

    expect((await cfn.deleteStack('App')).status).toBe('DELETE_COMPLETE');
    expect(sequence(5)).toEqual([['Delete', 'Third', 'thing-three'], ['Delete', 'Second', 'thing-two'], ['Delete', 'First', 'thing-one']]);
  });

  test('a changed ServiceToken fails the update before any event, as CloudFormation refuses it', async () => {
    const { cfn } = setup();
    await cfn.deploy('App', { template: template(BASE) });
    const moved = { Type: 'Custom::Thing', Properties: { ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:other', Key: 'one', Count: 1 } };
    const result = await cfn.deploy('App', { template: template({ ...BASE, First: moved }) });

    expect(result).toEqual({ status: 'UPDATE_ROLLBACK_COMPLETE', failures: ['First: Modifying service token is not allowed.'], cleanupFailures: [] });
    expect(cfn.log).toHaveLength(2);
  });

  test('stack delete: Deletes in reverse dependency order; a stack created again gets a new StackId', async () => {
    const { fn, cfn, sequence } = setup();
    await cfn.deploy('App', { template: template(BASE) });
    const firstId = cfn.stackId('App');

    fn.failOn = event => event.RequestType === 'Delete' && event.LogicalResourceId === 'First';
    expect(await cfn.deleteStack('App')).toEqual({ status: 'DELETE_FAILED', failures: ['First: told to fail Delete'], cleanupFailures: [] });
    expect(sequence(2)).toEqual([['Delete', 'Second', 'thing-two'], ['Delete', 'First', 'thing-one']]);
    expect(Object.keys(cfn.resources('App'))).toEqual(['First']);
    await expect(cfn.deploy('App', { template: template(BASE) })).rejects.toThrow(/DELETE_FAILED state and can not be updated/);

    fn.failOn = () => false;
    expect((await cfn.deleteStack('App')).status).toBe('DELETE_COMPLETE');
    expect(sequence(4)).toEqual([['Delete', 'First', 'thing-one']]);
    expect(cfn.stackId('App')).toBeUndefined();
    expect(events(cfn).every(event => event.StackId === firstId)).toBe(true);

    await cfn.deploy('App', { template: template(BASE) });
    const secondId = cfn.stackId('App');
    expect(secondId).toMatch(/^arn:aws:cloudformation:eu-west-1:123456789012:stack\/App\//);
    expect(secondId).not.toBe(firstId);
    expect(events(cfn, 5).map(event => event.StackId)).toEqual([secondId, secondId]);
  });

  test('the function environment is the one deployed in each phase: new going forward, old in a rollback, current on delete', async () => {
    const { fn, cfn } = setup();
    await cfn.deploy('App', { template: template(BASE), parameters: { Stage: 'prod' } });
    expect(fn.environments).toEqual([{ STAGE: 'prod', MODE: 'blue' }, { STAGE: 'prod', MODE: 'blue' }]);

    await cfn.deploy('App', { template: template({ First: BASE.First }, { MODE: 'green', RETRIES: 3 }), parameters: { Stage: 'prod' } });
    expect(fn.environments.slice(2)).toEqual([{ STAGE: 'prod', MODE: 'green', RETRIES: '3' }]); // the cleanup Delete of Second

    fn.failOn = event => event.RequestType === 'Update' && event.ResourceProperties.Count === '9';
    await cfn.deploy('App', { template: template({ First: thing({ Key: 'one', Count: 9 }) }, { MODE: 'red' }) });
    expect(fn.environments.slice(3)).toEqual([{ STAGE: 'dev', MODE: 'red' }, { STAGE: 'prod', MODE: 'green', RETRIES: '3' }]);

    await cfn.deleteStack('App');
    expect(fn.environments.slice(5)).toEqual([{ STAGE: 'prod', MODE: 'green', RETRIES: '3' }]);

    const bare = template(BASE);
    delete (bare.Resources.Handler.Properties as any).Environment;
    await cfn.deploy('Bare', { template: bare });
    expect(fn.environments.slice(6)).toEqual([{}, {}]);
  });

  test('two stacks (nested-stack-like use) get their own StackIds, functions and records, and one imports the other\'s export', async () => {
    const { cfn } = setup();
    const exporting = { ...template(BASE), Outputs: { RoleArn: { Value: { 'Fn::GetAtt': ['Role', 'Arn'] }, Export: { Name: 'App:RoleArn' } } } };
    await cfn.deploy('App', { template: exporting });
    await cfn.deploy('Other', { template: template({ First: thing({ Key: 'one', Role: { 'Fn::ImportValue': 'App:RoleArn' } }) }) });

    expect(cfn.stackId('Other')).toMatch(/:stack\/Other\//);
    expect(cfn.stackId('Other')).not.toBe(cfn.stackId('App'));
    const other = events(cfn, 2)[0];
    expect(other).toMatchObject({
      StackId: cfn.stackId('Other'),
      ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:Other-Handler-GENERATED',
      ResourceProperties: { Role: 'arn:aws:iam::123456789012:role/App-Role-GENERATED' },
    });
    expect(Object.keys(cfn.resources('Other'))).toEqual(['First']);
    expect(Object.keys(cfn.resources('App')).sort()).toEqual(['First', 'Second']);
  });

  test('resolves the intrinsics CDK writes: Fn::Select of Fn::Split, log groups, parameters, named functions', async () => {
    const { cfn } = setup();
    const arn = 'arn:aws:ecr:eu-west-1:123456789012:repository/team/images';
    const named = template({
      Logs: { Type: 'AWS::Logs::LogGroup', Properties: {} },
      First: thing({
        Key: 'one',
        RepositoryName: { 'Fn::Select': [1, { 'Fn::Split': ['repository/', { 'Fn::Select': [5, { 'Fn::Split': [':', arn] }] }] }] },
        LogGroup: { Ref: 'Logs' },
        LogGroupArn: { 'Fn::GetAtt': ['Logs', 'Arn'] },
        Stage: { Ref: 'Stage' },
      }),
    });
    (named.Resources.Handler.Properties as any).FunctionName = 'merge-policy';
    await cfn.deploy('App', { template: named, parameters: { Stage: 'prod' } });

    expect(events(cfn)[0]).toMatchObject({
      ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:merge-policy',
      ResourceProperties: {
        RepositoryName: 'team/images',
        LogGroup: 'App-Logs-GENERATED',
        Stage: 'prod',
        LogGroupArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:App-Logs-GENERATED:*',
      },
    });
    await expect(cfn.deploy('Bad', { template: template({ First: thing({ Key: { 'Fn::Sub': 'x' } }) }) })).rejects.toThrow(/cannot resolve/);
    await expect(cfn.deploy('Unknown', { template: template(BASE), parameters: { Nope: 'x' } })).rejects.toThrow('Parameters: [Nope] do not exist');
  });

  describe('asynchronous invocation: Lambda\'s retries and CloudFormation\'s service timeout', () => {
    /** A function that fails the first `failures` invocations of every event, then answers as FakeFunction does. */
    function flaky(failures: number, answer = true) {
      const fn = new FakeFunction();
      const invocations: string[] = [];
      const invoke: Invoke = async (event, environment) => {
        invocations.push(`${event.RequestType} ${event.LogicalResourceId}`);
        if (invocations.filter(i => i === `${event.RequestType} ${event.LogicalResourceId}`).length <= failures) {
          throw new Error('the function failed');
        }
        return answer ? fn.invoke(event, environment) : undefined;
      };
      return { cfn: new CloudFormation({ invoke, env, resourceTypes: ['Custom::Thing'] }), invocations };
    }
    const withRetries = (retries: number) => {
      const t: any = template({ First: thing({ Key: 'one' }) });
      t.Resources.Retries = { Type: 'AWS::Lambda::EventInvokeConfig', Properties: { FunctionName: { Ref: 'Handler' }, Qualifier: '$LATEST', MaximumRetryAttempts: retries } };
      return t;
    };

    test('a failed invocation is retried twice by default, and the first answer that arrives is the one CloudFormation takes', async () => {
      const { cfn, invocations } = flaky(2);
      expect((await cfn.deploy('App', { template: template({ First: thing({ Key: 'one' }) }) })).status).toBe('CREATE_COMPLETE');
      expect(invocations).toEqual(['Create First', 'Create First', 'Create First']);
      expect(cfn.log.map(entry => entry.invocations)).toEqual([3]);
    });

    test.each([0, 1])('an EventInvokeConfig of $LATEST with MaximumRetryAttempts %d sets how often', async retries => {
      const { cfn, invocations } = flaky(5);
      await cfn.deploy('App', { template: withRetries(retries) });
      expect(invocations.filter(i => i === 'Create First')).toHaveLength(1 + retries);
    });

    test('an EventInvokeConfig of another qualifier does not apply', async () => {
      const { cfn, invocations } = flaky(5);
      const t = withRetries(0);
      t.Resources.Retries.Properties.Qualifier = 'live';
      await cfn.deploy('App', { template: t });
      expect(invocations.filter(i => i === 'Create First')).toHaveLength(3);
    });

    test('no answer from any invocation: the Create fails after the service timeout with an id CloudFormation made up, which the rollback Delete carries', async () => {
      const { cfn } = flaky(5);
      const result = await cfn.deploy('App', { template: withRetries(0) });
      expect(result).toMatchObject({ status: 'ROLLBACK_FAILED' });
      const [create, rollback] = cfn.log;
      expect(create.response).toEqual({ Status: 'FAILED', Reason: noResponseReason(create.event.RequestId), PhysicalResourceId: expect.stringMatching(/^App-First-[A-Z0-9]{13}$/) });
      expect(rollback.event).toMatchObject({ RequestType: 'Delete', PhysicalResourceId: create.response.PhysicalResourceId });
    });

    test('an invocation that succeeds without a PUT is not retried, and the event times out', async () => {
      const { cfn, invocations } = flaky(0, false);
      const result = await cfn.deploy('App', { template: template({ First: thing({ Key: 'one' }) }) });
      expect(invocations).toEqual(['Create First', 'Delete First']);
      expect(result.status).toBe('ROLLBACK_FAILED');
    });

    test('an Update or Delete that times out keeps the physical id it had', async () => {
      const fn = new FakeFunction();
      let silent = false;
      const cfn = new CloudFormation({ invoke: async (event, environment) => (silent ? undefined : fn.invoke(event, environment)), env, resourceTypes: ['Custom::Thing'] });
      await cfn.deploy('App', { template: template({ First: thing({ Key: 'one', Count: 1 }) }) });
      silent = true;
      await cfn.deploy('App', { template: template({ First: thing({ Key: 'one', Count: 2 }) }) });
      await cfn.deleteStack('App');
      expect(cfn.log.slice(1).map(({ event, response }) => [event.RequestType, response.Status, response.PhysicalResourceId]))
        .toEqual([['Update', 'FAILED', 'thing-one'], ['Update', 'FAILED', 'thing-one'], ['Delete', 'FAILED', 'thing-one']]);
    });
  });
});
