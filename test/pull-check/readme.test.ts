import * as fs from 'fs';
import * as path from 'path';
import { CHECK_PERMISSIONS } from '../../lib/private/pull-check/permissions';

// The README section "Check that a node role can pull" lists the IAM policy the command needs: exactly the calls the
// code may make (command.test.ts and simulator.test.ts check that every call they see is in CHECK_PERMISSIONS).

test('the README\'s IAM policy for the check command is the list of calls it may make, node and registry side', () => {
  // GIVEN
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const block = /<!-- check-permissions -->\n```json\n([\s\S]*?)```/.exec(readme);
  // WHEN
  const policy = JSON.parse(block![1]);
  // THEN
  const statements = policy.Statement as Array<{ Sid: string; Effect: string; Action: string[]; Resource: string }>;
  expect(statements.map(s => [s.Sid, s.Effect, s.Action, s.Resource])).toEqual([
    ['NodeAccount', 'Allow', [...CHECK_PERMISSIONS.node], '*'],
    ['RegistryAccount', 'Allow', [...CHECK_PERMISSIONS.registry], '*'],
  ]);
});
