import type { FastifyReply } from 'fastify';
import { type ErrorCode, isDomainError } from '../../domain/errors.js';
import { basicChallenge } from './authentication.js';

interface OciWireError {
  status: number;
  code: string;
}

/**
 * The one table from domain error codes to OCI Distribution wire errors. Codes the spec names are used as
 * the spec says; the rest use the closest code the CNCF registry sends, so clients print our message.
 */
export const OCI_ERRORS: Record<ErrorCode, OciWireError> = {
  BLOB_UNKNOWN: { status: 404, code: 'BLOB_UNKNOWN' },
  BLOB_UPLOAD_INVALID: { status: 400, code: 'BLOB_UPLOAD_INVALID' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, code: 'BLOB_UPLOAD_UNKNOWN' },
  DIGEST_INVALID: { status: 400, code: 'DIGEST_INVALID' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, code: 'MANIFEST_BLOB_UNKNOWN' },
  MANIFEST_INVALID: { status: 400, code: 'MANIFEST_INVALID' },
  MANIFEST_UNKNOWN: { status: 404, code: 'MANIFEST_UNKNOWN' },
  MANIFEST_TOO_LARGE: { status: 413, code: 'MANIFEST_INVALID' },
  NAME_INVALID: { status: 400, code: 'NAME_INVALID' },
  NAME_UNKNOWN: { status: 404, code: 'NAME_UNKNOWN' },
  REPOSITORY_ALREADY_EXISTS: { status: 409, code: 'DENIED' },
  REPOSITORY_NOT_EMPTY: { status: 409, code: 'DENIED' },
  TAG_INVALID: { status: 400, code: 'TAG_INVALID' },
  SIZE_INVALID: { status: 400, code: 'SIZE_INVALID' },
  RANGE_INVALID: { status: 416, code: 'BLOB_UPLOAD_INVALID' },
  PAGINATION_INVALID: { status: 400, code: 'PAGINATION_NUMBER_INVALID' },
  UNSUPPORTED: { status: 405, code: 'UNSUPPORTED' },
  UNAUTHORIZED: { status: 401, code: 'UNAUTHORIZED' },
  DENIED: { status: 403, code: 'DENIED' },
  TOO_MANY_REQUESTS: { status: 429, code: 'TOOMANYREQUESTS' },
  INVALID_PARAMETER: { status: 400, code: 'UNSUPPORTED' },
  LIMIT_EXCEEDED: { status: 429, code: 'TOOMANYREQUESTS' },
  // ECR refuses an overwrite of an immutable tag; docker prints the message.
  TAG_IMMUTABLE: { status: 400, code: 'TAG_INVALID' },
  IMAGE_ALREADY_EXISTS: { status: 409, code: 'DENIED' },
  LAYER_ALREADY_EXISTS: { status: 409, code: 'DENIED' },
  LAYER_PART_INVALID: { status: 416, code: 'BLOB_UPLOAD_INVALID' },
  UPLOAD_EMPTY: { status: 400, code: 'BLOB_UPLOAD_INVALID' },
  // Control-plane codes that no OCI request produces; mapped so the table stays complete.
  REPOSITORY_POLICY_NOT_FOUND: { status: 404, code: 'UNSUPPORTED' },
  REGISTRY_POLICY_NOT_FOUND: { status: 404, code: 'UNSUPPORTED' },
  LIFECYCLE_POLICY_NOT_FOUND: { status: 404, code: 'UNSUPPORTED' },
  TEMPLATE_NOT_FOUND: { status: 404, code: 'UNSUPPORTED' },
  TEMPLATE_ALREADY_EXISTS: { status: 409, code: 'DENIED' },
  RESOURCE_TAG_INVALID: { status: 400, code: 'UNSUPPORTED' },
  TOO_MANY_TAGS: { status: 400, code: 'UNSUPPORTED' },
  NOT_YET_SUPPORTED: { status: 405, code: 'UNSUPPORTED' },
  SCAN_NOT_FOUND: { status: 404, code: 'UNSUPPORTED' },
  UNSUPPORTED_IMAGE_TYPE: { status: 400, code: 'UNSUPPORTED' },
  // ECR answers a pull of an archived image with 404: clients treat it as absent (a push uploads
  // the blobs again, which restores the image) and docker prints the message saying how to restore.
  IMAGE_ARCHIVED: { status: 404, code: 'MANIFEST_UNKNOWN' },
  POLICY_INVALID: { status: 400, code: 'UNSUPPORTED' },
  ENTITY_NOT_FOUND: { status: 404, code: 'UNSUPPORTED' },
  ENTITY_ALREADY_EXISTS: { status: 409, code: 'DENIED' },
  ENTITY_IN_USE: { status: 409, code: 'DENIED' },
  SIGNATURE_INVALID: { status: 401, code: 'UNAUTHORIZED' },
  CREDENTIALS_UNKNOWN: { status: 401, code: 'UNAUTHORIZED' },
  CREDENTIALS_EXPIRED: { status: 401, code: 'UNAUTHORIZED' },
  REQUEST_EXPIRED: { status: 401, code: 'UNAUTHORIZED' },
};

export function sendOciError(reply: FastifyReply, err: unknown): FastifyReply {
  if (isDomainError(err)) {
    const wire = OCI_ERRORS[err.code];
    if (wire.status === 401) reply.header('www-authenticate', basicChallenge(reply.request));
    return reply
      .code(wire.status)
      .type('application/json')
      .send({ errors: [{ code: wire.code, message: err.message, ...(err.detail && { detail: err.detail }) }] });
  }
  reply.log.error({ err }, 'request failed');
  return reply
    .code(500)
    .type('application/json')
    .send({ errors: [{ code: 'UNKNOWN', message: `internal error; see the server log for request ${reply.request.id}` }] });
}

export function sendOciNotFound(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(404).type('application/json').send({ errors: [{ code: 'NOT_FOUND', message }] });
}
