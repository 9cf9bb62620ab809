import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import { parseRepositoryName } from '../../domain/model/repository-name.js';
import type { Caller } from '../../domain/identity/caller.js';
import { authenticateOci } from './authentication.js';
import { MOUNT_SOURCE_ACTION, type OciMethod, ociActionFor } from './authorization.js';
import { deleteBlob, getBlob } from './blob-handlers.js';
import { accessRequest, type OciContext, type OciDeps } from './context.js';
import { sendOciError, sendOciNotFound } from './errors.js';
import { listCatalog, listTags } from './listing-handlers.js';
import { deleteManifest, getManifest, getReferrers, putManifest } from './manifest-handlers.js';
import { type OciRoute, parseOciPath } from './routes.js';
import { cancelUpload, getUpload, patchUpload, putUpload, startUpload } from './upload-handlers.js';

/** Which handler serves a (route, method); a route with no entry for a method answers 405. */
function dispatch(ctx: OciContext, route: OciRoute, method: OciMethod): Promise<unknown> | undefined {
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

/**
 * Who may make this request: the caller behind its registry token, authorised for the ECR action the
 * route maps to; undefined for a blob GET that carries a signed download URL instead. With the token
 * and the decision remembered, this completes without creating a promise (the hot path).
 */
function authorizeRequest(deps: OciDeps, request: FastifyRequest, route: OciRoute, method: OciMethod, query: Record<string, string | undefined>): Caller | undefined | Promise<Caller | undefined> {
  if (deps.openAccessAs) return deps.openAccessAs;
  // A malformed name is the client's mistake whoever it is: say so before asking for credentials.
  if ('name' in route) parseRepositoryName(route.name);
  const downloadToken = query['download-token'];
  if (route.kind === 'blob' && method === 'GET' && downloadToken !== undefined) return deps.downloads.check(downloadToken, route.name, route.digest).then(() => undefined);
  const caller = authenticateOci(deps.authenticator, request);
  return caller instanceof Promise ? caller.then((known) => authorizeCaller(deps, request, route, method, query, known)) : authorizeCaller(deps, request, route, method, query, caller);
}

function authorizeCaller(deps: OciDeps, request: FastifyRequest, route: OciRoute, method: OciMethod, query: Record<string, string | undefined>, caller: Caller): Caller | Promise<Caller> {
  const action = ociActionFor(route, method);
  const routeCheck = action !== undefined && 'name' in route ? deps.access.authorize(accessRequest(request, caller, action, route.name)) : undefined;
  const mountCheck = () =>
    route.kind === 'uploads' && query.mount !== undefined && query.from !== undefined ? deps.access.authorize(accessRequest(request, caller, MOUNT_SOURCE_ACTION, query.from)) : undefined;
  // One check after the other, so a refusal of the first never leaves the second's rejection unheard.
  if (routeCheck instanceof Promise) return routeCheck.then(mountCheck).then(() => caller);
  const mount = mountCheck();
  return mount instanceof Promise ? mount.then(() => caller) : caller;
}

/** The OCI Distribution API under /v2/. */
export function ociPlugin(deps: OciDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    const handle = async (request: FastifyRequest, reply: FastifyReply) => {
      reply.header('docker-distribution-api-version', 'registry/2.0');
      try {
        const route = parseOciPath(request.url);
        if (!route) return sendOciNotFound(reply, `no OCI endpoint at ${request.method} ${request.url.split('?', 1)[0]}`);
        const method = request.method as OciMethod;
        const query = request.query as Record<string, string | undefined>;
        const authorized = authorizeRequest(deps, request, route, method, query);
        const caller = authorized instanceof Promise ? await authorized : authorized;
        const requireCaller = () => caller ?? Promise.reject(new DomainError('UNAUTHORIZED', 'authentication required'));
        const ctx: OciContext = {
          registry: deps.registry,
          request,
          reply,
          query,
          caller,
          allowed: async (action, repository) => deps.access.isAllowed(accessRequest(request, await requireCaller(), action, repository)),
          authorize: async (action, repository) => deps.access.authorize(accessRequest(request, await requireCaller(), action, repository)),
        };
        const handled = dispatch(ctx, route, method);
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
