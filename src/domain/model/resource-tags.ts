import { DomainError } from '../errors.js';
import type { ResourceTag } from './repository-settings.js';

/** ECR's limits on a repository's (or creation template's) resource tags. */
export const MAX_RESOURCE_TAGS = 50;
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 256;
// AWS's tag character set: letters, digits and spaces in any script, and _ . : / = + - @.
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const RESERVED_PREFIX = 'aws:';
const CHARACTER_RULE = 'tags may contain only letters, numbers, spaces and the characters _ . : / = + - @';
const LENGTH_RULE =
  'An invalid parameter has been specified. Tag keys can have a maximum character length of 128 characters, and tag values can have a maximum length of 256 characters.';

/** Validates tags as TagResource, CreateRepository and creation templates take them; one key may appear once. */
export function parseResourceTags(tags: readonly ResourceTag[]): ResourceTag[] {
  const seen = new Set<string>();
  return tags.map(({ Key, Value }) => {
    const key = parseResourceTagKey(Key);
    if (typeof Value !== 'string' || [...Value].length > MAX_VALUE_LENGTH) throw invalidTag(LENGTH_RULE);
    if (!TAG_CHARACTERS.test(Value)) throw invalidTag(`Invalid tag value '${Value}': ${CHARACTER_RULE}`);
    if (seen.has(key)) throw invalidTag(`Duplicate tag key '${key}': each key may appear once`);
    seen.add(key);
    return { Key: key, Value };
  });
}

/** Validates the keys UntagResource names. */
export function parseResourceTagKeys(keys: readonly string[]): string[] {
  return keys.map(parseResourceTagKey);
}

/** Refuses tagging that would leave more than MAX_RESOURCE_TAGS keys on the resource. */
export function ensureWithinTagLimit(existing: readonly ResourceTag[], added: readonly ResourceTag[]): void {
  const keys = new Set([...existing, ...added].map((t) => t.Key));
  if (keys.size > MAX_RESOURCE_TAGS) {
    throw new DomainError(
      'TOO_MANY_TAGS',
      `The list of tags on the repository is over the limit. The maximum number of tags that can be applied to a repository is ${MAX_RESOURCE_TAGS}.`,
      { limit: MAX_RESOURCE_TAGS },
    );
  }
}

function parseResourceTagKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0 || [...key].length > MAX_KEY_LENGTH) throw invalidTag(LENGTH_RULE);
  if (!TAG_CHARACTERS.test(key)) throw invalidTag(`Invalid tag key '${key}': ${CHARACTER_RULE}`);
  if (key.toLowerCase().startsWith(RESERVED_PREFIX)) throw invalidTag(`Invalid tag key '${key}': the prefix '${RESERVED_PREFIX}' is reserved for AWS use`);
  return key;
}

function invalidTag(message: string): DomainError {
  return new DomainError('RESOURCE_TAG_INVALID', message);
}
