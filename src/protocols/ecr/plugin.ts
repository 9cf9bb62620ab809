import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import type { Caller } from '../../domain/identity/caller.js';
import { sendAwsError, sendEcrError } from './errors.js';
import { ECR_CONTENT_TYPE, isEcrContentType, jsonBytes, operationForTarget, parseJsonBody, serializeShape } from './json-wire.js';
import { ECR_OPERATIONS, ECR_SERVICE, type EcrOperationName } from './model/ecr-model.generated.js';
import { decodeEcrInput } from './model/validate.js';
import type { EcrCall, EcrHandlers } from './operations/index.js';
import { flattenHeaders, readRequestBody, splitRawUrl } from '../aws/request-body.js';

/**
 * The largest request body accepted. ECR's largest request is UploadLayerPart, whose part may be
 * 20 MiB (LayerPartBlob's max), sent as base64: 26.7 MiB of JSON. Bodies are held in memory whole.
 */
export const ECR_BODY_LIMIT = 30 * 1024 * 1024;

/** A request as received, for signature verification. */
export interface EcrAuthenticationRequest {
  method: string;
  /** The path as received, still percent-encoded, without the query string. */
  rawPath: string;
  /** The query string as received, without the '?' ('' when there is none). */
  rawQuery: string;
  /** Lowercase header names; a repeated header's values joined with ', '. */
  headers: Readonly<Record<string, string | undefined>>;
  /** Lowercase hex SHA-256 of the body as received. */
  bodySha256: string;
  sourceIp: string;
  secureTransport: boolean;
}

export interface EcrPluginOptions {
  /** Verifies the request's credentials: resolves the caller or throws a DomainError. */
  authenticate(request: EcrAuthenticationRequest): Promise<Caller>;
  handlers: EcrHandlers;
  /** Bytes; ECR_BODY_LIMIT unless set. */
  bodyLimit?: number;
}

// AWS answers a request that is not JSON 1.1 (no Content-Type, or another one) with 404
// UnknownOperationException, and a JSON 1.1 request whose X-Amz-Target names no operation (absent,
// unknown, wrongly cased) with 400 UnknownOperationException; measured on Athena, a Coral JSON 1.1 service.
const NOT_JSON_11 = { type: 'UnknownOperationException', status: 404 };
const NOT_JSON_11_MESSAGE = `ECR API calls are POST / with Content-Type: ${ECR_CONTENT_TYPE}`;
const UNKNOWN_OPERATION = { type: 'UnknownOperationException', status: 400 };
const BODY_TOO_LARGE = { type: 'RequestEntityTooLargeException', status: 413 };

/**
 * One ECR call once its caller is known: the JSON input decoded and validated against the model, the
 * operation's handler run (which authorises the caller), the output as wire JSON. The signed API and
 * the console's ECR proxy both go through here, so they validate, authorise and answer alike.
 */
export async function runEcrOperation<Op extends EcrOperationName>(handlers: EcrHandlers, operation: Op, body: Buffer, call: EcrCall): Promise<Buffer> {
  const input = decodeEcrInput(operation, parseJsonBody(body));
  const handler = handlers[operation];
  if (!handler) throw new DomainError('NOT_YET_SUPPORTED', `Berth does not implement the ECR operation ${operation} yet`);
  return jsonBytes(serializeShape(ECR_OPERATIONS[operation].output, await handler(input, call)));
}

/**
 * Serves one ECR call at POST /: content type and target, body (limited, hashed), authentication,
 * input validation, the operation's handler, output. For servers that share POST / between protocols
 * (IAM and STS's query protocol is told apart by its form Content-Type); the request body must be left
 * unread, as ecrPlugin arranges.
 */
export function ecrProtocolHandler(options: EcrPluginOptions) {
  const bodyLimit = options.bodyLimit ?? ECR_BODY_LIMIT;
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    reply.header('x-amzn-RequestId', request.id);
    if (!isEcrContentType(request.headers['content-type'])) return sendAwsError(reply, NOT_JSON_11, NOT_JSON_11_MESSAGE);
    const target = request.headers['x-amz-target'];
    const operation = operationForTarget(typeof target === 'string' ? target : undefined);
    if (!operation) {
      return sendAwsError(reply, UNKNOWN_OPERATION, `X-Amz-Target must be ${ECR_SERVICE.targetPrefix}.<Operation> naming an ECR operation`);
    }
    try {
      const body = await readRequestBody(request.raw, bodyLimit);
      if (body === 'too-large') {
        // The unread rest of the body would otherwise be parsed as the next request.
        reply.header('connection', 'close');
        return sendAwsError(reply, BODY_TOO_LARGE, `The request body exceeds ${bodyLimit} bytes`);
      }
      const sourceIp = request.ip;
      const secureTransport = request.protocol === 'https';
      const caller = await options.authenticate({
        method: request.method,
        ...splitRawUrl(request.raw.url),
        headers: flattenHeaders(request.headers),
        bodySha256: body.sha256,
        sourceIp,
        secureTransport,
      });
      const output = await runEcrOperation(options.handlers, operation, body.bytes, { caller, requestId: request.id, sourceIp, secureTransport, operation, endpoint: `${request.protocol}://${request.host}` });
      return reply.code(200).type(ECR_CONTENT_TYPE).send(output);
    } catch (err) {
      return sendEcrError(reply, err, operation);
    }
  };
}

/**
 * The ECR API as AWS JSON 1.1 at `/`, which the OCI API (under /v2) leaves free. IAM and STS share the
 * endpoint (`--endpoint-url` is one URL): form-encoded requests go to `queryProtocol` when given.
 */
export function ecrPlugin(options: EcrPluginOptions & { queryProtocol?: { matches(request: FastifyRequest): boolean; handle(request: FastifyRequest, reply: FastifyReply): Promise<unknown> } }) {
  const ecr = ecrProtocolHandler(options);
  const query = options.queryProtocol;
  const handle = (request: FastifyRequest, reply: FastifyReply) => (query?.matches(request) ? query.handle(request, reply) : ecr(request, reply));
  const notJson11 = (request: FastifyRequest, reply: FastifyReply) => sendAwsError(reply.header('x-amzn-RequestId', request.id), NOT_JSON_11, NOT_JSON_11_MESSAGE);
  return async function register(app: FastifyInstance): Promise<void> {
    // This API reads and hashes its bodies itself, whatever parsers the server has.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_request, _payload, done) => done(null));
    // Fastify refuses an unparseable Content-Type before any handler runs: answer as for any other non-JSON-1.1 request.
    app.setErrorHandler((err: FastifyError, request, reply) =>
      err.statusCode === 415 ? notJson11(request, reply) : sendEcrError(reply.header('x-amzn-RequestId', request.id), err),
    );
    app.post('/', handle);
    app.route({ method: ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'], url: '/', handler: notJson11 });
  };
}
