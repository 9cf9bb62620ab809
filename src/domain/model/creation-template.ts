import { invalidParameter } from './invalid-parameter.js';
import type { EncryptionConfiguration, ResourceTag, TagMutability, TagMutabilityExclusionFilter } from './repository-settings.js';
import { parseEncryptionConfiguration } from './repository-settings-input.js';
import { ensureWithinTagLimit, parseResourceTags } from './resource-tags.js';
import { parseTagMutability } from './tag-mutability.js';

/** What ECR creates repositories for on the registry's behalf, and so what a template may apply to. */
export const TEMPLATE_PURPOSES = ['REPLICATION', 'PULL_THROUGH_CACHE', 'CREATE_ON_PUSH'] as const;
export type TemplatePurpose = (typeof TEMPLATE_PURPOSES)[number];

/** The prefix of the template that applies to every repository no other template covers. */
export const ROOT_PREFIX = 'ROOT';

/** What a repository creation template gives the repositories it creates. */
export interface CreationTemplateSettings {
  description?: string;
  encryptionConfiguration: EncryptionConfiguration;
  resourceTags: ResourceTag[];
  imageTagMutability: TagMutability;
  imageTagMutabilityExclusionFilters: TagMutabilityExclusionFilter[];
  /** Policy texts as the caller validated them. */
  repositoryPolicy?: string;
  lifecyclePolicy?: string;
  appliedFor: TemplatePurpose[];
  customRoleArn?: string;
}

export interface CreationTemplate extends CreationTemplateSettings {
  prefix: string;
  createdAt: Date;
  updatedAt: Date;
}

/** CreateRepositoryCreationTemplate's and UpdateRepositoryCreationTemplate's fields besides the prefix. */
export interface CreationTemplateInput {
  description?: string;
  encryptionConfiguration?: EncryptionConfiguration;
  resourceTags?: ResourceTag[];
  imageTagMutability?: string;
  imageTagMutabilityExclusionFilters?: TagMutabilityExclusionFilter[];
  repositoryPolicy?: string;
  lifecyclePolicy?: string;
  appliedFor?: string[];
  customRoleArn?: string;
}

// ECR's Prefix pattern: repository name components, optionally ending in '/', or ROOT.
const PREFIX_PATTERN = /^((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*\/?|ROOT)$/;
const MAX_PREFIX_LENGTH = 256;
const MAX_DESCRIPTION_LENGTH = 256;
const ROLE_ARN_PATTERN = /^arn:aws[-a-z0-9]*:iam::[0-9]{12}:role\/[A-Za-z0-9+=,\-.@_]*$/;
const MAX_ROLE_ARN_LENGTH = 2048;

export function parseTemplatePrefix(prefix: string): string {
  if (typeof prefix !== 'string' || prefix.length > MAX_PREFIX_LENGTH || !PREFIX_PATTERN.test(prefix)) {
    throw invalidParameter('prefix', `Member must satisfy regular expression pattern: ${PREFIX_PATTERN.source}`);
  }
  return prefix;
}

/**
 * A template's settings from a create request (`base` undefined: appliedFor required, ECR's
 * defaults for the rest) or an update (`base`: the fields given replace the stored ones).
 */
export function parseCreationTemplateSettings(input: CreationTemplateInput, base?: CreationTemplateSettings): CreationTemplateSettings {
  const modeGiven = input.imageTagMutability !== undefined;
  const mutability = parseTagMutability(
    input.imageTagMutability ?? base?.imageTagMutability,
    input.imageTagMutabilityExclusionFilters ?? (modeGiven ? undefined : base?.imageTagMutabilityExclusionFilters),
  );
  const resourceTags = input.resourceTags === undefined ? (base?.resourceTags ?? []) : parseResourceTags(input.resourceTags);
  ensureWithinTagLimit([], resourceTags);
  const description = keptOrCleared(input.description, base?.description);
  if (description !== undefined && (typeof description !== 'string' || description.length > MAX_DESCRIPTION_LENGTH)) {
    throw invalidParameter('description', `Member must have length less than or equal to ${MAX_DESCRIPTION_LENGTH}`);
  }
  const customRoleArn = keptOrCleared(input.customRoleArn, base?.customRoleArn);
  if (customRoleArn !== undefined && (customRoleArn.length > MAX_ROLE_ARN_LENGTH || !ROLE_ARN_PATTERN.test(customRoleArn))) {
    throw invalidParameter('customRoleArn', `Member must satisfy regular expression pattern: ${ROLE_ARN_PATTERN.source}`);
  }
  const repositoryPolicy = keptOrCleared(input.repositoryPolicy, base?.repositoryPolicy);
  const lifecyclePolicy = keptOrCleared(input.lifecyclePolicy, base?.lifecyclePolicy);
  return {
    ...(description !== undefined && { description }),
    encryptionConfiguration:
      input.encryptionConfiguration === undefined && base ? base.encryptionConfiguration : parseEncryptionConfiguration(input.encryptionConfiguration),
    resourceTags,
    ...mutability,
    ...(repositoryPolicy !== undefined && { repositoryPolicy }),
    ...(lifecyclePolicy !== undefined && { lifecyclePolicy }),
    appliedFor: input.appliedFor === undefined && base ? base.appliedFor : parsePurposes(input.appliedFor),
    ...(customRoleArn !== undefined && { customRoleArn }),
  };
}

/** A text setting on update: absent keeps the stored one, empty removes it (the model allows length 0 to say so). */
function keptOrCleared(given: string | undefined, stored: string | undefined): string | undefined {
  if (given === '') return undefined;
  return given ?? stored;
}

/**
 * The template that applies when a repository is created for `purpose`: of those made for it, the
 * one with the longest prefix the name falls under. A prefix always ends at a '/' (ECR reads "prod"
 * as "prod/"), so "prod" covers "prod/app" but not "production"; ROOT covers every name.
 */
export function chooseTemplate(templates: readonly CreationTemplate[], repositoryName: string, purpose: TemplatePurpose): CreationTemplate | undefined {
  let chosen: { template: CreationTemplate; length: number } | undefined;
  for (const template of templates) {
    if (!template.appliedFor.includes(purpose)) continue;
    const length = coveredLength(template.prefix, repositoryName);
    if (length !== undefined && (!chosen || length > chosen.length)) chosen = { template, length };
  }
  return chosen?.template;
}

/** How much of the name the prefix covers (0 for ROOT), or undefined when it does not cover the name. */
function coveredLength(prefix: string, repositoryName: string): number | undefined {
  if (prefix === ROOT_PREFIX) return 0;
  const namespace = prefix.endsWith('/') ? prefix : `${prefix}/`;
  return repositoryName.startsWith(namespace) ? namespace.length : undefined;
}

function parsePurposes(values: readonly string[] | undefined): TemplatePurpose[] {
  if (!values || values.length === 0) throw invalidParameter('appliedFor', 'Member must have length greater than or equal to 1');
  for (const value of values) {
    if (!(TEMPLATE_PURPOSES as readonly string[]).includes(value)) {
      throw invalidParameter('appliedFor', `Member must satisfy enum value set: [${TEMPLATE_PURPOSES.join(', ')}]`);
    }
  }
  return [...new Set(values as TemplatePurpose[])];
}
