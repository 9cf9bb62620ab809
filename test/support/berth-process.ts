/**
 * Runs the real `berth serve` as a child process on a free loopback port, for end-to-end and
 * fault tests: wait for /readyz, stop gracefully (SIGTERM), kill -9, restart on the same port and
 * data dir. Output goes to a log file that failing tests can show.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { freePort, repoRoot, run, removeDir, startServerProcess, tempDir, type ExitStatus, type RunResult } from './tools.js';

export interface BerthOptions {
  /** Repositories are created on first push (ECR's default is explicit creation). */
  createOnPush?: boolean;
  /** Serve HTTPS with this certificate and key; `ca` is trusted for the readiness probe. */
  tls?: { cert: string; key: string; ca?: string | Buffer };
  /** Metadata in PostgreSQL instead of the embedded SQLite. */
  databaseUrl?: string;
  /** Extra environment for the server (BERTH_* settings and the like). */
  env?: Record<string, string>;
  /** Data dir to use; default a fresh temp dir removed by cleanup(). */
  dataDir?: string;
  /** Port to listen on; default a free one. */
  port?: number;
  logLevel?: string;
  /** Milliseconds to wait for /readyz. Default 30 s. */
  readyTimeoutMs?: number;
}

export type { ExitStatus };

export interface BerthProcess {
  /** Base URL, e.g. http://127.0.0.1:5123 */
  readonly url: string;
  /** host:port as registry clients spell it, e.g. 127.0.0.1:5123 */
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  readonly dataDir: string;
  readonly logFile: string;
  readonly options: BerthOptions;
  /** SIGTERM and wait for exit (SIGKILL after timeoutMs). */
  stop(timeoutMs?: number): Promise<ExitStatus>;
  /** SIGKILL the server's whole process group, no warning. */
  kill9(): Promise<ExitStatus>;
  /** Start again on the same port and data dir (after stop or kill9). */
  restart(): Promise<BerthProcess>;
  /** Stop if running and remove the temp dirs this helper made. */
  cleanup(): Promise<void>;
  /** The last lines of the server's log. */
  logTail(lines?: number): string;
}

/** The command that runs the CLI: bin/berth, or node on the compiled entry point. */
export function berthCommand(): { cmd: string; args: string[] } | undefined {
  const bin = path.join(repoRoot, 'bin', 'berth');
  if (existsSync(bin)) return { cmd: bin, args: [] };
  const main = path.join(repoRoot, 'dist', 'src', 'cli', 'main.js');
  if (existsSync(main)) return { cmd: process.execPath, args: [main] };
  return undefined;
}

/** Why Berth cannot be started here, or undefined when it can. */
export function berthUnavailableReason(): string | undefined {
  if (!berthCommand()) return `Berth CLI not built: neither bin/berth nor dist/src/cli/main.js exists under ${repoRoot}`;
  return undefined;
}

/** Runs a `berth` CLI command (e.g. ['repo', 'create', 'name', '--data-dir', dir]). */
export async function berthCli(args: readonly string[], env?: Record<string, string>): Promise<RunResult> {
  const command = berthCommand();
  if (!command) throw new Error(berthUnavailableReason());
  return run(command.cmd, [...command.args, ...args], { env: { ...process.env, ...env }, cwd: repoRoot, timeoutMs: 60_000 });
}

export async function startBerth(options: BerthOptions = {}): Promise<BerthProcess> {
  const command = berthCommand();
  if (!command) throw new Error(berthUnavailableReason());
  const ownRoot = tempDir('berth');
  const dataDir = options.dataDir ?? path.join(ownRoot, 'data');
  mkdirSync(dataDir, { recursive: true });
  const port = options.port ?? (await freePort());
  return launch(command, { ...options, dataDir, port }, ownRoot, 1);
}

async function launch(
  command: { cmd: string; args: string[] },
  options: BerthOptions & { dataDir: string; port: number },
  ownRoot: string,
  generation: number,
): Promise<BerthProcess> {
  const { dataDir, port } = options;
  const host = `127.0.0.1:${port}`;
  const url = `${options.tls ? 'https' : 'http'}://${host}`;
  const args = [...command.args, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir];
  if (options.createOnPush) args.push('--create-on-push');
  if (options.tls) args.push('--tls-cert', options.tls.cert, '--tls-key', options.tls.key);
  if (options.databaseUrl) args.push('--database-url', options.databaseUrl);
  args.push('--log-level', options.logLevel ?? process.env.BERTH_E2E_LOG_LEVEL ?? 'info');

  const server = await startServerProcess({
    name: 'berth',
    cmd: command.cmd,
    args,
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    logFile: path.join(ownRoot, `berth-${generation}.log`),
    readyUrl: `${url}/readyz`,
    ca: options.tls?.ca,
    readyTimeoutMs: options.readyTimeoutMs,
  });

  const handle: BerthProcess = {
    url,
    host,
    port,
    pid: server.pid,
    dataDir,
    logFile: server.logFile,
    options,
    stop: (timeoutMs?: number) => server.stop(timeoutMs),
    kill9: () => server.kill9(),
    async restart() {
      if (!server.status()) throw new Error('restart() needs the server stopped or killed first');
      return launch(command, options, ownRoot, generation + 1);
    },
    async cleanup() {
      if (!server.status()) {
        try {
          await server.stop();
        } catch {
          // already reported by the test that cares
        }
      }
      if (process.env.BERTH_E2E_KEEP !== '1') removeDir(ownRoot);
    },
    logTail: (lines?: number) => server.logTail(lines),
  };
  return handle;
}
