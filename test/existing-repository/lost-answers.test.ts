import { FakeEcr } from '../support/fake-ecr';
import { createEvent, deleteEvent, invoke, ManualClock, NODE_ROLE, OTHER_ROLE, props, pullStatement, SID, STACK_ID, testTiming, updateEvent } from '../support/handler';

// CloudFormation invokes the function asynchronously: Lambda retries a failed invocation (one whose response PUT
// failed, say) and may deliver an event twice, and CloudFormation gives up on an event that never answered. So one
// invocation's "I wrote nothing" or "I moved nothing" is not the whole story: what the stack ends with must not
// depend on which invocation's answer arrived. (The construct also turns Lambda's retries off; see
// existing-repository-statement.test.ts, and lifecycle.test.ts for the whole stack.)

const FOREIGN = { Sid: 'CiPush', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:role/ci' }, Action: 'ecr:PutImage' };
const EXISTING = { Version: '2012-10-17', Statement: [FOREIGN] };
const ours = (principals = [NODE_ROLE]) => pullStatement(SID, principals);

describe('a Delete whose physical id says the Create wrote nothing', () => {
  test('still removes the resource\'s own statement: an earlier invocation of that Create wrote it, and its answer was lost', async () => {
    // GIVEN the statement the first invocation of the Create wrote, and the "nothing written" id a retry answered
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [FOREIGN, ours()] });
    // WHEN
    const response = await invoke(ecr, deleteEvent('nothing-written:b5a1e0b6-0000-4000-8000-000000000001'));
    // THEN
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'nothing-written:b5a1e0b6-0000-4000-8000-000000000001' });
    expect(ecr.policy('images')).toEqual(EXISTING);
  });

  test('removes nothing else: another resource\'s statement stays', async () => {
    const theirs = pullStatement(SID.replace(/.$/, SID.endsWith('0') ? '1' : '0'), [NODE_ROLE]);
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [FOREIGN, theirs] });
    expect((await invoke(ecr, deleteEvent('nothing-written:r'))).Status).toBe('SUCCESS');
    expect(ecr.writes).toEqual([]);
  });

  test('a removal that fails answers SUCCESS, so the rollback is not stranded, and logs the ERROR line', async () => {
    // GIVEN the role may not read the policy: the Create failed for that reason too
    const ecr = new FakeEcr().withRepository('images', EXISTING).deny('GetRepositoryPolicy');
    const errors: string[] = [];
    // WHEN
    const response = await invoke(ecr, deleteEvent('nothing-written:r'), { logError: line => errors.push(line) });
    // THEN
    expect(response.Status).toBe('SUCCESS');
    expect(errors).toEqual([expect.stringMatching(`^LEFTOVER STATEMENT: the statement with Sid ${SID} stays in the policy of repository images and keeps ` +
      'granting its principals pull access: GetRepositoryPolicy on images: AccessDeniedException')]);
  });

  test.each([
    ['a stack of another account', { StackId: STACK_ID.replace('222222222222', '333333333333') }, props()],
    ['a repository name a Create refuses', {}, props('Team/Images')],
  ])('from %s (refused by the Create before anything was written) calls nothing', async (_, overrides, properties) => {
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [ours()] });
    expect((await invoke(ecr, deleteEvent('nothing-written:r', properties, overrides))).Status).toBe('SUCCESS');
    expect(ecr.calls).toEqual([]);
  });
});

describe('a move to another repository', () => {
  test('that fails in an invocation that sent nothing (a retry: the first invocation wrote, and its answer was lost) still removes the statement there', async () => {
    // GIVEN the statement the first invocation wrote in the new repository, and reads throttled throughout the retry
    const clock = new ManualClock();
    const ecr = new FakeEcr(clock)
      .withRepository('images', { Version: '2012-10-17', Statement: [ours()] })
      .withRepository('models', { Version: '2012-10-17', Statement: [FOREIGN, ours()] })
      .throttleUntil(clock.time + 30_000);
    // WHEN
    const response = await invoke(ecr, updateEvent(props('models'), props(), `images:${SID}`), { timing: testTiming(clock, { deadline: clock.time + 270_000 }) });
    // THEN it failed, keeping the old physical id, and took its statement out of the new repository
    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: `images:${SID}` });
    expect(response.Reason).toMatch(/after 10 rounds: .* The statement of this resource in repository models was removed again\.$/);
    expect(ecr.policy('models')).toEqual(EXISTING);
    expect(ecr.policy('images').Statement).toEqual([ours()]);
  });

  test('whose undo fails too says so in the reason and logs the ERROR line for the statement that stays', async () => {
    // GIVEN the write lands, then every later call is refused
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [ours()] }).withRepository('models', EXISTING);
    ecr.after('SetRepositoryPolicy', 1, () => ecr.deny('GetRepositoryPolicy'));
    const errors: string[] = [];
    // WHEN
    const response = await invoke(ecr, updateEvent(props('models'), props(), `images:${SID}`), { logError: line => errors.push(line) });
    // THEN
    expect(response.Status).toBe('FAILED');
    const denied = 'GetRepositoryPolicy on models: AccessDeniedException: User is not authorized to perform: ecr:GetRepositoryPolicy';
    expect(response.Reason).toBe(`${denied} Removing the statement of this resource from repository models failed too, so it stays there: ${denied}`);
    expect(errors).toEqual([expect.stringMatching(`^LEFTOVER STATEMENT: the statement with Sid ${SID} stays in the policy of repository models `)]);
    expect(ecr.policy('models').Statement).toEqual([FOREIGN, ours()]);
  });

  test('rolled back by CloudFormation after its answer was lost: the rollback Update removes the statement the move left', async () => {
    // GIVEN the move images -> models wrote in models, but CloudFormation never got the answer, so it kept the old
    // physical id and rolls the resource back: an Update to images whose old properties name models
    const ecr = new FakeEcr()
      .withRepository('images', { Version: '2012-10-17', Statement: [FOREIGN, ours()] })
      .withRepository('models', { Version: '2012-10-17', Statement: [FOREIGN, ours()] });
    // WHEN
    const response = await invoke(ecr, updateEvent(props('images'), props('models'), `images:${SID}`));
    // THEN the grant is where the stack says, and nowhere else
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `images:${SID}` });
    expect(ecr.policy('images').Statement).toEqual([FOREIGN, ours()]);
    expect(ecr.policy('models')).toEqual(EXISTING);
  });

  test('rolled back after it completed: the old repository is the cleanup Delete\'s, not the rollback Update\'s', async () => {
    // GIVEN the move answered models, then another resource failed: the rollback moves back, physical id models
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [ours()] }).withRepository('models', { Version: '2012-10-17', Statement: [ours()] });
    const response = await invoke(ecr, updateEvent(props('images'), props('models'), `models:${SID}`));
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `images:${SID}` });
    expect(ecr.policy('models').Statement).toEqual([ours()]);
  });

  test('a forward move leaves the old repository to the cleanup Delete', async () => {
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [ours()] }).withRepository('models');
    await invoke(ecr, updateEvent(props('models'), props(), `images:${SID}`));
    expect(ecr.policy('images').Statement).toEqual([ours()]);
  });

  test('a changed principal list in one repository touches no other repository', async () => {
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [ours()] }).withRepository('models', { Version: '2012-10-17', Statement: [ours()] });
    await invoke(ecr, updateEvent(props('images', [NODE_ROLE, OTHER_ROLE]), props(), `images:${SID}`));
    expect(ecr.policy('models').Statement).toEqual([ours()]);
    expect(ecr.calls.filter(call => call === 'SetRepositoryPolicy')).toHaveLength(1);
  });

  test('when removing the statement the rolled-back move left fails, the grant still answers SUCCESS and the ERROR line names it', async () => {
    const ecr = new FakeEcr().withRepository('images', { Version: '2012-10-17', Statement: [ours()] }).withRepository('models', { Version: '2012-10-17', Statement: [ours()] });
    ecr.after('GetRepositoryPolicy', 2, () => ecr.deny('GetRepositoryPolicy'));
    const errors: string[] = [];
    const response = await invoke(ecr, updateEvent(props('images'), props('models'), `images:${SID}`), { logError: line => errors.push(line) });
    expect(response.Status).toBe('SUCCESS');
    expect(errors).toEqual([expect.stringMatching(`^LEFTOVER STATEMENT: the statement with Sid ${SID} stays in the policy of repository models `)]);
  });
});

test('an event delivered twice (Lambda delivers at least once) writes once and answers the same', async () => {
  const ecr = new FakeEcr().withRepository('images', EXISTING);
  const first = await invoke(ecr, createEvent());
  const second = await invoke(ecr, createEvent());
  expect(second).toEqual(first);
  expect(ecr.writes).toHaveLength(1);
});
