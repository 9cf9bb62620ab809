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
  // ECR control plane
  'INVALID_PARAMETER',
  'LIMIT_EXCEEDED',
  'TAG_IMMUTABLE',
  'IMAGE_ALREADY_EXISTS',
  'LAYER_ALREADY_EXISTS',
  'LAYER_PART_INVALID',
  'UPLOAD_EMPTY',
  'REPOSITORY_POLICY_NOT_FOUND',
  'REGISTRY_POLICY_NOT_FOUND',
  'LIFECYCLE_POLICY_NOT_FOUND',
  'TEMPLATE_NOT_FOUND',
  'TEMPLATE_ALREADY_EXISTS',
  'RESOURCE_TAG_INVALID',
  'TOO_MANY_TAGS',
  'NOT_YET_SUPPORTED',
  // An image, or a blob only archived images use, is in the archive storage class and cannot be pulled.
  'IMAGE_ARCHIVED',
  // Image scanning: no scan of the image yet; an image the scanner cannot scan (an index, an artifact).
  'SCAN_NOT_FOUND',
  'UNSUPPORTED_IMAGE_TYPE',
  // Identity and access
  'POLICY_INVALID',
  'ENTITY_NOT_FOUND',
  'ENTITY_ALREADY_EXISTS',
  'ENTITY_IN_USE',
  'SIGNATURE_INVALID',
  'CREDENTIALS_UNKNOWN',
  'CREDENTIALS_EXPIRED',
  'REQUEST_EXPIRED',
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
