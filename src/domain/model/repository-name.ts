import { DomainError } from '../errors.js';

// ECR's RepositoryName pattern from the service model: lowercase components joined by '/'.
const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const NAME_PATTERN = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);

export const REPOSITORY_NAME_MIN = 2;
export const REPOSITORY_NAME_MAX = 256;

/** Validates an ECR repository name; the pattern alone rules out '..', '//' and leading '/' (path traversal). */
export function parseRepositoryName(value: string): string {
  if (value.length < REPOSITORY_NAME_MIN || value.length > REPOSITORY_NAME_MAX || !NAME_PATTERN.test(value)) {
    throw new DomainError(
      'NAME_INVALID',
      `invalid repository name "${value.length > 300 ? value.slice(0, 300) + '…' : value}": must be ${REPOSITORY_NAME_MIN}-${REPOSITORY_NAME_MAX} characters of lowercase letters, digits and separators (. _ __ -), in components joined by '/'`,
      { name: value.slice(0, 300) },
    );
  }
  return value;
}
