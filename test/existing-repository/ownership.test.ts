import { ECR_PULL_ACTIONS } from '../../lib/private/constants/pull-actions';
import { nothingWrittenId, notOurs, ownedSid, placeId, principalsOf, pullStatementText, readPlaceId, sameSet } from '../../lib/private/existing-repository/handler/ownership';

const OURS = { Sid: 'AnyscaleEcrPullX', Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::111111111111:role/r'] }, Action: [...ECR_PULL_ACTIONS] };

describe('notOurs: a statement under our Sid is ours only in exactly our form', () => {
  test.each([
    ['our form', OURS, undefined],
    ['one principal as a string, actions in another order', { ...OURS, Principal: { AWS: 'arn:aws:iam::1:role/r' }, Action: [...ECR_PULL_ACTIONS].reverse() }, undefined],
    ['not an object', 'AnyscaleEcrPullX', 'it is not a JSON object'],
    ['null', null, 'it is not a JSON object'],
    ['a list', [OURS], 'it is not a JSON object'],
    ['a condition', { ...OURS, Condition: {} }, 'it has Condition'],
    ['a resource and a not-action', { ...OURS, Resource: '*', NotAction: 'x' }, 'it has Resource, NotAction'],
    ['a Deny', { ...OURS, Effect: 'Deny' }, 'its Effect is "Deny"'],
    ['no Effect', { Sid: OURS.Sid, Principal: OURS.Principal, Action: OURS.Action }, 'its Effect is undefined'],
    ['a public principal', { ...OURS, Principal: '*' }, 'its Principal is "*", not a list of AWS principals'],
    ['a null principal', { ...OURS, Principal: null }, 'its Principal is null, not a list of AWS principals'],
    ['a service principal', { ...OURS, Principal: { Service: 'ec2.amazonaws.com' } }, 'its Principal is {"Service":"ec2.amazonaws.com"}, not a list of AWS principals'],
    ['AWS and Service principals', { ...OURS, Principal: { AWS: 'a', Service: 'b' } }, 'its Principal is {"AWS":"a","Service":"b"}, not a list of AWS principals'],
    ['an empty principal list', { ...OURS, Principal: { AWS: [] } }, 'its Principal is {"AWS":[]}, not a list of AWS principals'],
    ['a principal that is not a string', { ...OURS, Principal: { AWS: [1] } }, 'its Principal is {"AWS":[1]}, not a list of AWS principals'],
    ['one principal of the list that is not a string', { ...OURS, Principal: { AWS: ['a', 1] } }, 'its Principal is {"AWS":["a",1]}, not a list of AWS principals'],
    ['one action fewer', { ...OURS, Action: ECR_PULL_ACTIONS.slice(1) }, `its Action is ${JSON.stringify(ECR_PULL_ACTIONS.slice(1))}, not the twelve pull actions`],
    ['the actions as one string', { ...OURS, Action: 'ecr:BatchGetImage' }, 'its Action is "ecr:BatchGetImage", not the twelve pull actions'],
    ['actions that are not strings', { ...OURS, Action: [1] }, 'its Action is [1], not the twelve pull actions'],
  ])('%s', (_, statement, why) => {
    expect(notOurs(statement)).toBe(why);
  });
});

test('one action more is not ours either', () => {
  expect(notOurs({ ...OURS, Action: [...ECR_PULL_ACTIONS, 'ecr:PutImage'] })).toMatch(/^its Action is .*"ecr:PutImage"\], not the twelve pull actions$/);
});

test('principalsOf reads one principal or a list', () => {
  expect(principalsOf({ Principal: { AWS: 'a' } })).toEqual(['a']);
  expect(principalsOf({ Principal: { AWS: ['a', 'b'] } })).toEqual(['a', 'b']);
});

test.each([
  [['a', 'b'], ['b', 'a'], true],
  [['a', 'a'], ['a'], true],
  [['a'], ['a', 'b'], false],
  [['a', 'b'], ['a', 'c'], false],
  [[], [], true],
])('sameSet(%j, %j) is %s', (a, b, same) => {
  expect(sameSet(a, b)).toBe(same);
});

test('the statement text is compact JSON with the principals given and the twelve actions', () => {
  expect(pullStatementText('AnyscaleEcrPullX', ['arn:aws:iam::1:role/r'])).toBe(
    `{"Sid":"AnyscaleEcrPullX","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:role/r"]},"Action":${JSON.stringify(ECR_PULL_ACTIONS)}}`);
});

describe('physical ids', () => {
  const sid = ownedSid('arn:aws:cloudformation:us-east-1:222222222222:stack/Registry/id', 'Statement');

  test('a place is <repository>:<Sid> and reads back', () => {
    expect(placeId({ repositoryName: 'team/images', sid })).toBe(`team/images:${sid}`);
    expect(readPlaceId(`team/images:${sid}`)).toEqual({ repositoryName: 'team/images', sid });
  });

  test('nothing written: the request id, cut to 100 characters, behind a prefix no place has', () => {
    expect(nothingWrittenId('r'.repeat(150))).toBe(`nothing-written:${'r'.repeat(100)}`);
    expect(readPlaceId(nothingWrittenId('abc'))).toBe('nothing-written');
  });

  test.each([
    ['a Sid of another form', 'images:CiPush'],
    ['only the prefix (the Sid of a repository this app defines)', 'images:AnyscaleEcrPull'],
    ['an organization grant\'s Sid', 'images:AnyscaleEcrPullOrgAB12CD34'],
    ['an organization grant\'s Sid of hex-looking length', `images:AnyscaleEcrPullOrg${'A'.repeat(21)}`],
    ['a creation template\'s registry Sid', 'images:AnyscaleEcrPullThroughCacheAB12CD34'],
    ['a Sid of an unreleased earlier form (the stack name)', 'images:AnyscaleEcrPullRegistry'],
    ['23 digits', `images:${sid.slice(0, -1)}`],
    ['25 digits', `images:${sid}0`],
    ['lower-case digits', `images:AnyscaleEcrPull${sid.slice('AnyscaleEcrPull'.length).toLowerCase()}`],
    ['a letter that is not a hexadecimal digit', `images:${sid.slice(0, -1)}G`],
    ['no Sid', 'images'],
    ['a name ECR rejects', `Images:${sid}`],
    ['three parts', `images:${sid}:x`],
    ['an id CloudFormation makes up', 'Registry-AnyscaleEcrExistingPolicy1234-1ABCDEF2GHIJK'],
  ])('%s is not one of ours', (_, id) => {
    expect(readPlaceId(id)).toBeUndefined();
  });

  test('our Sid is the prefix and exactly 24 upper-case hexadecimal digits', () => {
    expect(sid).toMatch(/^AnyscaleEcrPull[0-9A-F]{24}$/);
    expect(readPlaceId(`images:AnyscaleEcrPull${'0123456789ABCDEF'.repeat(2).slice(0, 24)}`)).toEqual({
      repositoryName: 'images', sid: 'AnyscaleEcrPull0123456789ABCDEF01234567',
    });
  });
});
