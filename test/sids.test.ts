import * as fs from 'fs';
import * as path from 'path';
import {
  HANDLER_SID_PATTERN, ORGANIZATION_SID_PREFIX, PULL_STATEMENT_SID, PULL_THROUGH_CACHE_SID_PREFIX, SID_COLLISION_SEPARATOR,
} from '../lib/private/constants/sids';
import { ownedSid } from '../lib/private/existing-repository/handler/ownership';

const LIB = path.join(__dirname, '..', 'lib');
const SIDS_MODULE = path.join('private', 'constants', 'sids.ts');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => entry.isDirectory()
    ? sources(path.join(dir, entry.name))
    : entry.name.endsWith('.ts') ? [path.relative(LIB, path.join(dir, entry.name))] : []);
}

test('every Sid the library writes is spelled in one module: no other module of lib/ has an AnyscaleEcrPull string literal', () => {
  // GIVEN a quoted string (or template literal) that begins with the Sid prefix, on a line of code (not a comment)
  const LITERAL = /['"`]AnyscaleEcrPull/;
  const isComment = (line: string) => /^\s*(?:\/\/|\/?\*)/.test(line);
  // WHEN
  const elsewhere = sources(LIB).filter(module => module !== SIDS_MODULE)
    .filter(module => fs.readFileSync(path.join(LIB, module), 'utf8').split('\n').some(line => !isComment(line) && LITERAL.test(line)));
  // THEN
  expect(elsewhere).toEqual([]);
});

test.each([
  ['the pull statement of a repository the app defines', PULL_STATEMENT_SID],
  ['an organization statement (8 digits)', `${ORGANIZATION_SID_PREFIX}0123ABCD`],
  ['an organization statement (24 digits)', `${ORGANIZATION_SID_PREFIX}${'A'.repeat(24)}`],
  ['an organization statement whose digest another grant has', `${ORGANIZATION_SID_PREFIX}0123ABCD${SID_COLLISION_SEPARATOR}2`],
  ['a creation template\'s registry statement (8 digits)', `${PULL_THROUGH_CACHE_SID_PREFIX}0123ABCD`],
  ['a creation template\'s registry statement (24 digits)', `${PULL_THROUGH_CACHE_SID_PREFIX}${'0'.repeat(24)}`],
])('the handler\'s own-Sid pattern does not match %s', (_, sid) => {
  expect(HANDLER_SID_PATTERN.test(sid)).toBe(false);
});

test('the handler\'s own-Sid pattern matches the Sids the handler gives', () => {
  // GIVEN
  const sids = ['Registry', 'Nested/Child', 'Other'].map(name => ownedSid(`arn:aws:cloudformation:us-east-1:222222222222:stack/${name}/id`, 'Statement'));
  // THEN
  expect(sids.filter(sid => !HANDLER_SID_PATTERN.test(sid))).toEqual([]);
});
