import * as fc from 'fast-check';
import { FakeEcr } from '../support/fake-ecr';
import { allowListOf, createEvent, deleteEvent, invoke, props, pullStatement, SID, updateEvent } from '../support/handler';

const account = fc.stringMatching(/^[0-9]{12}$/);
const roleArn = fc.tuple(account, fc.stringMatching(/^[A-Za-z0-9+=,.@_-]{1,20}$/)).map(([a, name]) => `arn:aws:iam::${a}:role/${name}`);
const principal = fc.oneof(
  roleArn,
  fc.array(roleArn, { minLength: 1, maxLength: 4 }),
  fc.constant('*'),
  account.map(a => `arn:aws:iam::${a}:root`),
).map(aws => ({ AWS: aws }));
const action = fc.constantFrom('ecr:PutImage', 'ecr:BatchGetImage', 'ecr:ListImages', 'ecr:*', 'ecr:DeleteRepository');
/** Numbers as people write them, which JSON.parse would change: big integers, exponents, trailing zeros. */
const rawNumber = fc.oneof(fc.bigInt({ min: 10n ** 17n, max: 10n ** 25n }).map(String), fc.constantFrom('1e3', '1E+3', '-0', '1.0', '0.10'));
/** A statement someone else wrote, as text: any Sid but ours (or none), any key order, maybe a numeric condition. */
const foreignStatement = fc.record({
  Sid: fc.option(fc.stringMatching(/^[A-Za-z0-9]{1,16}$/), { nil: undefined }),
  Effect: fc.constantFrom('Allow', 'Deny'),
  Principal: principal,
  Action: fc.oneof(action, fc.array(action, { minLength: 1, maxLength: 3 })),
}).chain(statement => fc.tuple(fc.constant(statement), fc.option(rawNumber, { nil: undefined }), fc.boolean()))
  .map(([statement, number, reversed]) => {
    const entries = Object.entries(statement).filter(([, value]) => value !== undefined).map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`);
    if (number !== undefined) {
      entries.push(`"Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": ${number}}}`);
    }
    return `{${(reversed ? entries.reverse() : entries).join(', ')}}`;
  });
const existingPolicy = fc.option(
  fc.tuple(fc.constantFrom('2012-10-17', '2008-10-17'), fc.array(foreignStatement, { maxLength: 20 }), fc.constantFrom('', '\n', '\n  '))
    .map(([version, statements, space]) => `{${space}"Version": "${version}",${space}"Statement": [${statements.join(`,${space}`)}]${space.replace('  ', '')}}`),
  { nil: undefined },
);
const principals = fc.uniqueArray(roleArn, { minLength: 1, maxLength: 5 });

test('create → update → delete keeps every foreign statement byte for byte, and ours exactly between create and delete', async () => {
  await fc.assert(fc.asyncProperty(existingPolicy, principals, principals, async (policy, first, second) => {
    // GIVEN a repository with a random policy text, or none, and a stack that declared both sets of principals
    const ecr = new FakeEcr().withRepository('images', policy);
    const allowList = allowListOf({ images: [...new Set([...first, ...second])] });
    const foreignCount = policy === undefined ? 0 : JSON.parse(policy).Statement.length;
    const ours = () => (ecr.policy('images')?.Statement ?? []).filter((s: any) => s.Sid === SID);

    // WHEN created, THEN ours is there once, and the old text is still there around it
    expect((await invoke(ecr, createEvent(props('images', first)), { allowList })).Status).toBe('SUCCESS');
    expect(ours()).toEqual([pullStatement(SID, [...first].sort())]);
    expect(ecr.policy('images').Statement).toHaveLength(foreignCount + 1);

    // WHEN updated with other principals
    expect((await invoke(ecr, updateEvent(props('images', second), props('images', first), `images:${SID}`), { allowList })).Status).toBe('SUCCESS');
    expect(ours()).toEqual([pullStatement(SID, [...second].sort())]);

    // WHEN deleted, THEN the policy text is exactly what it was (or gone, when it was only ours)
    expect((await invoke(ecr, deleteEvent(`images:${SID}`, props('images', second)), { allowList })).Status).toBe('SUCCESS');
    expect(ecr.repositories.get('images')).toBe(foreignCount === 0 ? undefined : policy);
  }), { numRuns: 100 });
});
