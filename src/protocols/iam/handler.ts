import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import { type AwsAuthentication, authenticateAwsRequest } from '../aws/authenticate.js';
import { flattenHeaders, readRequestBody, splitRawUrl } from '../aws/request-body.js';
import { parseQueryRequest, QUERY_SERVICES, type QueryResponse, type QueryService, renderQueryError, renderQueryResponse } from '../aws/query-protocol.js';
import { queryWireErrorOf } from './errors.js';
import { type QueryDeps, queryOperation } from './operations.js';

/** IAM and STS requests are small forms; anything larger is not one. */
const QUERY_BODY_LIMIT = 64 * 1024;

export interface QueryProtocolDeps extends QueryDeps {
  auth: AwsAuthentication;
}

export function isQueryProtocolRequest(request: FastifyRequest): boolean {
  return /^application\/x-www-form-urlencoded\b/i.test(request.headers['content-type'] ?? '');
}

/**
 * IAM and STS on the AWS query protocol at POST / (form-encoded): the SigV4 credential scope says which
 * service the client meant, as both share the endpoint (`aws iam|sts --endpoint-url`).
 */
export function queryProtocolHandler(deps: QueryProtocolDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    let service: QueryService = 'sts';
    const send = (response: QueryResponse) => reply.code(response.status).type(response.contentType).send(response.body);
    try {
      const body = await readRequestBody(request.raw, QUERY_BODY_LIMIT);
      if (body === 'too-large') {
        reply.header('connection', 'close');
        throw new DomainError('INVALID_PARAMETER', `The request body exceeds ${QUERY_BODY_LIMIT} bytes`);
      }
      const { rawPath, rawQuery } = splitRawUrl(request.raw.url);
      const authenticated = await authenticateAwsRequest(
        deps.auth,
        { method: request.method, rawPath, rawQuery, headers: flattenHeaders(request.headers), payloadSha256: body.sha256 },
        ['sts', 'iam'],
      );
      service = authenticated.service === 'iam' ? 'iam' : 'sts';
      const parsed = parseQueryRequest(body.bytes.toString('utf8'));
      if (parsed.version !== undefined && parsed.version !== QUERY_SERVICES[service].version) {
        throw new DomainError('INVALID_PARAMETER', `Could not find operation ${parsed.action} for version ${parsed.version}`, { awsType: 'InvalidAction' });
      }
      const operation = queryOperation(service, parsed.action);
      if (!operation) throw new DomainError('UNSUPPORTED', `Could not find operation ${parsed.action} for version ${QUERY_SERVICES[service].version}`);
      const result = await operation(deps, {
        caller: authenticated.caller,
        parameters: parsed.parameters,
        sourceIp: request.ip,
        secureTransport: request.protocol === 'https',
      });
      return send(renderQueryResponse(service, parsed.action, request.id, result));
    } catch (err) {
      const wire = queryWireErrorOf(err);
      if (!wire) request.log.error({ err }, 'IAM/STS request failed');
      return send(
        renderQueryError(service, wire ?? { status: 500, code: 'ServiceFailure', message: `internal error; see the server log for request ${request.id}` }, request.id),
      );
    }
  };
}
