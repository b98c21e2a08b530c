/**
 * Edits of a repository policy TEXT that keep every byte of the statements other people wrote. Parsing and
 * re-serializing would not: `JSON.stringify(JSON.parse(...))` turns `12345678901234567890` into
 * `12345678901234567000` and `1e3` into `1000`, and drops the formatting. So the text is validated with
 * `JSON.parse`, scanned for where the top-level keys and the statements are, and only our statement is spliced.
 */

/** One statement of a policy text: its parsed value (for inspection only) and where its text is. */
export interface StatementSpan {
  readonly value: unknown;
  readonly start: number;
  readonly end: number;
}

/** A policy text and where its statements are. */
export interface PolicyText {
  readonly text: string;
  /** 'list': Statement is an array; 'single': Statement is one value (not an array); 'none': no Statement key. */
  readonly form: 'list' | 'single' | 'none';
  readonly statements: readonly StatementSpan[];
}

/** A policy text located, and where a new statement goes (after the last element of the list, or before the final `}`). */
interface Located extends PolicyText {
  readonly insertAt: number;
  readonly comma: boolean; // the list or the object is not empty
  /** Where the value of the Statement key is (the whole list, for a list). */
  readonly value?: { readonly start: number; readonly end: number };
}

/** A member of an object (with its key decoded) or an element of an array: where its value is. */
interface Item { readonly key?: string; readonly start: number; readonly end: number }

// A scanner for text that JSON.parse accepted, so it checks nothing itself: it only finds where values are.
const WHITESPACE = ' \t\n\r';

function skip(t: string, i: number): number {
  while (i < t.length && WHITESPACE.includes(t[i])) i++;
  return i;
}

/** The offset just past the value that starts at `i`. */
function valueEnd(t: string, i: number): number {
  if (t[i] === '"') {
    for (i++; t[i] !== '"'; i += t[i] === '\\' ? 2 : 1);
    return i + 1;
  }
  if (t[i] === '{' || t[i] === '[') return items(t, i).close + 1;
  while (i < t.length && !`${WHITESPACE},]}`.includes(t[i])) i++; // a number, true, false or null
  return i;
}

/** The members (keys decoded: "\u0053tatement" is Statement) or elements of the object or array at `i`, and its close. */
function items(t: string, i: number): { items: Item[]; close: number } {
  const closer = t[i] === '{' ? '}' : ']';
  const found: Item[] = [];
  for (i = skip(t, i + 1); t[i] !== closer;) {
    let key: string | undefined;
    if (closer === '}') {
      const keyEnd = valueEnd(t, i);
      key = JSON.parse(t.slice(i, keyEnd)) as string;
      i = skip(t, skip(t, keyEnd) + 1); // past the ':'
    }
    const end = valueEnd(t, i);
    found.push({ key, start: i, end });
    i = skip(t, end);
    if (t[i] === ',') i = skip(t, i + 1);
  }
  return { items: found, close: i };
}

/** Parses and locates; throws an Error whose message says what is wrong and ends with "refusing to change it." */
export function parsePolicyText(text: string): PolicyText {
  const { form, statements } = locate(text);
  return { text, form, statements };
}

/** The statements whose "Sid" value is exactly `sid` (a string compare of the decoded JSON string). */
export function statementsWithSid(policy: PolicyText, sid: string): StatementSpan[] {
  return policy.statements.filter(s => isRecord(s.value) && s.value.Sid === sid);
}

/**
 * The text with `statementJson` (compact JSON text of one statement, whose Sid is `sid`) in place of the first
 * statement with that Sid, and every other statement with that Sid removed; appended when there is none.
 * `undefined` (no policy) gives `{"Version":"2012-10-17","Statement":[<statementJson>]}`. A policy whose Statement is
 * one object (not ours) becomes a list with ours first, so that `removeStatementText` can give its shape back.
 */
export function upsertStatementText(text: string | undefined, sid: string, statementJson: string): string {
  if (text === undefined || isBlank(text)) return `{"Version":"2012-10-17","Statement":[${statementJson}]}`;
  let policy = locate(text);
  let ours = statementsWithSid(policy, sid);
  if (policy.form === 'single') {
    const { start, end } = policy.statements[0];
    return splice(text, start, end, ours.length > 0 ? statementJson : `[${statementJson},${text.slice(start, end)}]`);
  }
  if (ours.length === 0) {
    const added = policy.form === 'none' ? `"Statement":[${statementJson}]` : statementJson;
    return splice(text, policy.insertAt, policy.insertAt, `${policy.comma ? ',' : ''}${added}`);
  }
  while (ours.length > 1) {
    policy = locate(cut(policy, ours[ours.length - 1]));
    ours = statementsWithSid(policy, sid);
  }
  return splice(policy.text, ours[0].start, ours[0].end, statementJson);
}

/**
 * The text without the statements whose Sid is `sid`; `undefined` when no statement is left (delete the policy). A
 * list of two statements, ours first, is what `upsertStatementText` made of a policy whose Statement was one object:
 * the other statement becomes that object again.
 */
export function removeStatementText(text: string, sid: string): string | undefined {
  if (isBlank(text)) return undefined;
  let policy = locate(text);
  const wasSingle = policy.form === 'list' && policy.statements.length === 2 && statementsWithSid(policy, sid)[0] === policy.statements[0];
  for (let ours = statementsWithSid(policy, sid); ours.length > 0; ours = statementsWithSid(policy, sid)) {
    if (policy.form !== 'list' || policy.statements.length === 1) return undefined;
    policy = locate(cut(policy, ours[ours.length - 1]));
  }
  const [left] = policy.statements;
  if (wasSingle && policy.text[left.start] !== '[') { // (a list inside a list was never single)
    return splice(policy.text, policy.value!.start, policy.value!.end, policy.text.slice(left.start, left.end));
  }
  return policy.text;
}

/** The list text without `span` and one comma next to it: up to the next element, or from the previous one when last. */
function cut(policy: PolicyText, span: StatementSpan): string {
  const all = policy.statements;
  const i = all.indexOf(span);
  return i + 1 < all.length ? splice(policy.text, span.start, all[i + 1].start, '') : splice(policy.text, all[i - 1].end, span.end, '');
}

function locate(text: string): Located {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`The repository policy is not valid JSON (${(e as Error).message}); refusing to change it.`);
  }
  if (!isRecord(parsed)) throw new Error('The repository policy is not a JSON object; refusing to change it.');
  const policy = items(text, skip(text, 0));
  const statement = unique(policy.items, 'the policy').find(member => member.key === 'Statement');
  if (!statement) return { text, form: 'none', statements: [], insertAt: policy.close, comma: policy.items.length > 0 };
  const list = text[statement.start] === '[' ? items(text, statement.start) : undefined;
  const statements = (list?.items ?? [statement]).map(({ start, end }, index) => {
    if (text[start] === '{') unique(items(text, start).items, `statement ${index + 1}`);
    return { value: JSON.parse(text.slice(start, end)) as unknown, start, end };
  });
  if (!list) return { text, form: 'single', statements, insertAt: -1, comma: true };
  const last = statements[statements.length - 1];
  return { text, form: 'list', statements, insertAt: last?.end ?? list.close, comma: last !== undefined, value: statement };
}

/** JSON.parse keeps the last of two equal keys, so which Sid or Effect the writer meant would be a guess. */
function unique(members: Item[], where: string): Item[] {
  const twice = members.find((m, i) => members.findIndex(other => other.key === m.key) !== i);
  if (twice) throw new Error(`The repository policy has the key ${JSON.stringify(twice.key)} twice in ${where}; refusing to change it.`);
  return members;
}

/** Whether the value at `start` has an object with one key twice, at any depth: what it means would be a guess. */
export function repeatsKeys(text: string, start: number): boolean {
  if (text[start] !== '{' && text[start] !== '[') return false;
  const members = items(text, start).items;
  const keys = members.map(member => member.key);
  return (text[start] === '{' && new Set(keys).size !== keys.length) || members.some(member => repeatsKeys(text, member.start));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** JSON white space only: no policy. */
export function isBlank(text: string): boolean {
  return /^[ \t\n\r]*$/.test(text); // String.trim would also drop a BOM
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}
