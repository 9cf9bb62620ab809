import { DomainError } from '../errors.js';
import { Digest } from './digest.js';

// ECR's ImageTag allows up to 300 characters; the character set is OCI's tag grammar.
const TAG_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,299}$/;

export function parseTag(value: string): string {
  if (!TAG_PATTERN.test(value)) {
    throw new DomainError('TAG_INVALID', `invalid tag "${value.slice(0, 300)}": must match [a-zA-Z0-9_][a-zA-Z0-9._-]{0,299}`);
  }
  return value;
}

export function isTag(value: string): boolean {
  return TAG_PATTERN.test(value);
}

/** A manifest reference from a URL: a tag or a digest. */
export type Reference = { kind: 'tag'; tag: string } | { kind: 'digest'; digest: Digest };

export function parseReference(value: string): Reference {
  if (value.includes(':')) return { kind: 'digest', digest: Digest.parse(value) };
  return { kind: 'tag', tag: parseTag(value) };
}
