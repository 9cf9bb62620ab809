/**
 * Runs the real `berth serve` as a child process on a free loopback port, for end-to-end and
 * fault tests: wait for /readyz, stop gracefully (SIGTERM), kill -9, restart on the same port and
 * data dir. Output goes to a log file that failing tests can show.
 *
 * The server starts with an administrator access key made for this run (BERTH_ADMIN_*), and the
 * real aws CLI talks to it through `aws()`: that is how tests create repositories and users and get
 * the registry password (`aws ecr get-login-password`) every registry client logs in with.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { awsCliUnavailable, awsEnv } from './aws-cli.js';
import type { TestCredentials } from './aws-request.js';
import { describeRun, freePort, repoRoot, run, removeDir, startServerProcess, tempDir, type ExitStatus, type RunResult } from './tools.js';

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
  /** The administrator's access key (BERTH_ADMIN_*); default a new one for this server. */
  admin?: TestCredentials;
  /** BERTH_ACCOUNT_ID; default 000000000000. */
  accountId?: string;
  /** BERTH_REGION; default us-east-1. */
  region?: string;
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
  /** The administrator's access key the server was started with. */
  readonly admin: TestCredentials;
  /**
   * Environment for the aws CLI acting as `credentials` (default the administrator) in this
   * server's region, blind to the machine's AWS configuration. It names no endpoint: pass
   * --endpoint-url or set AWS_ENDPOINT_URL.
   */
  awsEnv(credentials?: TestCredentials): NodeJS.ProcessEnv;
  /** Runs `aws <args> --endpoint-url <url>` (JSON output unless args say otherwise); never throws for a non-zero exit. */
  aws(args: readonly string[], options?: AwsRunOptions): Promise<RunResult>;
  /** Like aws(), but throws with the whole output unless it exits 0; resolves with stdout. */
  awsOk(args: readonly string[], options?: AwsRunOptions): Promise<string>;
  /** The registry password (user AWS) for `credentials`, from `aws ecr get-login-password`. */
  registryPassword(credentials?: TestCredentials): Promise<string>;
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

export interface AwsRunOptions {
  /** Default the administrator's. */
  credentials?: TestCredentials;
  input?: string;
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

export async function startBerth(options: BerthOptions = {}): Promise<BerthProcess> {
  const command = berthCommand();
  if (!command) throw new Error(berthUnavailableReason());
  const ownRoot = tempDir('berth');
  const dataDir = options.dataDir ?? path.join(ownRoot, 'data');
  mkdirSync(dataDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const admin = options.admin ?? newAccessKey();
  return launch(command, { ...options, dataDir, port, admin }, ownRoot, 1);
}

/** A random access key shaped like AWS's (AKIA + 16, a 40-character secret). */
function newAccessKey(): TestCredentials {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const id = [...randomBytes(16)].map((b) => alphabet[b % alphabet.length]).join('');
  return { accessKeyId: `AKIA${id}`, secretAccessKey: randomBytes(30).toString('base64') };
}

async function launch(
  command: { cmd: string; args: string[] },
  options: BerthOptions & { dataDir: string; port: number; admin: TestCredentials },
  ownRoot: string,
  generation: number,
): Promise<BerthProcess> {
  const { dataDir, port, admin } = options;
  const accountId = options.accountId ?? '000000000000';
  const region = options.region ?? 'us-east-1';
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
    env: {
      ...process.env,
      BERTH_ADMIN_ACCESS_KEY_ID: admin.accessKeyId,
      BERTH_ADMIN_SECRET_ACCESS_KEY: admin.secretAccessKey,
      BERTH_ACCOUNT_ID: accountId,
      BERTH_REGION: region,
      ...options.env,
    },
    logFile: path.join(ownRoot, `berth-${generation}.log`),
    readyUrl: `${url}/readyz`,
    ca: options.tls?.ca,
    readyTimeoutMs: options.readyTimeoutMs,
  });

  // JSON output unless a command says otherwise; over HTTPS, the test CA is the one trusted.
  const awsExtra: NodeJS.ProcessEnv = { AWS_DEFAULT_OUTPUT: 'json', ...(options.tls?.ca !== undefined && { AWS_CA_BUNDLE: writeCa(ownRoot, options.tls.ca) }) };
  const awsEnvFor = (credentials: TestCredentials = admin) => awsEnv(credentials, region, awsExtra);
  const aws = async (args: readonly string[], opts: AwsRunOptions = {}) => {
    const unavailable = awsCliUnavailable();
    if (unavailable) throw new Error(unavailable);
    return run('aws', [...args, '--endpoint-url', url], { env: awsEnvFor(opts.credentials), input: opts.input, timeoutMs: 120_000 });
  };
  const awsOk = async (args: readonly string[], opts?: AwsRunOptions) => {
    const result = await aws(args, opts);
    if (result.code !== 0) throw new Error(describeRun(result));
    return result.stdout;
  };

  const handle: BerthProcess = {
    url,
    host,
    port,
    pid: server.pid,
    dataDir,
    logFile: server.logFile,
    options,
    admin,
    awsEnv: awsEnvFor,
    aws,
    awsOk,
    registryPassword: async (credentials?: TestCredentials) => (await awsOk(['ecr', 'get-login-password'], { credentials })).trim(),
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

/** The test CA as a file, for AWS_CA_BUNDLE. */
function writeCa(dir: string, ca: string | Buffer): string {
  const file = path.join(dir, 'aws-ca.pem');
  writeFileSync(file, ca);
  return file;
}
