import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { App, Stack } from 'aws-cdk-lib/core';
import * as fc from 'fast-check';
import { AnyscaleEcrAccess, AnyscaleEcrAccessWarnings, AnyscaleNodeRole } from '../lib';

const ACCOUNTS = ['111111111111', '222222222222', '333333333333'];
const REGIONS: Record<string, string> = { 'aws': 'us-west-2', 'aws-cn': 'cn-north-1', 'aws-us-gov': 'us-gov-west-1' };

/** A random app: a registry stack, repositories owned or imported, and 1 to 5 constructs sharing them. */
interface Config {
  partition: string;
  registryAccount: string | undefined;
  repositories: Array<{ owned: boolean; account: string }>;
  constructs: Array<{ role: { kind: 'arn'; account: string } | { kind: 'cloudId' }; repositories: number[] }>;
}

const config: fc.Arbitrary<Config> = fc.record({
  partition: fc.constantFrom('aws', 'aws-cn', 'aws-us-gov'),
  registryAccount: fc.option(fc.constantFrom(...ACCOUNTS), { nil: undefined }),
  repositories: fc.array(fc.record({ owned: fc.boolean(), account: fc.constantFrom(...ACCOUNTS) }), { minLength: 1, maxLength: 20 }),
}).chain(base => fc.record({
  partition: fc.constant(base.partition),
  registryAccount: fc.constant(base.registryAccount),
  repositories: fc.constant(base.repositories),
  constructs: fc.array(fc.record({
    role: fc.oneof(
      fc.record({ kind: fc.constant('arn' as const), account: fc.constantFrom(...ACCOUNTS) }),
      fc.record({ kind: fc.constant('cloudId' as const) })),
    repositories: fc.uniqueArray(fc.nat({ max: base.repositories.length - 1 }), { minLength: 1, maxLength: base.repositories.length }),
  }), { minLength: 1, maxLength: 5 }),
}));

function synth(c: Config) {
  const app = new App();
  const region = REGIONS[c.partition];
  const stack = new Stack(app, 'Registry', c.registryAccount ? { env: { account: c.registryAccount, region } } : {});
  const repositories = c.repositories.map((r, i) => r.owned
    ? new ecr.Repository(stack, `Repo${i}`)
    : ecr.Repository.fromRepositoryArn(stack, `Repo${i}`, `arn:${c.partition}:ecr:${region}:${r.account}:repository/repo${i}`));
  const roleArns: string[] = [];
  c.constructs.forEach((spec, i) => {
    const role = spec.role.kind === 'arn'
      ? AnyscaleNodeRole.fromRoleArn(stack, `Role${i}`, `arn:${c.partition}:iam::${spec.role.account}:role/cld_${i}-cluster_node_role`)
      : AnyscaleNodeRole.fromCloudId(stack, `Role${i}`, `cld_${i}`);
    roleArns.push(role.roleArn);
    new AnyscaleEcrAccess(stack, `Access${i}`, { role, repositories: spec.repositories.map(r => repositories[r]) });
  });
  return { stack, template: Template.fromStack(stack), repositories };
}

/** The oracle: whether a role and a repository may be in different accounts (then a statement is needed). */
function mayDiffer(c: Config, construct: Config['constructs'][number], repository: Config['repositories'][number]): boolean {
  const roleAccount = construct.role.kind === 'arn' ? construct.role.account : c.registryAccount ?? 'STACK';
  const repositoryAccount = repository.owned ? c.registryAccount ?? 'STACK' : repository.account;
  if (roleAccount === 'STACK' && repositoryAccount === 'STACK') {
    return false;
  }
  return roleAccount === 'STACK' || repositoryAccount === 'STACK' || roleAccount !== repositoryAccount;
}

test('invariants hold for random apps', () => {
  fc.assert(fc.property(config, c => {
    const { stack, template } = synth(c);
    const resources = template.findResources('AWS::ECR::Repository');
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(AnyscaleEcrAccessWarnings.REPOSITORY_POLICY_NOT_APPLIED));

    c.repositories.forEach((repository, r) => {
      const grants = c.constructs.filter(spec => spec.repositories.includes(r));
      const needed = grants.filter(spec => mayDiffer(c, spec, repository));
      if (repository.owned) {
        const logicalId = stack.getLogicalId(stack.node.findChild(`Repo${r}`).node.defaultChild as ecr.CfnRepository);
        const statements: any[] = resources[logicalId].Properties?.RepositoryPolicyText?.Statement ?? [];
        // A statement exists exactly when some grant's accounts differ or cannot be compared.
        expect(statements.length).toBe(needed.length > 0 ? 1 : 0);
        for (const statement of statements) {
          expect(statement.Sid).toBe('AnyscaleEcrPull');
          expect(statement).not.toHaveProperty('Resource');
          const principals: any[] = [statement.Principal.AWS].flat();
          // One principal per distinct role, never '*', every one a role ARN of the app's partition.
          expect(principals).toHaveLength(needed.length);
          expect(new Set(principals.map(p => JSON.stringify(p))).size).toBe(principals.length);
          for (const principal of principals) {
            expect(principal).not.toBe('*');
            const text = typeof principal === 'string' ? principal : principal['Fn::Join'][1].map((part: any) =>
              typeof part === 'string' ? part : part.Ref === 'AWS::Partition' ? c.partition : `<${part.Ref}>`).join('');
            expect(text).toMatch(new RegExp(`^arn:${c.partition}:iam::(\\d{12}|<AWS::AccountId>):role/cld_\\d+-cluster_node_role$`));
          }
        }
      } else {
        // An imported repository is never changed: each grant that needs a statement is reported instead.
        const reported = warnings.filter(w => String(w.entry.data).includes(`repository repo${r} `));
        expect(reported).toHaveLength(needed.length);
      }
    });
  }), { numRuns: 60 });
});

test('the oracle is not vacuous: the random apps include statements, warnings and same-account grants', () => {
  const seen = { statement: 0, warning: 0, none: 0 };
  fc.assert(fc.property(config, c => {
    c.repositories.forEach((repository, r) => {
      const needed = c.constructs.filter(spec => spec.repositories.includes(r) && mayDiffer(c, spec, repository));
      seen[needed.length === 0 ? 'none' : repository.owned ? 'statement' : 'warning'] += 1;
    });
  }), { numRuns: 60 });
  expect(seen.statement).toBeGreaterThan(0);
  expect(seen.warning).toBeGreaterThan(0);
  expect(seen.none).toBeGreaterThan(0);
});

