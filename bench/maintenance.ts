// Issue 4's maintenance targets: a lifecycle dry run over 100,000 images, a garbage collection
// pass over 100,000 blobs, and manifest GET latency while `berth gc` runs beside a serving Berth.
// Berth only: the reference registry has no lifecycle policies, and its `garbage-collect` needs
// the registry stopped or read-only. Stores are seeded through the metadata store's port
// (seed-store.ts), never over HTTP; the operations are timed as a user gets them.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { openMetadataStore } from '../src/adapters/metadata/index.js';
import { FsObjectStore } from '../src/adapters/object-store/fs/fs-object-store.js';
import { DEFAULT_ARCHIVE_PREFIX } from '../src/domain/content/layout.js';
import { GarbageCollector, type GcReport } from '../src/domain/gc/garbage-collector.js';
import { lifecycleCandidates } from '../src/domain/lifecycle/candidates.js';
import { evaluateLifecyclePolicy, type LifecycleCandidate, parseLifecyclePolicy } from '../src/domain/lifecycle/index.js';
import { type Clock, systemClock } from '../src/domain/ports/clock.js';
import type { MetadataStore } from '../src/domain/ports/metadata-store.js';
import { Registry } from '../src/domain/registry/registry.js';
import { BENCH_SCOPE } from './berth-access.js';
import { imageManifest } from './data.js';
import { FIVE_RULE_POLICY, largeRepository } from './lifecycle-images.js';
import { DOCKER_MANIFEST_ACCEPT, RegistryClient } from './registry-client.js';
import { cpuSeconds, endedChildrenCpuSeconds } from './machine.js';
import { RssSampler } from './rss.js';
import type { BerthLauncher, Server } from './servers.js';
import type { Group, RowSpec, RunContext, Sample } from './scenarios.js';
import { median, pushImageParts } from './scenarios.js';
import { pacedGets } from './loadgen.js';
import { blobFile, seedGarbage, seedLifecycleRepository, type Garbage } from './seed-store.js';

const LIFECYCLE_REPO = 'bench/lifecycle';
const GC_REPO = 'bench/retired';
/** Lifecycle and garbage collection targets (issue 4). */
const LIFECYCLE_MAX_MS = 2000;
const GC_MAX_SECONDS = 30;
const P99_MAX_GROWTH = 2;

const now = (): number => performance.now();
const seconds = (since: number): number => (now() - since) / 1000;
const fixedClock = (at: Date): Clock => ({ now: () => at });

function log(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`);
}

/** A metadata store and object store in a new temporary directory, laid out as a Berth data directory. */
interface Scratch {
  dir: string;
  store: MetadataStore;
  objects: FsObjectStore;
  dispose(): Promise<void>;
}

async function scratchStores(label: string): Promise<Scratch> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `berth-bench-${label}-`));
  const store = await openMetadataStore({ kind: 'sqlite', path: path.join(dir, 'berth.db') });
  return {
    dir,
    store,
    objects: new FsObjectStore(path.join(dir, 'storage')),
    async dispose() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** How many of the blobs' files are still in the object store under `storageRoot`. */
function filesLeft(storageRoot: string, digests: readonly string[]): number {
  return digests.filter((digest) => existsSync(blobFile(storageRoot, digest))).length;
}

/** Checks that a pass freed exactly the seeded garbage and that its bytes are gone. */
function checkCollected(report: GcReport, garbage: Garbage, storageRoot: string): void {
  const left = filesLeft(storageRoot, garbage.digests);
  if (report.blobsDeleted !== garbage.blobs || report.linksRemoved !== garbage.blobs || report.bytesFreed !== garbage.bytes || left !== 0) {
    throw new Error(`the GC pass freed ${report.blobsDeleted} blobs (${report.bytesFreed} bytes) and removed ${report.linksRemoved} links of ${garbage.blobs} (${garbage.bytes} bytes); ${left} blob files left`);
  }
}

const rate = (count: number, secs: number): string => `${Math.round(count / secs).toLocaleString('en-US')}/s`;

// ---------------------------------------------------------------- lifecycle dry run

/** The seeded lifecycle store, kept from setup to teardown. */
interface LifecycleFixture {
  scratch: Scratch;
  registry: Registry;
  at: Date;
  /** The candidates as the runner loads them, for timing the evaluation alone. */
  candidates: LifecycleCandidate[];
}

let lifecycle: LifecycleFixture | undefined;

async function setUpLifecycle(count: number): Promise<LifecycleFixture> {
  const scratch = await scratchStores('lifecycle');
  const at = new Date();
  const t0 = now();
  // Oldest first, as CI pushed them: a tag several images share ends on the newest.
  const images = largeRepository(count, at).sort((a, b) => a.pushedAt.getTime() - b.pushedAt.getTime());
  const repository = await seedLifecycleRepository(scratch.store, LIFECYCLE_REPO, images, FIVE_RULE_POLICY, at);
  log(`maintenance: seeded ${count.toLocaleString('en-US')} images in ${seconds(t0).toFixed(1)} s`);
  const t1 = now();
  const loaded = await scratch.store.listLifecycleImages(repository.id);
  log(`maintenance: loaded them as lifecycle candidates in ${seconds(t1).toFixed(1)} s`);
  const registry = new Registry({ metadata: scratch.store, objects: scratch.objects, clock: fixedClock(at), registryId: BENCH_SCOPE.account, createOnPush: false });
  return { scratch, registry, at, candidates: lifecycleCandidates(loaded) };
}

/** `berth lifecycle run --dry-run --repository`, in process: load the candidates, evaluate; then the evaluation alone. */
async function lifecycleRound(fx: LifecycleFixture): Promise<Record<string, Sample>> {
  const t0 = now();
  const entries = await fx.registry.lifecycleRuns.run({ dryRun: true, repositoryName: LIFECYCLE_REPO });
  const runMs = now() - t0;
  const policy = parseLifecyclePolicy(FIVE_RULE_POLICY);
  const t1 = now();
  const decisions = evaluateLifecyclePolicy(policy, fx.candidates, fx.at);
  const evalMs = now() - t1;
  if (entries.length !== decisions.length) throw new Error(`the dry run decided on ${entries.length} images, the evaluation alone on ${decisions.length}`);
  const expire = entries.filter((e) => e.action === 'EXPIRE').length;
  const images = fx.candidates.length.toLocaleString('en-US');
  return {
    'lifecycle-run': { value: runMs, detail: `${images} images; ${expire.toLocaleString('en-US')} to expire, ${(entries.length - expire).toLocaleString('en-US')} to archive; loading ${Math.round(runMs - evalMs)} ms, evaluating ${Math.round(evalMs)} ms` },
    'lifecycle-eval': { value: evalMs, detail: `${images} candidates as loaded from the store, 5 rules` },
  };
}

// ---------------------------------------------------------------- a GC pass over 100,000 blobs

/** Seeds `count` due blobs in a new store, then times one pass of the collector as `berth gc --grace-period 0` makes it. */
async function gcRound(count: number): Promise<Record<string, Sample>> {
  const scratch = await scratchStores('gc');
  try {
    const t0 = now();
    const storageRoot = path.join(scratch.dir, 'storage');
    const garbage = await seedGarbage(scratch.store, storageRoot, GC_REPO, count, new Date());
    log(`maintenance: seeded ${garbage.blobs.toLocaleString('en-US')} due blobs (${garbage.images} deleted images) in ${seconds(t0).toFixed(1)} s`);
    const gc = new GarbageCollector(scratch.store, scratch.objects, systemClock, { gracePeriodMs: 0, archivePrefix: DEFAULT_ARCHIVE_PREFIX });
    const t1 = now();
    const report = await gc.collect({ gracePeriodMs: 0 });
    const secs = seconds(t1);
    checkCollected(report, garbage, storageRoot);
    return { 'gc-pass': { value: secs, detail: `${rate(garbage.blobs, secs)}; ${garbage.blobs.toLocaleString('en-US')} links and blobs, ${(garbage.bytes / 1e6).toFixed(0)} MB freed, the files checked gone` } };
  } finally {
    await scratch.dispose();
  }
}

// ---------------------------------------------------------------- manifest GET during `berth gc`

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  cpuSeconds: number;
  peakRssMiB: number;
}

/** Runs a command to its end, sampling its RSS; its CPU time is read when it has been waited for. */
function runSampled(cmd: string, args: readonly string[], timeoutSec: number): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const cpu0 = endedChildrenCpuSeconds();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const rss = new RssSampler(child.pid ?? -1);
    rss.start();
    const w = rss.window();
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutSec * 1000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      rss.stop();
      // Only this child ends in the meantime: the load generator is stopped once this resolves.
      resolve({ code, stdout, stderr, seconds: seconds(t0), cpuSeconds: endedChildrenCpuSeconds() - cpu0, peakRssMiB: w.end().peakMiB });
    });
  });
}

/** A load's result with the cores the server used meanwhile. */
async function withServerCpu<T extends { seconds: number }>(server: Server, run: Promise<T>): Promise<T & { serverCores: number }> {
  const cpu0 = cpuSeconds(server.pid);
  const r = await run;
  return { ...r, serverCores: (cpuSeconds(server.pid) - cpu0) / r.seconds };
}

/** A new Berth started (as the measured one, auth on) over `count` due blobs, their data directory and the garbage. */
async function serverOverGarbage(berth: BerthLauncher, count: number): Promise<{ server: Server; dataDir: string; garbage: Garbage }> {
  let seeded: { dataDir: string; garbage: Garbage } | undefined;
  const t0 = now();
  const server = await berth.start({
    seed: async (dataDir) => {
      const store = await openMetadataStore({ kind: 'sqlite', path: path.join(dataDir, 'berth.db') });
      try {
        seeded = { dataDir, garbage: await seedGarbage(store, path.join(dataDir, 'storage'), GC_REPO, count, new Date()) };
      } finally {
        await store.close();
      }
    },
  });
  if (!seeded) throw new Error('nothing seeded');
  log(`maintenance: ${server.name} (pid ${server.pid}) started over ${seeded.garbage.blobs.toLocaleString('en-US')} due blobs in ${seconds(t0).toFixed(1)} s`);
  return { server, ...seeded };
}

const IDLE_WINDOWS = 3;

/**
 * A new Berth whose data directory holds `count` due blobs before it starts, and an image pushed to
 * GET. Manifest GETs at a fixed rate (pacedGets: latency as a client waiting for its answer sees it):
 * p99 idle, the median of three windows after a warm-up, then while `berth gc --grace-period 0` runs
 * beside the server as an operator would run it, the load stopped when the pass ends.
 */
async function onlineGcRound({ berth, p }: RunContext, count: number): Promise<Record<string, Sample>> {
  if (!berth) throw new Error('no Berth to start');
  const { server, dataDir, garbage } = await serverOverGarbage(berth, count);
  const client = new RegistryClient(server.base, server.headers);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  try {
    const { config, layer } = await pushImageParts(client, GC_REPO, 'gc');
    await client.putManifest(GC_REPO, 'latest', imageManifest(config, layer));
    const url = client.url(`/v2/${GC_REPO}/manifests/latest`);
    const headers = { ...client.headers, Accept: DOCKER_MANIFEST_ACCEPT };
    const get = (secs: number, until?: Promise<unknown>) => withServerCpu(server, pacedGets({ url, headers, agent, rate: p.gcGetRate, seconds: secs, ...(until && { until }) }));
    await get(p.manifestWarmSeconds + p.manifestSeconds);
    const windows: Awaited<ReturnType<typeof get>>[] = [];
    for (let i = 0; i < IDLE_WINDOWS; i++) windows.push(await get(p.manifestSeconds));
    const [cmd, args] = berth.command(['gc', '--grace-period', '0', '--json', '--data-dir', dataDir]);
    const w = server.rss.window();
    const pass = runSampled(cmd, args, p.roundTimeoutSec);
    const [during, gc] = await Promise.all([get(p.roundTimeoutSec, pass), pass]);
    const serverRss = w.end().peakMiB;
    if (gc.code !== 0) throw new Error(`berth gc exited with ${gc.code}: ${gc.stderr.trim().slice(-500)}`);
    checkCollected(JSON.parse(gc.stdout) as GcReport, garbage, path.join(dataDir, 'storage'));
    for (const r of [...windows, during]) if (r.errors > 0) throw new Error(`GET manifest: ${r.errors} of ${r.requests} requests failed`);
    const idle = windows.map((r) => r.p99Ms);
    const idleP99 = median(idle);
    const load = (rs: typeof windows): string => {
      const requests = rs.reduce((sum, r) => sum + r.requests, 0);
      const secs = rs.reduce((sum, r) => sum + r.seconds, 0);
      const cores = rs.reduce((sum, r) => sum + r.serverCores * r.seconds, 0) / secs;
      return `${requests} GETs at ${Math.round(requests / secs).toLocaleString('en-US')}/s in ${secs.toFixed(1)} s, p50 ${median(rs.map((r) => r.p50Ms)).toFixed(1)} ms, server ${cores.toFixed(2)} cores`;
    };
    return {
      'gc-get-p99-idle': { value: idleP99, detail: `median of ${idle.map((v) => v.toFixed(1)).join(', ')} ms; ${load(windows)}` },
      'gc-get-p99-during': {
        value: during.p99Ms,
        detail: `${load([during])}; \`berth gc\` ${gc.seconds.toFixed(1)} s (${rate(garbage.blobs, gc.seconds)}), ${(gc.cpuSeconds / gc.seconds).toFixed(2)} cores, peak RSS ${gc.peakRssMiB.toFixed(0)} MiB`,
        rssMiB: serverRss,
      },
      'gc-get-p99-ratio': { value: during.p99Ms / idleP99, detail: `${garbage.blobs.toLocaleString('en-US')} due blobs, ${p.gcGetRate} GETs/s` },
    };
  } finally {
    agent.destroy();
    client.close();
    await server.stop();
  }
}

// ---------------------------------------------------------------- the group

const NO_LIFECYCLE = { cell: 'none', note: 'distribution 2.8 has no lifecycle policies' };
const OFFLINE_GC = {
  cell: 'offline only',
  note: "distribution's `registry garbage-collect` cannot run beside a serving registry: it needs the registry stopped or read-only for the whole pass",
};

const rows: RowSpec[] = [
  { id: 'lifecycle-run', label: 'lifecycle dry run, 100,000 images, 5 rules (load + evaluate)', unit: 'ms', better: 'lower', target: { kind: 'below', max: LIFECYCLE_MAX_MS }, reference: NO_LIFECYCLE },
  { id: 'lifecycle-eval', label: 'lifecycle evaluation alone, the same candidates', unit: 'ms', better: 'lower', target: { kind: 'info' }, reference: { cell: 'none' } },
  { id: 'gc-pass', label: 'GC pass, 100,000 due blobs (links, records, files)', unit: 's', better: 'lower', target: { kind: 'below', max: GC_MAX_SECONDS }, reference: OFFLINE_GC },
  { id: 'gc-get-p99-idle', label: 'manifest GET p99, idle (before `berth gc`)', unit: 'ms', better: 'lower', target: { kind: 'info' }, reference: { cell: 'offline only' } },
  { id: 'gc-get-p99-during', label: 'manifest GET p99 during `berth gc` (50,000 blobs)', unit: 'ms', better: 'lower', target: { kind: 'info' }, reference: { cell: 'offline only' } },
  { id: 'gc-get-p99-ratio', label: 'manifest GET p99 during GC ÷ idle', unit: 'x idle', better: 'lower', target: { kind: 'below', max: P99_MAX_GROWTH }, reference: OFFLINE_GC },
];

/** One part per round, so that each stays within the round time limit; every part runs maintenanceRounds times. */
const PARTS: ((ctx: RunContext) => Promise<Record<string, Sample>>)[] = [
  async () => {
    if (!lifecycle) throw new Error('the lifecycle store was not set up');
    return lifecycleRound(lifecycle);
  },
  ({ p }) => gcRound(p.gcBlobs),
  (ctx) => onlineGcRound(ctx, ctx.p.gcOnlineBlobs),
];

export const maintenanceGroup: Group = {
  id: 'maintenance',
  rows,
  rounds: (p) => PARTS.length * p.maintenanceRounds,
  async setup({ p }) {
    lifecycle = await setUpLifecycle(p.lifecycleImages);
  },
  round: (ctx, k) => (PARTS[k % PARTS.length] as (typeof PARTS)[number])(ctx),
  async teardown() {
    await lifecycle?.registry.close();
    await lifecycle?.scratch.dispose();
    lifecycle = undefined;
  },
};
