import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Arn, ArnFormat, Stack, Token, TokenComparison } from 'aws-cdk-lib/core';
import { assertRoleArn } from '../naming/role-names';

/** The settings a creation template gives every repository ECR creates under its prefix, beside the policy. */
export interface TemplateSettingsInput {
  readonly lifecyclePolicy?: string;
  readonly imageTagMutability?: ecr.TagMutability;
  readonly imageTagMutabilityExclusionPatterns?: string[];
  readonly encryption?: ecr.RepositoryEncryption;
  readonly encryptionKey?: kms.IKey;
  readonly resourceTags?: { [key: string]: string };
  readonly customRole?: iam.IRole;
}

/** The same settings as `AWS::ECR::RepositoryCreationTemplate` properties (undefined where not given). */
export interface TemplateSettings {
  readonly lifecyclePolicy?: string;
  readonly imageTagMutability?: string;
  readonly imageTagMutabilityExclusionFilters?: ecr.CfnRepositoryCreationTemplate.ImageTagMutabilityExclusionFilterProperty[];
  readonly encryptionConfiguration?: ecr.CfnRepositoryCreationTemplate.EncryptionConfigurationProperty;
  readonly resourceTags?: Array<{ key: string; value: string }>;
  readonly customRoleArn?: string;
}

// Limits of CloudFormation's AWS::ECR::RepositoryCreationTemplate schema (and ECR's API where it is stricter).
const LIFECYCLE_POLICY_LENGTH = { min: 100, max: 30720 };
const EXCLUSION_PATTERN = /^[0-9a-zA-Z._*-]{1,128}$/;
const MAX_EXCLUSION_FILTERS = 5;
const MAX_TAGS = 50;
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;
const WITH_EXCLUSION: string[] = [ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION, ecr.TagMutability.MUTABLE_WITH_EXCLUSION];
const ENCRYPTION_TYPES: string[] = [ecr.RepositoryEncryption.AES_256, ecr.RepositoryEncryption.KMS, ecr.RepositoryEncryption.KMS_DSSE]
  .map(encryption => encryption.value);
/** ECR's pattern of a template's KMS key (botocore `KmsKeyForRepositoryCreationTemplate`): a key ARN, not an alias. */
const KMS_KEY_ARN = /^arn:aws[a-z0-9-]*:kms:[a-z0-9-]+:[0-9]{12}:key\/[a-z0-9-]+$/;
/** The schema's `CustomRoleArn` pattern: a role of the default path '/'. */
const CUSTOM_ROLE_ARN = /^arn:aws[-a-z0-9]*:iam::[0-9]{12}:role\/[A-Za-z0-9+=,.@_-]*$/;

const CUSTOM_ROLE_NEEDS = 'a role trusted by ecr.amazonaws.com and allowed ecr:CreateRepository, ecr:ReplicateImage and ' +
  'ecr:TagResource, and kms:CreateGrant, kms:RetireGrant and kms:DescribeKey on the key (ECR User Guide, "Create an IAM role ' +
  'for repository creation templates")';

/**
 * Checks the settings as ECR and CloudFormation's schema check them, and renders them. Throws with the prop, the value
 * and the fix. Tokens are not checked.
 */
export function templateSettings(stack: Stack, input: TemplateSettingsInput, label: string): TemplateSettings {
  const encryptionConfiguration = encryptionOf(stack, input, label);
  const resourceTags = tagsOf(input.resourceTags, label);
  const usesKms = encryptionConfiguration !== undefined && encryptionConfiguration.encryptionType !== ecr.RepositoryEncryption.AES_256.value;
  if (input.customRole === undefined && (usesKms || resourceTags !== undefined)) {
    throw new Error(`${label}: ${usesKms ? `props.encryption ${encryptionConfiguration!.encryptionType}` : 'props.resourceTags'} needs ` +
      `props.customRole: ECR creates repositories with KMS encryption or tags only with a custom role of the registry account, ${CUSTOM_ROLE_NEEDS}.`);
  }
  return {
    lifecyclePolicy: lifecyclePolicyOf(input.lifecyclePolicy, label),
    ...mutabilityOf(input, label),
    encryptionConfiguration,
    resourceTags,
    customRoleArn: input.customRole === undefined ? undefined : customRoleArnOf(stack, input.customRole, label),
  };
}

function lifecyclePolicyOf(policy: string | undefined, label: string): string | undefined {
  if (policy === undefined || Token.isUnresolved(policy)) {
    return policy;
  }
  const fix = 'Pass the text of an ECR lifecycle policy, for example JSON.stringify({ rules: [{ rulePriority: 1, selection: ' +
    "{ tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } }] }).";
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    throw new Error(`${label}: props.lifecyclePolicy is not JSON (${shown(policy)}). ${fix}`);
  }
  const rules = (parsed as { rules?: unknown } | null)?.rules;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !Array.isArray(rules) || rules.length === 0) {
    throw new Error(`${label}: props.lifecyclePolicy (${shown(policy)}) has no rules: ECR requires an object with a non-empty ` +
      `"rules" list. ${fix}`);
  }
  if (policy.length < LIFECYCLE_POLICY_LENGTH.min || policy.length > LIFECYCLE_POLICY_LENGTH.max) {
    throw new Error(`${label}: props.lifecyclePolicy is ${policy.length} characters; a creation template takes ` +
      `${LIFECYCLE_POLICY_LENGTH.min} to ${LIFECYCLE_POLICY_LENGTH.max} (CloudFormation's AWS::ECR::RepositoryCreationTemplate).`);
  }
  return policy;
}

function mutabilityOf(input: TemplateSettingsInput, label: string): Pick<TemplateSettings, 'imageTagMutability' | 'imageTagMutabilityExclusionFilters'> {
  const mutability = input.imageTagMutability;
  const patterns = input.imageTagMutabilityExclusionPatterns;
  if (mutability !== undefined && !Token.isUnresolved(mutability) && !Object.values<string>(ecr.TagMutability).includes(mutability)) {
    throw new Error(`${label}: props.imageTagMutability is '${mutability}', which is not one of ` +
      `${Object.values(ecr.TagMutability).join(', ')}. Use the values of ecr.TagMutability.`);
  }
  const withExclusion = mutability !== undefined && WITH_EXCLUSION.includes(mutability);
  const known = mutability === undefined || !Token.isUnresolved(mutability);
  if (known && withExclusion !== (patterns !== undefined)) {
    throw new Error(withExclusion
      ? `${label}: props.imageTagMutability ${mutability} needs props.imageTagMutabilityExclusionPatterns: the tags (wildcard ` +
        `patterns) excluded from it, 1 to ${MAX_EXCLUSION_FILTERS}.`
      : `${label}: props.imageTagMutabilityExclusionPatterns (${JSON.stringify(patterns)}) applies only with imageTagMutability ` +
        `${WITH_EXCLUSION.join(' or ')}, not ${mutability ?? 'the default (MUTABLE)'}.`);
  }
  if (patterns !== undefined) {
    if (patterns.length < 1 || patterns.length > MAX_EXCLUSION_FILTERS) {
      throw new Error(`${label}: props.imageTagMutabilityExclusionPatterns has ${patterns.length} patterns; ECR takes 1 to ` +
        `${MAX_EXCLUSION_FILTERS}.`);
    }
    for (const pattern of patterns) {
      if (!Token.isUnresolved(pattern) && !EXCLUSION_PATTERN.test(pattern)) {
        throw new Error(`${label}: props.imageTagMutabilityExclusionPatterns has '${pattern}', which is not a tag pattern: 1 to ` +
          "128 letters, digits and '._-', with '*' as the wildcard.");
      }
    }
  }
  return {
    imageTagMutability: mutability,
    imageTagMutabilityExclusionFilters: patterns?.map(pattern => ({
      imageTagMutabilityExclusionFilterType: 'WILDCARD',
      imageTagMutabilityExclusionFilterValue: pattern,
    })),
  };
}

function encryptionOf(stack: Stack, input: TemplateSettingsInput, label: string): TemplateSettings['encryptionConfiguration'] {
  const { encryption, encryptionKey } = input;
  if (encryption === undefined && encryptionKey === undefined) {
    return undefined;
  }
  const type = encryption?.value ?? ecr.RepositoryEncryption.KMS.value;
  if (!Token.isUnresolved(type) && !ENCRYPTION_TYPES.includes(type)) {
    throw new Error(`${label}: props.encryption is '${type}', which is not one of ${ENCRYPTION_TYPES.join(', ')}. Use ` +
      'ecr.RepositoryEncryption.AES_256, KMS or KMS_DSSE.');
  }
  if (encryptionKey === undefined) {
    return { encryptionType: type };
  }
  if (type === ecr.RepositoryEncryption.AES_256.value) {
    throw new Error(`${label}: props.encryptionKey is given, but props.encryption is AES256, which uses no KMS key. Leave ` +
      'encryption out (a key means KMS), or set it to ecr.RepositoryEncryption.KMS or KMS_DSSE.');
  }
  const keyArn = encryptionKey.keyArn;
  if (!Token.isUnresolved(keyArn)) {
    if (!KMS_KEY_ARN.test(keyArn)) {
      throw new Error(`${label}: props.encryptionKey is '${keyArn}', which is not the ARN of a KMS key (an alias is not ` +
        'accepted: ECR takes arn:<partition>:kms:<region>:<account>:key/<key id>). Import the key with kms.Key.fromKeyArn.');
    }
    const region = Arn.split(keyArn, ArnFormat.SLASH_RESOURCE_NAME).region!;
    if (Token.compareStrings(region, stack.region) === TokenComparison.DIFFERENT) {
      throw new Error(`${label}: props.encryptionKey '${keyArn}' is in region ${region}, but ECR creates the repositories in ` +
        `${stack.region}, the region of this stack, and needs a key of that region.`);
    }
  }
  return { encryptionType: type, kmsKey: keyArn };
}

function tagsOf(tags: { [key: string]: string } | undefined, label: string): TemplateSettings['resourceTags'] {
  if (tags === undefined) {
    return undefined;
  }
  const entries = Object.entries(tags);
  if (entries.length === 0 || entries.length > MAX_TAGS) {
    throw new Error(`${label}: props.resourceTags has ${entries.length} tags; a creation template takes 1 to ${MAX_TAGS}. ` +
      (entries.length === 0 ? 'Leave resourceTags out for none.' : 'Keep the tags the repositories need.'));
  }
  for (const [key, value] of entries) {
    if (!Token.isUnresolved(key) && (key.length < 1 || key.length > MAX_TAG_KEY || key.toLowerCase().startsWith('aws:'))) {
      throw new Error(`${label}: props.resourceTags has the key '${key}' (${key.length} characters); ECR takes keys of 1 to ` +
        `${MAX_TAG_KEY} characters that do not start with 'aws:' (reserved for AWS).`);
    }
    if (!Token.isUnresolved(value) && value.length > MAX_TAG_VALUE) {
      throw new Error(`${label}: props.resourceTags['${key}'] is ${value.length} characters; ECR takes values of at most ` +
        `${MAX_TAG_VALUE}.`);
    }
  }
  return entries.map(([key, value]) => ({ key, value }));
}

function customRoleArnOf(stack: Stack, role: iam.IRole, label: string): string {
  const arn = role.roleArn;
  assertRoleArn(arn, `${label}: props.customRole`);
  if (!Token.isUnresolved(arn) && !CUSTOM_ROLE_ARN.test(arn)) {
    throw new Error(`${label}: props.customRole '${arn}' has an IAM path; a creation template takes a role of the path '/' ` +
      '(CloudFormation\'s CustomRoleArn pattern). Use a role without a path.');
  }
  const account = Token.isUnresolved(arn) ? role.env.account : Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME).account!;
  if (Token.compareStrings(account, stack.account) === TokenComparison.DIFFERENT) {
    throw new Error(`${label}: props.customRole ${Token.isUnresolved(arn) ? role.node.path : `'${arn}'`} is in account ${account}, ` +
      `but the templates are in the registry of account ${stack.account}: ECR takes a role of the registry's own account.`);
  }
  return arn;
}

function shown(text: string): string {
  return text.length > 80 ? `${JSON.stringify(text.slice(0, 80))}...` : JSON.stringify(text);
}
