/**
 * Pure edits of an ECR repository policy text: add, replace or remove the one statement a `Sid` names, and
 * leave every other statement exactly as it was. The custom resource handler uses these; nothing here calls AWS.
 */

/** ECR: characters of a repository policy text. */
export const MAX_POLICY_CHARACTERS = 10_240;

export type Statement = Record<string, unknown>;

/** A parsed repository policy: its statements as a list, and the other top-level keys (Version, Id) as they were. */
export interface PolicyDocument {
  readonly fields: Record<string, unknown>;
  readonly statements: Statement[];
}

/** The statement this library writes for node roles. */
export function pullStatement(sid: string, principals: string[], actions: string[]): Statement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: { AWS: [...principals] },
    Action: [...actions],
  };
}

/** Parses a policy text; `undefined` (no policy) is an empty document. */
export function parsePolicy(text: string | undefined): PolicyDocument {
  if (text === undefined || text.trim() === '') {
    return { fields: { Version: '2012-10-17' }, statements: [] };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`The repository policy is not valid JSON (${(e as Error).message}); refusing to change it.`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error('The repository policy is not a JSON object; refusing to change it.');
  }
  const { Statement: statement, ...fields } = parsed as Record<string, unknown>;
  const statements = statement === undefined ? [] : Array.isArray(statement) ? statement : [statement];
  return { fields, statements: statements as Statement[] };
}

/** The policy text to write, or `undefined` when no statement is left (the policy should be deleted). */
export function renderPolicy(document: PolicyDocument): string | undefined {
  if (document.statements.length === 0) {
    return undefined;
  }
  return JSON.stringify({ ...document.fields, Statement: document.statements });
}

/** The document with `statement` in place of the one with the same Sid, or appended when there is none. */
export function upsertStatement(document: PolicyDocument, statement: Statement): PolicyDocument {
  const index = document.statements.findIndex(s => s.Sid === statement.Sid);
  const statements = [...document.statements];
  if (index === -1) {
    statements.push(statement);
  } else {
    statements.splice(index, 1, statement);
  }
  return { fields: document.fields, statements: statements.filter((s, i) => i === index || index === -1 || s.Sid !== statement.Sid) };
}

/** The document without the statements that have this Sid. */
export function removeStatement(document: PolicyDocument, sid: string): PolicyDocument {
  return { fields: document.fields, statements: document.statements.filter(s => s.Sid !== sid) };
}

/**
 * Whether two lists of statements grant the same, as far as the text ECR hands back can differ from the text
 * written: whitespace and key order aside, a list may come back in another order or, with one element, as a
 * plain string (as IAM does for other resource policies). Statement order matters.
 */
export function sameStatements(a: Statement[], b: Statement[]): boolean {
  return canonical(a, true) === canonical(b, true);
}

function canonical(value: unknown, statementList = false): string {
  if (Array.isArray(value)) {
    const items = value.map(item => canonical(item));
    if (statementList) {
      return `[${items.join(',')}]`;
    }
    const unique = [...new Set(items)].sort();
    return unique.length === 1 ? unique[0] : `[${unique.join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record).sort().map(key => `${JSON.stringify(key)}:${canonical(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
