/**
 * Images built locally with real tools (no network): FROM scratch with a static busybox when one is
 * installed (so `docker run` can execute a command in the pulled image) and a few generated files,
 * one layer per COPY; and the docker CLI that builds, pushes and pulls them.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, openSync, readSync, closeSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeRun, run, which, type RunOptions, type RunResult } from '../support/tools.js';
import type { RegistryUnderTest } from './harness.js';

/** Path of a statically linked busybox, or undefined (a dynamic one cannot run in a scratch image). */
export function staticBusybox(): string | undefined {
  for (const candidate of ['/bin/busybox', '/usr/bin/busybox', which('busybox')]) {
    if (candidate && existsSync(candidate) && isStaticElf(candidate)) return candidate;
  }
  return undefined;
}

/** An ELF file with no PT_INTERP program header needs no dynamic loader. */
function isStaticElf(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(64);
    readSync(fd, header, 0, 64, 0);
    if (header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2) return false; // ELF64 only
    const phoff = Number(header.readBigUInt64LE(0x20));
    const phentsize = header.readUInt16LE(0x36);
    const phnum = header.readUInt16LE(0x38);
    const table = Buffer.alloc(phentsize * phnum);
    readSync(fd, table, 0, table.length, phoff);
    for (let i = 0; i < phnum; i++) {
      if (table.readUInt32LE(i * phentsize) === 3) return false; // PT_INTERP
    }
    return true;
  } finally {
    closeSync(fd);
  }
}

export interface BuildContext {
  dir: string;
  /** Files in the image and their contents, for checking what a container prints. */
  files: Record<string, string>;
  /** Whether the image can run commands (has /bin/busybox). */
  runnable: boolean;
}

/**
 * Writes a build context whose Containerfile/Dockerfile makes a multi-layer image: busybox (if
 * available) and two generated files, each in its own layer. Contents include random bytes so
 * every run pushes new blobs.
 */
export function writeBuildContext(dir: string, label: string): BuildContext {
  mkdirSync(dir, { recursive: true });
  const busybox = staticBusybox();
  const files: Record<string, string> = {
    '/data/one.txt': `${label} layer one ${randomBytes(8).toString('hex')}\n`,
    '/data/two.txt': `${label} layer two ${randomBytes(8).toString('hex')}\n`,
  };
  const lines = ['FROM scratch'];
  if (busybox) {
    copyFileSync(busybox, path.join(dir, 'busybox'));
    lines.push('COPY busybox /bin/busybox');
  }
  for (const [target, content] of Object.entries(files)) {
    const name = path.basename(target);
    writeFileSync(path.join(dir, name), content);
    lines.push(`COPY ${name} ${target}`);
  }
  lines.push(busybox ? 'CMD ["/bin/busybox", "cat", "/data/one.txt"]' : 'CMD ["/nothing"]');
  lines.push(`LABEL org.opencontainers.image.title="${label}"`);
  writeFileSync(path.join(dir, 'Dockerfile'), `${lines.join('\n')}\n`);
  return { dir, files, runnable: !!busybox };
}

/**
 * The docker CLI with a config folder of its own (logins, `docker manifest` lists), so nothing a
 * test does reaches the machine's ~/.docker; the legacy builder, which needs no buildx plugin.
 */
export class DockerCli {
  readonly env: NodeJS.ProcessEnv;

  constructor(configDir: string) {
    mkdirSync(configDir, { recursive: true });
    this.env = { ...process.env, DOCKER_BUILDKIT: '0', DOCKER_CONFIG: configDir };
  }

  /** Runs docker; never throws for a non-zero exit. */
  run(args: readonly string[], options: Pick<RunOptions, 'input' | 'timeoutMs'> = {}): Promise<RunResult> {
    return run('docker', args, { env: this.env, timeoutMs: 300_000, ...options });
  }

  /** Runs docker and resolves with its stdout; throws with the whole output unless it exits 0. */
  async ok(args: readonly string[], options: Pick<RunOptions, 'input' | 'timeoutMs'> = {}): Promise<string> {
    const result = await this.run(args, options);
    if (result.code !== 0) throw new Error(describeRun(result));
    return result.stdout;
  }

  /** `docker login` with the registry's login (password on stdin); nothing for an open registry. */
  async login(registry: RegistryUnderTest): Promise<void> {
    const login = await registry.login();
    if (login) await this.ok(['login', '--username', login.username, '--password-stdin', registry.host], { input: login.password });
  }
}

/** The digest docker push prints last: "<tag>: digest: sha256:… size: N". */
export function pushedDigest(output: string): string {
  const match = /digest: (sha256:[a-f0-9]{64})/.exec(output);
  if (!match) throw new Error(`no digest in docker push output:\n${output}`);
  return match[1]!;
}
