import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, isDomainError } from '../../domain/errors.js';
import type { ConsoleCredentials, ConsoleSession, ConsoleSessions } from '../../domain/identity/console-sessions.js';
import type { AccountScope } from '../../domain/model/arn.js';
import type { AccessControl } from '../../domain/policy/access-control.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { Registry } from '../../domain/registry/registry.js';
import type { StorageUsage } from '../../domain/registry/storage-usage.js';
import { readRequestBody } from '../aws/request-body.js';
import { sendAwsError, sendEcrError, statusOfErrorType } from '../ecr/errors.js';
import { ECR_CONTENT_TYPE, operationForTarget, parseJsonBody } from '../ecr/json-wire.js';
import { ECR_SERVICE } from '../ecr/model/ecr-model.generated.js';
import type { EcrHandlers } from '../ecr/operations/index.js';
import { runEcrOperation } from '../ecr/plugin.js';
import type { ConsoleCall } from './console-call.js';
import { CROSS_SITE_REFUSED, NOT_FOUND, SBOM_NOT_FOUND, SIGN_IN_THROTTLED, sendSessionError } from './errors.js';
import { imageDetail } from './image-detail.js';
import { sbomDownload } from './sbom-download.js';
import { clearedSessionCookie, sessionCookie, sessionTokenOf } from './session-cookie.js';
import { SignInThrottle } from './sign-in-throttle.js';
import { BUILT_CONSOLE_DIR, ConsoleFiles } from './static-files.js';
import { storageReport } from './storage-report.js';

export interface ConsolePluginOptions {
  sessions: ConsoleSessions;
  /** The ECR API's own handlers: the console's ECR calls run exactly as signed ones do. */
  ecrHandlers: EcrHandlers;
  registry: Registry;
  access: AccessControl;
  storageUsage: StorageUsage;
  clock: Clock;
  scope: AccountScope;
  /** host[:port] clients use to reach the registry, when configured; else the host the browser reached. */
  publicHost?: string;
  /** Berth's version, for the SBOMs the console downloads. */
  toolVersion: string;
  /** The built console; BUILT_CONSOLE_DIR (dist/web) unless set. */
  webRoot?: string;
}

/**
 * Every state-changing API request must carry this header. Browsers send a custom header only from
 * the page's own scripts (another site's form cannot, and its scripts would need a CORS preflight the
 * console never grants): a defence against cross-site requests alongside SameSite=Strict cookies.
 */
export const CONSOLE_REQUEST_HEADER = 'x-berth-console';
/** The console's requests are small JSON documents (policies, settings); layers are pushed with docker. */
const CONSOLE_BODY_LIMIT = 1024 * 1024;

const errorType = (type: string) => ({ type, status: statusOfErrorType(type) });
const UNKNOWN_OPERATION = errorType('UnknownOperationException');
const BODY_TOO_LARGE = errorType('RequestEntityTooLargeException');

/** What a console page or script needs to know about the session. */
function sessionView(session: ConsoleSession, scope: AccountScope, host: string) {
  const { caller } = session;
  return {
    principal: {
      arn: caller.arn,
      ...(caller.username !== undefined && { userName: caller.username }),
      type: caller.kind === 'assumed-role' ? 'role' : caller.kind,
    },
    expiresAt: session.expiresAt.toISOString(),
    registry: { accountId: scope.account, region: scope.region, host },
  };
}

/** The credentials a sign-in body names: an access key pair (and session token), or a user name and password. */
function credentialsOf(body: unknown): ConsoleCredentials {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const text = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string) : undefined);
  const [accessKeyId, secretAccessKey, sessionToken, userName, password] = ['accessKeyId', 'secretAccessKey', 'sessionToken', 'userName', 'password'].map(text);
  if (accessKeyId !== undefined && secretAccessKey !== undefined) return { accessKeyId, secretAccessKey, ...(sessionToken !== undefined && { sessionToken }) };
  if (userName !== undefined && password !== undefined) return { userName, password };
  throw new DomainError(
    'INVALID_PARAMETER',
    'Sign in with {"accessKeyId", "secretAccessKey"} (and "sessionToken" for temporary credentials) or {"userName", "password"}',
  );
}

/**
 * The web console at /console: its built files, and its API under /console/api, which signs browsers
 * in to sessions and runs ECR operations (and a few views ECR has no operation for) as the signed-in
 * principal. Everything is routed here, in this plugin: nothing is added to the /v2 or ECR requests.
 */
export function consolePlugin(options: ConsolePluginOptions) {
  const files = new ConsoleFiles(options.webRoot ?? BUILT_CONSOLE_DIR);
  const throttle = new SignInThrottle(options.clock);
  const registryHost = (request: FastifyRequest) => options.publicHost ?? request.host;
  const isSecure = (request: FastifyRequest) => request.protocol === 'https';

  const refusedCrossSite = (request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined =>
    request.headers[CONSOLE_REQUEST_HEADER] === '1'
      ? undefined
      : sendAwsError(reply, CROSS_SITE_REFUSED, `Console API requests that change anything must carry the header ${CONSOLE_REQUEST_HEADER}: 1`);

  /** The session the request's cookie names, re-checked; a cookie that names none is cleared. */
  const sessionOf = async (request: FastifyRequest, reply: FastifyReply): Promise<ConsoleSession> => {
    const token = sessionTokenOf(request);
    if (token === undefined) throw new DomainError('UNAUTHORIZED', 'You are not signed in to the console.');
    try {
      return await options.sessions.resolve(token);
    } catch (err) {
      reply.header('set-cookie', clearedSessionCookie(isSecure(request)));
      throw err;
    }
  };

  /** A signed-in API route: its session resolved (and for changes, the console header present) before `serve` runs. */
  const api =
    (serve: (call: ConsoleCall, request: FastifyRequest, reply: FastifyReply, session: ConsoleSession) => Promise<FastifyReply>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      noStore(reply);
      if (request.method !== 'GET') {
        const refused = refusedCrossSite(request, reply);
        if (refused) return refused;
      }
      let session: ConsoleSession;
      try {
        session = await sessionOf(request, reply);
      } catch (err) {
        return sendSessionError(reply, err);
      }
      const call: ConsoleCall = {
        caller: session.caller,
        requestId: request.id,
        sourceIp: request.ip,
        secureTransport: isSecure(request),
        endpoint: `${request.protocol}://${request.host}`,
      };
      try {
        return await serve(call, request, reply, session);
      } catch (err) {
        return sendEcrError(reply, err);
      }
    };

  const json = (reply: FastifyReply, value: unknown) => reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(value));

  const signIn = async (request: FastifyRequest, reply: FastifyReply) => {
    noStore(reply);
    const refused = refusedCrossSite(request, reply);
    if (refused) return refused;
    const wait = throttle.waitFor(request.ip);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      const message = `Too many failed sign-ins from your address: try again in ${seconds} seconds`;
      return sendAwsError(reply.header('retry-after', String(seconds)), SIGN_IN_THROTTLED, message);
    }
    try {
      const body = await readRequestBody(request.raw, CONSOLE_BODY_LIMIT);
      if (body === 'too-large') return tooLarge(reply);
      const { token, session } = await options.sessions.signIn(credentialsOf(parseJsonBody(body.bytes)));
      const lifetimeSeconds = (session.expiresAt.getTime() - options.clock.now().getTime()) / 1000;
      reply.header('set-cookie', sessionCookie(token, lifetimeSeconds, isSecure(request)));
      return json(reply, sessionView(session, options.scope, registryHost(request)));
    } catch (err) {
      if (isDomainError(err, 'CREDENTIALS_UNKNOWN')) throttle.recordFailure(request.ip);
      return sendSessionError(reply, err);
    }
  };

  const signOut = async (request: FastifyRequest, reply: FastifyReply) => {
    noStore(reply);
    const refused = refusedCrossSite(request, reply);
    if (refused) return refused;
    const token = sessionTokenOf(request);
    try {
      if (token !== undefined) await options.sessions.signOut(token);
    } catch (err) {
      return sendEcrError(reply, err);
    }
    return reply.code(204).header('set-cookie', clearedSessionCookie(isSecure(request))).send();
  };

  const ecrOperation = api(async (call, request, reply) => {
    const name = (request.params as { operation: string }).operation;
    const operation = operationForTarget(`${ECR_SERVICE.targetPrefix}.${name}`);
    if (!operation) return sendAwsError(reply, UNKNOWN_OPERATION, `${name.slice(0, 100)} is not an ECR operation`);
    const body = await readRequestBody(request.raw, CONSOLE_BODY_LIMIT);
    if (body === 'too-large') return tooLarge(reply);
    const output = await runEcrOperation(options.ecrHandlers, operation, body.bytes, { ...call, operation });
    return reply.code(200).type(ECR_CONTENT_TYPE).send(output);
  });

  const sbom = api(async (call, request, reply) => {
    try {
      const file = await sbomDownload(options, call, request.query);
      return reply
        .code(200)
        .type(file.mediaType)
        .header('content-disposition', `attachment; filename="${file.fileName}"`)
        .send(`${JSON.stringify(file.document, null, 2)}\n`);
    } catch (err) {
      if (isDomainError(err, 'SCAN_NOT_FOUND')) return sendAwsError(reply, SBOM_NOT_FOUND, err.message);
      throw err;
    }
  });

  const apiNotFound = async (request: FastifyRequest, reply: FastifyReply) =>
    sendAwsError(noStore(reply), NOT_FOUND, `There is no console API at ${request.method} ${request.url.split('?', 1)[0]!.slice(0, 200)}`);

  return async function register(app: FastifyInstance): Promise<void> {
    // Anything that escapes a handler (it should not) is answered as the ECR API answers it.
    app.setErrorHandler((err, _request, reply) => sendEcrError(reply, err));

    app.post('/console/api/session', signIn);
    app.get(
      '/console/api/session',
      api(async (_call, request, reply, session) => json(reply, sessionView(session, options.scope, registryHost(request)))),
    );
    app.delete('/console/api/session', signOut);
    app.post('/console/api/ecr/:operation', ecrOperation);
    app.get(
      '/console/api/image',
      api(async (call, request, reply) => json(reply, await imageDetail(options, call, request.query))),
    );
    app.get('/console/api/sbom', sbom);
    app.get(
      '/console/api/storage',
      api(async (call, request, reply) => json(reply, await storageReport(options, call, request.query))),
    );
    app.route({ method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'], url: '/console/api/*', handler: apiNotFound });

    app.get('/console/assets/:file', (request, reply) => files.sendAsset(request, reply, (request.params as { file: string }).file));
    app.get('/console', (request, reply) => files.sendPage(request, reply));
    // The app routes in the browser (history URLs under /console/): every other page loads it.
    app.get('/console/*', (request, reply) => {
      const rest = (request.params as { '*': string })['*'];
      return /^(api|assets)(\/|$)/.test(rest) ? apiNotFound(request, reply) : files.sendPage(request, reply);
    });
  };
}

/** API answers are about one signed-in person: never kept by caches. */
function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
}

function tooLarge(reply: FastifyReply): FastifyReply {
  // The unread rest of the body would otherwise be parsed as the next request.
  reply.header('connection', 'close');
  return sendAwsError(reply, BODY_TOO_LARGE, `The request body exceeds ${CONSOLE_BODY_LIMIT} bytes`);
}
