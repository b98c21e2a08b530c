// Benchmark: prints a table of synth times and policy sizes, each measured in this run.
// Run with `npm run bench`. Not a test: it asserts nothing, it reports.
import { execFileSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { App, Stack } from 'aws-cdk-lib/core';
import { AnyscaleEcrAccess, AnyscaleNodeRole } from '../lib';
import { freeApps, keepTokensSoFar } from './free-apps';

const NODE_ACCOUNT = '111111111111';
const REGISTRY_ACCOUNT = '222222222222';
const REGION = 'us-west-2';
const REPOSITORY_POLICY_LIMIT = 10_240;
const PULL_ACTIONS = AnyscaleEcrAccess.PULL_ACTIONS;
// 15, not 7: on a 2-core machine with other load, four 7-run medians of the same code gave CPU ratios of 1.055 to 1.106;
// four 21-run medians, 1.033 to 1.067 (BENCHMARKS.md, 2026-12-03).
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

type Style = 'construct' | 'hand';

interface Apps { app: App; node: Stack; registry: Stack }

/** `validation`: aws-cdk-lib's built-in CloudFormation template validation, on by default in every CDK app. */
function newApps(validation = true): Apps {
  const app = new App({ builtinCloudFormationValidation: validation });
  return {
    app,
    node: new Stack(app, 'Node', { env: { account: NODE_ACCOUNT, region: REGION } }),
    registry: new Stack(app, 'Registry', { env: { account: REGISTRY_ACCOUNT, region: REGION } }),
  };
}

const cloudId = (i: number) => `cld_${String(i).padStart(24, '0')}`;

/** repositories × roles: node roles imported by cloud id in the node account, repositories in the registry. */
function build(style: Style, repositories: number, roles: number, validation = true): Apps {
  const apps = newApps(validation);
  const repos = Array.from({ length: repositories }, (_, i) => new ecr.Repository(apps.registry, `Repo${i}`));
  const nodeRoles = Array.from({ length: roles }, (_, i) => AnyscaleNodeRole.fromCloudId(apps.node, `Role${i}`, cloudId(i)));
  if (style === 'construct') {
    nodeRoles.forEach((role, i) => new AnyscaleEcrAccess(apps.node, `Access${i}`, { role, repositories: repos }));
  } else {
    // The same CloudFormation written by hand with plain CDK calls.
    nodeRoles.forEach((role, i) => new iam.Policy(apps.node, `ReadOnly${i}`, {
      statements: [new iam.PolicyStatement({ actions: PULL_ACTIONS, resources: ['*'] })],
      roles: [role],
    }));
    const sorted = [...nodeRoles].sort((a, b) => a.roleName.localeCompare(b.roleName));
    for (const repo of repos) {
      repo.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AnyscaleEcrPull',
        principals: sorted.map(role => new iam.ArnPrincipal(role.roleArn)),
        actions: PULL_ACTIONS,
      }));
    }
  }
  return apps;
}

/**
 * A full collection before each timed run (needs node --expose-gc). By default `gc()`, which also reduces memory: V8
 * then drops compiled code, and each run compiles it again. BENCH_GC=major keeps compiled code (BENCHMARKS.md,
 * 2026-12-03 18:30 UTC, compares the two).
 */
function collectGarbage(): void {
  (globalThis as { gc?: (options?: { type: string; execution: string }) => void }).gc?.(GC_OPTIONS);
}
const GC_OPTIONS = process.env.BENCH_GC === 'major' ? { type: 'major', execution: 'sync' } : undefined;

/** One build-and-synth of an app: wall-clock and CPU (user + system) milliseconds. */
interface Timing { wall: number; cpu: number }

function synthTiming(style: Style, repositories: number, roles: number, validation = true): Timing {
  // Free the apps built since the last run and collect them, so that no run pays for another's (needs node --expose-gc).
  freeApps();
  collectGarbage();
  const cpuStart = process.cpuUsage();
  const wallStart = process.hrtime.bigint();
  build(style, repositories, roles, validation).app.synth();
  const wall = Number(process.hrtime.bigint() - wallStart) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median synth times of the two styles, measured in alternating runs after one warm-up each. */
function compareStyles(repositories: number, roles: number): Record<Style, Timing> {
  synthTiming('construct', repositories, roles);
  synthTiming('hand', repositories, roles);
  const runs: Record<Style, Timing[]> = { construct: [], hand: [] };
  for (let run = 0; run < RUNS; run++) {
    runs.construct.push(synthTiming('construct', repositories, roles));
    runs.hand.push(synthTiming('hand', repositories, roles));
  }
  const medians = (timings: Timing[]) => ({ wall: median(timings.map(t => t.wall)), cpu: median(timings.map(t => t.cpu)) });
  return { construct: medians(runs.construct), hand: medians(runs.hand) };
}

const SIZES = [100, 200, 400];
/** The scaling series: each style, with aws-cdk-lib's built-in template validation and without. */
const SERIES = [
  { style: 'construct', validation: true }, { style: 'hand', validation: true },
  { style: 'construct', validation: false }, { style: 'hand', validation: false },
] as const;
type Scaling = number[][];

/** Median wall-clock synth times of each series (SERIES) at each size (SIZES), in interleaved runs so that load drift hits all. */
function scaling(roles: number): Scaling {
  SERIES.forEach(({ style, validation }) => SIZES.forEach(size => synthTiming(style, size, roles, validation)));
  const times = SERIES.map(() => SIZES.map(() => [] as number[]));
  for (let run = 0; run < RUNS; run++) {
    SERIES.forEach(({ style, validation }, series) => SIZES.forEach((size, i) =>
      times[series][i].push(synthTiming(style, size, roles, validation).wall)));
  }
  return times.map(bySize => bySize.map(median));
}

/** Resources and policies of both styles, compared without logical ids and generated names. */
function equivalent(repositories: number, roles: number): boolean {
  const shape = (style: Style) => {
    const { app } = build(style, repositories, roles);
    const assembly = app.synth();
    return ['Node', 'Registry'].map(name => Object.values(assembly.getStackByName(name).template.Resources as Record<string, any>)
      .map(resource => JSON.stringify({ ...resource, Properties: { ...resource.Properties, PolicyName: undefined } }))
      .sort());
  };
  return JSON.stringify(shape('construct')) === JSON.stringify(shape('hand'));
}

function roleArn(i: number): string {
  // About 75 characters, like a real `<cloud-id>-cluster_node_role` ARN.
  return `arn:aws:iam::${String(100000000000 + i)}:role/${cloudId(i)}-cluster_node_role`;
}

/** Characters of a repository policy that grants `roles` roles, merged (this library) or one statement per role. */
function policyCharacters(merged: boolean, roles: number): number {
  const app = new App();
  const registry = new Stack(app, 'Registry', { env: { account: REGISTRY_ACCOUNT, region: REGION } });
  const repo = new ecr.Repository(registry, 'Images');
  for (let i = 0; i < roles; i++) {
    const role = iam.Role.fromRoleArn(registry, `Role${i}`, roleArn(i));
    if (merged) {
      new AnyscaleEcrAccess(registry, `Access${i}`, { role, repositories: [repo] });
    } else {
      // Anyscale's manual step, once per role: one statement naming one role.
      repo.addToResourcePolicy(new iam.PolicyStatement({ sid: `AllowPull${i}`, principals: [new iam.ArnPrincipal(role.roleArn)], actions: PULL_ACTIONS }));
    }
  }
  // Without validation: the size check would stop synthesis past the limit, where this measures too.
  const template = app.synth({ skipValidation: true }).getStackByName('Registry').template;
  return JSON.stringify(Object.values(template.Resources as Record<string, any>)[0].Properties.RepositoryPolicyText).length;
}

/** The largest number of roles whose policy fits the ECR limit (sizes grow monotonically: binary search). */
function maxRoles(merged: boolean): number {
  let low = 1;
  let high = 1024;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (policyCharacters(merged, mid) <= REPOSITORY_POLICY_LIMIT) {
      low = mid;
    } else {
      high = mid - 1;
    }
  }
  return low;
}

/** CloudFormation resources the construct adds to an app with an owned role and owned repositories. */
function resourcesAdded(repositories: number): number {
  const count = (withConstruct: boolean) => {
    const app = new App();
    const node = new Stack(app, 'Node', { env: { account: NODE_ACCOUNT, region: REGION } });
    const role = new iam.Role(node, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const repos = Array.from({ length: repositories }, (_, i) => new ecr.Repository(node, `Repo${i}`));
    if (withConstruct) {
      new AnyscaleEcrAccess(node, 'Access', { role, repositories: repos });
    }
    return Object.keys(app.synth().getStackByName('Node').template.Resources).length;
  };
  return count(true) - count(false);
}

/** The fastest of five runs of the bundled check command's --help: Node.js starting and loading the bundle. */
function checkStartup(): number {
  const bundle = path.join(__dirname, '..', 'assets', 'lib', 'private', 'pull-check', 'cli', 'index.js');
  return Math.min(...[1, 2, 3, 4, 5].map(() => {
    const start = process.hrtime.bigint();
    execFileSync(process.execPath, [bundle, '--help'], { stdio: 'ignore' });
    return Number(process.hrtime.bigint() - start) / 1e6;
  }));
}

/** One small synth of every kind of app the bench builds, then keepTokensSoFar (see free-apps.ts). */
function warmUp(): void {
  for (const style of ['construct', 'hand'] as const) {
    [true, false].forEach(validation => build(style, 2, 2, validation).app.synth());
  }
  policyCharacters(true, 2);
  policyCharacters(false, 2);
  resourcesAdded(2);
  keepTokensSoFar();
  heapAfterWarmUp = heapMb();
}

let heapAfterWarmUp = '';

/** The heap in use once the apps are freed and collected, in MB. */
function heapMb(): string {
  freeApps();
  // gc()'s memory-reducing collection, whatever BENCH_GC says: after a major one, heapUsed still counts dead objects.
  (globalThis as { gc?: () => void }).gc?.();
  return (process.memoryUsage().heapUsed / 2 ** 20).toFixed(0);
}

function main(): void {
  warmUp();
  if (process.env.BENCH_ONLY === 'ratio') {
    const quick = compareStyles(200, 20);
    console.log(`wall: construct ${quick.construct.wall.toFixed(0)} ms, by hand ${quick.hand.wall.toFixed(0)} ms, ` +
      `ratio ${(quick.construct.wall / quick.hand.wall).toFixed(3)}; CPU ratio ${(quick.construct.cpu / quick.hand.cpu).toFixed(3)}`);
    return;
  }
  const rows: string[][] = [];
  const row = (what: string, value: string, goal = '') => {
    rows.push([what, value, goal]);
    console.error(`  ${what}: ${value}`);
  };

  const styles = compareStyles(200, 20);
  row('synth 200 repositories × 20 roles, construct (median wall ms / CPU ms)',
    `${styles.construct.wall.toFixed(0)} / ${styles.construct.cpu.toFixed(0)}`);
  row('synth 200 repositories × 20 roles, plain CDK by hand (median wall ms / CPU ms)',
    `${styles.hand.wall.toFixed(0)} / ${styles.hand.cpu.toFixed(0)}`);
  row('ratio construct / by hand, wall clock', (styles.construct.wall / styles.hand.wall).toFixed(3), '≤ 1.10');
  row('ratio construct / by hand, CPU time (includes V8\'s background threads: garbage collection, optimizing compiler)', (styles.construct.cpu / styles.hand.cpu).toFixed(3), '');
  row('same CloudFormation in both styles (resources and properties, names aside)', equivalent(200, 20) ? 'yes' : 'NO');
  // Many clouds, few repositories: what grows with the number of roles (each role's inline policy and its size check).
  const manyRoles = compareStyles(20, 120);
  row('ratio construct / by hand at 20 repositories × 120 roles, wall clock / CPU time',
    `${(manyRoles.construct.wall / manyRoles.hand.wall).toFixed(3)} / ${(manyRoles.construct.cpu / manyRoles.hand.cpu).toFixed(3)}`);

  for (const roles of [1, 20, 120]) {
    row(`repository policy characters, ${roles} role(s): merged / one statement per role`,
      `${policyCharacters(true, roles)} / ${policyCharacters(false, roles)}`, `≤ ${REPOSITORY_POLICY_LIMIT}`);
  }
  row('most roles that fit one repository policy: merged / one statement per role', `${maxRoles(true)} / ${maxRoles(false)}`, '≥ 120 merged');

  const t = scaling(20);
  const times = (series: number) => t[series].map(ms => ms.toFixed(0)).join(' / ');
  const growth = (series: number) => (t[series][2] / t[series][1]).toFixed(2);
  row(`synth ${SIZES.join(' / ')} repositories × 20 roles, construct (median wall ms)`, times(0));
  row(`synth ${SIZES.join(' / ')} repositories × 20 roles, plain CDK by hand (median wall ms)`, times(1));
  row('t(400) / t(200), construct / by hand', `${growth(0)} / ${growth(1)}`, '< 1.9');
  row('t(400) / t(200) without aws-cdk-lib\'s built-in template validation (App builtinCloudFormationValidation: false), ' +
    'construct / by hand', `${growth(2)} / ${growth(3)}`);
  row('CloudFormation resources added for an owned role and 50 owned repositories', String(resourcesAdded(50)), '0');
  row('check command: start and answer --help (node, the bundle loaded), fastest of 5 runs (wall ms)', checkStartup().toFixed(0));

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const gc = typeof (globalThis as { gc?: unknown }).gc === 'function' ? `garbage collected before each run (${GC_OPTIONS ? 'major, BENCH_GC=major' : 'gc(), memory-reducing'})` : 'no forced GC';
  console.log(`\nMachine: ${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ` +
    `${RUNS} alternating runs per median, ${gc}, the apps built before each timed synth freed (heap in use after the warm-up / at the end: ${heapAfterWarmUp} / ${heapMb()} MB, most of it ts-node's TypeScript program)\n`);
  console.log('| measure | value | goal |');
  console.log('|---|---|---|');
  rows.forEach(([what, value, goal]) => console.log(`| ${what} | ${value} | ${goal} |`));
}

main();
