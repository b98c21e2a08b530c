import { execFileSync } from 'child_process';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { App, Stack } from 'aws-cdk-lib/core';
import { AnyscaleEcrAccess, AnyscaleNodeRole, ExistingRepositoryPolicy } from '../lib';
import { FakeEcr } from './support/fake-ecr';
import { IamModel } from './support/iam-model';
import { pythonFailure } from './support/python';
import { REPOSITORY_NAME_PATTERN } from '../lib/private/constants/ecr-rules';
import { assertCreationTemplatePrefix } from '../lib/private/creation-templates/prefix';

// ECR's own rules, as AWS publishes them: botocore's ECR model (RepositoryName, and a creation template's Prefix) and
// CloudFormation's resource schema of AWS::ECR::RepositoryCreationTemplate (as cfn-lint ships it, for us-east-1).
// The library must accept what they accept and refuse what they refuse: neither stricter nor looser.

const NAMES = [
  'ab', 'a1', 'images', 'team__ml/ray--images', 'team---images', 'a.b_c-d/e', 'x/y/z', 'anyscale/ray', 'a'.repeat(256),
  'a', '', 'Team', 'team/', '/team', 'team//x', 'team___x', 'team_-x', 'team.-x', 'team..x', '-team', 'team-', '_team',
  'a'.repeat(257), 'a b', 'team/Images', 'ROOT', 'root', 'Root', 'team__ml/', 'docker-hub/', 'x/', `${'a'.repeat(255)}/`,
];

interface Verdicts {
  readonly repositoryName: boolean[];
  readonly prefix: boolean[];
  readonly cloudFormationPrefix: boolean[];
}

/** What botocore and CloudFormation's schema say of each name (patterns matched whole, with their length bounds). */
function awsVerdicts(names: string[]): Verdicts {
  const script = `
import json, os, re, sys, importlib
import botocore.loaders, cfnlint
names = json.loads(sys.stdin.read())
shapes = botocore.loaders.Loader().load_service_model('ecr', 'service-2')['shapes']
def verdicts(shape):
    return [bool(re.fullmatch(shape['pattern'], n)) and shape['min'] <= len(n) <= shape['max'] for n in names]
schema = importlib.import_module('cfnlint.data.schemas.providers.us_east_1').types['AWS::ECR::RepositoryCreationTemplate']
with open(os.path.join(os.path.dirname(cfnlint.__file__), 'data', 'schemas', 'resources', schema + '.json')) as f:
    prefix = json.load(f)['properties']['Prefix']
cfn = [bool(re.search(prefix['pattern'], n)) and prefix['minLength'] <= len(n) <= prefix['maxLength'] for n in names]
print(json.dumps({'repositoryName': verdicts(shapes['RepositoryName']), 'prefix': verdicts(shapes['Prefix']), 'cloudFormationPrefix': cfn}))
`;
  try {
    const output = execFileSync('python3', ['-c', script], { input: JSON.stringify(names), stdio: ['pipe', 'pipe', 'pipe'] });
    return JSON.parse(output.toString());
  } catch (e) {
    const failure = e as { status?: number | null; code?: string; stderr?: Buffer; message?: string };
    throw pythonFailure('botocore and cfn-lint\'s schemas could not be read', { ...failure, code: failure.code ?? failure.status });
  }
}

function acceptsPrefix(prefix: string): boolean {
  try {
    assertCreationTemplatePrefix(prefix, 'prefix');
    return true;
  } catch {
    return false;
  }
}

describe('names and prefixes checked with ECR\'s own patterns', () => {
  let aws: Verdicts;
  beforeAll(() => {
    aws = awsVerdicts(NAMES);
  });

  test('botocore\'s Prefix and the CloudFormation schema\'s Prefix agree on every name here (the check below has one oracle)', () => {
    expect(aws.cloudFormationPrefix).toEqual(aws.prefix);
  });

  test('repository names (ExistingRepositoryPolicy.MERGE, and its handler): exactly those botocore\'s RepositoryName accepts', () => {
    expect(NAMES.map(name => [name, REPOSITORY_NAME_PATTERN.test(name)])).toEqual(NAMES.map((name, i) => [name, aws.repositoryName[i]]));
  });

  test('creation-template prefixes: exactly those botocore\'s Prefix accepts', () => {
    expect(NAMES.map(name => [name, acceptsPrefix(name)])).toEqual(NAMES.map((name, i) => [name, aws.prefix[i]]));
  });

  test('the names of the issue are among those accepted', () => {
    expect(aws.repositoryName[NAMES.indexOf('team__ml/ray--images')]).toBe(true);
    expect(aws.prefix[NAMES.indexOf('team__ml/ray--images')]).toBe(true);
  });
});

describe('ExistingRepositoryPolicy.MERGE on a repository named team__ml/ray--images', () => {
  test('synthesizes, and the custom resource merges the statement that lets the node role pull', async () => {
    // GIVEN an existing repository whose name uses '__' and a run of '-'
    const name = 'team__ml/ray--images';
    const fake = new FakeEcr().withRepository(name);
    const app = new App();
    const registry = new Stack(app, 'Registry', { env: { account: '222222222222', region: 'us-west-2' } });
    const nodeRoleArn = 'arn:aws:iam::111111111111:role/cld_abc123-cluster_node_role';
    // WHEN
    new AnyscaleEcrAccess(registry, 'Grant', {
      role: AnyscaleNodeRole.fromRoleArn(registry, 'NodeRole', nodeRoleArn),
      repositories: [ecr.Repository.fromRepositoryName(registry, 'Images', name)],
      existingRepositoryPolicy: ExistingRepositoryPolicy.MERGE,
    });
    const model = IamModel.fromAssembly(app.synth(),
      { Registry: { account: '222222222222', region: 'us-west-2', partition: 'aws' } });
    const deployed = await model.deployMerges(fake, { account: '222222222222', region: 'us-west-2', partition: 'aws' });
    // THEN
    const arn = `arn:aws:ecr:us-west-2:222222222222:repository/${name}`;
    expect(fake.policy(name).Statement).toHaveLength(1);
    expect(await deployed.decide(nodeRoleArn, 'ecr:BatchGetImage', arn, [{
      name: 'ReadOnly', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: '*' }] },
    }])).toBe('Allowed');
  });
});
