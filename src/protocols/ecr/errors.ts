import type { FastifyReply } from 'fastify';
import { type DomainError, type ErrorCode, isDomainError } from '../../domain/errors.js';
import { ECR_CONTENT_TYPE, jsonBytes, serializeShape } from './json-wire.js';
import { ECR_OPERATIONS, ECR_SHAPES, type EcrErrorShapeName, type EcrOperationName } from './model/ecr-model.generated.js';

/**
 * Errors any AWS JSON service may send that ECR's model does not list, with the status AWS sends them
 * with. The Coral services behind the JSON protocol answer client errors with 400, authentication
 * failures included: ECR's MissingAuthenticationTokenException is "Status Code: 400"
 * (github.com/jenkinsci/amazon-ecr-plugin/issues/199), ECS's InvalidSignatureException "status code: 400"
 * (github.com/teralytics/prometheus-ecs-discovery/issues/7); AccessDeniedException and
 * ThrottlingException are 400 in AWS's "Common Errors" reference.
 */
export const COMMON_AWS_ERRORS = {
  AccessDeniedException: 400,
  ThrottlingException: 400,
  MissingAuthenticationTokenException: 400,
  IncompleteSignatureException: 400,
  InvalidSignatureException: 400,
  UnrecognizedClientException: 400,
  ExpiredTokenException: 400,
  /** A body that is not JSON or a value of the wrong JSON type. */
  SerializationException: 400,
  /** An X-Amz-Target naming no operation (400); also the 404 for a request that is not JSON 1.1 at all. */
  UnknownOperationException: 400,
  /** What AWS front ends send for a body over their limit. */
  RequestEntityTooLargeException: 413,
} as const;

export type EcrErrorType = EcrErrorShapeName | keyof typeof COMMON_AWS_ERRORS;

export interface EcrWireError {
  type: string;
  status: number;
}

interface EcrErrorMapping extends EcrWireError {
  type: EcrErrorType;
  /**
   * Sent instead of `type` when the operation's model does not list `type` but lists one of these (the
   * first wins): CompleteLayerUpload reports a digest mismatch as InvalidLayerException, PutImage as
   * ImageDigestDoesNotMatchException.
   */
  alternatives?: readonly EcrErrorType[];
}

/**
 * The one table from domain error codes to ECR's wire errors. A DomainError may name a more specific
 * type in `detail.awsType`; its status is then that type's.
 */
export const ECR_ERRORS: Record<ErrorCode, EcrErrorMapping> = {
  BLOB_UNKNOWN: { type: 'LayersNotFoundException', status: 400 },
  BLOB_UPLOAD_INVALID: { type: 'InvalidLayerException', status: 400 },
  BLOB_UPLOAD_UNKNOWN: { type: 'UploadNotFoundException', status: 400 },
  DIGEST_INVALID: { type: 'InvalidLayerException', status: 400, alternatives: ['ImageDigestDoesNotMatchException', 'InvalidParameterException'] },
  MANIFEST_BLOB_UNKNOWN: { type: 'LayersNotFoundException', status: 400 },
  MANIFEST_INVALID: { type: 'InvalidParameterException', status: 400 },
  MANIFEST_UNKNOWN: { type: 'ImageNotFoundException', status: 400 },
  MANIFEST_TOO_LARGE: { type: 'InvalidParameterException', status: 400 },
  NAME_INVALID: { type: 'InvalidParameterException', status: 400 },
  NAME_UNKNOWN: { type: 'RepositoryNotFoundException', status: 400 },
  REPOSITORY_ALREADY_EXISTS: { type: 'RepositoryAlreadyExistsException', status: 400 },
  REPOSITORY_NOT_EMPTY: { type: 'RepositoryNotEmptyException', status: 400 },
  TAG_INVALID: { type: 'InvalidParameterException', status: 400 },
  SIZE_INVALID: { type: 'InvalidParameterException', status: 400 },
  // UploadLayerPart's out-of-order part; `detail.lastValidByteReceived` goes on the wire with it.
  RANGE_INVALID: { type: 'InvalidLayerPartException', status: 400 },
  PAGINATION_INVALID: { type: 'InvalidParameterException', status: 400 },
  UNSUPPORTED: { type: 'InvalidParameterException', status: 400 },
  UNAUTHORIZED: { type: 'MissingAuthenticationTokenException', status: 400 },
  DENIED: { type: 'AccessDeniedException', status: 400 },
  TOO_MANY_REQUESTS: { type: 'ThrottlingException', status: 400 },
  INVALID_PARAMETER: { type: 'InvalidParameterException', status: 400, alternatives: ['ValidationException'] },
  LIMIT_EXCEEDED: { type: 'LimitExceededException', status: 400 },
  TAG_IMMUTABLE: { type: 'ImageTagAlreadyExistsException', status: 400 },
  IMAGE_ALREADY_EXISTS: { type: 'ImageAlreadyExistsException', status: 400 },
  LAYER_ALREADY_EXISTS: { type: 'LayerAlreadyExistsException', status: 400 },
  LAYER_PART_INVALID: { type: 'InvalidLayerPartException', status: 400 },
  UPLOAD_EMPTY: { type: 'EmptyUploadException', status: 400 },
  REPOSITORY_POLICY_NOT_FOUND: { type: 'RepositoryPolicyNotFoundException', status: 400 },
  REGISTRY_POLICY_NOT_FOUND: { type: 'RegistryPolicyNotFoundException', status: 400 },
  LIFECYCLE_POLICY_NOT_FOUND: { type: 'LifecyclePolicyNotFoundException', status: 400 },
  TEMPLATE_NOT_FOUND: { type: 'TemplateNotFoundException', status: 400 },
  TEMPLATE_ALREADY_EXISTS: { type: 'TemplateAlreadyExistsException', status: 400 },
  RESOURCE_TAG_INVALID: { type: 'InvalidTagParameterException', status: 400 },
  TOO_MANY_TAGS: { type: 'TooManyTagsException', status: 400 },
  // AWS answers every operation it does not serve with UnknownOperationException (400), which SDKs do
  // not retry; the message names the operation Berth has yet to implement.
  NOT_YET_SUPPORTED: { type: 'UnknownOperationException', status: 400 },
  SCAN_NOT_FOUND: { type: 'ScanNotFoundException', status: 400 },
  UNSUPPORTED_IMAGE_TYPE: { type: 'UnsupportedImageTypeException', status: 400 },
  IMAGE_ARCHIVED: { type: 'ImageArchivedException', status: 400 },
  // ECR: "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'".
  POLICY_INVALID: { type: 'InvalidParameterException', status: 400 },
  // Identity entities reach ECR only as policy principals, which ECR reports as invalid parameters.
  ENTITY_NOT_FOUND: { type: 'InvalidParameterException', status: 400 },
  ENTITY_ALREADY_EXISTS: { type: 'InvalidParameterException', status: 400 },
  ENTITY_IN_USE: { type: 'InvalidParameterException', status: 400 },
  SIGNATURE_INVALID: { type: 'InvalidSignatureException', status: 400 },
  CREDENTIALS_UNKNOWN: { type: 'UnrecognizedClientException', status: 400 },
  CREDENTIALS_EXPIRED: { type: 'ExpiredTokenException', status: 400 },
  // Coral: "Signature expired: <time> is now earlier than <time> ..." as an InvalidSignatureException.
  REQUEST_EXPIRED: { type: 'InvalidSignatureException', status: 400 },
};

/** The status AWS sends an error type with: the common table's, else the model's (400, 500 for faults). */
export function statusOfErrorType(type: string): number {
  if (Object.hasOwn(COMMON_AWS_ERRORS, type)) return COMMON_AWS_ERRORS[type as keyof typeof COMMON_AWS_ERRORS];
  const shape = ECR_SHAPES[type];
  if (shape?.type === 'structure' && shape.exception) return shape.status ?? (shape.fault ? 500 : 400);
  return 400;
}

/** The wire error for a domain error, in the context of the operation that raised it (when known). */
export function ecrWireError(err: DomainError, operation?: EcrOperationName): EcrWireError {
  const override = err.detail?.awsType;
  if (typeof override === 'string') return { type: override, status: statusOfErrorType(override) };
  const mapping = ECR_ERRORS[err.code];
  const declared = operation && ECR_OPERATIONS[operation].errors;
  if (!declared || !mapping.alternatives || declared.includes(mapping.type)) return mapping;
  const alternative = mapping.alternatives.find((type) => declared.includes(type));
  return alternative ? { type: alternative, status: statusOfErrorType(alternative) } : mapping;
}

/**
 * An error as JSON 1.1 sends it: `{"__type","message"}` plus any `detail` fields the error shape declares
 * (InvalidLayerPartException's lastValidByteReceived, KmsException's kmsError), with the type also in
 * `x-amzn-ErrorType`, so botocore and the JS SDK raise the named exception class.
 */
export function sendAwsError(reply: FastifyReply, wire: EcrWireError, message: string, detail?: Readonly<Record<string, unknown>>): FastifyReply {
  const body: Record<string, unknown> = { __type: wire.type, message };
  const shape = ECR_SHAPES[wire.type];
  if (detail && shape?.type === 'structure' && shape.exception) {
    for (const [member, memberShape] of Object.entries(shape.members)) {
      if (member !== 'message' && detail[member] !== undefined) body[member] = serializeShape(memberShape, detail[member]);
    }
  }
  return reply.code(wire.status).header('x-amzn-ErrorType', wire.type).type(ECR_CONTENT_TYPE).send(jsonBytes(body));
}

/** Any failure of an ECR call on the wire; anything not a DomainError is logged and sent as ServerException. */
export function sendEcrError(reply: FastifyReply, err: unknown, operation?: EcrOperationName): FastifyReply {
  if (isDomainError(err)) return sendAwsError(reply, ecrWireError(err, operation), err.message, err.detail);
  reply.log.error({ err, operation }, 'ECR request failed');
  // ECR's own fault shape, which every operation lists, so SDKs raise their ServerException class (and retry).
  return sendAwsError(reply, { type: 'ServerException', status: 500 }, `internal error; see the server log for request ${reply.request.id}`);
}
