/**
 * Helpers for tests that drive real programs: finding tools, running commands with captured
 * output, free loopback ports, raw HTTP(S) requests with a custom CA, and small digest helpers.
 * Nothing here knows about Berth; see berth-process.ts for the server itself.
 */
import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this file with a package.json named "berth". */
export const repoRoot: string = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));

function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'berth') return dir;
      } catch {
        // not ours; keep looking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

/** Absolute path of an executable on PATH, or undefined. */
export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The command line, for messages. */
  command: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string | Buffer;
  /** Milliseconds before the command is killed (SIGKILL to its process group). Default 5 minutes. */
  timeoutMs?: number;
}

/** Runs a command to completion and captures its output; never throws for a non-zero exit. */
export function run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const command = [cmd, ...args].map(quoteArg).join(' ');
  return new Promise((resolve, reject) => {
    const spawnOptions: SpawnOptions = {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    };
    const child = spawn(cmd, [...args], spawnOptions);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => {
      err.push(Buffer.from(`\n[killed after ${options.timeoutMs ?? 300_000} ms]\n`));
      if (child.pid) killGroup(child.pid, 'SIGKILL');
    }, options.timeoutMs ?? 300_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), command });
    });
    child.stdin!.on('error', () => {});
    child.stdin!.end(options.input ?? '');
  });
}

/** Runs a command and throws, with its whole output, unless it exits 0. */
export async function runOk(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await run(cmd, args, options);
  if (result.code !== 0) throw new Error(describeRun(result));
  return result;
}

export function describeRun(result: RunResult): string {
  return `command failed (exit ${result.code ?? result.signal}): ${result.command}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`;
}

function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Sends a signal to a whole process group we started (detached), ignoring a group that is gone. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A fresh folder under the OS temp dir; remove it with removeDir. */
export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `berth-e2e-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The promise's value, or undefined once ms have passed (the timer does not outlive the race). */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** A header as one string (first value of a repeated one), or undefined. */
  header(name: string): string | undefined;
  text(): string;
  json<T = unknown>(): T;
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string | number>;
  body?: Buffer | string;
  /** PEM of a CA to trust for https URLs. */
  ca?: string | Buffer;
  timeoutMs?: number;
}

/**
 * One HTTP(S) request with the whole response body buffered. Uses node:http directly so that a
 * custom CA works and nothing (such as automatic redirects or decompression) hides the wire.
 */
export function httpRequest(url: string | URL, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  const target = new URL(url);
  const mod = target.protocol === 'https:' ? https : http;
  const headers: Record<string, string | number> = { ...options.headers };
  if (options.body !== undefined && headers['content-length'] === undefined && headers['Content-Length'] === undefined) {
    headers['Content-Length'] = Buffer.byteLength(options.body);
  }
  return new Promise((resolve, reject) => {
    const req = mod.request(
      target,
      { method: options.method ?? 'GET', headers, ca: options.ca, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (b: Buffer) => chunks.push(b));
        res.on('error', reject);
        res.on('end', () => resolve(toResponse(res, Buffer.concat(chunks))));
      },
    );
    req.setTimeout(options.timeoutMs ?? 60_000, () => req.destroy(new Error(`timeout: ${options.method ?? 'GET'} ${target.href}`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** GET a URL and hash its body as it streams (for bodies too large to want in memory). */
export function httpHash(url: string | URL, options: { ca?: string | Buffer; headers?: Record<string, string> } = {}): Promise<{ status: number; digest: string; length: number; headers: http.IncomingHttpHeaders }> {
  const target = new URL(url);
  const mod = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.get(target, { ca: options.ca, headers: options.headers, agent: false }, (res) => {
      const hash = createHash('sha256');
      let length = 0;
      res.on('data', (b: Buffer) => {
        hash.update(b);
        length += b.length;
      });
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, digest: `sha256:${hash.digest('hex')}`, length, headers: res.headers }));
    });
    req.setTimeout(300_000, () => req.destroy(new Error(`timeout: GET ${target.href}`)));
    req.on('error', reject);
  });
}

function toResponse(res: http.IncomingMessage, body: Buffer): HttpResponse {
  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    body,
    header(name: string) {
      const value = res.headers[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    },
    text: () => body.toString('utf8'),
    json: <T>() => JSON.parse(body.toString('utf8')) as T,
  };
}

/** A short, readable summary of a response for assertion messages. */
export function describeResponse(method: string, url: string, res: HttpResponse): string {
  const headers = Object.entries(res.headers)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`)
    .join('\n  ');
  const body = res.body.length > 2000 ? `${res.body.subarray(0, 2000).toString('utf8')}…(${res.body.length} bytes)` : res.body.toString('utf8');
  return `${method} ${url} -> ${res.status}\n  ${headers}\n  body: ${body}`;
}

/** Polls until fn resolves truthy or the deadline passes. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await sleep(intervalMs);
  }
}

/** True when the docker CLI can reach a daemon. */
export function dockerWorks(): boolean {
  if (!which('docker')) return false;
  const result = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 20_000 });
  return result.status === 0 && result.stdout.trim() !== '';
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A long-running server we spawned in its own process group, its output in a log file. */
export interface ServerProcess {
  readonly pid: number;
  readonly logFile: string;
  readonly exited: Promise<ExitStatus>;
  /** The exit status once it has exited. */
  status(): ExitStatus | undefined;
  /** SIGTERM and wait; after timeoutMs, SIGKILL the group and throw. The group is killed either way. */
  stop(timeoutMs?: number): Promise<ExitStatus>;
  /** SIGKILL the whole process group, no warning. */
  kill9(): Promise<ExitStatus>;
  logTail(lines?: number): string;
}

const runningServers = new Set<number>();
let serverExitHook = false;

/**
 * Spawns a server with output appended to `logFile` and waits until GET `readyUrl` answers 200.
 * A test process that dies takes its servers with it (they are in their own process groups).
 */
export async function startServerProcess(spec: {
  name: string;
  cmd: string;
  args: readonly string[];
  logFile: string;
  readyUrl: string;
  ca?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  readyTimeoutMs?: number;
}): Promise<ServerProcess> {
  if (!serverExitHook) {
    serverExitHook = true;
    process.on('exit', () => {
      for (const pid of runningServers) killGroup(pid, 'SIGKILL');
    });
  }
  const fd = openSync(spec.logFile, 'a');
  let child;
  try {
    child = spawn(spec.cmd, [...spec.args], { cwd: spec.cwd, env: spec.env ?? process.env, stdio: ['ignore', fd, fd], detached: true });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not spawn ${spec.cmd}`);
  runningServers.add(pid);
  let exitStatus: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.on('exit', (code, signal) => {
      exitStatus = { code, signal };
      runningServers.delete(pid);
      resolve(exitStatus);
    });
  });
  child.on('error', () => {});
  const logTail = (lines = 60): string => {
    try {
      return readFileSync(spec.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  };
  const commandLine = [spec.cmd, ...spec.args].map(quoteArg).join(' ');
  const readyTimeoutMs = spec.readyTimeoutMs ?? 30_000;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exitStatus) throw new Error(`${spec.name} exited before it was ready (${exitStatus.code ?? exitStatus.signal}): ${commandLine}\n${logTail()}`);
    try {
      if ((await httpRequest(spec.readyUrl, { ca: spec.ca, timeoutMs: 2_000 })).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      killGroup(pid, 'SIGKILL');
      await exited;
      throw new Error(`${spec.name} was not ready within ${readyTimeoutMs} ms at ${spec.readyUrl}: ${commandLine}\n${logTail()}`);
    }
    await sleep(100);
  }
  return {
    pid,
    logFile: spec.logFile,
    exited,
    status: () => exitStatus,
    async stop(timeoutMs = 20_000) {
      if (exitStatus) return exitStatus;
      process.kill(pid, 'SIGTERM');
      const status = await within(exited, timeoutMs);
      // Whatever the main process left in its group goes too.
      killGroup(pid, 'SIGKILL');
      if (status) return status;
      await exited;
      throw new Error(`${spec.name} (pid ${pid}) did not exit within ${timeoutMs} ms of SIGTERM; killed\n${logTail()}`);
    },
    async kill9() {
      if (exitStatus) return exitStatus;
      killGroup(pid, 'SIGKILL');
      return exited;
    },
    logTail,
  };
}
