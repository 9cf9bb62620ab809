import { invalidParameter } from './invalid-parameter.js';
import { type RepositorySettings, TAG_MUTABILITIES, type TagMutability, type TagMutabilityExclusionFilter } from './repository-settings.js';
import { matchesWildcard } from './wildcard.js';

/** ECR's limits on exclusion filters (service model: 1-5 filters, each ^[0-9a-zA-Z._*-]{1,128}$). */
export const MAX_EXCLUSION_FILTERS = 5;
const FILTER_PATTERN = /^[0-9a-zA-Z._*-]{1,128}$/;
const FILTERS_FIELD = 'imageTagMutabilityExclusionFilters';

export type TagMutabilitySetting = Pick<RepositorySettings, 'imageTagMutability' | 'imageTagMutabilityExclusionFilters'>;

/**
 * A mutability mode with its exclusion filters, as CreateRepository, PutImageTagMutability and
 * creation templates take them (the mode defaults to MUTABLE). Filters belong to the
 * *_WITH_EXCLUSION modes: required there, refused elsewhere.
 */
export function parseTagMutability(mode: string | undefined, filters: readonly TagMutabilityExclusionFilter[] | undefined): TagMutabilitySetting {
  const imageTagMutability = mode ?? 'MUTABLE';
  if (!isTagMutability(imageTagMutability)) {
    throw invalidParameter('imageTagMutability', `Member must satisfy enum value set: [${TAG_MUTABILITIES.join(', ')}]`);
  }
  const given = filters ?? [];
  if (!imageTagMutability.endsWith('_WITH_EXCLUSION')) {
    if (given.length > 0) {
      throw invalidParameter(FILTERS_FIELD, `ImageTagMutabilityExclusionFilters can only be set when imageTagMutability is MUTABLE_WITH_EXCLUSION or IMMUTABLE_WITH_EXCLUSION, not ${imageTagMutability}`);
    }
    return { imageTagMutability, imageTagMutabilityExclusionFilters: [] };
  }
  if (given.length === 0) {
    throw invalidParameter(FILTERS_FIELD, `ImageTagMutabilityExclusionFilters can't be null when imageTagMutability is set as ${imageTagMutability}`);
  }
  if (given.length > MAX_EXCLUSION_FILTERS) throw invalidParameter(FILTERS_FIELD, `Member must have length less than or equal to ${MAX_EXCLUSION_FILTERS}`);
  const parsed = given.map(({ filterType, filter }, i): TagMutabilityExclusionFilter => {
    if (filterType !== 'WILDCARD') throw invalidParameter(`${FILTERS_FIELD}.${i + 1}.member.filterType`, 'Member must satisfy enum value set: [WILDCARD]');
    if (typeof filter !== 'string' || !FILTER_PATTERN.test(filter)) {
      throw invalidParameter(`${FILTERS_FIELD}.${i + 1}.member.filter`, `Member must satisfy regular expression pattern: ${FILTER_PATTERN.source}`);
    }
    return { filterType, filter };
  });
  return { imageTagMutability, imageTagMutabilityExclusionFilters: parsed };
}

/**
 * Whether pushing `tag` may not move it once it exists: IMMUTABLE always, MUTABLE never; with
 * exclusions, a tag matching a filter takes the opposite of the mode's base.
 */
export function isTagImmutable(settings: TagMutabilitySetting, tag: string): boolean {
  const excluded = () => settings.imageTagMutabilityExclusionFilters.some((f) => matchesWildcard(f.filter, tag));
  switch (settings.imageTagMutability) {
    case 'MUTABLE':
      return false;
    case 'IMMUTABLE':
      return true;
    case 'IMMUTABLE_WITH_EXCLUSION':
      return !excluded();
    case 'MUTABLE_WITH_EXCLUSION':
      return excluded();
  }
}

function isTagMutability(value: string): value is TagMutability {
  return (TAG_MUTABILITIES as readonly string[]).includes(value);
}
