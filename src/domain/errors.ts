/**
 * Every failure the domain reports. Protocol surfaces map each code to their own
 * wire error in exactly one table (protocols/oci/errors.ts, later protocols/ecr/errors.ts);
 * a test fails if a code is left unmapped.
 */
export const ErrorCodes = [
  'BLOB_UNKNOWN',
  'BLOB_UPLOAD_INVALID',
  'BLOB_UPLOAD_UNKNOWN',
  'DIGEST_INVALID',
  'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID',
  'MANIFEST_UNKNOWN',
  'MANIFEST_TOO_LARGE',
  'NAME_INVALID',
  'NAME_UNKNOWN',
  'REPOSITORY_ALREADY_EXISTS',
  'REPOSITORY_NOT_EMPTY',
  'TAG_INVALID',
  'SIZE_INVALID',
  'RANGE_INVALID',
  'PAGINATION_INVALID',
  'UNSUPPORTED',
  'UNAUTHORIZED',
  'DENIED',
  'TOO_MANY_REQUESTS',
] as const;

export type ErrorCode = (typeof ErrorCodes)[number];

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Structured detail for the wire (OCI `detail`, ECR fields). Never secrets. */
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function isDomainError(err: unknown, code?: ErrorCode): err is DomainError {
  return err instanceof DomainError && (code === undefined || err.code === code);
}
