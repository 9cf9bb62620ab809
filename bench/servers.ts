// Starts and stops the registries under test, each on loopback with filesystem storage in its
// own temporary directory, at the same log level with no access log: the reference (no auth),
// Berth as deployed (auth on; see berth-access.ts) and, for the scenarios that measure what
// authentication costs, a second Berth with BERTH_AUTH=false.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { berthEnvironment, newAdminKey, restrictAndLogIn } from './berth-access.js';
import { RssSampler } from './rss.js';

export const REFERENCE_BIN = '/usr/bin/docker-registry';

export type ServerName = 'reference' | 'berth' | 'berth-noauth';

export interface Server {
  readonly name: ServerName;
  readonly base: URL;
  /** Sent with every request to this server: Berth's Authorization header when it checks one. */
  readonly headers: Readonly<Record<string, string>>;
  readonly pid: number;
  readonly dataDir: string;
  readonly rss: RssSampler;
  /** The last lines of the server's own output (its log file lives until stop()). */
  logTail(lines: number): string;
  stop(): Promise<void>;
}

/** Finds a free loopback port. */
async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const addr = srv.address();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  if (addr === null || typeof addr === 'string') throw new Error('could not pick a port');
  return addr.port;
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitReady(child: ChildProcess, url: URL, logFile: string, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await new Promise((r) => setTimeout(r, 200)); // let its last output reach the log
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${tail(logFile)}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not ready at ${url.href} within ${timeoutMs / 1000}s:\n${tail(logFile)}`);
}

function stopper(child: ChildProcess, sampler: RssSampler, dataDir: string, keep: boolean): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      sampler.stop();
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const killed = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 15_000).unref())]);
        if (killed) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      if (!keep) rmSync(dataDir, { recursive: true, force: true });
    })();
    return stopping;
  };
}

export interface StartOptions {
  logLevel: string;
  keep: boolean;
}

/** The reference's log levels are logrus'; map the shared name onto them. */
function referenceLevel(level: string): string {
  return level === 'warning' ? 'warn' : level;
}

export async function startReference(opts: StartOptions): Promise<Server> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-reference-'));
  const dataDir = path.join(dir, 'data');
  const port = await freePort();
  const config = [
    'version: 0.1',
    'log:',
    `  level: ${referenceLevel(opts.logLevel)}`,
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${dataDir}`,
    '  cache:',
    '    blobdescriptor: inmemory',
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '',
  ].join('\n');
  const configFile = path.join(dir, 'config.yml');
  writeFileSync(configFile, config);
  return launch({ name: 'reference', dir, port, cmd: REFERENCE_BIN, args: ['serve', configFile], readyPath: '/v2/', keep: opts.keep });
}

interface Launch {
  name: ServerName;
  dir: string;
  port: number;
  cmd: string;
  args: string[];
  env?: Record<string, string>;
  readyPath: string;
  keep: boolean;
}

/** Spawns a registry with its output in DIR/server.log, waits until it is ready and starts sampling its RSS. */
async function launch({ name, dir, port, cmd, args, env, readyPath, keep }: Launch): Promise<Server> {
  const logFile = path.join(dir, 'server.log');
  const log = createWriteStream(logFile);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir, env: { ...process.env, ...env } });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const base = new URL(`http://127.0.0.1:${port}/`);
  const sampler = new RssSampler(child.pid ?? -1);
  const stop = stopper(child, sampler, dir, keep);
  try {
    await waitReady(child, new URL(readyPath, base), logFile, name);
  } catch (err) {
    await stop();
    throw err;
  }
  sampler.start();
  return { name, base, headers: {}, pid: child.pid ?? -1, dataDir: dir, rss: sampler, logTail: (n) => tail(logFile, n), stop };
}

export interface BerthOptions extends StartOptions {
  root: string;
  /** Flags for node itself (e.g. --cpu-prof): then node runs bin/berth rather than its shebang. */
  nodeArgs?: string[];
  /**
   * On (Berth's default): the bench logs in and every request it sends carries the token, decided on
   * an identity policy and on the repository policy of `policyRepository`. false: BERTH_AUTH=false,
   * started as 'berth-noauth'.
   */
  auth: false | { policyRepository: string };
  /** Fills Berth's data directory (`--data-dir`: berth.db, storage/) before the server starts. */
  seed?: (dataDir: string) => Promise<void>;
  /** More environment for the server (BERTH_* settings). */
  env?: Record<string, string>;
}

/** Whether Berth has been built; returns a reason when it cannot be run. */
export function berthMissing(root: string): string | undefined {
  const bin = path.join(root, 'bin', 'berth');
  const main = path.join(root, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(bin)) return `${bin} does not exist`;
  if (!existsSync(main)) return `${main} does not exist (run \`npm run build\`)`;
  return undefined;
}

/** The command that runs `bin/berth ARGS`: through node when there are node flags for it. */
export function berthCommand(opts: Pick<BerthOptions, 'root' | 'nodeArgs'>, args: readonly string[]): [string, string[]] {
  const bin = path.join(opts.root, 'bin', 'berth');
  return opts.nodeArgs?.length ? [process.execPath, [...opts.nodeArgs, bin, ...args]] : [bin, [...args]];
}

export async function startBerth(opts: BerthOptions): Promise<Server> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-berth-'));
  const dataDir = path.join(dir, 'data');
  try {
    await opts.seed?.(dataDir);
  } catch (err) {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const port = await freePort();
  const args = ['serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, '--create-on-push', '--log-level', opts.logLevel];
  const [cmd, argv] = berthCommand(opts, args);
  const admin = newAdminKey();
  const { auth } = opts;
  const env = { ...berthEnvironment(admin, auth !== false), ...opts.env };
  const server = await launch({ name: auth ? 'berth' : 'berth-noauth', dir, port, cmd, args: argv, env, readyPath: '/readyz', keep: opts.keep });
  if (!auth) return server;
  try {
    return { ...server, headers: { Authorization: await restrictAndLogIn(server.base, admin, auth.policyRepository) } };
  } catch (err) {
    const logTail = server.logTail(15); // stop() removes the log with the data directory
    await server.stop();
    throw new Error(`could not set up access: ${(err as Error).message}\n${logTail}`);
  }
}

/** Starts more Berth servers as the measured one was started, and runs its CLI the same way. */
export interface BerthLauncher {
  start(extra: Pick<BerthOptions, 'seed' | 'env'>): Promise<Server>;
  /** The command line of `bin/berth ARGS`, with the servers' node flags. */
  command(args: readonly string[]): [string, string[]];
}

/** A launcher for servers started with `opts`; `started` sees each one (to stop it on a signal). */
export function berthLauncher(opts: BerthOptions, started: (server: Server) => void): BerthLauncher {
  return {
    async start(extra) {
      const server = await startBerth({ ...opts, ...extra });
      started(server);
      return server;
    },
    command: (args) => berthCommand(opts, args),
  };
}

/** Makes sure a Debian-packaged tool is there, installing it with apt-get when we are root. */
export function ensureTool(binary: string, pkg: string): string | undefined {
  const found = (): boolean => spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
  if (found()) return undefined;
  if (process.getuid?.() !== 0) return `${binary} is missing (install the Debian package ${pkg} as root)`;
  process.stderr.write(`bench: ${binary} missing, running apt-get install -y ${pkg}\n`);
  let r = spawnSync('apt-get', ['install', '-y', '-q', pkg], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-q'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
    r = spawnSync('apt-get', ['install', '-y', '-q', pkg], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
  }
  return found() ? undefined : `${binary} is missing and apt-get install ${pkg} failed`;
}

export function toolVersion(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n')[0]?.trim() ?? '';
}
