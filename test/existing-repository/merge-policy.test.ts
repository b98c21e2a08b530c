import { ownedSid } from '../../lib/private/existing-repository/handler/ownership';
import { isTransient } from '../../lib/private/existing-repository/handler/repository-policy-store';
import { FakeEcr } from '../support/fake-ecr';
import {
  allowListOf, createEvent, deleteEvent, invoke, LOGICAL_ID, ManualClock, NODE_ROLE, OTHER_ROLE, props, pullStatement, SID,
  STACK_ID, testTiming, updateEvent,
} from '../support/handler';

const FOREIGN = {
  Sid: 'CiPush',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::222222222222:role/ci' },
  Action: ['ecr:PutImage', 'ecr:InitiateLayerUpload'],
  Condition: { StringEquals: { 'aws:PrincipalTag/team': 'ml' } },
};
const EXISTING = { Version: '2008-10-17', Id: 'kept', Statement: [FOREIGN] };
const PLACE = `images:${SID}`;
const ours = (principals = [NODE_ROLE], sid = SID) => pullStatement(sid, principals);

describe('ownership: the Sid', () => {
  test('is the prefix and 24 hex digits of the stack id and logical id, and differs for every other stack or resource', () => {
    expect(SID).toMatch(/^AnyscaleEcrPull[0-9A-F]{24}$/);
    const others = [
      ownedSid(STACK_ID.replace('Registry', 'Registry-B'), LOGICAL_ID),
      ownedSid(STACK_ID.replace('Registry', 'RegistryB'), LOGICAL_ID),
      ownedSid(STACK_ID.replace('000000000001', '000000000002'), LOGICAL_ID),
      ownedSid(STACK_ID, `${LOGICAL_ID}2`),
      ownedSid(`${STACK_ID}\n${LOGICAL_ID}`, ''),
    ];
    expect(new Set([SID, ...others]).size).toBe(6);
  });
});

describe('Create', () => {
  test('appends our statement and keeps every other byte of the policy', async () => {
    // GIVEN a policy written by someone else, pretty-printed, with numbers JSON.parse would change
    const text = '{\n  "Version": "2008-10-17",\n  "Id": "kept",\n  "Statement": [\n    {"Sid": "Big", "Effect": "Allow", ' +
      '"Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "ecr:ListImages", "Condition": {"NumericLessThan": ' +
      '{"aws:MultiFactorAuthAge": 12345678901234567890}, "NumericEquals": {"x": 1e3}}}\n  ]\n}';
    const ecr = new FakeEcr().withRepository('images', text);
    // WHEN
    const response = await invoke(ecr, createEvent());
    // THEN
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: PLACE });
    const stored = ecr.repositories.get('images')!;
    const added = `,${JSON.stringify(ours())}`;
    expect(stored.replace(added, '')).toBe(text);
    expect(stored).toContain('12345678901234567890');
    expect(stored).toContain('1e3');
  });

  test('writes once, reads it back at once and again after the settle time, then answers', async () => {
    const clock = new ManualClock();
    const ecr = new FakeEcr().withRepository('images', EXISTING);
    await invoke(ecr, createEvent(), { timing: testTiming(clock) });
    expect(ecr.policy('images')).toEqual({ ...EXISTING, Statement: [FOREIGN, ours()] });
    expect(ecr.calls).toEqual(['GetRepositoryPolicy', 'SetRepositoryPolicy', 'GetRepositoryPolicy', 'GetRepositoryPolicy']);
    expect(clock.waits).toEqual([11_000]);
  });

  test.each([
    ['no policy', undefined, { Version: '2012-10-17', Statement: [ours()] }],
    ['a single statement object (ours goes first)', { Version: '2012-10-17', Statement: FOREIGN }, { Version: '2012-10-17', Statement: [ours(), FOREIGN] }],
    ['an empty statement list', { Version: '2012-10-17', Statement: [] }, { Version: '2012-10-17', Statement: [ours()] }],
    ['a blank policy text', '  ', { Version: '2012-10-17', Statement: [ours()] }],
  ])('%s', async (_, policy, expected) => {
    const ecr = new FakeEcr().withRepository('images', policy);
    await invoke(ecr, createEvent());
    expect(ecr.policy('images')).toEqual(expected);
  });

  test('a policy whose Statement is one object keeps that shape: Create then Delete give back the same text', async () => {
    // GIVEN
    const text = `{"Version":"2012-10-17","Statement":${JSON.stringify(FOREIGN)}}`;
    const ecr = new FakeEcr().withRepository('images', text);
    // WHEN
    expect((await invoke(ecr, createEvent())).Status).toBe('SUCCESS');
    expect(ecr.policy('images').Statement).toEqual([ours(), FOREIGN]);
    expect((await invoke(ecr, deleteEvent(PLACE))).Status).toBe('SUCCESS');
    // THEN
    expect(ecr.repositories.get('images')).toBe(text);
  });

  test('a statement already there as wanted (a repeated event) is not written again, and still checked after the settle time', async () => {
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [FOREIGN, ours()] });
    await invoke(ecr, createEvent());
    expect(ecr.writes).toEqual([]);
    expect(ecr.calls).toEqual(['GetRepositoryPolicy', 'GetRepositoryPolicy']);
  });

  test('ECR handing the policy back reformatted (keys reordered, one-element lists as strings) converges in one write', async () => {
    const ecr = new FakeEcr().normalizing().withRepository('images', EXISTING);
    await invoke(ecr, createEvent());
    expect(ecr.writes).toHaveLength(1);
    await invoke(ecr, createEvent());
    expect(ecr.writes).toHaveLength(1);
  });

  test('a repository that does not exist fails with a "nothing written" physical id, and its rollback Delete succeeds', async () => {
    // GIVEN
    const ecr = new FakeEcr();
    // WHEN
    const created = await invoke(ecr, createEvent());
    // THEN
    expect(created.Status).toBe('FAILED');
    expect(created.Reason).toContain('Repository images does not exist in this account and region');
    expect(created.PhysicalResourceId).toMatch(/^nothing-written:/);
    expect(await invoke(ecr, deleteEvent(created.PhysicalResourceId))).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: created.PhysicalResourceId });
    expect(ecr.writes).toEqual([]);
  });

  test('access denied on the read fails at once, names the call, and writes nothing', async () => {
    const ecr = new FakeEcr().withRepository('images', EXISTING).deny('GetRepositoryPolicy');
    const created = await invoke(ecr, createEvent());
    expect(created).toMatchObject({ Status: 'FAILED', PhysicalResourceId: expect.stringMatching(/^nothing-written:/) });
    expect(created.Reason).toMatch(/^GetRepositoryPolicy on images: AccessDeniedException/);
    expect(ecr.calls).toEqual(['GetRepositoryPolicy']);
  });

  test('a Create that sent a write and then failed answers the statement\'s place, so the rollback Delete removes what landed', async () => {
    // GIVEN a write that is denied after it was sent (the outcome is unknown to the handler)
    const ecr = new FakeEcr().withRepository('images', EXISTING).deny('SetRepositoryPolicy');
    // WHEN
    const created = await invoke(ecr, createEvent());
    // THEN
    expect(created).toMatchObject({ Status: 'FAILED', PhysicalResourceId: PLACE });
    // (no undo: the rollback Delete of the answered place is the one that removes it)
    expect(created.Reason).toBe('SetRepositoryPolicy on images: AccessDeniedException: User is not authorized to perform: ecr:SetRepositoryPolicy');
    expect(await invoke(ecr, deleteEvent(created.PhysicalResourceId))).toMatchObject({ Status: 'SUCCESS' });
    expect(ecr.policy('images')).toEqual(EXISTING);
  });

  test('refuses, before writing, a policy that would exceed 10,240 characters; exactly 10,240 is written', async () => {
    const pad = (n: number) => ({ ...FOREIGN, Condition: { StringEquals: { 'aws:PrincipalTag/x': 'y'.repeat(n) } } });
    const merged = (n: number) => `{"Version":"2012-10-17","Statement":[${JSON.stringify(pad(n))},${JSON.stringify(ours())}]}`;
    const n = 10_240 - merged(0).length;
    const exact = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [pad(n)] });
    expect(await invoke(exact, createEvent())).toMatchObject({ Status: 'SUCCESS' });
    expect(exact.repositories.get('images')).toHaveLength(10_240);

    const over = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [pad(n + 1)] });
    const failed = await invoke(over, createEvent());
    expect(failed.Reason).toContain('would make it 10241 characters long; ECR allows 10240. Nothing was written.');
    expect(over.writes).toEqual([]);
  });

  test.each([
    ['not JSON', '{', /not valid JSON/],
    ['not an object', '[1]', /not a JSON object/],
    ['a duplicate Statement key', '{"Version":"2012-10-17","Statement":[],"Statement":[]}', /Statement/],
  ])('refuses to change a policy that is %s', async (_, text, message) => {
    const ecr = new FakeEcr().withRepository('images', text);
    const failed = await invoke(ecr, createEvent());
    expect(failed.Status).toBe('FAILED');
    expect(failed.Reason).toMatch(message);
    expect(ecr.writes).toEqual([]);
  });
});

describe('a statement with our Sid that we did not write', () => {
  test.each([
    ['a Deny', { ...ours(), Effect: 'Deny' }, 'its Effect is "Deny"'],
    ['a condition', { ...ours(), Condition: { Bool: { 'aws:SecureTransport': 'true' } } }, 'it has Condition'],
    ['other actions', { ...ours(), Action: ['ecr:*'] }, 'its Action is ["ecr:*"], not the twelve pull actions'],
    ['a public principal', { ...ours(), Principal: '*' }, 'its Principal is "*", not a list of AWS principals'],
  ])('(%s) is never rewritten or deleted, and the event fails naming it', async (_, statement, why) => {
    // GIVEN
    const policy = { Version: '2012-10-17', Statement: [FOREIGN, statement] };
    const ecr = new FakeEcr().withRepository('images', policy);
    // WHEN / THEN
    const created = await invoke(ecr, createEvent());
    expect(created.Status).toBe('FAILED');
    expect(created.Reason).toContain(`has a statement with Sid ${SID} that this handler did not write (${why}); nothing was written.`);
    const deleted = await invoke(ecr, deleteEvent(PLACE));
    expect(deleted.Status).toBe('FAILED');
    expect(deleted.Reason).toContain('it was left as it is');
    expect(ecr.policy('images')).toEqual(policy);
    expect(ecr.writes).toEqual([]);
  });

  test('our statement with a key twice inside (which Principal ECR reads is a guess) is not ours either', async () => {
    const text = `{"Version":"2012-10-17","Statement":[${JSON.stringify(ours()).replace('"Principal":{', '"Principal":{"AWS":"arn:aws:iam::999999999999:root",')}]}`;
    const ecr = new FakeEcr().withRepository('images', text);
    const created = await invoke(ecr, createEvent());
    expect(created.Reason).toContain('that this handler did not write (it has a key twice); nothing was written.');
    expect(ecr.repositories.get('images')).toBe(text);
  });

  test('a Sid that only starts like ours is someone else\'s and stays', async () => {
    const lookalike = { ...ours(), Sid: `${SID}X` };
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [lookalike] });
    await invoke(ecr, createEvent());
    await invoke(ecr, deleteEvent(PLACE));
    expect(ecr.policy('images')).toEqual({ Version: '2012-10-17', Statement: [lookalike] });
  });
});

describe('Update', () => {
  test('replaces the principals of our statement in place and keeps the physical id', async () => {
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [ours(), FOREIGN] });
    const updated = await invoke(ecr, updateEvent(props('images', [OTHER_ROLE, NODE_ROLE]), props(), PLACE));
    expect(updated).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: PLACE });
    expect(ecr.policy('images').Statement).toEqual([ours([NODE_ROLE, OTHER_ROLE]), FOREIGN]);
  });

  test('a move to another repository writes there and answers the new place; the old place is CloudFormation\'s cleanup Delete', async () => {
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [ours()] }).withRepository('models');
    const updated = await invoke(ecr, updateEvent(props('models'), props(), PLACE));
    expect(updated).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `models:${SID}` });
    expect(ecr.policy('models').Statement).toEqual([ours()]);
    expect(ecr.policy('images').Statement).toEqual([ours()]);
    await invoke(ecr, deleteEvent(PLACE));
    expect(ecr.policy('images')).toBeUndefined();
  });

  test('a failed move removes what it wrote in the new place, since no rollback or cleanup will', async () => {
    // GIVEN the write lands but the read-back is denied
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [ours()] }).withRepository('models', EXISTING);
    ecr.after('SetRepositoryPolicy', 1, () => ecr.deny('GetRepositoryPolicy', 1));
    // WHEN
    const updated = await invoke(ecr, updateEvent(props('models'), props(), PLACE));
    // THEN
    expect(updated).toMatchObject({ Status: 'FAILED', PhysicalResourceId: PLACE });
    expect(updated.Reason).toContain('The statement of this resource in repository models was removed again.');
    expect(ecr.policy('models')).toEqual(EXISTING);
  });
});

describe('Delete', () => {
  test('removes only our statement, byte for byte', async () => {
    const text = `{"Version":"2012-10-17","Statement":[${JSON.stringify(FOREIGN)},${JSON.stringify(ours())}, {"Sid":"N","Effect":"Allow","Principal":"*","Action":"ecr:ListImages","Condition":{"NumericEquals":{"n":1.0}}}]}`;
    const ecr = new FakeEcr().withRepository('images', text);
    expect(await invoke(ecr, deleteEvent(PLACE))).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: PLACE });
    // (ours and the separator after it go; the statements around it are untouched)
    expect(ecr.repositories.get('images')).toBe(text.replace(`${JSON.stringify(ours())}, `, ''));
  });

  test.each([
    ['our statement was the only one: the policy is deleted', { Version: '2012-10-17', Statement: [ours()] }, false],
    ['no policy', undefined, false],
    ['no statement of ours', EXISTING, true],
  ])('%s', async (_, policy, kept) => {
    const ecr = new FakeEcr().withRepository('images', policy);
    expect((await invoke(ecr, deleteEvent(PLACE))).Status).toBe('SUCCESS');
    expect(ecr.policy('images')).toEqual(kept ? policy : undefined);
  });

  test('a repository that is gone is success', async () => {
    expect((await invoke(new FakeEcr(), deleteEvent(PLACE))).Status).toBe('SUCCESS');
  });

  test.each([
    ['policy', 'RepositoryPolicyNotFoundException'],
    ['repository', 'RepositoryNotFoundException'],
  ])('a %s deleted by someone else just before our policy delete is success', async (_, name) => {
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [ours()] })
      .fail('DeleteRepositoryPolicy', 1, () => Object.assign(new Error('gone'), { name }));
    expect((await invoke(ecr, deleteEvent(PLACE))).Status).toBe('SUCCESS');
  });

  test('a repository that is no longer in the allow-list (removed from the stack) is still cleaned up', async () => {
    const ecr = new FakeEcr().withRepository('old', { Version: '2012-10-17', Statement: [FOREIGN, ours()] });
    const deleted = await invoke(ecr, deleteEvent(`old:${SID}`, props('old')), { allowList: allowListOf({}) });
    expect(deleted.Status).toBe('SUCCESS');
    expect(ecr.policy('old').Statement).toEqual([FOREIGN]);
  });
});

describe('hostile or malformed events', () => {
  const refused = async (event: ReturnType<typeof createEvent>, reason: string | RegExp) => {
    const ecr = new FakeEcr().withRepository('images', EXISTING).withRepository('secret', EXISTING);
    const response = await invoke(ecr, event);
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(reason);
    expect(ecr.writes).toEqual([]);
    if (event.RequestType === 'Create') {
      expect(response.PhysicalResourceId).toMatch(/^nothing-written:/);
    }
  };

  test.each([
    ['a public principal', props('images', ['*']), 'Principal "*" is not an IAM role ARN of partition aws'],
    ['an account root', props('images', ['arn:aws:iam::333333333333:root']), 'is not an IAM role ARN'],
    ['a role of another partition', props('images', ['arn:aws-cn:iam::111111111111:role/cld_abc-cluster_node_role']), 'of partition aws'],
    ['a role the stack did not declare', props('images', ['arn:aws:iam::333333333333:role/attacker']), 'Principal arn:aws:iam::333333333333:role/attacker is not one this function\'s stack declared for repository images'],
    ['a declared role on a repository it was not declared for', props('models', [OTHER_ROLE]), 'not one this function\'s stack declared for repository models'],
    ['a repository the stack did not declare', props('secret'), 'Repository secret is not one this function\'s stack declared'],
    ['a name ECR would reject', props('Team/Images'), 'RepositoryName "Team/Images" is not an ECR repository name'],
    ['no principals', props('images', []), 'Principals [] is not a non-empty list'],
    ['principals that are not strings', props('images', [{ AWS: '*' }]), 'is not a non-empty list of IAM role ARNs'],
    ['extra actions', { ...props(), Actions: ['ecr:*'] }, 'Unknown properties Actions'],
    ['a repository ARN of another region', { ...props(), RepositoryArn: 'arn:aws:ecr:us-west-2:222222222222:repository/images' },
      'RepositoryArn "arn:aws:ecr:us-west-2:222222222222:repository/images" is not arn:aws:ecr:us-east-1:222222222222:repository/images: ' +
      'the handler changes repositories of its own account (222222222222) and region (us-east-1) only.'],
    ['a repository ARN of another account', { ...props(), RepositoryArn: 'arn:aws:ecr:us-east-1:333333333333:repository/images' }, 'is not arn:aws:ecr:us-east-1:222222222222'],
    ['a repository ARN of another name', { ...props(), RepositoryArn: 'arn:aws:ecr:us-east-1:222222222222:repository/secret' }, 'is not arn:aws:ecr:us-east-1:222222222222:repository/images'],
    ['no repository ARN', { RepositoryName: 'images', Principals: [NODE_ROLE] }, 'RepositoryArn undefined is not'],
  ])('Create with %s', async (_, p, reason) => {
    await refused(createEvent(p as never), reason);
  });

  test.each([
    ['a Create', createEvent(props(), { RequestType: 'Retry' }), /^nothing-written:/],
    ['an Update', updateEvent(props(), props(), PLACE, { RequestType: 'Upsert' }), new RegExp(`^${PLACE}$`)],
  ])('a RequestType that is not Create, Update or Delete (%s otherwise) is refused, and nothing is called', async (_, event, physicalId) => {
    const ecr = new FakeEcr().withRepository('images', EXISTING);
    const response = await invoke(ecr, event);
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toBe(`RequestType ${JSON.stringify(event.RequestType)} is not Create, Update or Delete; nothing was written.`);
    expect(response.PhysicalResourceId).toMatch(physicalId);
    expect(ecr.calls).toEqual([]);
  });

  test('an Update to a principal the stack did not declare', async () => {
    await refused(updateEvent(props('images', ['*']), props(), PLACE), 'Principal "*"');
  });

  test.each([
    ['a stack id that is not CloudFormation\'s', { StackId: 'stack' }],
    ['a logical id with other characters', { LogicalResourceId: 'a:b' }],
  ])('%s', async (_, overrides) => {
    await refused(createEvent(props(), overrides), /is not CloudFormation's/);
  });

  test.each([
    ['a stack of another account', STACK_ID.replace('222222222222', '333333333333')],
    ['a stack of another region', STACK_ID.replace('us-east-1', 'eu-west-1')],
    ['a stack of another partition', STACK_ID.replace('arn:aws:', 'arn:aws-cn:')],
  ])('a Create from %s is refused: its statement would belong to no stack of this function', async (_, stackId) => {
    await refused(createEvent(props(), { StackId: stackId }), /is not CloudFormation's for a stack of this function's account \(222222222222\) and region \(us-east-1\)/);
  });

  test('principals are read from every allow-list entry of the repository (one name imported twice, once as a token)', async () => {
    const ecr = new FakeEcr().withRepository('images', EXISTING);
    const allowList = { principals: [NODE_ROLE, OTHER_ROLE], repositories: [['images', [0]], ['images', [1]]] as Array<[string, number[]]> };
    expect((await invoke(ecr, createEvent(props('images', [OTHER_ROLE, NODE_ROLE])), { allowList })).Status).toBe('SUCCESS');
  });
});

describe('a Delete whose physical id this handler did not answer (CloudFormation made it up for a Create that never answered)', () => {
  const made = 'Registry-AnyscaleEcrExistingPolicy1234-1ABCDEF2GHIJK';

  test('removes the resource\'s own statement, if its Create wrote it after all, and succeeds', async () => {
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [FOREIGN, ours()] });
    expect(await invoke(ecr, deleteEvent(made))).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: made });
    expect(ecr.policy('images').Statement).toEqual([FOREIGN]);
  });

  test.each([
    ['a Sid of another form', 'images:CiPush'],
    ['a name ECR would reject', `Images:${SID}`],
    ['more parts', `images:${SID}:x`],
  ])('an id with %s is such an id too: only the resource\'s own statement can go', async (_, id) => {
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [FOREIGN, { ...ours(), Sid: 'CiPush2' }] });
    expect((await invoke(ecr, deleteEvent(id))).Status).toBe('SUCCESS');
    expect(ecr.writes).toEqual([]);
  });

  test('with a repository name that a Create refuses, nothing was written, so nothing is called', async () => {
    const ecr = new FakeEcr();
    expect((await invoke(ecr, deleteEvent(made, props('Team/Images')))).Status).toBe('SUCCESS');
    expect(ecr.calls).toEqual([]);
  });

  test('from a stack of another account, it is refused', async () => {
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [ours()] });
    const response = await invoke(ecr, deleteEvent(made, props(), { StackId: STACK_ID.replace('222222222222', '333333333333') }));
    expect(response.Status).toBe('FAILED');
    expect(ecr.calls).toEqual([]);
  });
});

describe('the response URL', () => {
  test.each([
    'http://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x',
    'https://attacker.example/x',
    'https://amazonaws.com.attacker.example/x',
    'https://s3.amazonaws.com:8443/x',
    'https://user@s3.amazonaws.com/x',
    'not a url',
  ])('ResponseURL %s: nothing is done and nothing is sent', async url => {
    const ecr = new FakeEcr().withRepository('images', EXISTING);
    await expect(invoke(ecr, createEvent(props(), { ResponseURL: url }))).rejects.toThrow('is not an https URL of an amazonaws.com host');
    expect(ecr.calls).toEqual([]);
  });
});

describe('faults', () => {
  test.each(['GetRepositoryPolicy', 'SetRepositoryPolicy'] as const)('throttling on %s is retried with growing backoff', async call => {
    const clock = new ManualClock();
    const ecr = new FakeEcr().withRepository('images', EXISTING).throttle(call, 3);
    expect((await invoke(ecr, createEvent(), { timing: testTiming(clock) })).Status).toBe('SUCCESS');
    expect(clock.waits.slice(0, 3)).toEqual([200, 400, 800]);
    expect(ecr.policy('images').Statement).toEqual([FOREIGN, ours()]);
  });

  test('a throttled write is never re-sent from the old read: the policy is read again, and a writer that came meanwhile is kept', async () => {
    // GIVEN our first write is throttled, and CI adds a statement before our next read
    const ci = { Sid: 'Later', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:role/ci2' }, Action: 'ecr:PutImage' };
    const ecr = new FakeEcr().withRepository('images', EXISTING).throttle('SetRepositoryPolicy', 1);
    ecr.after('GetRepositoryPolicy', 1, () => undefined);
    ecr.fail('SetRepositoryPolicy', 0, () => new Error());
    let injected = false;
    const clock = new ManualClock();
    const sleep = clock.sleep.bind(clock);
    clock.sleep = async ms => {
      if (!injected) {
        injected = true;
        ecr.write('images', JSON.stringify({ ...EXISTING, Statement: [FOREIGN, ci] }));
      }
      return sleep(ms);
    };
    // WHEN
    await invoke(ecr, createEvent(), { timing: testTiming(clock) });
    // THEN
    expect(ecr.calls.slice(0, 3)).toEqual(['GetRepositoryPolicy', 'SetRepositoryPolicy', 'GetRepositoryPolicy']);
    expect(ecr.policy('images').Statement).toEqual([FOREIGN, ci, ours()]);
  });

  test('a writer that drops our statement right after our write is noticed at the read-back, and ours is merged again', async () => {
    const ecr = new FakeEcr().withRepository('images', EXISTING);
    ecr.after('SetRepositoryPolicy', 1, () => ecr.write('images', JSON.stringify(EXISTING)));
    expect((await invoke(ecr, createEvent())).Status).toBe('SUCCESS');
    expect(ecr.writes).toHaveLength(2);
    expect(ecr.policy('images').Statement).toEqual([FOREIGN, ours()]);
  });

  test('a writer that drops our statement during the settle time is noticed at the last read, and ours is merged again', async () => {
    const ecr = new FakeEcr().withRepository('images', EXISTING);
    ecr.after('GetRepositoryPolicy', 2, () => ecr.write('images', JSON.stringify(EXISTING)));
    expect((await invoke(ecr, createEvent())).Status).toBe('SUCCESS');
    expect(ecr.writes).toHaveLength(2);
    expect(ecr.policy('images').Statement).toEqual([FOREIGN, ours()]);
  });

  test('a writer that re-adds our statement after our delete is noticed, and it is removed again', async () => {
    const before = { Version: '2012-10-17', Statement: [FOREIGN, ours()] };
    const ecr = new FakeEcr().withRepository('images', before);
    ecr.after('SetRepositoryPolicy', 1, () => ecr.write('images', JSON.stringify(before)));
    expect((await invoke(ecr, deleteEvent(PLACE))).Status).toBe('SUCCESS');
    expect(ecr.policy('images').Statement).toEqual([FOREIGN]);
  });

  test('a writer that never stops dropping our statement fails the event after the rounds, without claiming anything of theirs', async () => {
    const ecr = new FakeEcr().withRepository('images', EXISTING);
    for (let n = 1; n <= 20; n++) {
      ecr.after('SetRepositoryPolicy', n, () => ecr.write('images', JSON.stringify(EXISTING)));
    }
    const response = await invoke(ecr, createEvent());
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toBe(`Could not add statement ${SID} in the policy of repository images after 10 rounds: other writers ` +
      'kept changing the policy. Deploy again when the other writers are done.');
  });

  test('throttling that outlasts the rounds fails with the call that failed', async () => {
    const ecr = new FakeEcr().withRepository('images', EXISTING).throttle('GetRepositoryPolicy', 100);
    const response = await invoke(ecr, createEvent());
    expect(response.Reason).toMatch(/after 10 rounds: GetRepositoryPolicy on images: ThrottlingException: Rate exceeded/);
    expect(response.PhysicalResourceId).toMatch(/^nothing-written:/);
  });

  test('no wait starts past the deadline, so the handler still answers in time', async () => {
    const clock = new ManualClock();
    const ecr = new FakeEcr().withRepository('images', EXISTING);
    const response = await invoke(ecr, createEvent(), { timing: testTiming(clock, { deadline: clock.time + 10_999 }) });
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toBe(`Could not add statement ${SID} in the policy of repository images: out of time. Deploy again.`);
    expect(clock.waits).toEqual([]);
    expect(response.PhysicalResourceId).toBe(PLACE);
  });

  test('no ECR call starts past the deadline either: with calls of 8 s, the answer is at most one call late', async () => {
    // GIVEN every call takes the ECR client's longest (3 s to connect and 5 s to answer)
    const clock = new ManualClock();
    const ecr = new FakeEcr(clock).withRepository('images', EXISTING).withLatency(() => ({ toService: 8_000, back: 0 }));
    const deadline = clock.time + 20_000;
    // WHEN
    const response = await invoke(ecr, createEvent(), { timing: testTiming(clock, { deadline }) });
    // THEN
    expect(response.Reason).toMatch(/out of time/);
    expect(clock.time - deadline).toBeLessThanOrEqual(8_000);
  });

  test('a move that runs out of time keeps time in hand to remove what it wrote in the new repository', async () => {
    // GIVEN 70 s left: the move itself may use 10 s (60 s are kept for the undo), and its settle time needs 11
    const clock = new ManualClock();
    const ecr = new FakeEcr(clock).withRepository('images', { Version: '2012-10-17', Statement: [ours()] }).withRepository('models', EXISTING);
    // WHEN
    const updated = await invoke(ecr, updateEvent(props('models'), props(), PLACE), { timing: testTiming(clock, { deadline: clock.time + 70_000 }) });
    // THEN
    expect(updated).toMatchObject({ Status: 'FAILED', PhysicalResourceId: PLACE });
    expect(updated.Reason).toContain('The statement of this resource in repository models was removed again.');
    expect(ecr.policy('models')).toEqual(EXISTING);
  });

  test('a wait that ends exactly at the deadline still starts', async () => {
    const clock = new ManualClock();
    const ecr = new FakeEcr().withRepository('images', EXISTING);
    expect((await invoke(ecr, createEvent(), { timing: testTiming(clock, { deadline: clock.time + 11_000 }) })).Status).toBe('SUCCESS');
  });

  test.each([
    ['ThrottlingException', true], ['ServiceUnavailable', true], ['TimeoutError', true], ['InternalFailure', true],
    ['AccessDeniedException', false], ['InvalidParameterException', false], ['Error', false],
  ])('isTransient(%s) is %s', (name, transient) => {
    expect(isTransient(Object.assign(new Error('x'), { name }))).toBe(transient);
  });

  test('a connection reset (by its code) and an error the SDK marks retryable are transient', () => {
    expect(isTransient(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('x'), { $retryable: {} }))).toBe(true);
    expect(isTransient(undefined)).toBe(false);
  });
});
