import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator } from '../../domain/identity/authenticator.js';
import type { Caller } from '../../domain/identity/caller.js';
import type { AccessControl, AccessRequest } from '../../domain/policy/access-control.js';
import type { DownloadLinks } from '../../domain/registry/download-links.js';
import type { Registry } from '../../domain/registry/registry.js';

/** The domain services the OCI surface calls. */
export interface OciDeps {
  registry: Registry;
  authenticator: Authenticator;
  access: AccessControl;
  downloads: DownloadLinks;
  /** With authentication turned off (benchmarks, throwaway registries): every request acts as this caller, unchecked. */
  openAccessAs?: Caller;
}

export interface OciContext {
  registry: Registry;
  request: FastifyRequest;
  reply: FastifyReply;
  query: Record<string, string | undefined>;
  /** Who is asking; undefined for a blob GET through a signed download URL. */
  caller: Caller | undefined;
  /** Decides an action on a repository for this request's caller. */
  allowed(action: string, repository: string): Promise<boolean>;
  authorize(action: string, repository: string): Promise<void>;
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

/** The access request for an action on a repository by the request's caller. */
export function accessRequest(request: FastifyRequest, caller: Caller, action: string, repository: string): AccessRequest {
  return { caller, action, resource: { kind: 'repository', name: repository }, sourceIp: request.ip, secureTransport: request.protocol === 'https' };
}
