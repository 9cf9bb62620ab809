/**
 * Tag mutability as ECR's newest model has it: MUTABLE or IMMUTABLE, each optionally "_WITH_EXCLUSION"
 * wildcard filters whose matching tags behave the other way.
 */
import type { ImageTagMutability, ImageTagMutabilityExclusionFilter } from '../api/ecr.js';

export interface TagMutabilitySetting {
  immutable: boolean;
  /** Wildcard filters (e.g. `latest`, `dev-*`) for tags that behave the other way. */
  exclusions: string[];
}

export function mutabilityFromWire(mutability: ImageTagMutability | undefined, filters: readonly ImageTagMutabilityExclusionFilter[] | undefined): TagMutabilitySetting {
  return { immutable: mutability === 'IMMUTABLE' || mutability === 'IMMUTABLE_WITH_EXCLUSION', exclusions: (filters ?? []).map((f) => f.filter) };
}

export function mutabilityToWire(setting: TagMutabilitySetting): { imageTagMutability: ImageTagMutability; imageTagMutabilityExclusionFilters?: ImageTagMutabilityExclusionFilter[] } {
  const filters = setting.exclusions.map((f) => f.trim()).filter(Boolean);
  const base = setting.immutable ? 'IMMUTABLE' : 'MUTABLE';
  if (filters.length === 0) return { imageTagMutability: base };
  return { imageTagMutability: `${base}_WITH_EXCLUSION`, imageTagMutabilityExclusionFilters: filters.map((filter) => ({ filterType: 'WILDCARD', filter })) };
}

export function describeMutability(mutability: ImageTagMutability | undefined, filters: readonly ImageTagMutabilityExclusionFilter[] | undefined): string {
  const setting = mutabilityFromWire(mutability, filters);
  const base = setting.immutable ? 'Immutable' : 'Mutable';
  if (setting.exclusions.length === 0) return base;
  return `${base}, except tags matching ${setting.exclusions.join(', ')}`;
}
