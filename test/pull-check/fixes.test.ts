import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { App, Stack } from 'aws-cdk-lib/core';
import { AnyscaleEcrAccess, AnyscaleNodeRole, ExistingRepositoryPolicy } from '../../lib';
import { Repository } from '../../lib/private/pull-check/arguments';
import { decide, localFacts } from '../../lib/private/pull-check/evaluation';
import { accessCode, identityFix, repositoryFix } from '../../lib/private/pull-check/fixes';
import { parsePolicy } from '../../lib/private/pull-check/policy';
import { requestContext } from '../../lib/private/pull-check/request-context';

// The fixes the command prints do what they say: the JSON, applied, makes the local evaluation allow the pull; the
// construct code, run as printed in a stack of the account it names, synthesizes the grant.

const NODE = '111111111111';
const REGISTRY = '222222222222';
const ROLE_ARN = `arn:aws:iam::${NODE}:role/cld_abc123-cluster_node_role`;
const REPOSITORY: Repository = {
  partition: 'aws',
  region: 'us-east-1',
  account: REGISTRY,
  name: 'ray-images',
  arn: `arn:aws:ecr:us-east-1:${REGISTRY}:repository/ray-images`,
  uri: `${REGISTRY}.dkr.ecr.us-east-1.amazonaws.com/ray-images`,
};
const CALLS = [['ecr:GetAuthorizationToken', '*'], ...['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'].map(a => [a, REPOSITORY.arn])];

/** The local evaluation of the four calls with these documents (two accounts). */
function decisions(identity: object[], repositoryPolicy: object) {
  return CALLS.map(([action, resource]) => {
    const onRepository = resource !== '*';
    const context = requestContext({ roleArn: ROLE_ARN, nodeAccount: NODE, registryAccount: onRepository ? REGISTRY : undefined, region: 'us-east-1', organizationId: null });
    const facts = localFacts({ identity: identity.map((p, i) => parsePolicy(`policy ${i}`, p)) }, onRepository ? parsePolicy('repository policy', repositoryPolicy) : undefined,
      { roleArn: ROLE_ARN, action, resource, context }, !onRepository);
    return [action, decide(facts).decision];
  });
}

test('the printed JSON of both sides, applied, lets the role pull; either one alone does not', () => {
  // GIVEN the two fixes the command prints for a role with nothing and a repository with no policy
  const identity = identityFix(ROLE_ARN, 'cld_abc123-cluster_node_role', NODE, REPOSITORY).json!;
  const statement = repositoryFix(ROLE_ARN, REPOSITORY).json!;
  const repositoryPolicy = { Version: '2012-10-17', Statement: [statement] };
  // WHEN / THEN
  expect(decisions([identity], repositoryPolicy).map(([, d]) => d)).toEqual(['allowed', 'allowed', 'allowed', 'allowed']);
  expect(decisions([], repositoryPolicy).map(([, d]) => d)).toEqual(['implicitDeny', 'implicitDeny', 'implicitDeny', 'implicitDeny']);
  expect(decisions([identity], { Version: '2012-10-17', Statement: [] }).map(([, d]) => d)).toEqual(['allowed', 'implicitDeny', 'implicitDeny', 'implicitDeny']);
});

/** Runs the printed TypeScript (it is also valid JavaScript) with the names it uses in scope. */
function runPrinted(code: string, stack: Stack): void {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the printed snippet is the thing under test
  new Function('stack', 'ecr', 'AnyscaleEcrAccess', 'AnyscaleNodeRole', 'ExistingRepositoryPolicy', code)(stack, ecr, AnyscaleEcrAccess, AnyscaleNodeRole, ExistingRepositoryPolicy);
}

test('the printed construct code for the node account attaches the pull actions to the role', () => {
  // GIVEN
  const stack = new Stack(new App(), 'Nodes', { env: { account: NODE, region: 'us-east-1' } });
  // WHEN
  runPrinted(accessCode(ROLE_ARN, REPOSITORY, false), stack);
  // THEN
  const policies = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy')).map(r => r.Properties);
  expect(policies).toHaveLength(1);
  expect(policies[0].Roles).toEqual(['cld_abc123-cluster_node_role']);
  expect(policies[0].PolicyDocument.Statement.flatMap((s: any) => s.Action)).toEqual(expect.arrayContaining(['ecr:GetAuthorizationToken', 'ecr:BatchGetImage',
    'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability']));
});

test('the printed construct code for the registry account merges the role\'s statement into the existing repository\'s policy', () => {
  // GIVEN
  const stack = new Stack(new App(), 'Registry', { env: { account: REGISTRY, region: 'us-east-1' } });
  // WHEN
  runPrinted(accessCode(ROLE_ARN, REPOSITORY, true), stack);
  // THEN
  const statements = Object.values<any>(Template.fromStack(stack).findResources('Custom::AnyscaleEcrRepositoryStatement')).map(r => r.Properties);
  expect(statements.map(p => [p.RepositoryName, p.Principals])).toEqual([['ray-images', [ROLE_ARN]]]);
});
