/** An in-process Berth on a free loopback port, over a temporary data directory, for integration tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { type AdminCredentials, ensureAdministrator } from '../../src/app/administrator.js';
import { composeServices, type Services } from '../../src/app/compose.js';
import { type Config, ConfigSchema } from '../../src/app/config.js';
import { type BerthServer, buildServer } from '../../src/app/server.js';
import { OciClient } from './oci-client.js';
import { createPostgresDatabase, postgresUnavailable, type PostgresTestDatabase } from './postgres.js';

export type StoreKind = 'sqlite' | 'postgres';

export interface TestServer {
  url: string;
  config: Config;
  server: BerthServer;
  services: Services;
  /** The administrator's access key, made on start as `berth serve` makes it. */
  admin: AdminCredentials;
  /** `Basic base64("AWS:<token>")` for the administrator, as `docker login` sends it. */
  registryAuthorization: string;
  /** Stops the server and starts a new one on the same data (a restart). */
  restart(): Promise<TestServer>;
  /** Stops the server and removes its data. */
  close(): Promise<void>;
}

export interface TestServerOptions extends Partial<Config> {
  store?: StoreKind;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { store = 'sqlite', ...overrides } = options;
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'berth-test-'));
  let database: PostgresTestDatabase | undefined;
  if (store === 'postgres' && !overrides.databaseUrl) {
    database = await createPostgresDatabase();
    if (!database) throw new Error(`PostgreSQL unavailable: ${await postgresUnavailable()}`);
  }
  const config = ConfigSchema.parse({
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    ...overrides,
    dataDir,
    ...(database && { databaseUrl: database.url }),
  });
  const removeData = async () => {
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return launch(config, removeData);
}

async function launch(config: Config, removeData: () => Promise<void>): Promise<TestServer> {
  const services = await composeServices(config);
  const { credentials: admin } = await ensureAdministrator(config, services.identities);
  const server = buildServer(config, services);
  const { url, port } = await server.listen();
  return {
    url,
    config,
    server,
    services,
    admin,
    registryAuthorization: await registryAuthorizationFor(services, admin.accessKeyId),
    async restart() {
      await server.close();
      // Let in-process clients see their keep-alive connections closed before they reuse one.
      await new Promise((resolve) => setTimeout(resolve, 20));
      return launch({ ...config, port }, removeData);
    },
    async close() {
      await server.close();
      await removeData();
    },
  };
}

/** The Basic credentials `docker login` would send after `aws ecr get-login-password` for this access key. */
export async function registryAuthorizationFor(services: Services, accessKeyId: string): Promise<string> {
  const key = await services.authenticator.credentials(accessKeyId);
  if (!key) throw new Error(`no active access key ${accessKeyId}`);
  const { token } = await services.authenticator.issueRegistryToken(key.caller);
  return `Basic ${Buffer.from(`AWS:${token}`).toString('base64')}`;
}

/** The stores integration suites run against: SQLite always, PostgreSQL when a server can be had (else skipped with the reason). */
async function storeKinds(): Promise<Array<{ store: StoreKind; skip?: string }>> {
  const reason = await postgresUnavailable();
  return [{ store: 'sqlite' }, { store: 'postgres', ...(reason && { skip: reason }) }];
}

/** A running server and a client for it, as the tests of one suite share them. */
export interface SuiteRegistry {
  server: TestServer;
  oci: OciClient;
}

/**
 * Declares the suite once per metadata store (SQLite, and PostgreSQL when available), each with
 * its own server started before its tests and removed after them.
 */
export async function describeOnEveryStore(title: string, options: TestServerOptions, body: (registry: SuiteRegistry) => void): Promise<void> {
  for (const { store, skip } of await storeKinds()) {
    describe(`${title} (${store})`, { ...(skip && { skip }) }, () => {
      const registry = {} as SuiteRegistry;
      before(async () => {
        registry.server = await startTestServer({ ...options, store });
        registry.oci = new OciClient(registry.server.url, registry.server.registryAuthorization);
      });
      after(() => registry.server?.close());
      body(registry);
    });
  }
}
