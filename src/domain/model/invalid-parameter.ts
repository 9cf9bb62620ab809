import { DomainError } from '../errors.js';
import { Digest } from './digest.js';

/** ECR's ImageDigest and LayerDigest pattern; Berth accepts its sha256 and sha512 subset. */
export const DIGEST_CONSTRAINT = 'Member must satisfy regular expression pattern: [a-zA-Z0-9-_+.]+:[a-fA-F0-9]+';

/** INVALID_PARAMETER in ECR's InvalidParameterException wording, naming the request field. */
export function invalidParameter(field: string, constraint: string): DomainError {
  return new DomainError('INVALID_PARAMETER', `Invalid parameter at '${field}' failed to satisfy constraint: '${constraint}'`, { field });
}

/** A digest an ECR request field carries; INVALID_PARAMETER (not DIGEST_INVALID, which means a content mismatch) when malformed. */
export function parseDigestParameter(field: string, value: string): Digest {
  if (!Digest.isValid(value)) throw invalidParameter(field, DIGEST_CONSTRAINT);
  return Digest.parse(value);
}
