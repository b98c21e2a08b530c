import * as fc from 'fast-check';
import { parsePolicyText, removeStatementText, statementsWithSid, upsertStatementText } from '../../lib/private/existing-repository/handler/policy-text';

const SID = 'AnyscaleEcrPullX';
const OURS = `{"Sid":"${SID}","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/n"},"Action":"ecr:BatchGetImage"}`;
const NEWER = OURS.replace('role/n', 'role/m');
/** A foreign statement that JSON.stringify(JSON.parse(...)) would change: big integers, exponents, -0, escapes. */
const BIG = '{"Sid":"Numbers","Effect":"Deny","Principal":"*","Action":"ecr:*","Condition":{"NumericLessThan":' +
  '{"aws:EpochTime":12345678901234567890,"a":1e3,"b":1E+3,"c":-0,"d":0.1,"e":"\\u0041\\/\\ud83d\\ude00"}}}';
const THEIRS = '{"Sid":"Theirs","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":["ecr:ListImages"]}';

/** The text of each statement, in order. */
const spanTexts = (text: string) => parsePolicyText(text).statements.map(s => text.slice(s.start, s.end));

describe('parsePolicyText', () => {
  test.each([
    ['a list', 'list', `{"Version":"2012-10-17","Statement":[${THEIRS},${BIG}]}`, [THEIRS, BIG]],
    ['a list with non-object elements', 'list', `{"Statement":[ 12345678901234567890 , "text", [1,{}] ,null,${THEIRS}]}`,
      ['12345678901234567890', '"text"', '[1,{}]', 'null', THEIRS]],
    ['an empty list', 'list', '{"Statement":[]}', []],
    ['a single statement', 'single', `{"Statement":${BIG},"Version":"2012-10-17"}`, [BIG]],
    ['a single string', 'single', '{"Statement":"x"}', ['"x"']],
    ['no Statement key', 'none', '{"Version":"2012-10-17","Id":"a"}', []],
  ])('%s: form %s, each statement\'s span and value', (_, form, text, texts) => {
    const policy = parsePolicyText(text);
    expect(policy.form).toBe(form);
    expect(policy.text).toBe(text);
    expect(spanTexts(text)).toEqual(texts);
    expect(policy.statements.map(s => s.value)).toEqual(texts.map(t => JSON.parse(t)));
  });

  test('strings with every escape, nested values and all JSON whitespace do not confuse the scanner', () => {
    // GIVEN keys and strings that contain quotes, brackets, commas and colons, escaped and not
    const tricky = '{"Sid":"a\\"],{}:\\\\","x":"\\b\\f\\n\\r\\t\\/\\u005d\\ud83d\\ude00😀","y":[[],{"z":[true,false,null,-1.5e-7]}]}';
    const text = ` \t\r\n{ "Id" :"\\"Statement\\":[" ,\r\n\t"Statement" :\n[ ${tricky}\t,\r\n${THEIRS} ] } \n`;
    // THEN the two statements are found where they are
    expect(spanTexts(text)).toEqual([tricky, THEIRS]);
    expect(parsePolicyText(text).statements[0].value).toEqual(JSON.parse(tricky));
  });

  test('keys are compared decoded: "\\u0053tatement" is Statement and "S\\u0069d" is Sid', () => {
    const text = `{"\\u0053tatement":[{"S\\u0069d":"${SID}"},${THEIRS}]}`;
    const policy = parsePolicyText(text);
    expect(policy.form).toBe('list');
    expect(statementsWithSid(policy, SID).map(s => text.slice(s.start, s.end))).toEqual([`{"S\\u0069d":"${SID}"}`]);
  });

  test.each([
    ['not JSON', '{"Statement":[', /not valid JSON.*refusing to change it\.$/],
    ['a leading BOM', '\uFEFF{"Statement":[]}', /not valid JSON.*refusing to change it\.$/],
    ['a BOM alone (not blank: JSON whitespace is only space, tab, LF and CR)', '\uFEFF', /not valid JSON.*refusing to change it\.$/],
    ['an array', '[{"Statement":[]}]', /not a JSON object; refusing to change it\.$/],
    ['null', 'null', /not a JSON object; refusing to change it\.$/],
    ['a string', '"{}"', /not a JSON object; refusing to change it\.$/],
    ['a duplicate top-level key', '{"Statement":[],"Version":"1","Version":"2"}', /key "Version" twice in the policy.*refusing to change it\.$/],
    ['a duplicate Statement, one escaped', `{"Statement":[${OURS}],"\\u0053tatement":[]}`, /key "Statement" twice in the policy.*refusing to change it\.$/],
    ['a duplicate key in a listed statement', `{"Statement":[${THEIRS},{"Sid":"A","Effect":"Allow","Effect":"Deny"}]}`,
      /key "Effect" twice in statement 2.*refusing to change it\.$/],
    ['a duplicate Sid in a single statement, one escaped', `{"Statement":{"Sid":"${SID}","S\\u0069d":"Other"}}`,
      /key "Sid" twice in statement 1.*refusing to change it\.$/],
  ])('refuses %s', (_, text, message) => {
    expect(() => parsePolicyText(text)).toThrow(message);
    expect(() => upsertStatementText(text, SID, OURS)).toThrow(message);
    expect(() => removeStatementText(text, SID)).toThrow(message);
  });

  test('a duplicate key deeper inside a statement (a Condition) is left to JSON.parse, like any foreign byte', () => {
    const text = `{"Statement":[{"Sid":"A","Condition":{"StringEquals":{"k":"1","k":"2"}}},${OURS}]}`;
    expect(removeStatementText(text, SID)).toBe('{"Statement":[{"Sid":"A","Condition":{"StringEquals":{"k":"1","k":"2"}}}]}');
  });
});

describe('statementsWithSid', () => {
  test('matches the decoded Sid exactly, only on statement objects', () => {
    // GIVEN look-alikes: a longer and a shorter Sid, our Sid inside a Condition or as a plain string element, a non-string Sid
    const lookalikes = [
      '{"Sid":"AnyscaleEcrPullXY"}', '{"Sid":"AnyscaleEcrPull"}', '{"Sid":"anyscaleecrpullx"}', '{"Sid":" AnyscaleEcrPullX"}',
      `{"Sid":"Other","Condition":{"StringEquals":{"Sid":"${SID}"}}}`, `"${SID}"`, `{"Sid":["${SID}"]}`, `{"sid":"${SID}"}`,
    ];
    const text = `{"Statement":[${lookalikes.join(',')},{"Sid":"Anyscale\\u0045crPullX","Effect":"Allow"}]}`;
    // THEN only the escaped-but-equal one is ours
    const found = statementsWithSid(parsePolicyText(text), SID);
    expect(found.map(s => s.value)).toEqual([{ Sid: SID, Effect: 'Allow' }]);
    // AND removing ours leaves every look-alike byte for byte
    expect(removeStatementText(text, SID)).toBe(`{"Statement":[${lookalikes.join(',')}]}`);
  });
});

describe('upsertStatementText and removeStatementText by form', () => {
  test.each([
    ['no policy', undefined, `{"Version":"2012-10-17","Statement":[${OURS}]}`, undefined],
    ['blank text', ' \n\t\r ', `{"Version":"2012-10-17","Statement":[${OURS}]}`, undefined],
    ['no Statement key', '{ "Version": "2012-10-17", "Id": "x" }', `{ "Version": "2012-10-17", "Id": "x" ,"Statement":[${OURS}]}`, undefined],
    ['an empty object', '{ }', `{ "Statement":[${OURS}]}`, undefined],
    ['an empty list', '{"Statement":[ ],"Version":"2012-10-17"}', `{"Statement":[ ${OURS}],"Version":"2012-10-17"}`, undefined],
    // One object (or value) as Statement: ours goes first, and removing it gives back the object, not a list of it.
    ['a foreign statement alone', `{"Statement":${BIG}}`, `{"Statement":[${OURS},${BIG}]}`, `{"Statement":${BIG}}`],
    ['a foreign string alone', '{"Statement":"x"}', `{"Statement":[${OURS},"x"]}`, '{"Statement":"x"}'],
    ['a foreign statement alone, pretty', `{\n  "Statement": ${THEIRS}\n}`, `{\n  "Statement": [${OURS},${THEIRS}]\n}`, `{\n  "Statement": ${THEIRS}\n}`],
    ['a list of one foreign statement (stays a list)', `{"Statement":[${BIG}]}`, `{"Statement":[${BIG},${OURS}]}`, `{"Statement":[${BIG}]}`],
    ['a list of foreign statements', `{"Statement":[${THEIRS} , ${BIG}]}`, `{"Statement":[${THEIRS} , ${BIG},${OURS}]}`, `{"Statement":[${THEIRS} , ${BIG}]}`],
  ])('%s', (_, text, upserted, removed) => {
    // WHEN ours is added
    const result = upsertStatementText(text, SID, OURS);
    // THEN it is where the rules say, and every other byte is as it was
    expect(result).toBe(upserted);
    expect(JSON.parse(result).Statement.filter((s: any) => s.Sid === SID)).toEqual([JSON.parse(OURS)]);
    // AND adding it again changes nothing
    expect(upsertStatementText(result, SID, OURS)).toBe(result);
    // AND removing it leaves the foreign statements (or no policy)
    expect(removeStatementText(result, SID)).toBe(removed);
  });

  test('a single statement that is ours is replaced, and removing it deletes the policy', () => {
    const text = `{"Version":"2012-10-17","Statement":\n${OURS}\n}`;
    expect(upsertStatementText(text, SID, NEWER)).toBe(`{"Version":"2012-10-17","Statement":\n${NEWER}\n}`);
    expect(removeStatementText(text, SID)).toBeUndefined();
  });

  test.each([
    ['ours first, then one foreign statement (as upsert makes of a single one)', `{"Statement":[ ${OURS} ,\n ${THEIRS} ]}`, `{"Statement":${THEIRS}}`],
    ['ours first, then a foreign list value (a list in a list was never a single statement)', `{"Statement":[${OURS},[1]]}`, '{"Statement":[[1]]}'],
    ['ours second of two', `{"Statement":[${THEIRS},${OURS}]}`, `{"Statement":[${THEIRS}]}`],
    ['ours first of three', `{"Statement":[${OURS},${THEIRS},${BIG}]}`, `{"Statement":[${THEIRS},${BIG}]}`],
    ['two foreign statements, ours nowhere', `{"Statement":[${THEIRS},${BIG}]}`, `{"Statement":[${THEIRS},${BIG}]}`],
  ])('removing from a list of %s', (_, text, removed) => {
    expect(removeStatementText(text, SID)).toBe(removed);
  });

  test.each([['empty text', ''], ['blank text', ' \r\n\t ']])('removing from %s: there is no statement left', (_, text) => {
    expect(removeStatementText(text, SID)).toBeUndefined();
  });

  test.each([
    ['a list of ours only', `{"Statement":[${OURS}, ${OURS}]}`],
    ['a list of ours only, pretty', `{\n  "Statement": [\n    ${OURS}\n  ]\n}`],
  ])('removing the last statement deletes the policy: %s', (_, text) => {
    expect(removeStatementText(text, SID)).toBeUndefined();
  });

  test.each([
    ['no Statement key', '{"Version":"2012-10-17"}'],
    ['foreign statements only', `{"Statement":[${THEIRS},${BIG}]}`],
    ['a foreign single statement', `{"Statement":${THEIRS}}`],
    ['an empty list', '{"Statement":[]}'],
  ])('removing from a policy without ours returns the same text: %s', (_, text) => {
    expect(removeStatementText(text, SID)).toBe(text);
  });
});

describe('several statements with our Sid', () => {
  test.each([
    ['first, middle and last', `{"Statement":[${OURS}, ${THEIRS}, ${OURS}, ${BIG}, ${OURS}]}`,
      `{"Statement":[${NEWER}, ${THEIRS}, ${BIG}]}`, `{"Statement":[${THEIRS}, ${BIG}]}`],
    ['adjacent at the end', `{"Statement":[ ${THEIRS} ,${OURS} ,${OURS} ]}`, `{"Statement":[ ${THEIRS} ,${NEWER} ]}`, `{"Statement":[ ${THEIRS} ]}`],
    ['adjacent at the start', `{"Statement":[${OURS},${OURS},${THEIRS}]}`, `{"Statement":[${NEWER},${THEIRS}]}`, `{"Statement":[${THEIRS}]}`],
  ])('%s: upsert keeps the first in place, remove drops all', (_, text, upserted, removed) => {
    expect(upsertStatementText(text, SID, NEWER)).toBe(upserted);
    expect(removeStatementText(text, SID)).toBe(removed);
  });
});

describe('formatting survives', () => {
  const pretty = [
    '{',
    '  "Version": "2012-10-17",',
    '  "Id": "kept",',
    '  "Statement": [',
    '    {',
    '      "Sid": "Theirs",',
    '      "Effect": "Allow",',
    '      "Condition": { "NumericLessThan": { "aws:EpochTime": 12345678901234567890, "x": 1E+3 } }',
    '    }',
    '  ],',
    '  "Zzz": -0',
    '}',
  ];
  test.each([
    ['2-space indents, LF', pretty.join('\n')],
    ['tabs, LF', pretty.map(line => line.replace(/ {2}/g, '\t')).join('\n')],
    ['2-space indents, CRLF', pretty.join('\r\n') + '\r\n'],
    ['tabs, CRLF', pretty.map(line => line.replace(/ {2}/g, '\t')).join('\r\n')],
  ])('%s: ours goes right after the last statement, and removing it gives the original bytes', (_, text) => {
    const theirs = spanTexts(text)[0];
    const at = text.indexOf(theirs) + theirs.length;
    // WHEN ours is added, replaced, and removed
    const added = upsertStatementText(text, SID, OURS);
    const replaced = upsertStatementText(added, SID, NEWER);
    // THEN each step changes only our span
    expect(added).toBe(`${text.slice(0, at)},${OURS}${text.slice(at)}`);
    expect(replaced).toBe(`${text.slice(0, at)},${NEWER}${text.slice(at)}`);
    expect(removeStatementText(replaced, SID)).toBe(text);
    expect(Object.keys(JSON.parse(added))).toEqual(['Version', 'Id', 'Statement', 'Zzz']);
  });
});

describe('property: foreign text survives byte for byte', () => {
  const ws = fc.array(fc.constantFrom(' ', '\t', '\n', '\r'), { maxLength: 3 }).map(chars => chars.join(''));
  /** Numbers as raw JSON text, of every form; most would not survive JSON.stringify(JSON.parse(...)). */
  const number = fc.oneof(
    fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
    fc.stringMatching(/^-?(0|[1-9][0-9]{0,20})(\.[0-9]{1,6})?([eE][+-]?[0-9]{1,3})?$/),
    fc.constantFrom('-0', '0.1', '1e3', '1E+3', '12345678901234567890'),
  );
  const escape = fc.constantFrom('\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t', '\\u0053', '\\u005d', '\\ud83d\\ude00', '😀');
  /** Strings as raw JSON text, with escapes and characters that are JSON syntax. */
  const string = fc.array(fc.oneof(escape, fc.constantFrom('a', 'Sid', '{', '}', '[', ']', ',', ':', ' ')), { maxLength: 6 })
    .map(parts => `"${parts.join('')}"`);
  const { value } = fc.letrec<{ value: string }>(tie => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      number, string, fc.constantFrom('true', 'false', 'null'),
      fc.array(fc.tuple(ws, tie('value'), ws), { maxLength: 3 }).map(items => `[${items.map(i => i.join('')).join(',')}]`),
      fc.uniqueArray(fc.tuple(string, tie('value')), { maxLength: 3, selector: ([key]) => JSON.parse(key) })
        .map(members => `{${members.map(([k, v]) => `${k}:${v}`).join(',')}}`),
    ),
  }));
  /** A key as JSON text, sometimes with an escaped first letter. */
  const key = (name: string) => fc.constantFrom(`"${name}"`, `"\\u00${name.charCodeAt(0).toString(16)}${name.slice(1)}"`);
  const object = (members: Record<string, fc.Arbitrary<string>>) => fc.shuffledSubarray(Object.keys(members))
    .chain(names => fc.tuple(...names.map(name => fc.tuple(ws, key(name), ws, ws, members[name], ws))))
    .map(parts => `{${parts.map(([a, k, b, c, v, d]) => `${a}${k}${b}:${c}${v}${d}`).join(',')}}`);
  /** A statement someone else wrote: a Sid that is never ours (though maybe close), any order, any formatting. */
  const statement = object({
    Sid: fc.oneof(fc.constantFrom('"AnyscaleEcrPullXY"', '"AnyscaleEcrPull"', '"anyscaleEcrPullX"', `["${SID}"]`, '1'), string),
    Effect: fc.constantFrom('"Allow"', '"Deny"'),
    Principal: value,
    Action: value,
    Condition: fc.constantFrom(`{"StringEquals":{"Sid":"${SID}"}}`).chain(c => fc.oneof(fc.constant(c), value)),
    Other: value,
  });
  const element = fc.oneof({ weight: 4, arbitrary: statement }, { weight: 1, arbitrary: value });
  const elements = fc.array(fc.tuple(ws, element, ws), { minLength: 1, maxLength: 6 });
  const policy = elements.chain(list => object({
    Version: fc.constantFrom('"2012-10-17"', '"2008-10-17"'),
    Id: string,
    Extra: value,
    Statement: fc.constant(`[${list.map(e => e.join('')).join(',')}]`),
  }).filter(text => parsePolicyText(text).form === 'list').map(text => ({ text, foreign: list.map(([, e]) => e) })));
  const wrapped = fc.tuple(ws, policy, ws).map(([a, p, b]) => ({ text: `${a}${p.text}${b}`, foreign: p.foreign }));

  test('upsert ours, then remove ours, gives the original text', () => {
    fc.assert(fc.property(wrapped, ({ text, foreign }) => {
      // GIVEN a policy of foreign statements only
      expect(statementsWithSid(parsePolicyText(text), SID)).toEqual([]);
      // WHEN ours is added
      const added = upsertStatementText(text, SID, OURS);
      // THEN each foreign statement's text is still there, in order, followed by ours
      expect(spanTexts(added)).toEqual([...foreign, OURS]);
      for (const f of foreign) expect(added.includes(f)).toBe(true);
      expect(JSON.parse(added).Statement.filter((s: any) => s?.Sid === SID)).toEqual([JSON.parse(OURS)]);
      // AND replacing it touches only our span
      expect(upsertStatementText(added, SID, NEWER)).toBe(added.replace(OURS, NEWER));
      // AND removing it gives back the original text exactly
      expect(removeStatementText(added, SID)).toBe(text);
    }), { numRuns: 300 });
  });

  test('ours anywhere, any number of times: upsert leaves one, remove leaves none, foreign text stays in order', () => {
    const mixed = fc.tuple(policy, fc.array(fc.nat(), { minLength: 1, maxLength: 3 })).map(([p, places]) => {
      const all: string[] = [...p.foreign];
      for (const place of places) all.splice(place % (all.length + 1), 0, OURS);
      return { text: `{"Id":"x","Statement":[${all.join(' ,\n ')}]}`, all, foreign: p.foreign };
    });
    fc.assert(fc.property(mixed, ({ text, all, foreign }) => {
      const first = all.indexOf(OURS);
      const upserted = all.filter((s, i) => s !== OURS || i === first).map(s => (s === OURS ? NEWER : s));
      expect(spanTexts(upsertStatementText(text, SID, NEWER))).toEqual(upserted);
      expect(spanTexts(removeStatementText(text, SID)!)).toEqual(foreign);
    }), { numRuns: 200 });
  });
});
