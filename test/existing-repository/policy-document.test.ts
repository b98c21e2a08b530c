import { parsePolicy, pullStatement, removeStatement, renderPolicy, sameStatements, upsertStatement } from '../../lib/existing-repository/policy-document';

const A = { Sid: 'A', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::1:role/a' }, Action: 'ecr:ListImages' };
const B = { Sid: 'B', Effect: 'Deny', Principal: '*', Action: ['ecr:PutImage'] };
const NO_SID = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::1:root' }, Action: ['ecr:BatchGetImage'] };

describe('parsePolicy', () => {
  test.each([
    ['no policy', undefined, [], { Version: '2012-10-17' }],
    ['blank text', '  ', [], { Version: '2012-10-17' }],
    ['a statement list', JSON.stringify({ Version: '2008-10-17', Statement: [A, B] }), [A, B], { Version: '2008-10-17' }],
    ['one statement object', JSON.stringify({ Version: '2012-10-17', Id: 'x', Statement: A }), [A], { Version: '2012-10-17', Id: 'x' }],
    ['no Statement key', JSON.stringify({ Version: '2012-10-17' }), [], { Version: '2012-10-17' }],
  ])('%s', (_, text, statements, fields) => {
    expect(parsePolicy(text)).toStrictEqual({ statements, fields });
  });

  test.each([['{', /not valid JSON/], ['[1]', /not a JSON object/], ['null', /not a JSON object/], ['"text"', /not a JSON object/]])(
    'refuses %s', (text, message) => expect(() => parsePolicy(text)).toThrow(message));
});

describe('upsertStatement / removeStatement / renderPolicy', () => {
  const doc = { fields: { Version: '2012-10-17', Id: 'kept' }, statements: [A, NO_SID, B] };

  test('a new Sid is appended; the fields and other statements stay', () => {
    const ours = pullStatement('Ours', ['arn:aws:iam::1:role/n'], ['ecr:BatchGetImage']);
    expect(upsertStatement(doc, ours)).toEqual({ fields: doc.fields, statements: [A, NO_SID, B, ours] });
    expect(doc.statements).toEqual([A, NO_SID, B]);
  });

  test('an existing Sid is replaced in place, and a duplicate of it dropped', () => {
    const replacement = { ...A, Action: 'ecr:BatchGetImage' };
    expect(upsertStatement({ fields: {}, statements: [A, B, { ...A, Effect: 'Deny' }] }, replacement).statements).toEqual([replacement, B]);
  });

  test('remove drops only that Sid; statements without a Sid stay', () => {
    expect(removeStatement(doc, 'A').statements).toEqual([NO_SID, B]);
    expect(removeStatement(doc, 'Missing').statements).toEqual(doc.statements);
  });

  test('render keeps the fields, and gives undefined when nothing is left', () => {
    expect(JSON.parse(renderPolicy(doc)!)).toEqual({ Version: '2012-10-17', Id: 'kept', Statement: [A, NO_SID, B] });
    expect(renderPolicy({ fields: doc.fields, statements: [] })).toBeUndefined();
  });

  test('pullStatement always lists principals and actions, and copies them', () => {
    const principals = ['arn:aws:iam::1:role/n'];
    const statement = pullStatement('S', principals, ['ecr:ListImages']);
    principals.push('changed');
    expect(statement).toEqual({ Sid: 'S', Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::1:role/n'] }, Action: ['ecr:ListImages'] });
  });
});

describe('sameStatements', () => {
  test.each([
    ['key order', [{ Sid: 'A', Effect: 'Allow' }], [{ Effect: 'Allow', Sid: 'A' }]],
    ['a one-element list and its string', [{ Action: ['ecr:ListImages'] }], [{ Action: 'ecr:ListImages' }]],
    ['list order inside a statement', [{ Action: ['b', 'a'] }], [{ Action: ['a', 'b'] }]],
    ['nested one-element lists', [{ Principal: { AWS: ['x'] } }], [{ Principal: { AWS: 'x' } }]],
  ])('ignores %s', (_, a, b) => expect(sameStatements(a, b)).toBe(true));

  test.each([
    ['statement order', [A, B], [B, A]],
    ['a missing statement', [A, B], [A]],
    ['an extra action', [{ Action: ['a'] }], [{ Action: ['a', 'b'] }]],
    ['a changed value', [A], [{ ...A, Effect: 'Deny' }]],
    ['a number and its string', [{ V: 1 }], [{ V: '1' }]],
    ['a null value and an empty object', [{ V: null }], [{ V: {} }]],
    ['a missing key', [A], [{ Sid: 'A', Effect: 'Allow', Principal: A.Principal }]],
  ])('notices %s', (_, a, b) => expect(sameStatements(a, b)).toBe(false));
});
