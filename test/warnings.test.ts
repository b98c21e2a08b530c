import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Annotations as CoreAnnotations, App, NestedStack, Stack } from 'aws-cdk-lib/core';
import { IConstruct } from 'constructs';
import {
  AnyscaleEcrAccess, AnyscaleEcrAccessWarnings, AnyscaleEcrCreatedRepositoryAccess, AnyscaleEcrOrganizationAccess, AnyscaleNodeRole,
  OrganizationGrantee, RepositoryCreationScenario,
} from '../lib';
import { NODE_ACCOUNT, REGISTRY_ACCOUNT, stackIn } from './support/stacks';

// The README: "acknowledge with Annotations.of(access).acknowledgeWarning(id, reason) once done". Every warning the
// library emits is on the construct the user holds, so that call silences it, and only it.

const SCENARIOS: Array<[string, string, (stack: Stack) => IConstruct]> = [
  ['identityNotApplied', AnyscaleEcrAccessWarnings.IDENTITY_NOT_APPLIED, stack => new AnyscaleEcrAccess(stack, 'Access', {
    role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123', { account: NODE_ACCOUNT }),
    repositories: [new ecr.Repository(stack, 'Images')],
  })],
  ['roleAccountUnverified', AnyscaleEcrAccessWarnings.ROLE_ACCOUNT_UNVERIFIED, () => {
    const agnostic = new Stack(new App(), 'Agnostic');
    return new AnyscaleEcrAccess(agnostic, 'Access', {
      role: AnyscaleNodeRole.fromRoleArn(agnostic, 'NodeRole', `arn:aws:iam::${NODE_ACCOUNT}:role/nodes`),
      repositories: [new ecr.Repository(agnostic, 'Images')],
    });
  }],
  ['repositoryPolicyNotApplied (AnyscaleEcrAccess)', AnyscaleEcrAccessWarnings.REPOSITORY_POLICY_NOT_APPLIED, stack => new AnyscaleEcrAccess(stack, 'Access', {
    role: AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123', { account: NODE_ACCOUNT }),
    repositories: [ecr.Repository.fromRepositoryName(stack, 'Old', 'old-images')],
  })],
  ['repositoryPolicyNotApplied (AnyscaleEcrOrganizationAccess)', AnyscaleEcrAccessWarnings.REPOSITORY_POLICY_NOT_APPLIED,
    stack => new AnyscaleEcrOrganizationAccess(stack, 'AllClouds', {
      grantee: OrganizationGrantee.organization('o-a1b2c3d4e5'),
      repositories: [ecr.Repository.fromRepositoryName(stack, 'Old', 'old-images')],
    })],
  ['podRoleNotNodeRole', AnyscaleEcrAccessWarnings.POD_ROLE_NOT_NODE_ROLE, stack => new AnyscaleEcrAccess(stack, 'Access', {
    role: new iam.Role(stack, 'PodRole', { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') }),
    repositories: [new ecr.Repository(stack, 'Images')],
  })],
  ['registryPolicyNotApplied', AnyscaleEcrAccessWarnings.REGISTRY_POLICY_NOT_APPLIED, stack => new AnyscaleEcrCreatedRepositoryAccess(stack, 'Cache', {
    prefixes: ['docker-hub'],
    roles: [AnyscaleNodeRole.fromCloudId(stack, 'NodeRole', 'cld_abc123', { account: NODE_ACCOUNT })],
  })],
  ['nestedCreationTemplatePrefix', AnyscaleEcrAccessWarnings.NESTED_CREATION_TEMPLATE_PREFIX, stack => {
    const grantee = OrganizationGrantee.organization('o-a1b2c3d4e5');
    const appliedFor = [RepositoryCreationScenario.REPLICATION];
    new AnyscaleEcrCreatedRepositoryAccess(stack, 'Team', { prefixes: ['team'], grantee, appliedFor });
    return new AnyscaleEcrCreatedRepositoryAccess(stack, 'TeamImages', { prefixes: ['team/images'], grantee, appliedFor });
  }],
];

describe.each(SCENARIOS)('%s', (_name, id, build) => {
  test('is on the construct the user holds', () => {
    // WHEN
    const holder = build(stackIn(new App(), 'Registry', REGISTRY_ACCOUNT));
    // THEN
    Annotations.fromStack(Stack.of(holder)).hasWarning(`/${holder.node.path}`, Match.stringLikeRegexp(`\\[ack: ${id}\\]`));
  });

  test('is silenced by acknowledging it there, as the README says', () => {
    // GIVEN
    const holder = build(stackIn(new App(), 'Registry', REGISTRY_ACCOUNT));
    // WHEN
    CoreAnnotations.of(holder).acknowledgeWarning(id, 'applied by the other team');
    // THEN
    Annotations.fromStack(Stack.of(holder)).hasNoWarning('*', Match.stringLikeRegexp(id));
  });
});

describe('warning texts name stacks and repositories as a person reads them, the same in every run', () => {
  function warningsOf(build: (app: App) => void): string[] {
    const app = new App();
    build(app);
    return app.synth().stacks.flatMap(stack => stack.messages).filter(message => message.level === 'warning')
      .map(message => String(message.entry.data));
  }
  const inNestedStack = (app: App) => {
    const nested = new NestedStack(stackIn(app, 'Registry', REGISTRY_ACCOUNT), 'Nested');
    new AnyscaleEcrAccess(nested, 'Access', {
      role: AnyscaleNodeRole.fromCloudId(nested, 'NodeRole', 'cld_abc123', { account: NODE_ACCOUNT }),
      repositories: [ecr.Repository.fromRepositoryName(nested, 'Old', 'old-images')],
    });
  };
  const onOwnedRepositoryOfAnotherStack = (app: App) => {
    const node = new Stack(app, 'Node');
    new AnyscaleEcrAccess(node, 'Access', {
      role: AnyscaleNodeRole.fromCloudId(node, 'NodeRole', 'cld_abc123'),
      repositories: [new ecr.Repository(stackIn(app, 'Registry', REGISTRY_ACCOUNT), 'Images')],
    });
  };

  test.each([
    ['a grant in a nested stack (whose name is known only at deploy time)', inNestedStack, /imported into stack Registry\/Nested \(account/],
    ['a repository this app defines, without a name of its own', onOwnedRepositoryOfAnotherStack, /needs a statement in the policy of repository Registry\/Images \(account/],
  ])('%s: no token in the text, the construct path instead', (_name, build, expected) => {
    // WHEN
    const first = warningsOf(build);
    const second = warningsOf(build);
    // THEN
    expect(first.join('\n')).toMatch(expected);
    expect(first.join('\n')).not.toContain('${Token[');
    expect(second).toEqual(first);
  });
});
