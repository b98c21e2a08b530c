import * as fs from 'fs';
import * as path from 'path';
import { GROUPS } from '../scripts/mutation';

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
const CONSTANTS = `private${path.sep}constants${path.sep}`;
const HANDLER = `private${path.sep}existing-repository${path.sep}handler${path.sep}`;
const CONTRACT = `private${path.sep}existing-repository${path.sep}contract.ts`;
const PULL_CHECK = `private${path.sep}pull-check${path.sep}`;
/** The folder of a module: `private/<folder>` (the handler and its construct code count apart), or '' for the public API. */
const folderOf = (module: string) => module.startsWith(HANDLER) ? HANDLER.slice(0, -1) : isPrivate(module) ? module.split(path.sep).slice(0, 2).join(path.sep) : '';

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

test('lib/private/constants/ (used by the constructs, the bundled handler and the check command) and the handler contract import nothing', () => {
  // WHEN
  const constants = [...ALL.filter(module => module.startsWith(CONSTANTS)), CONTRACT];
  const imports = constants.flatMap(module => {
    const { local, packages } = importsOf(module);
    return [...local, ...packages].map(target => `${module} -> ${target}`);
  });
  // THEN
  expect(constants).toEqual(expect.arrayContaining([`${CONSTANTS}sids.ts`, `${CONSTANTS}pull-actions.ts`, `${CONSTANTS}partitions.ts`]));
  expect(imports).toEqual([]);
});

test('the handler folder holds only what is bundled into the Lambda: it imports only itself, the constants, the contract, and no aws-cdk-lib', () => {
  // WHEN
  const handler = ALL.filter(module => module.startsWith(HANDLER));
  const outside = handler.flatMap(module => {
    const { local, packages } = importsOf(module);
    return [...local.filter(target => !target.startsWith(HANDLER) && !target.startsWith(CONSTANTS) && target !== CONTRACT),
      ...packages.filter(p => p.startsWith('aws-cdk-lib') || p === 'constructs')].map(target => `${module} -> ${target}`);
  });
  // THEN
  expect(handler).toContain(`${HANDLER}merge-policy.lambda.ts`);
  expect(outside).toEqual([]);
});

test('the check command (bundled on its own into the bin) imports only its folder, lib/private/constants/ and the AWS SDK, and nothing imports it', () => {
  // WHEN
  const command = ALL.filter(module => module.startsWith(PULL_CHECK));
  const outside = command.flatMap(module => {
    const { local, packages } = importsOf(module);
    return [...local.filter(target => !target.startsWith(PULL_CHECK) && !target.startsWith(CONSTANTS)),
      ...packages.filter(p => !p.startsWith('@aws-sdk/client-') && p !== 'util')].map(target => `${module} -> ${target}`);
  });
  const users = ALL.filter(module => !module.startsWith(PULL_CHECK))
    .filter(module => importsOf(module).local.some(target => target.startsWith(PULL_CHECK)));
  // THEN
  expect(command).toContain(`${PULL_CHECK}cli.ts`);
  expect(outside).toEqual([]);
  expect(users).toEqual([]);
});

/** The cycles of a directed graph, by a depth-first walk from each node in turn that reports every back edge. */
function cyclesOf(nodes: string[], targetsOf: (node: string) => string[]): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (node: string, trail: string[]) => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'open') {
      cycles.push([...trail.slice(trail.indexOf(node)), node].join(' -> '));
      return;
    }
    state.set(node, 'open');
    targetsOf(node).forEach(target => visit(target, [...trail, node]));
    state.set(node, 'done');
  };
  nodes.forEach(node => visit(node, []));
  return cycles;
}

test('the modules of lib/ import each other without cycles', () => {
  // WHEN
  const cycles = cyclesOf(ALL, module => importsOf(module).local);
  // THEN
  expect(cycles).toEqual([]);
});

test('the folders of lib/private/ import each other without cycles: each folder depends only on folders below it', () => {
  // GIVEN the folder-level graph (an edge for every import from one folder into another)
  const edges = new Map<string, Set<string>>();
  ALL.filter(isPrivate).forEach(module => importsOf(module).local.filter(isPrivate).forEach(target => {
    if (folderOf(module) !== folderOf(target)) {
      edges.set(folderOf(module), (edges.get(folderOf(module)) ?? new Set()).add(folderOf(target)));
    }
  }));
  // WHEN
  const cycles = cyclesOf([...edges.keys()].sort(), folder => [...edges.get(folder) ?? []].sort());
  // THEN
  expect(edges.size).toBeGreaterThan(5);
  expect(cycles).toEqual([]);
});

test('construct code keeps no state in module-level maps or sets: state that grants share lives in the construct tree', () => {
  // GIVEN a top-level (unindented) declaration that creates a collection
  const MODULE_LEVEL_COLLECTION = /^(?:export\s+)?(?:const|let|var)\s+\w+[^=\n]*=\s*new\s+(?:Weak)?(?:Map|Set)\b/m;
  // THEN (the bundled handler runs in Lambda, and the check command in its own process, outside any construct tree)
  const offenders = ALL.filter(module => !module.startsWith(HANDLER) && !module.startsWith(PULL_CHECK))
    .filter(module => MODULE_LEVEL_COLLECTION.test(fs.readFileSync(path.join(LIB, module), 'utf8')));
  expect(offenders).toEqual([]);
});

test('every module of lib/ but the check command, the index and the construct-only Lambda wrapper is in exactly one mutation group', () => {
  // GIVEN the groups of `npm run mutation`
  const grouped = Object.values(GROUPS).flatMap(group => group.modules.map(module => `${path.join(...module.split('/'))}.ts`));

  // THEN
  const expected = ALL.filter(module => !module.startsWith(PULL_CHECK) && module !== 'index.ts'
    && module !== path.join('private', 'existing-repository', 'merge-policy-function.ts'));
  expect([...grouped].sort()).toEqual([...expected].sort());
});
