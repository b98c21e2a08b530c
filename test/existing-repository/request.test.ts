import { functionIdentity, readAllowList, readRequest } from '../../lib/private/existing-repository/handler/request';
import { createEvent, deleteEvent, DEFAULT_ALLOW_LIST, NODE_ROLE, props, SID, STACK_ID, updateEvent } from '../support/handler';

const FN = functionIdentity('arn:aws:lambda:us-east-1:222222222222:function:Registry-Handler');

test('the function identity is the partition, region and account of its ARN', () => {
  expect(FN).toEqual({ partition: 'aws', region: 'us-east-1', account: '222222222222' });
  expect(functionIdentity('arn:aws-cn:lambda:cn-north-1:123456789012:function:f')).toEqual({ partition: 'aws-cn', region: 'cn-north-1', account: '123456789012' });
});

describe('readAllowList', () => {
  test.each([
    ['no variable', undefined],
    ['not JSON', '{'],
    ['JSON of another shape', '{"principals":"x","repositories":[]}'],
    ['no repositories', '{"principals":[]}'],
    ['null', 'null'],
  ])('%s allows nothing', (_, text) => {
    expect(readAllowList(text)).toEqual({ principals: [], repositories: [] });
  });

  test('the list as the construct writes it', () => {
    const text = JSON.stringify({ principals: [NODE_ROLE], repositories: [['images', [0]]] });
    expect(readAllowList(text)).toEqual({ principals: [NODE_ROLE], repositories: [['images', [0]]] });
  });
});

describe('readRequest', () => {
  test('a Create puts the declared principals, sorted and each once, under the resource\'s Sid', () => {
    const other = 'arn:aws:iam::111111111111:role/cld_def-cluster_node_role';
    expect(readRequest(createEvent(props('images', [other, NODE_ROLE, other])), DEFAULT_ALLOW_LIST, FN)).toEqual({
      kind: 'put', place: { repositoryName: 'images', sid: SID }, principals: [NODE_ROLE, other],
    });
  });

  test('values shown in a message are cut to 200 characters', () => {
    const name = `Bad${'x'.repeat(300)}`;
    expect(() => readRequest(createEvent(props(name)), DEFAULT_ALLOW_LIST, FN)).toThrow(`RepositoryName "${name.slice(0, 199)}…`);
  });

  test('a value of exactly 200 characters, quotes included, is shown whole', () => {
    const name = `Bad${'x'.repeat(195)}`;
    expect(() => readRequest(createEvent(props(name)), DEFAULT_ALLOW_LIST, FN)).toThrow(`RepositoryName "${name}" is not an ECR repository name.`);
  });

  test.each([
    ['a role with a path', 'arn:aws:iam::111111111111:role/anyscale/path/cld_abc-cluster_node_role', true],
    ['a role name with every character IAM allows', 'arn:aws:iam::111111111111:role/a+=,.@_-z', true],
    ['an account of 11 digits', 'arn:aws:iam::11111111111:role/r', false],
    ['a user', 'arn:aws:iam::111111111111:user/r', false],
    ['a role ARN with a space', 'arn:aws:iam::111111111111:role/a b', false],
    ['a role ARN with something before it', 'x arn:aws:iam::111111111111:role/r', false],
  ])('a principal that is %s passes the form check: %s', (_, principal, isRole) => {
    const allowList = { principals: [principal], repositories: [['images', [0]]] as Array<[string, number[]]> };
    const read = () => readRequest(createEvent(props('images', [principal])), allowList, FN);
    if (isRole) {
      expect(read()).toMatchObject({ kind: 'put', principals: [principal] });
    } else {
      expect(read).toThrow('is not an IAM role ARN of partition aws');
    }
  });

  test.each([
    ['a nested stack', 'arn:aws:cloudformation:us-east-1:222222222222:stack/Parent-NestedStackResource-1ABC/uuid-1'],
    ['a stack name of 128 characters', `arn:aws:cloudformation:us-east-1:222222222222:stack/R${'x'.repeat(127)}/id`],
  ])('a stack id of %s is accepted', (_, stackId) => {
    expect(readRequest(createEvent(props(), { StackId: stackId }), DEFAULT_ALLOW_LIST, FN)).toMatchObject({ kind: 'put' });
  });

  test.each([
    ['a stack name of 129 characters', `arn:aws:cloudformation:us-east-1:222222222222:stack/R${'x'.repeat(128)}/id`],
    ['a stack name that starts with a digit', 'arn:aws:cloudformation:us-east-1:222222222222:stack/1Registry/id'],
    ['no stack uuid', 'arn:aws:cloudformation:us-east-1:222222222222:stack/Registry'],
    ['something after the id', 'arn:aws:cloudformation:us-east-1:222222222222:stack/Registry/id/more'],
    ['a prefix', `x${'arn:aws:cloudformation:us-east-1:222222222222:stack/Registry/id'}`],
  ])('a stack id with %s is refused', (_, stackId) => {
    expect(() => readRequest(createEvent(props(), { StackId: stackId }), DEFAULT_ALLOW_LIST, FN)).toThrow(/is not CloudFormation's/);
  });

  test.each([
    ['too long', 'L'.repeat(256)],
    ['empty', ''],
  ])('a logical id that is %s is refused', (_, logicalId) => {
    expect(() => readRequest(createEvent(props(), { LogicalResourceId: logicalId }), DEFAULT_ALLOW_LIST, FN)).toThrow(/is not CloudFormation's/);
  });

  test.each([
    ['no name', {}],
    ['a name that is not a string', { RepositoryName: 7 }],
  ])('a Delete with an id CloudFormation made up and %s has nothing to remove', (_, properties) => {
    const event = deleteEvent('Registry-Made-Up', properties as never);
    expect(readRequest(event, DEFAULT_ALLOW_LIST, FN)).toEqual({ kind: 'nothing' });
  });

  describe('what a Delete removes', () => {
    test.each([
      ['a place: that place, whatever the properties say', `models:${SID}`, props('images'), { kind: 'remove', place: { repositoryName: 'models', sid: SID } }],
      ['"nothing written": the resource\'s own statement in the repository of its properties, unsure', 'nothing-written:r', props('images'),
        { kind: 'remove', place: { repositoryName: 'images', sid: SID }, unsure: true }],
      ['an id CloudFormation made up: the same, sure', 'Registry-Made-Up', props('images'), { kind: 'remove', place: { repositoryName: 'images', sid: SID } }],
    ])('%s', (_, physicalId, properties, request) => {
      expect(readRequest(deleteEvent(physicalId, properties), DEFAULT_ALLOW_LIST, FN)).toStrictEqual(request);
    });

    test('"nothing written" from a stack of another account: nothing', () => {
      const event = deleteEvent('nothing-written:r', props(), { StackId: STACK_ID.replace('222222222222', '333333333333') });
      expect(readRequest(event, DEFAULT_ALLOW_LIST, FN)).toStrictEqual({ kind: 'nothing' });
    });
  });

  describe('an Update: the statement a rolled-back move left in the repository of the old properties', () => {
    const stranded = (oldProperties: Record<string, unknown>, physicalId: string, target = 'images') =>
      (readRequest(updateEvent(props(target), oldProperties as never, physicalId), DEFAULT_ALLOW_LIST, FN) as { stranded?: unknown }).stranded;

    test('old properties in another repository than the target and the physical id: that repository', () => {
      expect(stranded(props('models'), `images:${SID}`)).toStrictEqual({ repositoryName: 'models', sid: SID });
    });

    test('a physical id that is not a place (none of ours): the old properties\' repository', () => {
      expect(stranded(props('models'), 'Registry-Made-Up')).toStrictEqual({ repositoryName: 'models', sid: SID });
    });

    test.each([
      ['a forward move (old properties where the physical id is)', props('images'), `images:${SID}`, 'models'],
      ['a rollback of a completed move (the cleanup Delete removes the old place)', props('models'), `models:${SID}`, 'images'],
      ['a change of principals', props('images'), `images:${SID}`, 'images'],
      ['old properties in the target repository itself (removing there would undo the grant)', props('images'), `models:${SID}`, 'images'],
      ['old properties without a name', { Principals: [NODE_ROLE] }, `images:${SID}`, 'images'],
      ['old properties with a name ECR refuses', props('Team/Models'), `images:${SID}`, 'images'],
    ])('none for %s', (_, oldProperties, physicalId, target) => {
      expect(stranded(oldProperties, physicalId, target)).toBeUndefined();
    });
  });
});
