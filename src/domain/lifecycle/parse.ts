/**
 * ECR's lifecycle policy grammar, checked once when a policy is stored or previewed. Every failure is
 * INVALID_PARAMETER "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint:
 * 'Lifecycle policy validation failure: <reason>'", the first problem found.
 *
 * Reasons are ECR's where its wording is known. ECR first checks the document's shape against a JSON
 * schema and reports it in the words of the Java json-schema-validator ("object has missing required
 * properties ([\"rules\"])", "numeric instance is lower than the required minimum (minimum: 1, found:
 * 0)", ... as getmoto/moto's ECR tests record them); a text that is not a JSON object "Could not map
 * policyString into LifecyclePolicy."; then it checks rules with sentences of its own, seen in users'
 * reports: "Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.", "Only one rule can
 * select Untagged images per storage class.", "Rule for tagStatus=ANY must have the lowest priority per
 * storage class". The other sentences here are Berth's, written in the same style.
 */
import { invalidParameter } from '../model/invalid-parameter.js';
import { type JsonValue, readJson } from '../policy/json.js';
import {
  ACTION_TYPES,
  COUNT_TYPES,
  type LifecyclePolicy,
  type LifecycleRule,
  type LifecycleRuleAction,
  type LifecycleRuleSelection,
  type LifecycleTagSelection,
  STORAGE_CLASSES,
  TAG_STATUSES,
} from './policy.js';

/** LifecyclePolicyText's length bounds in ECR's API model. */
export const LIFECYCLE_POLICY_MIN_LENGTH = 100;
export const LIFECYCLE_POLICY_MAX_LENGTH = 30_720;
/** ECR's quota of rules per lifecycle policy. */
export const LIFECYCLE_POLICY_MAX_RULES = 50;
/** "There is a maximum limit of four wildcards (*) per string." */
export const MAX_WILDCARDS_PER_PATTERN = 4;
/** Archived images have a minimum storage duration of 90 days, so no rule may delete them sooner. */
export const ARCHIVE_MINIMUM_DAYS = 90;
/** ECR reads integers as Java ints. */
const MAX_INTEGER = 2_147_483_647;

type JsonObject = Map<string, JsonValue>;

export function parseLifecyclePolicy(text: string): LifecyclePolicy {
  if (text.length < LIFECYCLE_POLICY_MIN_LENGTH) invalid(`Member must have length greater than or equal to ${LIFECYCLE_POLICY_MIN_LENGTH}`);
  if (text.length > LIFECYCLE_POLICY_MAX_LENGTH) invalid(`Member must have length less than or equal to ${LIFECYCLE_POLICY_MAX_LENGTH}`);
  const json = readJson(text);
  if (!json.ok) invalid(`Could not map policyString into LifecyclePolicy. ${json.reason}`);
  if (!(json.value instanceof Map)) invalid('Could not map policyString into LifecyclePolicy.');
  const document = object(json.value, ['rules'], []);
  const rules = array(document.get('rules')!, 1, LIFECYCLE_POLICY_MAX_RULES).map(parseRule);
  checkRulesTogether(rules);
  return { text, rules: rules.sort((a, b) => a.rulePriority - b.rulePriority) };
}

function parseRule(value: JsonValue): LifecycleRule {
  const rule = object(value, ['rulePriority', 'selection', 'action'], ['description']);
  const rulePriority = integer(rule.get('rulePriority')!, 1);
  const description = optional(rule, 'description', string);
  const selection = parseSelection(rule.get('selection')!);
  const action = parseAction(rule.get('action')!, selection);
  return { rulePriority, ...(description !== undefined && { description }), selection, action };
}

function parseSelection(value: JsonValue): LifecycleRuleSelection {
  const fields = object(value, ['tagStatus', 'countType', 'countNumber'], ['tagPrefixList', 'tagPatternList', 'storageClass', 'countUnit']);
  const tags = parseTagSelection(fields);
  const storageClass = optional(fields, 'storageClass', (v) => oneOf(v, STORAGE_CLASSES)) ?? 'standard';
  const countType = oneOf(fields.get('countType')!, COUNT_TYPES);
  const countUnit = optional(fields, 'countUnit', (v) => oneOf(v, ['days'] as const));
  const countNumber = integer(fields.get('countNumber')!, 1);

  if (countType === 'imageCountMoreThan') {
    if (countUnit !== undefined) invalid('countUnit cannot be specified when countType=imageCountMoreThan.');
  } else if (countUnit === undefined) {
    invalid(`Must specify countUnit when countType=${countType}.`);
  }
  // Archived images are only counted by how long they have been archived, and that only counts archived images.
  if (countType === 'sinceImageTransitioned' && storageClass !== 'archive') invalid('Must specify storageClass=archive when countType=sinceImageTransitioned.');
  if (storageClass === 'archive' && countType !== 'sinceImageTransitioned') invalid(`countType=${countType} cannot be used with storageClass=archive; use sinceImageTransitioned.`);

  return { ...tags, storageClass, countType, ...(countUnit !== undefined && { countUnit }), countNumber };
}

function parseTagSelection(fields: JsonObject): LifecycleTagSelection {
  const tagStatus = oneOf(fields.get('tagStatus')!, TAG_STATUSES);
  const tagPrefixList = optional(fields, 'tagPrefixList', nonEmptyStrings);
  const tagPatternList = optional(fields, 'tagPatternList', nonEmptyStrings);
  if (tagStatus !== 'tagged') {
    if (tagPrefixList !== undefined || tagPatternList !== undefined) invalid(`Cannot specify tagPrefixList or tagPatternList when tagStatus=${tagStatus.toUpperCase()}.`);
    return { tagStatus };
  }
  if (tagPrefixList !== undefined && tagPatternList !== undefined) invalid('Cannot specify both tagPrefixList and tagPatternList in one rule.');
  if (tagPrefixList !== undefined) return { tagStatus, tagPrefixList };
  if (tagPatternList === undefined) invalid('Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.');
  for (const pattern of tagPatternList) {
    const wildcards = pattern.split('*').length - 1;
    if (wildcards > MAX_WILDCARDS_PER_PATTERN) {
      invalid(`tagPatternList entry ${JSON.stringify(pattern)} has ${wildcards} wildcards; there is a maximum limit of ${MAX_WILDCARDS_PER_PATTERN} wildcards (*) per string.`);
    }
  }
  return { tagStatus, tagPatternList };
}

function parseAction(value: JsonValue, selection: LifecycleRuleSelection): LifecycleRuleAction {
  const fields = object(value, ['type'], ['targetStorageClass']);
  const type = oneOf(fields.get('type')!, ACTION_TYPES);
  const targetStorageClass = optional(fields, 'targetStorageClass', (v) => oneOf(v, ['archive'] as const));
  // ECR lets sinceImagePulled only transition images; Berth deliberately also lets it expire them.
  if (type === 'expire') {
    if (targetStorageClass !== undefined) invalid('targetStorageClass can only be specified when action type=transition.');
    if (selection.storageClass === 'archive' && selection.countNumber < ARCHIVE_MINIMUM_DAYS) {
      invalid(`Archived images have a minimum storage duration of ${ARCHIVE_MINIMUM_DAYS} days; countNumber must be at least ${ARCHIVE_MINIMUM_DAYS} when countType=sinceImageTransitioned.`);
    }
    return { type };
  }
  if (targetStorageClass === undefined) invalid('Must specify targetStorageClass when action type=transition.');
  if (selection.storageClass !== 'standard') invalid('Only images in storageClass=standard can be transitioned.');
  return { type, targetStorageClass };
}

/** The constraints between rules, each per storage class since standard and archived images are managed apart. */
function checkRulesTogether(rules: readonly LifecycleRule[]): void {
  const priorities = new Set<number>();
  for (const { rulePriority } of rules) {
    if (priorities.has(rulePriority)) invalid(`rulePriority ${rulePriority} is used by more than one rule; each rule needs a unique rulePriority.`);
    priorities.add(rulePriority);
  }
  for (const storageClass of STORAGE_CLASSES) {
    const inClass = rules.filter((rule) => rule.selection.storageClass === storageClass);
    // A tagStatus=any rule selects untagged images too, but ECR counts only untagged rules here (an untagged rule before a catch-all is the usual policy).
    if (inClass.filter((rule) => rule.selection.tagStatus === 'untagged').length > 1) invalid('Only one rule can select Untagged images per storage class.');
    const lastPriority = Math.max(...inClass.map((rule) => rule.rulePriority));
    if (inClass.some((rule) => rule.selection.tagStatus === 'any' && rule.rulePriority !== lastPriority)) {
      invalid('Rule for tagStatus=ANY must have the lowest priority per storage class');
    }
  }
}

function invalid(reason: string): never {
  throw invalidParameter('LifecyclePolicyText', `Lifecycle policy validation failure: ${reason}`);
}

// The JSON-schema checks, in the validator's words.

function jsonType(value: JsonValue): string {
  if (value === null) return 'null';
  if (value instanceof Map) return 'object';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function wrongType(value: JsonValue, allowed: string): never {
  invalid(`instance type (${jsonType(value)}) does not match any allowed primitive type (allowed: ["${allowed}"])`);
}

function object(value: JsonValue, required: readonly string[], optionalKeys: readonly string[]): JsonObject {
  if (!(value instanceof Map)) wrongType(value, 'object');
  const missing = required.filter((key) => !value.has(key)).sort();
  if (missing.length > 0) invalid(`object has missing required properties (${JSON.stringify(missing)})`);
  const unknown = [...value.keys()].filter((key) => !required.includes(key) && !optionalKeys.includes(key)).sort();
  if (unknown.length > 0) invalid(`object instance has properties which are not allowed by the schema: (${JSON.stringify(unknown)})`);
  return value;
}

function optional<T>(fields: JsonObject, key: string, read: (value: JsonValue) => T): T | undefined {
  const value = fields.get(key);
  return value === undefined ? undefined : read(value);
}

function array(value: JsonValue, minItems: number, maxItems: number): JsonValue[] {
  if (!Array.isArray(value)) wrongType(value, 'array');
  if (value.length < minItems) invalid(`array is too short: must have at least ${minItems} elements but instance has ${value.length} elements`);
  if (value.length > maxItems) invalid(`array is too long: must have at most ${maxItems} elements but instance has ${value.length} elements`);
  return value;
}

function string(value: JsonValue): string {
  if (typeof value !== 'string') wrongType(value, 'string');
  return value;
}

/** A tag list: an empty list or an empty entry would select nothing, or every tag. */
function nonEmptyStrings(value: JsonValue): string[] {
  return array(value, 1, Infinity).map((item) => {
    const entry = string(item);
    if (entry.length === 0) invalid('string "" is too short (length 0, required minimum 1)');
    return entry;
  });
}

function integer(value: JsonValue, minimum: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) wrongType(value, 'integer');
  if (value < minimum) invalid(`numeric instance is lower than the required minimum (minimum: ${minimum}, found: ${value})`);
  if (value > MAX_INTEGER) invalid(`numeric instance is greater than the required maximum (maximum: ${MAX_INTEGER}, found: ${value})`);
  return value;
}

function oneOf<T extends string>(value: JsonValue, values: readonly T[]): T {
  const text = string(value);
  if (!(values as readonly string[]).includes(text)) invalid(`instance value (${JSON.stringify(text)}) not found in enum (possible values: ${JSON.stringify(values)})`);
  return text as T;
}
