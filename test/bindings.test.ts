import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

// The test task generates the bindings (jsii-pacmak --code-only) before jest runs: here each language's
// sources must exist and expose the public API under the names users will import.
const out = path.join(__dirname, '..', 'artifacts', 'bindings');
const javaPackage = 'java/src/main/java/io/github/cdk_anyscale_ecr_access/cdk/anyscale/ecr';
const dotnetPackage = 'dotnet/CdkAnyscaleEcrAccess/CdkAnyscaleEcrAccess';

test.each([
  ['Python', 'python/src/cdk_anyscale_ecr_access/__init__.py', [/^class AnyscaleEcrAccess\(/m, /^class AnyscaleNodeRole\b/m, /def PULL_ACTIONS\(/]],
  ['Python package metadata', 'python/setup.py', [/"name": "cdk-anyscale-ecr-access"/, /"cdk_anyscale_ecr_access"/]],
  ['Java', `${javaPackage}/AnyscaleEcrAccess.java`, [/public class AnyscaleEcrAccess extends software\.constructs\.Construct/, /PULL_ACTIONS/]],
  ['Java build', 'java/pom.xml', [/<groupId>io\.github\.cdk-anyscale-ecr-access<\/groupId>/, /<artifactId>cdk-anyscale-ecr-access<\/artifactId>/]],
  ['.NET', `${dotnetPackage}/AnyscaleEcrAccess.cs`, [/namespace CdkAnyscaleEcrAccess/, /public class AnyscaleEcrAccess : Constructs\.Construct/, /PULL_ACTIONS/]],
  ['.NET project', 'dotnet/CdkAnyscaleEcrAccess/CdkAnyscaleEcrAccess.csproj', [/<PackageId>CdkAnyscaleEcrAccess<\/PackageId>/]],
  ['Go', 'go/cdkanyscaleecraccess/AnyscaleEcrAccess.go', [/type AnyscaleEcrAccess interface/, /func AnyscaleEcrAccess_PULL_ACTIONS\(\)/]],
  ['Go module', 'go/cdkanyscaleecraccess/go.mod', [/^module github\.com\/cdk-anyscale-ecr-access\/cdk-anyscale-ecr-access-go\/cdkanyscaleecraccess$/m]],
])('%s: %s', (_language, file, patterns) => {
  const full = path.join(out, file);
  expect(fs.existsSync(full)).toBe(true);
  const text = fs.readFileSync(full, 'utf8');
  for (const pattern of patterns) {
    expect(text).toMatch(pattern);
  }
});

test('Python byte-compiled without errors (the bindings task runs compileall)', () => {
  const cache = path.join(out, 'python/src/cdk_anyscale_ecr_access/__pycache__');
  expect(fs.readdirSync(cache).some(file => file.startsWith('__init__.') && file.endsWith('.pyc'))).toBe(true);
});

test('Python declares the cdk-anyscale-ecr-access script, which runs the bundled command from the package\'s embedded tarball', () => {
  // GIVEN
  const python = path.join(out, 'python');
  const script = 'src/cdk_anyscale_ecr_access/_jsii/bin/cdk-anyscale-ecr-access';
  // THEN setup.py installs the script, the script hands its arguments to the bin of the npm package through jsii
  expect(fs.readFileSync(path.join(python, 'setup.py'), 'utf8')).toMatch(new RegExp(`"scripts": \\[\\s*"${script}"\\s*\\]`));
  expect(fs.readFileSync(path.join(python, script), 'utf8')).toContain('__jsii_assembly__.invokeBinScript(\n    "cdk-anyscale-ecr-access", "cdk-anyscale-ecr-access", sys.argv[1:]\n)');
  // AND the tarball jsii runs it from holds the bundle that package.json's bin names
  const tarball = fs.readdirSync(path.join(python, 'src/cdk_anyscale_ecr_access/_jsii')).find(file => file.endsWith('.jsii.tgz'))!;
  const entries = execFileSync('tar', ['-tzf', path.join(python, 'src/cdk_anyscale_ecr_access/_jsii', tarball)], { encoding: 'utf8' }).split('\n');
  expect(entries).toContain('package/assets/lib/private/pull-check/cli/index.js');
});
