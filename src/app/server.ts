import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import { authenticateAwsRequest } from '../protocols/aws/authenticate.js';
import { ReplayGuard } from '../protocols/aws/replay-guard.js';
import { consolePlugin } from '../protocols/console/plugin.js';
import { ecrHandlers } from '../protocols/ecr/operations/index.js';
import { ecrPlugin } from '../protocols/ecr/plugin.js';
import { isQueryProtocolRequest, queryProtocolHandler } from '../protocols/iam/handler.js';
import { ociPlugin } from '../protocols/oci/plugin.js';
import type { Caller } from '../domain/identity/caller.js';
import { type BackgroundJobs, startBackgroundJobs } from './background-jobs.js';
import type { Config } from './config.js';
import { requestLogView } from './log-redaction.js';
import type { Services } from './compose.js';
import { berthVersion } from './version.js';

export interface BerthServer {
  app: FastifyInstance;
  /** Resolves with the bound address once requests are accepted. */
  listen(): Promise<{ url: string; port: number }>;
  /** Stops accepting, finishes in-flight requests, then closes the stores. */
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Set when config.auth is off: who every request acts as. */
  openAccessAs?: Caller;
}

export function buildServer(config: Config, services: Services, options: ServerOptions = {}): BerthServer {
  const tls = config.tlsCert && config.tlsKey ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } : undefined;
  const app = Fastify({
    ...(tls && { https: tls }),
    logger: { level: config.logLevel, serializers: { req: requestLogView } },
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // Repository names with '/' and long digests travel in the wildcard parameter.
    routerOptions: { maxParamLength: 8192 },
    // Blob uploads may take long; clients (docker) hold idle connections for 90 s, so outlast them.
    requestTimeout: 0,
    keepAliveTimeout: 95_000,
    exposeHeadRoutes: false,
    return503OnClosing: true,
  });
  let ready = false;
  let jobs: BackgroundJobs | undefined;

  // Bodies are streams the handlers consume themselves: nothing is buffered or parsed up front.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => (ready ? { status: 'ready' } : reply.code(503).send({ status: 'starting' })));
  app.register(ociPlugin({ ...services, ...options }));
  const auth = { authenticator: services.authenticator, replays: new ReplayGuard(), clock: services.clock };
  const handlers = ecrHandlers({ ...services, ...(config.publicHost && { publicHost: config.publicHost }) });
  app.register(
    ecrPlugin({
      authenticate: async (request) =>
        options.openAccessAs ??
        (await authenticateAwsRequest(auth, { ...request, payloadSha256: request.bodySha256 }, ['ecr'])).caller,
      handlers,
      queryProtocol: { matches: isQueryProtocolRequest, handle: queryProtocolHandler({ ...services, auth }) },
    }),
  );
  app.register(
    consolePlugin({
      ...services,
      sessions: services.consoleSessions,
      ecrHandlers: handlers,
      toolVersion: berthVersion(),
      ...(config.publicHost && { publicHost: config.publicHost }),
    }),
  );

  return {
    app,
    async listen() {
      await app.listen({ host: config.host, port: config.port });
      ready = true;
      jobs = startBackgroundJobs(config, services, app.log);
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      return { url: `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`, port };
    },
    async close() {
      ready = false;
      await jobs?.stop();
      // Keep-alive connections that go idle once their in-flight request finishes would otherwise
      // hold the close open until keepAliveTimeout; close each as soon as it is idle.
      const closeIdle = setInterval(() => app.server.closeIdleConnections(), 50);
      // A client that stops sending must not hold a shutdown (a deploy, a node drain) hostage.
      const cutOff = setTimeout(() => {
        app.log.warn({ shutdownTimeout: config.shutdownTimeout }, 'shutdown timeout reached: closing connections with requests still in flight');
        app.server.closeAllConnections();
      }, config.shutdownTimeout * 1000);
      try {
        await app.close();
      } finally {
        clearInterval(closeIdle);
        clearTimeout(cutOff);
      }
      await services.close();
    },
  };
}
