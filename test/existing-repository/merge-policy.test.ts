import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { FakeEcr, instantBackoff } from './fake-ecr';
import { CfnResponse } from '../../lib/existing-repository/cfn-response';
import { applyEvent, handle, MergeProperties } from '../../lib/existing-repository/merge-policy.lambda';
import { isTransient } from '../../lib/existing-repository/repository-policy-store';
import { ECR_PULL_ACTIONS } from '../../lib/pull-actions';

const NODE_ROLE = 'arn:aws:iam::111111111111:role/cld_abc-cluster_node_role';
const OTHER_ROLE = 'arn:aws:iam::111111111111:role/cld_def-cluster_node_role';
const FOREIGN = {
  Sid: 'CiPush',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::222222222222:role/ci' },
  Action: ['ecr:PutImage', 'ecr:InitiateLayerUpload'],
  Condition: { StringEquals: { 'aws:PrincipalTag/team': 'ml' } },
};
const EXISTING_POLICY = { Version: '2008-10-17', Id: 'kept', Statement: [FOREIGN] };

function props(overrides: Partial<MergeProperties> = {}): MergeProperties {
  return { RepositoryName: 'images', Sid: 'AnyscaleEcrPullRegistry', Principals: [NODE_ROLE], Actions: [...ECR_PULL_ACTIONS], ...overrides };
}

const base = {
  ServiceToken: 'arn:aws:lambda:us-east-1:222222222222:function:handler',
  ResponseURL: 'https://cloudformation-custom-resource-response.s3.amazonaws.com/x?sig=1',
  StackId: 'arn:aws:cloudformation:us-east-1:222222222222:stack/Registry/1',
  RequestId: 'request-1',
  LogicalResourceId: 'Statement',
  ResourceType: 'Custom::AnyscaleEcrRepositoryStatement',
};

function create(p: MergeProperties = props()): CloudFormationCustomResourceEvent {
  return { ...base, RequestType: 'Create', ResourceProperties: { ServiceToken: base.ServiceToken, ...p } };
}

function update(p: MergeProperties, old: MergeProperties, physicalResourceId = `${old.RepositoryName}:${old.Sid}`): CloudFormationCustomResourceEvent {
  return {
    ...base,
    RequestType: 'Update',
    PhysicalResourceId: physicalResourceId,
    ResourceProperties: { ServiceToken: base.ServiceToken, ...p },
    OldResourceProperties: { ServiceToken: base.ServiceToken, ...old },
  };
}

function remove(p: MergeProperties = props(), physicalResourceId = `${p.RepositoryName}:${p.Sid}`): CloudFormationCustomResourceEvent {
  return { ...base, RequestType: 'Delete', PhysicalResourceId: physicalResourceId, ResourceProperties: { ServiceToken: base.ServiceToken, ...p } };
}

const ours = (sid = 'AnyscaleEcrPullRegistry', principals = [NODE_ROLE]) =>
  ({ Sid: sid, Effect: 'Allow', Principal: { AWS: principals }, Action: [...ECR_PULL_ACTIONS] });

describe('Create', () => {
  test('adds the statement after the existing ones and keeps them and the top-level fields byte for byte', async () => {
    // GIVEN
    const ecr = new FakeEcr().withRepository('images', EXISTING_POLICY);
    // WHEN
    const id = await applyEvent(create(), ecr.client, instantBackoff());
    // THEN
    expect(ecr.policy('images')).toEqual({ Version: '2008-10-17', Id: 'kept', Statement: [FOREIGN, ours()] });
    expect(id).toBe('images:AnyscaleEcrPullRegistry');
    expect(ecr.calls).toEqual(['GetRepositoryPolicy', 'GetRepositoryPolicy', 'SetRepositoryPolicy', 'GetRepositoryPolicy']);
  });

  test('writes a new policy when the repository has none', async () => {
    const ecr = new FakeEcr().withRepository('images');
    await applyEvent(create(), ecr.client, instantBackoff());
    expect(ecr.policy('images')).toEqual({ Version: '2012-10-17', Statement: [ours()] });
  });

  test('a policy whose Statement is a single object keeps that statement', async () => {
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: FOREIGN });
    await applyEvent(create(), ecr.client, instantBackoff());
    expect(ecr.policy('images').Statement).toEqual([FOREIGN, ours()]);
  });

  test('writes nothing when the statement is already there as wanted (a retried event)', async () => {
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [FOREIGN, ours()] });
    await applyEvent(create(), ecr.client, instantBackoff());
    expect(ecr.writes).toEqual([]);
  });

  test('fails with the repository name when the repository does not exist', async () => {
    const ecr = new FakeEcr();
    await expect(applyEvent(create(), ecr.client, instantBackoff())).rejects.toThrow(
      'Repository images does not exist in this account and region. ExistingRepositoryPolicy.MERGE adds a statement to a ' +
      'repository that exists; create it first, or check its name.');
    expect(ecr.writes).toEqual([]);
  });

  test('a repository deleted right after our write fails the create instead of reporting success', async () => {
    const ecr = new FakeEcr().withRepository('images', EXISTING_POLICY);
    ecr.after('SetRepositoryPolicy', 1, () => ecr.repositories.delete('images'));
    await expect(applyEvent(create(), ecr.client, instantBackoff())).rejects.toThrow(/Repository images does not exist/);
  });

  test('an answer without policy text counts as no policy', async () => {
    const ecr = new FakeEcr().withRepository('images');
    const send = ecr.client.send.bind(ecr.client);
    jest.spyOn(ecr.client, 'send').mockImplementationOnce((async () => ({})) as never).mockImplementation(send as never);
    await applyEvent(create(), ecr.client, instantBackoff());
    expect(ecr.policy('images')).toEqual({ Version: '2012-10-17', Statement: [ours()] });
  });

  test('a policy of exactly 10,240 characters is written', async () => {
    // GIVEN a foreign statement padded so that the merged policy is exactly at the limit
    const pad = (n: number) => ({ Sid: 'Pad', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::333333333333:root' }, Action: 'ecr:ListImages', Condition: { StringEquals: { 'aws:PrincipalTag/x': 'y'.repeat(n) } } });
    const length = (n: number) => JSON.stringify({ Version: '2012-10-17', Statement: [pad(n), ours()] }).length;
    const n = 10_240 - length(0);
    expect(length(n)).toBe(10_240);
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [pad(n)] });
    // WHEN / THEN
    await applyEvent(create(), ecr.client, instantBackoff());
    expect(ecr.repositories.get('images')).toHaveLength(10_240);
    // one character more is refused
    const over = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [pad(n + 1)] });
    await expect(applyEvent(create(), over.client, instantBackoff())).rejects.toThrow(
      'Adding statement AnyscaleEcrPullRegistry to the policy of repository images would make it 10241 characters long; ' +
      'ECR allows 10240. Nothing was written. Remove statements from the policy, or grant fewer node roles on this repository.');
  });

  test('refuses, before writing, a policy that would exceed 10,240 characters', async () => {
    // GIVEN a policy of about 10,000 characters
    const big = { Sid: 'Big', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::333333333333:root' }, Action: ['ecr:ListImages'], Condition: { StringEquals: { 'aws:PrincipalTag/x': 'y'.repeat(9_900) } } };
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [big] });
    // WHEN / THEN
    await expect(applyEvent(create(), ecr.client, instantBackoff())).rejects.toThrow(/would make it 1\d{4} characters long; ECR allows 10240. Nothing was written/);
    expect(ecr.writes).toEqual([]);
  });

  test('refuses to change a policy that is not JSON', async () => {
    const ecr = new FakeEcr().withRepository('images', '{not json');
    await expect(applyEvent(create(), ecr.client, instantBackoff())).rejects.toThrow(/not valid JSON.*refusing to change it/);
  });

  test.each([
    ['no principals', props({ Principals: [] })],
    ['a Sid with a hyphen', props({ Sid: 'Anyscale-Pull' })],
    ['no repository name', { ...props(), RepositoryName: undefined as unknown as string }],
    ['a Sid that is not a string', { ...props(), Sid: 7 as unknown as string }],
    ['a principal that is not a string', { ...props(), Principals: [7 as unknown as string] }],
    ['actions that are not a list', { ...props(), Actions: 'ecr:ListImages' as unknown as string[] }],
    ['an action that is not a string', { ...props(), Actions: ['ecr:ListImages', {} as unknown as string] }],
  ])('rejects properties with %s', async (_, bad) => {
    const ecr = new FakeEcr().withRepository('images');
    await expect(applyEvent(create(bad), ecr.client, instantBackoff())).rejects.toThrow(
      /^Bad properties .*: expected RepositoryName, an alphanumeric Sid, and non-empty lists Principals and Actions of strings\.$/);
  });
});

describe('an ECR that hands back the policy reformatted', () => {
  test('create converges in one write, a repeated create writes nothing, delete removes the statement', async () => {
    // GIVEN an ECR that pretty-prints, reorders keys and turns one-element lists into strings
    const ecr = new FakeEcr().normalizing().withRepository('images', EXISTING_POLICY);
    // WHEN / THEN
    await applyEvent(create(), ecr.client, instantBackoff());
    expect(ecr.writes).toHaveLength(1);
    expect(ecr.policy('images').Statement[1]).toEqual({ ...ours(), Principal: { AWS: NODE_ROLE } });
    await applyEvent(create(), ecr.client, instantBackoff());
    expect(ecr.writes).toHaveLength(1);
    await applyEvent(remove(), ecr.client, instantBackoff());
    expect(ecr.policy('images').Statement).toEqual([FOREIGN]);
  });

  test('a statement that differs in more than form is rewritten', async () => {
    const ecr = new FakeEcr().normalizing().withRepository('images', EXISTING_POLICY);
    await applyEvent(create(), ecr.client, instantBackoff());
    await applyEvent(update(props({ Principals: [NODE_ROLE, OTHER_ROLE] }), props()), ecr.client, instantBackoff());
    expect(ecr.writes).toHaveLength(2);
    expect(ecr.policy('images').Statement[1].Principal).toEqual({ AWS: [NODE_ROLE, OTHER_ROLE] });
  });
});

describe('Update', () => {
  test('replaces the principals of our statement in place and keeps the physical id', async () => {
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [FOREIGN, ours(), { ...FOREIGN, Sid: 'After' }] });
    const id = await applyEvent(update(props({ Principals: [OTHER_ROLE, NODE_ROLE] }), props()), ecr.client, instantBackoff());
    expect(ecr.policy('images').Statement).toEqual([FOREIGN, ours(undefined, [OTHER_ROLE, NODE_ROLE]), { ...FOREIGN, Sid: 'After' }]);
    expect(id).toBe('images:AnyscaleEcrPullRegistry');
  });

  test('moving to another repository adds it there first, then removes it from the old one', async () => {
    const ecr = new FakeEcr()
      .withRepository('old-images', { Version: '2012-10-17', Statement: [FOREIGN, ours()] })
      .withRepository('images', EXISTING_POLICY);
    const id = await applyEvent(update(props(), props({ RepositoryName: 'old-images' })), ecr.client, instantBackoff());
    expect(ecr.policy('images').Statement).toEqual([FOREIGN, ours()]);
    expect(ecr.policy('old-images').Statement).toEqual([FOREIGN]);
    expect(ecr.writes.map(text => JSON.parse(text!).Statement.length)).toEqual([2, 1]);
    expect(id).toBe('images:AnyscaleEcrPullRegistry');
  });

  test('a new Sid replaces the old statement in the same repository', async () => {
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [FOREIGN, ours('AnyscaleEcrPullOld')] });
    const id = await applyEvent(update(props(), props({ Sid: 'AnyscaleEcrPullOld' })), ecr.client, instantBackoff());
    expect(ecr.policy('images').Statement).toEqual([FOREIGN, ours()]);
    expect(id).toBe('images:AnyscaleEcrPullRegistry');
  });

  test('the old repository being gone does not fail a move', async () => {
    const ecr = new FakeEcr().withRepository('images');
    await applyEvent(update(props(), props({ RepositoryName: 'deleted' })), ecr.client, instantBackoff());
    expect(ecr.policy('images').Statement).toEqual([ours()]);
  });
});

describe('Delete', () => {
  test('removes only our statement', async () => {
    const ecr = new FakeEcr().withRepository('images', { ...EXISTING_POLICY, Statement: [FOREIGN, ours()] });
    await applyEvent(remove(), ecr.client, instantBackoff());
    expect(ecr.policy('images')).toEqual(EXISTING_POLICY);
  });

  test('deletes the policy when our statement was the only one', async () => {
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [ours()] });
    await applyEvent(remove(), ecr.client, instantBackoff());
    expect(ecr.repositories.get('images')).toBeUndefined();
    expect(ecr.calls).toEqual(['GetRepositoryPolicy', 'GetRepositoryPolicy', 'DeleteRepositoryPolicy', 'GetRepositoryPolicy']);
  });

  test.each([
    ['the repository is gone', new FakeEcr()],
    ['the repository has no policy', new FakeEcr().withRepository('images')],
    ['our statement is not there', new FakeEcr().withRepository('images', EXISTING_POLICY)],
  ])('succeeds without writing when %s', async (_, ecr) => {
    await expect(applyEvent(remove(), ecr.client, instantBackoff())).resolves.toBe('images:AnyscaleEcrPullRegistry');
    expect(ecr.writes).toEqual([]);
  });

  test('the repository deleted between our read and our write is success', async () => {
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [FOREIGN, ours()] });
    ecr.after('GetRepositoryPolicy', 1, () => ecr.repositories.delete('images'));
    await expect(applyEvent(remove(), ecr.client, instantBackoff())).resolves.toBe('images:AnyscaleEcrPullRegistry');
  });

  test('properties that never made sense delete nothing and succeed', async () => {
    const ecr = new FakeEcr().withRepository('images', EXISTING_POLICY);
    await expect(applyEvent(remove(props({ Principals: [] }), 'images:x'), ecr.client, instantBackoff())).resolves.toBe('images:x');
    expect(ecr.calls).toEqual([]);
  });
});

describe('faults', () => {
  test.each(['GetRepositoryPolicy', 'SetRepositoryPolicy'] as const)('throttling on %s is retried with capped, growing backoff', async call => {
    const delays: number[] = [];
    const ecr = new FakeEcr().withRepository('images', EXISTING_POLICY).throttle(call, 6);
    await applyEvent(create(), ecr.client, instantBackoff(delays));
    expect(ecr.policy('images').Statement).toEqual([FOREIGN, ours()]);
    expect(delays).toEqual([200, 400, 800, 1600, 3200, 5000]);
  });

  test('throttling on DeleteRepositoryPolicy is retried', async () => {
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [ours()] }).throttle('DeleteRepositoryPolicy', 3);
    await applyEvent(remove(), ecr.client, instantBackoff());
    expect(ecr.repositories.get('images')).toBeUndefined();
  });

  test('throttling that outlasts the attempts fails with the call and the count', async () => {
    const ecr = new FakeEcr().withRepository('images', EXISTING_POLICY).throttle('SetRepositoryPolicy', 100);
    await expect(applyEvent(create(), ecr.client, instantBackoff([], 4)))
      .rejects.toThrow('SetRepositoryPolicy on images failed after 4 attempts: ThrottlingException: Rate exceeded');
    expect(ecr.policy('images')).toEqual(EXISTING_POLICY);
  });

  test('no wait starts past the deadline, so the handler can still answer', async () => {
    const ecr = new FakeEcr().withRepository('images', EXISTING_POLICY).throttle('GetRepositoryPolicy', 100);
    const backoff = { ...instantBackoff(), now: () => 1_000, deadline: 1_100 };
    await expect(applyEvent(create(), ecr.client, backoff)).rejects.toThrow(
      'GetRepositoryPolicy on images failed after 1 attempts, with no time left for another: ThrottlingException: Rate exceeded');
  });

  test('a wait that ends exactly at the deadline still starts; without a deadline any wait does', async () => {
    const atDeadline = new FakeEcr().withRepository('images', EXISTING_POLICY).throttle('GetRepositoryPolicy', 1);
    await applyEvent(create(), atDeadline.client, { ...instantBackoff(), now: () => 1_000, deadline: 1_200 });
    const noDeadline = new FakeEcr().withRepository('images', EXISTING_POLICY).throttle('GetRepositoryPolicy', 1);
    await applyEvent(create(), noDeadline.client, { ...instantBackoff(), now: () => Number.MAX_SAFE_INTEGER });
    expect([atDeadline, noDeadline].map(ecr => ecr.policy('images').Statement.length)).toEqual([2, 2]);
  });

  test('a writer that changes the policy between our read and our write is kept', async () => {
    // GIVEN another writer adds a statement right after our first read
    const ecr = new FakeEcr().withRepository('images', EXISTING_POLICY);
    const theirs = { ...FOREIGN, Sid: 'AddedMeanwhile' };
    ecr.after('GetRepositoryPolicy', 1, () => ecr.repositories.set('images', JSON.stringify({ ...EXISTING_POLICY, Statement: [FOREIGN, theirs] })));
    // WHEN
    await applyEvent(create(), ecr.client, instantBackoff());
    // THEN the re-read noticed, and the retry kept both
    expect(ecr.policy('images').Statement).toEqual([FOREIGN, theirs, ours()]);
    expect(ecr.writes).toHaveLength(1);
  });

  test('a writer that overwrites our statement right after our write is noticed, and both end up in the policy', async () => {
    const ecr = new FakeEcr().withRepository('images', EXISTING_POLICY);
    const theirs = { ...FOREIGN, Sid: 'WrittenAfterUs' };
    ecr.after('SetRepositoryPolicy', 1, () => ecr.repositories.set('images', JSON.stringify({ ...EXISTING_POLICY, Statement: [FOREIGN, theirs] })));
    await applyEvent(create(), ecr.client, instantBackoff());
    expect(ecr.policy('images').Statement).toEqual([FOREIGN, theirs, ours()]);
    expect(ecr.writes).toHaveLength(2);
  });

  test('a writer that never stops fails with a message that nothing of theirs was removed', async () => {
    const ecr = new FakeEcr().withRepository('images', EXISTING_POLICY);
    for (let n = 1; n <= 20; n++) {
      ecr.after('GetRepositoryPolicy', 2 * n - 1, () => ecr.repositories.set('images', JSON.stringify({ ...EXISTING_POLICY, Statement: [FOREIGN, { ...FOREIGN, Sid: `Other${n}` }] })));
    }
    const delays: number[] = [];
    await expect(applyEvent(create(), ecr.client, instantBackoff(delays, 3))).rejects.toThrow(
      'Could not add statement AnyscaleEcrPullRegistry in the policy of repository images: other writers kept changing it (3 rounds). ' +
      'Nothing of theirs was removed; deploy again when they are done.');
    expect(ecr.writes).toEqual([]);
    // three rounds of read and re-read, with growing waits between them
    expect(ecr.calls).toEqual(Array(6).fill('GetRepositoryPolicy'));
    expect(delays).toEqual([200, 400]);
  });

  test('no round starts past the deadline either', async () => {
    const ecr = new FakeEcr().withRepository('images', EXISTING_POLICY);
    for (let n = 1; n <= 20; n++) {
      ecr.after('GetRepositoryPolicy', 2 * n - 1, () => ecr.repositories.set('images', JSON.stringify({ ...EXISTING_POLICY, Statement: [FOREIGN, { ...FOREIGN, Sid: `Other${n}` }] })));
    }
    // the first wait (200 ms) fits before the deadline, the second (400 ms) does not
    await expect(applyEvent(create(), ecr.client, { ...instantBackoff(), now: () => 0, deadline: 300 })).rejects.toThrow(
      'Could not add statement AnyscaleEcrPullRegistry in the policy of repository images: out of time for another attempt');
    expect(ecr.calls).toHaveLength(4);
  });

  test('a remove that other writers never let finish names the statement', async () => {
    const ecr = new FakeEcr().withRepository('images', { ...EXISTING_POLICY, Statement: [FOREIGN, ours()] });
    for (let n = 1; n <= 20; n++) {
      ecr.after('GetRepositoryPolicy', 2 * n - 1, () => ecr.repositories.set('images', JSON.stringify({ ...EXISTING_POLICY, Statement: [FOREIGN, ours(), { ...FOREIGN, Sid: `Other${n}` }] })));
    }
    await expect(applyEvent(remove(), ecr.client, instantBackoff([], 2))).rejects.toThrow(/^Could not remove statement AnyscaleEcrPullRegistry in the policy of repository images/);
  });

  test('a policy deleted by someone else just before our delete is success', async () => {
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [ours()] });
    ecr.after('GetRepositoryPolicy', 2, () => ecr.repositories.set('images', undefined));
    await applyEvent(remove(), ecr.client, instantBackoff());
    expect(ecr.repositories.get('images')).toBeUndefined();
  });

  test('the repository deleted just before our policy delete is success', async () => {
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [ours()] });
    ecr.after('GetRepositoryPolicy', 2, () => ecr.repositories.delete('images'));
    await expect(applyEvent(remove(), ecr.client, instantBackoff())).resolves.toBe('images:AnyscaleEcrPullRegistry');
  });

  test('a policy delete that is denied fails with the call that failed', async () => {
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [ours()] }).throttle('DeleteRepositoryPolicy', 100);
    await expect(applyEvent(remove(), ecr.client, instantBackoff([], 2)))
      .rejects.toThrow('DeleteRepositoryPolicy on images failed after 2 attempts: ThrottlingException: Rate exceeded');
  });

  test('access denied is not retried', async () => {
    const ecr = new FakeEcr().withRepository('images', EXISTING_POLICY);
    jest.spyOn(ecr.client, 'send').mockRejectedValue(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }) as never);
    await expect(applyEvent(create(), ecr.client, instantBackoff())).rejects.toThrow('GetRepositoryPolicy on images failed: AccessDeniedException: not authorized');
    expect(ecr.client.send).toHaveBeenCalledTimes(1);
  });
});

describe('the CloudFormation answer', () => {
  async function answer(event: CloudFormationCustomResourceEvent, ecr: FakeEcr): Promise<CfnResponse> {
    const respond = jest.fn(async (_url: string, _response: CfnResponse) => undefined);
    await handle(event, { ecr: ecr.client, backoff: instantBackoff(), respond });
    expect(respond).toHaveBeenCalledTimes(1);
    expect(respond.mock.calls[0][0]).toBe(base.ResponseURL);
    return respond.mock.calls[0][1];
  }

  test('success carries the physical id and the request identity', async () => {
    const response = await answer(create(), new FakeEcr().withRepository('images'));
    expect(response).toEqual({ Status: 'SUCCESS', PhysicalResourceId: 'images:AnyscaleEcrPullRegistry', StackId: base.StackId, RequestId: base.RequestId, LogicalResourceId: base.LogicalResourceId });
  });

  test('a failure is answered as FAILED with the reason, never left for CloudFormation to time out', async () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const response = await answer(create(), new FakeEcr());
    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'images:AnyscaleEcrPullRegistry', Reason: expect.stringMatching(/Repository images does not exist/) });
  });

  test('a failed update keeps the physical id CloudFormation sent', async () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const response = await answer(update(props({ RepositoryName: 'gone' }), props(), 'images:AnyscaleEcrPullRegistry'), new FakeEcr());
    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'images:AnyscaleEcrPullRegistry' });
  });

  test('a failed delete keeps the physical id CloudFormation sent', async () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [ours()] }).throttle('GetRepositoryPolicy', 100);
    const response = await answer(remove(props(), 'images:AnyscaleEcrPullRegistry'), ecr);
    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'images:AnyscaleEcrPullRegistry' });
  });
});

describe('isTransient', () => {
  test.each([
    [undefined, false],
    [null, false],
    [{ name: 'ThrottlingException' }, true],
    [{ name: 'ServerException' }, true],
    [{ name: 'AccessDeniedException' }, false],
    [{ name: 'SomethingNew', $retryable: { throttling: true } }, true],
    [{ name: 'InvalidParameterException', $retryable: undefined }, false],
  ])('%j → %s', (error, transient) => expect(isTransient(error)).toBe(transient));
});
