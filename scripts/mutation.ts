// Mutation testing of lib/ with StrykerJS, one group of modules at a time, each against the tests that are
// written for it (its mirror test files). Jest loads every test file it may run for each mutant, and the suites
// that synthesize whole apps take seconds to load, so one run over all of lib/ against all tests takes hours on
// two cores; by groups it takes minutes. Prints each group's score and the total; JSON reports in
// artifacts/mutation/. Run with `npx projen mutation` (optionally with group names to run only those).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

interface Group {
  readonly modules: string[];
  readonly tests: string[];
  /** Stryker's timeoutMS for the group, when its tests are fast: a mutant that loops forever then costs seconds, not a minute. */
  readonly timeoutMS?: number;
}

export const GROUPS: Record<string, Group> = {
  handler: {
    modules: ['private/existing-repository/handler/policy-text', 'private/existing-repository/handler/ownership', 'private/existing-repository/handler/request',
      'private/existing-repository/handler/repository-policy-store', 'private/existing-repository/handler/statement-sync', 'private/existing-repository/handler/merge-policy.lambda',
      'private/existing-repository/handler/cfn-response', 'private/constants/partitions', 'private/existing-repository/contract'],
    tests: ['existing-repository/merge-policy', 'existing-repository/policy-text', 'existing-repository/cfn-response',
      'existing-repository/handler-entry', 'existing-repository/races', 'existing-repository/ownership', 'existing-repository/request',
      'existing-repository/handler-client', 'existing-repository/timing', 'existing-repository/revocation', 'existing-repository/lost-answers',
      'existing-repository/propagation', 'existing-repository/partitions'],
    // Its tests take about 5 s in all; the policy text scanner's loops, mutated, never end.
    timeoutMS: 10_000,
  },
  // What the constructs build on: accounts, names, rendering, the stage, the constants (issue 21 moved them here).
  foundations: {
    modules: ['private/accounts/accounts', 'private/accounts/role-identity', 'private/naming/role-names', 'private/naming/fingerprint',
      'private/rendering/rendering', 'private/rendering/rendered-arns', 'private/rendering/display', 'private/stage/synthesized',
      'private/quotas/generated-names', 'private/constants/pull-actions', 'private/constants/sids', 'private/constants/ecr-rules'],
    tests: ['accounts', 'rendered-arns', 'repository-policy', 'quotas', 'identity-grant', 'identity-policy', 'node-role', 'pipelines',
      'sids', 'anyscale-ecr-access', 'repository-grant', 'role-quotas', 'warnings', 'ecr-names', 'organization-access', 'role-identity'],
  },
  decisions: {
    modules: ['private/repository/repository-grant', 'private/identity/identity-grant', 'private/identity/identity-choice',
      'private/identity/managed-policy-kept', 'private/identity/pod-role', 'private/grants/grant-parts', 'private/cdk-internals/cdk-internals'],
    tests: ['accounts', 'repository-grant', 'identity-grant', 'identity-policy', 'anyscale-ecr-access', 'node-role',
      'existing-repository/existing-repository-statement', 'pipelines', 'eks', 'warnings', 'cdk-internals'],
  },
  policies: {
    modules: ['private/repository/repository-policy', 'private/quotas/quotas', 'private/quotas/role-quotas', 'node-role',
      'private/existing-repository/existing-repository-statement'],
    tests: ['repository-policy', 'quotas', 'role-quotas', 'node-role', 'existing-repository/existing-repository-statement',
      'anyscale-ecr-access', 'identity-policy', 'organization-access', 'pipelines', 'rendered-arns'],
  },
  created: {
    modules: ['created-repository-access', 'private/creation-templates/prefix', 'private/creation-templates/template-policy',
      'private/creation-templates/template-settings', 'private/grants/organization-statement'],
    tests: ['created-repository-access', 'organization-access'],
  },
  rest: {
    modules: ['anyscale-ecr-access', 'identity-policy', 'private/identity/scoped-policies', 'organization-access', 'private/reporting/nag-acknowledgements',
      'warnings', 'existing-repository-policy', 'organization-grantee', 'private/reporting/warning-ids'],
    tests: ['anyscale-ecr-access', 'identity-policy', 'organization-access', 'repository-grant', 'nag-acknowledgements',
      'existing-repository/existing-repository-statement', 'warnings', 'role-quotas'],
  },
};

const root = path.join(__dirname, '..');
const outDir = path.join(root, 'artifacts', 'mutation');

function runGroup(name: string, group: Group): { killed: number; valid: number } {
  const base = JSON.parse(fs.readFileSync(path.join(root, 'stryker.config.json'), 'utf8'));
  const config = {
    ...base,
    mutate: group.modules.map(module => `lib/${module}.ts`),
    jest: { ...base.jest, config: { ...base.jest.config, testMatch: group.tests.map(test => `<rootDir>/test/${test}.test.ts`) } },
    jsonReporter: { fileName: `artifacts/mutation/${name}.json` },
    timeoutMS: group.timeoutMS ?? base.timeoutMS,
    // Incremental: a run re-tests only the mutants whose code or covering tests changed since the last run of the
    // group (results kept in artifacts/mutation/<group>.incremental.json); FULL=1 re-tests every mutant.
    incremental: true,
    incrementalFile: `artifacts/mutation/${name}.incremental.json`,
    force: process.env.FULL === '1',
  };
  const configFile = path.join(outDir, `stryker.${name}.json`);
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  execFileSync('npx', ['stryker', 'run', path.relative(root, configFile)], { cwd: root, stdio: 'inherit' });
  return score(JSON.parse(fs.readFileSync(path.join(root, config.jsonReporter.fileName), 'utf8')));
}

/** Stryker's mutation score: killed and timed-out mutants over all valid ones (no coverage counts as survived). */
function score(report: { files: Record<string, { mutants: Array<{ status: string }> }> }) {
  const statuses = Object.values(report.files).flatMap(file => file.mutants.map(mutant => mutant.status));
  const killed = statuses.filter(s => s === 'Killed' || s === 'Timeout').length;
  const valid = statuses.filter(s => ['Killed', 'Timeout', 'Survived', 'NoCoverage'].includes(s)).length;
  return { killed, valid };
}

if (require.main === module) {
  fs.mkdirSync(outDir, { recursive: true });
  const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(GROUPS);
  const results = names.map(name => ({ name, ...runGroup(name, GROUPS[name]) }));
  const percent = (killed: number, valid: number) => `${(100 * killed / valid).toFixed(2)} %`;
  console.log('\ngroup       killed / mutants   score');
  for (const r of results) {
    console.log(`${r.name.padEnd(11)} ${`${r.killed} / ${r.valid}`.padEnd(18)} ${percent(r.killed, r.valid)}`);
  }
  const killed = results.reduce((t, r) => t + r.killed, 0);
  const valid = results.reduce((t, r) => t + r.valid, 0);
  console.log(`${'total'.padEnd(11)} ${`${killed} / ${valid}`.padEnd(18)} ${percent(killed, valid)}`);
}
