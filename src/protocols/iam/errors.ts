import { type ErrorCode, isDomainError } from '../../domain/errors.js';

export interface QueryWireError {
  status: number;
  code: string;
}

const NOT_AN_IAM_ERROR: QueryWireError = { status: 400, code: 'InvalidInput' };

/**
 * The one table from domain error codes to IAM and STS wire errors (the query protocol's `<Code>`).
 * Registry codes never arise from IAM or STS operations; they map to InvalidInput for completeness.
 * A DomainError's detail.awsType (set by the SigV4 verifier) names a more specific code.
 */
export const IAM_ERRORS: Record<ErrorCode, QueryWireError> = {
  BLOB_UNKNOWN: NOT_AN_IAM_ERROR,
  BLOB_UPLOAD_INVALID: NOT_AN_IAM_ERROR,
  BLOB_UPLOAD_UNKNOWN: NOT_AN_IAM_ERROR,
  DIGEST_INVALID: NOT_AN_IAM_ERROR,
  MANIFEST_BLOB_UNKNOWN: NOT_AN_IAM_ERROR,
  MANIFEST_INVALID: NOT_AN_IAM_ERROR,
  MANIFEST_UNKNOWN: NOT_AN_IAM_ERROR,
  MANIFEST_TOO_LARGE: NOT_AN_IAM_ERROR,
  NAME_INVALID: NOT_AN_IAM_ERROR,
  NAME_UNKNOWN: NOT_AN_IAM_ERROR,
  REPOSITORY_ALREADY_EXISTS: NOT_AN_IAM_ERROR,
  REPOSITORY_NOT_EMPTY: NOT_AN_IAM_ERROR,
  TAG_INVALID: NOT_AN_IAM_ERROR,
  SIZE_INVALID: NOT_AN_IAM_ERROR,
  RANGE_INVALID: NOT_AN_IAM_ERROR,
  PAGINATION_INVALID: NOT_AN_IAM_ERROR,
  UNSUPPORTED: { status: 400, code: 'InvalidAction' },
  UNAUTHORIZED: { status: 403, code: 'MissingAuthenticationToken' },
  DENIED: { status: 403, code: 'AccessDenied' },
  TOO_MANY_REQUESTS: { status: 400, code: 'Throttling' },
  INVALID_PARAMETER: { status: 400, code: 'ValidationError' },
  LIMIT_EXCEEDED: { status: 409, code: 'LimitExceeded' },
  TAG_IMMUTABLE: NOT_AN_IAM_ERROR,
  IMAGE_ALREADY_EXISTS: NOT_AN_IAM_ERROR,
  LAYER_ALREADY_EXISTS: NOT_AN_IAM_ERROR,
  LAYER_PART_INVALID: NOT_AN_IAM_ERROR,
  UPLOAD_EMPTY: NOT_AN_IAM_ERROR,
  REPOSITORY_POLICY_NOT_FOUND: NOT_AN_IAM_ERROR,
  REGISTRY_POLICY_NOT_FOUND: NOT_AN_IAM_ERROR,
  LIFECYCLE_POLICY_NOT_FOUND: NOT_AN_IAM_ERROR,
  TEMPLATE_NOT_FOUND: NOT_AN_IAM_ERROR,
  TEMPLATE_ALREADY_EXISTS: NOT_AN_IAM_ERROR,
  RESOURCE_TAG_INVALID: NOT_AN_IAM_ERROR,
  TOO_MANY_TAGS: NOT_AN_IAM_ERROR,
  NOT_YET_SUPPORTED: { status: 400, code: 'InvalidAction' },
  IMAGE_ARCHIVED: NOT_AN_IAM_ERROR,
  SCAN_NOT_FOUND: NOT_AN_IAM_ERROR,
  UNSUPPORTED_IMAGE_TYPE: NOT_AN_IAM_ERROR,
  POLICY_INVALID: { status: 400, code: 'MalformedPolicyDocument' },
  ENTITY_NOT_FOUND: { status: 404, code: 'NoSuchEntity' },
  ENTITY_ALREADY_EXISTS: { status: 409, code: 'EntityAlreadyExists' },
  ENTITY_IN_USE: { status: 409, code: 'DeleteConflict' },
  SIGNATURE_INVALID: { status: 403, code: 'SignatureDoesNotMatch' },
  CREDENTIALS_UNKNOWN: { status: 403, code: 'InvalidClientTokenId' },
  CREDENTIALS_EXPIRED: { status: 400, code: 'ExpiredToken' },
  REQUEST_EXPIRED: { status: 403, code: 'SignatureDoesNotMatch' },
};

/** The wire error for anything a query-protocol request throws; undefined for an unexpected (500) failure. */
export function queryWireErrorOf(err: unknown): (QueryWireError & { message: string }) | undefined {
  if (!isDomainError(err)) return undefined;
  const wire = IAM_ERRORS[err.code];
  const awsType = typeof err.detail?.awsType === 'string' ? err.detail.awsType : undefined;
  return { status: wire.status, code: awsType ?? wire.code, message: err.message };
}
