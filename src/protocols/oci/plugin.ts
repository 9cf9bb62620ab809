import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from '../../domain/registry/registry.js';
import { deleteBlob, getBlob } from './blob-handlers.js';
import type { OciContext } from './context.js';
import { sendOciError, sendOciNotFound } from './errors.js';
import { listCatalog, listTags } from './listing-handlers.js';
import { deleteManifest, getManifest, getReferrers, putManifest } from './manifest-handlers.js';
import { type OciRoute, parseOciPath } from './routes.js';
import { cancelUpload, getUpload, patchUpload, putUpload, startUpload } from './upload-handlers.js';

type Method = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

/** Which handler serves a (route, method); a route with no entry for a method answers 405. */
function dispatch(ctx: OciContext, route: OciRoute, method: Method): Promise<unknown> | undefined {
  switch (route.kind) {
    case 'base':
      return method === 'GET' || method === 'HEAD' ? Promise.resolve(ctx.reply.code(200).send({})) : undefined;
    case 'catalog':
      return method === 'GET' ? listCatalog(ctx) : undefined;
    case 'tags':
      return method === 'GET' ? listTags(ctx, route.name) : undefined;
    case 'referrers':
      return method === 'GET' ? getReferrers(ctx, route.name, route.digest) : undefined;
    case 'manifest':
      if (method === 'GET' || method === 'HEAD') return getManifest(ctx, route.name, route.reference, method === 'GET');
      if (method === 'PUT') return putManifest(ctx, route.name, route.reference);
      if (method === 'DELETE') return deleteManifest(ctx, route.name, route.reference);
      return undefined;
    case 'blob':
      if (method === 'GET' || method === 'HEAD') return getBlob(ctx, route.name, route.digest, method === 'GET');
      if (method === 'DELETE') return deleteBlob(ctx, route.name, route.digest);
      return undefined;
    case 'uploads':
      return method === 'POST' ? startUpload(ctx, route.name) : undefined;
    case 'upload':
      if (method === 'PATCH') return patchUpload(ctx, route.name, route.id);
      if (method === 'PUT') return putUpload(ctx, route.name, route.id);
      if (method === 'GET') return getUpload(ctx, route.name, route.id);
      if (method === 'DELETE') return cancelUpload(ctx, route.name, route.id);
      return undefined;
  }
}

/** The OCI Distribution API under /v2/. */
export function ociPlugin(registry: Registry) {
  return async function register(app: FastifyInstance): Promise<void> {
    const handle = async (request: FastifyRequest, reply: FastifyReply) => {
      reply.header('docker-distribution-api-version', 'registry/2.0');
      try {
        const route = parseOciPath(request.url);
        if (!route) return sendOciNotFound(reply, `no OCI endpoint at ${request.method} ${request.url.split('?', 1)[0]}`);
        const ctx: OciContext = { registry, request, reply, query: request.query as Record<string, string | undefined> };
        const handled = dispatch(ctx, route, request.method as Method);
        if (!handled) {
          return reply.code(405).type('application/json').send({ errors: [{ code: 'UNSUPPORTED', message: `${request.method} is not supported on this endpoint` }] });
        }
        return await handled;
      } catch (err) {
        return sendOciError(reply, err);
      }
    };
    for (const url of ['/v2', '/v2/', '/v2/*']) {
      app.route({ method: ['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE'], url, handler: handle });
    }
  };
}
