import * as fs from 'fs';
import * as path from 'path';

// GIVEN the modules of lib/ and the relative imports of each
const LIB = path.join(__dirname, '..', 'lib');

function modules(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => entry.isDirectory()
    ? modules(path.join(dir, entry.name))
    : entry.name.endsWith('.ts') ? [path.relative(LIB, path.join(dir, entry.name))] : []);
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/g;

function importsOf(module: string): { local: string[]; packages: string[] } {
  const text = fs.readFileSync(path.join(LIB, module), 'utf8');
  const specifiers = [...text.matchAll(IMPORT)].map(match => match[1]);
  const local = specifiers.filter(s => s.startsWith('.')).map(s => {
    const target = path.normalize(path.join(path.dirname(module), s));
    return fs.existsSync(path.join(LIB, `${target}.ts`)) ? `${target}.ts` : path.join(target, 'index.ts');
  });
  return { local, packages: specifiers.filter(s => !s.startsWith('.')) };
}

const ALL = modules(LIB);
const isPrivate = (module: string) => module.startsWith(`private${path.sep}`);
const SHARED = `private${path.sep}shared${path.sep}`;
const HANDLER = `private${path.sep}existing-repository${path.sep}handler${path.sep}`;
const PULL_CHECK = `private${path.sep}pull-check${path.sep}`;
// The projen-generated Lambda construct sits beside the handler it bundles; it is construct code, not handler code.
const GENERATED_FUNCTION = `${HANDLER}merge-policy-function.ts`;

test('the public API is the top of lib/, and every internal module is under lib/private/', () => {
  // THEN
  expect(ALL.filter(module => !isPrivate(module)).sort()).toEqual([
    'anyscale-ecr-access.ts', 'created-repository-access.ts', 'existing-repository-policy.ts', 'identity-policy.ts', 'index.ts', 'node-role.ts',
    'organization-access.ts', 'organization-grantee.ts', 'warnings.ts',
  ]);
});

test('every import in lib/private/ stays in lib/private/: nothing reaches back up to the public constructs', () => {
  // WHEN
  const upward = ALL.filter(isPrivate).flatMap(module => importsOf(module).local.filter(target => !isPrivate(target))
    .map(target => `${module} -> ${target}`));
  // THEN
  expect(upward).toEqual([]);
});

test('lib/private/shared/ (used by the constructs and the bundled handler) imports neither aws-cdk-lib nor anything outside it', () => {
  // WHEN
  const shared = ALL.filter(module => module.startsWith(SHARED));
  const outside = shared.flatMap(module => {
    const { local, packages } = importsOf(module);
    return [...local.filter(target => !target.startsWith(SHARED)), ...packages.filter(p => p.startsWith('aws-cdk-lib') || p === 'constructs')]
      .map(target => `${module} -> ${target}`);
  });
  // THEN
  expect(shared.length).toBeGreaterThan(0);
  expect(outside).toEqual([]);
});

test('the handler bundled into the Lambda imports only the handler, lib/private/shared/ and no aws-cdk-lib', () => {
  // WHEN
  const handler = ALL.filter(module => module.startsWith(HANDLER) && module !== GENERATED_FUNCTION);
  const outside = handler.flatMap(module => {
    const { local, packages } = importsOf(module);
    return [...local.filter(target => !target.startsWith(HANDLER) && !target.startsWith(SHARED)),
      ...packages.filter(p => p.startsWith('aws-cdk-lib') || p === 'constructs')].map(target => `${module} -> ${target}`);
  });
  // THEN
  expect(handler).toContain(`${HANDLER}merge-policy.lambda.ts`);
  expect(outside).toEqual([]);
});

test('the check command (bundled on its own into the bin) imports only its folder, lib/private/shared/ and the AWS SDK, and nothing imports it', () => {
  // WHEN
  const command = ALL.filter(module => module.startsWith(PULL_CHECK));
  const outside = command.flatMap(module => {
    const { local, packages } = importsOf(module);
    return [...local.filter(target => !target.startsWith(PULL_CHECK) && !target.startsWith(SHARED)),
      ...packages.filter(p => !p.startsWith('@aws-sdk/client-') && p !== 'util')].map(target => `${module} -> ${target}`);
  });
  const users = ALL.filter(module => !module.startsWith(PULL_CHECK))
    .filter(module => importsOf(module).local.some(target => target.startsWith(PULL_CHECK)));
  // THEN
  expect(command).toContain(`${PULL_CHECK}cli.ts`);
  expect(outside).toEqual([]);
  expect(users).toEqual([]);
});

test('the modules of lib/ import each other without cycles', () => {
  // WHEN: a depth-first walk that reports the first back edge
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (module: string, trail: string[]) => {
    if (state.get(module) === 'done') return;
    if (state.get(module) === 'open') {
      cycles.push([...trail.slice(trail.indexOf(module)), module].join(' -> '));
      return;
    }
    state.set(module, 'open');
    importsOf(module).local.forEach(target => visit(target, [...trail, module]));
    state.set(module, 'done');
  };
  ALL.forEach(module => visit(module, []));
  // THEN
  expect(cycles).toEqual([]);
});

test('construct code keeps no state in module-level maps or sets: state that grants share lives in the construct tree', () => {
  // GIVEN a top-level (unindented) declaration that creates a collection
  const MODULE_LEVEL_COLLECTION = /^(?:export\s+)?(?:const|let|var)\s+\w+[^=\n]*=\s*new\s+(?:Weak)?(?:Map|Set)\b/m;
  // THEN (the bundled handler runs in Lambda, and the check command in its own process, outside any construct tree)
  const offenders = ALL.filter(module => (!module.startsWith(HANDLER) || module === GENERATED_FUNCTION) && !module.startsWith(PULL_CHECK))
    .filter(module => MODULE_LEVEL_COLLECTION.test(fs.readFileSync(path.join(LIB, module), 'utf8')));
  expect(offenders).toEqual([]);
});
