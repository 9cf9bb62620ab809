/**
 * PostgreSQL for tests: a fresh database per call, on the server named by
 * BERTH_TEST_POSTGRES_URL or else on a throwaway cluster started once per test process from the
 * locally installed server binaries. When neither is possible, tests skip with the reason.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

export interface PostgresTestDatabase {
  /** Connection URL of the new, empty database. */
  url: string;
  /** Drops the database, closing what still uses it. */
  drop(): Promise<void>;
}

type Server = { adminUrl: string } | { unavailable: string };

const run = promisify(execFile);
/** util-linux's runuser lives in sbin, which a minimal PATH (a CI runner's, cron's) may leave out. */
const RUNUSER = ['/usr/sbin/runuser', '/sbin/runuser'].find((path) => existsSync(path)) ?? 'runuser';

let server: Promise<Server> | undefined;

function getServer(): Promise<Server> {
  server ??= findServer();
  return server;
}

/** Why PostgreSQL tests cannot run here, or undefined when they can: pass it as `{ skip }`. */
export async function postgresUnavailable(): Promise<string | undefined> {
  const found = await getServer();
  return 'unavailable' in found ? found.unavailable : undefined;
}

/** The admin URL of the server tests use, starting the throwaway cluster if needed; undefined when unavailable. */
export async function postgresAdminUrl(): Promise<string | undefined> {
  const found = await getServer();
  return 'adminUrl' in found ? found.adminUrl : undefined;
}

/** A fresh database, or undefined when PostgreSQL is unavailable (see postgresUnavailable). */
export async function createPostgresDatabase(): Promise<PostgresTestDatabase | undefined> {
  const found = await getServer();
  if ('unavailable' in found) return undefined;
  const name = `berth_test_${randomBytes(6).toString('hex')}`;
  await createDatabase(found.adminUrl, name);
  const url = new URL(found.adminUrl);
  url.pathname = `/${name}`;
  const drop = async (): Promise<void> => {
    await withAdmin(found.adminUrl, (client) => client.query(`drop database if exists ${name} with (force)`));
  };
  return { url: url.toString(), drop };
}

/** Runs `fn` with the URL of a fresh database, dropped afterwards. Rejects when PostgreSQL is unavailable. */
export async function withPostgresDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const database = await createPostgresDatabase();
  if (database === undefined) throw new Error(`PostgreSQL unavailable: ${await postgresUnavailable()}`);
  try {
    return await fn(database.url);
  } finally {
    await database.drop();
  }
}

async function createDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdmin(adminUrl, async (client) => {
    try {
      // A locale-aware default collation, so tests prove the schema orders byte-wise by itself.
      await client.query(`create database ${name} template template0 locale_provider icu icu_locale 'en-US'`);
    } catch {
      // Servers before 15, or without ICU.
      await client.query(`create database ${name}`);
    }
  });
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function findServer(): Promise<Server> {
  const fromEnv = process.env['BERTH_TEST_POSTGRES_URL'];
  if (fromEnv) return { adminUrl: fromEnv };
  const bin = findBinaries();
  if (bin === undefined) {
    return { unavailable: 'set BERTH_TEST_POSTGRES_URL or install the PostgreSQL server (initdb, pg_ctl not found)' };
  }
  const asPostgres = process.getuid?.() === 0;
  if (asPostgres && !userExists('postgres')) {
    return { unavailable: 'running as root, and PostgreSQL refuses root: no user "postgres" to run it as' };
  }
  return { adminUrl: await startCluster(bin, asPostgres) };
}

/** The newest installed server's bin directory (Debian layout). */
function findBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  return readdirSync(root)
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(root, version, 'bin'))
    .find((bin) => existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl')));
}

function userExists(name: string): boolean {
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function startCluster(bin: string, asPostgres: boolean): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-pg-'));
  if (asPostgres) chownSync(dir, uidOf('-u'), uidOf('-g'));
  const command = (tool: string, args: string[]): [string, string[]] =>
    asPostgres ? [RUNUSER, ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
  const data = join(dir, 'data');
  const stop = (): void => {
    const [file, args] = command('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
    spawnSync(file, args, { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  stopAtExit(stop);

  // Durability is pointless for a throwaway cluster, and it is most of the cost.
  await run(...command('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync']));
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const options = [
      `-p ${port}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c shared_buffers=16MB',
      '-c max_connections=200',
    ].join(' ');
    try {
      await run(...command('pg_ctl', ['start', '-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', '-o', options]));
    } catch (err) {
      // Another process may have taken the port between our probe and the start.
      if (attempt < 3) continue;
      throw err;
    }
    const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
    await waitForConnection(adminUrl);
    return adminUrl;
  }
}

function uidOf(flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForConnection(url: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await withAdmin(url, (client) => client.query('select 1'));
      return;
    } catch (err) {
      if (attempt >= 50) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Stops the cluster when the process ends, normally or by SIGINT/SIGTERM. */
function stopAtExit(stop: () => void): void {
  let stopped = false;
  const once = (): void => {
    if (!stopped) stop();
    stopped = true;
  };
  process.once('exit', once);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      once();
      // Die of the signal as the default handler would have.
      process.kill(process.pid, signal);
    });
  }
}
