/**
 * What the end-to-end tests run against. By default the real Berth server (test/support/berth-process);
 * with BERTH_E2E_TARGET=distribution the CNCF reference registry (`docker-registry`) instead, which
 * proves the client-side steps of the suite on their own. Tests that need a Berth-only behaviour
 * (explicit repositories, referrers) ask `caps` and skip on the reference registry.
 *
 * The suite only runs when BERTH_E2E=1 (set by `npm run test:e2e`), so a unit-test glob that happens
 * to reach dist/test/e2e skips it instead of driving docker.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { awsCliUnavailable } from '../support/aws-cli.js';
import { berthUnavailableReason, startBerth, type BerthProcess, type ExitStatus } from '../support/berth-process.js';
import { freePort, removeDir, startServerProcess, tempDir, which } from '../support/tools.js';
import { OciClient } from './oci.js';

export type TargetKind = 'berth' | 'distribution';

export const targetKind: TargetKind = process.env.BERTH_E2E_TARGET === 'distribution' ? 'distribution' : 'berth';

export interface Capabilities {
  /** Pushing to a repository that was not created fails (ECR semantics). */
  explicitRepositories: boolean;
  /** GET /v2/<name>/referrers/<digest> is served. */
  referrers: boolean;
  /** GET /v2/<name>/tags/list honours ?n= and links the next page (distribution 2.8 ignores n). */
  tagPagination: boolean;
}

export interface RegistryOptions {
  createOnPush?: boolean;
  /** Berth's account id and region (BERTH_ACCOUNT_ID, BERTH_REGION); the defaults otherwise. */
  accountId?: string;
  region?: string;
  tls?: { cert: string; key: string; ca: string };
  dataDir?: string;
  port?: number;
}

/** Basic credentials for the registry API, as `docker login` takes them. */
export interface RegistryLogin {
  username: string;
  password: string;
}

export interface RegistryUnderTest {
  readonly kind: TargetKind;
  readonly caps: Capabilities;
  readonly url: string;
  readonly host: string;
  readonly pid: number;
  readonly dataDir: string;
  /** The Berth server (its administrator, the aws CLI against it); undefined for another registry. */
  readonly berth: BerthProcess | undefined;
  /** Makes the repository exist: `aws ecr create-repository` on Berth, a no-op on a registry that creates on push. */
  createRepository(name: string): Promise<void>;
  /** The administrator's login, fetched once (it outlives restarts); undefined when the registry is open. */
  login(): Promise<RegistryLogin | undefined>;
  /** A raw OCI client sending login() (and trusting the test CA over TLS). */
  client(): Promise<OciClient>;
  /** SIGTERM and wait; throws (after SIGKILL) if still running after timeoutMs. */
  stop(timeoutMs?: number): Promise<ExitStatus>;
  kill9(): Promise<ExitStatus>;
  restart(): Promise<RegistryUnderTest>;
  cleanup(): Promise<void>;
  logTail(lines?: number): string;
}

/** Why the e2e suite (or a test needing `tools`) cannot run here, or undefined. */
export function skipReason(...tools: string[]): string | undefined {
  if (process.env.BERTH_E2E !== '1') return 'end-to-end suite: run it with `npm run test:e2e` (BERTH_E2E=1)';
  if (targetKind === 'berth') {
    // Every client logs in to Berth with a password from `aws ecr get-login-password`.
    const reason = berthUnavailableReason() ?? awsCliUnavailable();
    if (reason) return reason;
  } else if (!which('docker-registry')) {
    return 'BERTH_E2E_TARGET=distribution but docker-registry is not installed';
  }
  for (const tool of tools) {
    if (!which(tool)) return `${tool} is not installed (run .ci/e2e-setup.sh)`;
  }
  return undefined;
}

/**
 * The containers tools' credentials option (`--creds`, `--src-creds`, `--dest-creds` of skopeo and
 * buildah) with the registry's login, or nothing for an open registry.
 */
export async function credsArgs(registry: RegistryUnderTest, option: string): Promise<string[]> {
  const login = await registry.login();
  return login ? [option, `${login.username}:${login.password}`] : [];
}

export async function startRegistry(options: RegistryOptions = {}): Promise<RegistryUnderTest> {
  if (targetKind === 'distribution') return startDistribution(options);
  // BERTH_E2E_DATABASE_URL runs the whole suite with PostgreSQL metadata instead of SQLite: each
  // server gets a fresh database made through that (administrative) URL, dropped at cleanup.
  const adminUrl = process.env.BERTH_E2E_DATABASE_URL;
  if (!adminUrl) return wrapBerth(await startBerth(options), options);
  const database = await createDatabase(adminUrl);
  try {
    return wrapBerth(await startBerth({ ...options, databaseUrl: database.url }), options, database.drop);
  } catch (e) {
    await database.drop();
    throw e;
  }
}

async function createDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const { default: pg } = await import('pg');
  const name = `berth_e2e_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A raw OCI client for `url` that sends `login` as Basic credentials. */
function clientFor(url: string, options: RegistryOptions, login: RegistryLogin | undefined): OciClient {
  const authorization = login && `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}`;
  return new OciClient(url, { ca: options.tls?.ca, authorization });
}

function wrapBerth(proc: BerthProcess, options: RegistryOptions, dropDatabase?: () => Promise<void>, login?: () => Promise<RegistryLogin>): RegistryUnderTest {
  let pending: Promise<RegistryLogin> | undefined;
  // The password is kept across restarts, as docker keeps its login: it must stay valid.
  const adminLogin = login ?? (() => (pending ??= proc.registryPassword().then((password) => ({ username: 'AWS', password }))));
  return {
    kind: 'berth',
    caps: { explicitRepositories: !options.createOnPush, referrers: true, tagPagination: true },
    url: proc.url,
    host: proc.host,
    pid: proc.pid,
    dataDir: proc.dataDir,
    berth: proc,
    async createRepository(name: string) {
      await proc.awsOk(['ecr', 'create-repository', '--repository-name', name]);
    },
    login: adminLogin,
    client: async () => clientFor(proc.url, options, await adminLogin()),
    stop: (timeoutMs?: number) => proc.stop(timeoutMs),
    kill9: () => proc.kill9(),
    restart: async () => wrapBerth(await proc.restart(), options, dropDatabase, adminLogin),
    async cleanup() {
      await proc.cleanup();
      await dropDatabase?.();
    },
    logTail: (lines?: number) => proc.logTail(lines),
  };
}

/** The CNCF reference registry on a free loopback port with filesystem storage in a temp dir. */
export async function startDistribution(options: RegistryOptions = {}): Promise<RegistryUnderTest> {
  const root = tempDir('distribution');
  const dataDir = options.dataDir ?? path.join(root, 'data');
  mkdirSync(dataDir, { recursive: true });
  const port = options.port ?? (await freePort());
  return launchDistribution(root, { ...options, dataDir, port }, 1);
}

async function launchDistribution(root: string, options: RegistryOptions & { dataDir: string; port: number }, generation: number): Promise<RegistryUnderTest> {
  const configFile = path.join(root, 'config.yml');
  const tls = options.tls ? `  tls:\n    certificate: ${options.tls.cert}\n    key: ${options.tls.key}\n` : '';
  writeFileSync(
    configFile,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${options.dataDir}`,
      '  delete:',
      '    enabled: true',
      '  maintenance:',
      '    uploadpurging:',
      '      enabled: false',
      'http:',
      `  addr: 127.0.0.1:${options.port}`,
      // A fixed secret, so upload state survives a restart.
      '  secret: berth-e2e-fixed-secret',
      tls,
    ].join('\n'),
  );
  const host = `127.0.0.1:${options.port}`;
  const url = `${options.tls ? 'https' : 'http'}://${host}`;
  const server = await startServerProcess({
    name: 'docker-registry',
    cmd: 'docker-registry',
    args: ['serve', configFile],
    logFile: path.join(root, `registry-${generation}.log`),
    readyUrl: `${url}/v2/`,
    ca: options.tls?.ca,
  });
  const handle: RegistryUnderTest = {
    kind: 'distribution',
    caps: { explicitRepositories: false, referrers: false, tagPagination: false },
    url,
    host,
    pid: server.pid,
    dataDir: options.dataDir,
    berth: undefined,
    async createRepository() {},
    login: async () => undefined,
    client: async () => clientFor(url, options, undefined),
    stop: (timeoutMs?: number) => server.stop(timeoutMs),
    kill9: () => server.kill9(),
    async restart() {
      if (!server.status()) throw new Error('restart() needs the registry stopped first');
      return launchDistribution(root, options, generation + 1);
    },
    async cleanup() {
      try {
        await server.stop();
      } catch {
        // reported by the test that cares
      }
      if (process.env.BERTH_E2E_KEEP !== '1') removeDir(root);
    },
    logTail: (lines?: number) => server.logTail(lines),
  };
  return handle;
}
