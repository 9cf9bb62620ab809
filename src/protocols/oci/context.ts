import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from '../../domain/registry/registry.js';

export interface OciContext {
  registry: Registry;
  request: FastifyRequest;
  reply: FastifyReply;
  query: Record<string, string | undefined>;
}

/** The request body as a byte stream; the server never parses OCI bodies as a whole, blobs stream through. */
export function bodyOf(ctx: OciContext): AsyncIterable<Buffer> {
  return ctx.request.raw;
}

/** Whether the request carries a body (a PUT that ends an upload may or may not). */
export function hasBody(ctx: OciContext): boolean {
  const headers = ctx.request.headers;
  return (headers['content-length'] !== undefined && headers['content-length'] !== '0') || headers['transfer-encoding'] !== undefined;
}
