// The benchmark scenarios, in groups. A group's setup runs once per registry (untimed:
// fixtures and warm-up); then its measured rounds alternate between the registries
// (reference round 1, Berth round 1, reference round 2, ...) so that a burst of load from
// elsewhere on the machine does not land on one registry only. Each row's figure is the
// median of its rounds.
import { DOCKER_MANIFEST_ACCEPT, RegistryClient } from './registry-client.js';
import { digestOf, imageManifest, imageParts, LargeBlob, MiB, smallBlobs, type SmallBlob } from './data.js';
import { expectStatus, header } from './http-client.js';
import { curlDownload, load } from './loadgen.js';
import { maintenanceGroup } from './maintenance.js';
import { consoleGroup } from './console.js';
import { scanningGroup } from './scanning.js';
import type { BerthLauncher, Server } from './servers.js';

export interface Params {
  bigBlob: number;
  bigRounds: number;
  pullRounds: number;
  warmBlob: number;
  smallPerRound: number;
  smallRounds: number;
  smallSeconds: number;
  smallWarm: number;
  smallConcurrency: number;
  manifestRounds: number;
  manifestSeconds: number;
  manifestWarmSeconds: number;
  manifestConnections: number;
  tagCount: number;
  tagRounds: number;
  tagConcurrency: number;
  listRuns: number;
  memBlob: number;
  /** Images in the repository the lifecycle dry run evaluates. */
  lifecycleImages: number;
  /** Due blobs the timed GC pass frees. */
  gcBlobs: number;
  /** Due blobs `berth gc` frees beside a serving Berth while its manifest GETs are measured. */
  gcOnlineBlobs: number;
  /** Manifest GETs a second sent to that server (paced), idle and during the pass. */
  gcGetRate: number;
  /** Rounds of each maintenance measurement. */
  maintenanceRounds: number;
  roundTimeoutSec: number;
}

export const FULL: Params = {
  bigBlob: 512 * MiB,
  bigRounds: 5,
  pullRounds: 7,
  warmBlob: 64 * MiB,
  smallPerRound: 12_000,
  smallRounds: 5,
  smallSeconds: 3,
  smallWarm: 300,
  smallConcurrency: 8,
  manifestRounds: 3,
  manifestSeconds: 4,
  manifestWarmSeconds: 2,
  manifestConnections: 64,
  tagCount: 2000,
  tagRounds: 3,
  tagConcurrency: 8,
  listRuns: 10,
  memBlob: 2048 * MiB,
  lifecycleImages: 100_000,
  gcBlobs: 100_000,
  gcOnlineBlobs: 50_000,
  gcGetRate: 500,
  maintenanceRounds: 3,
  roundTimeoutSec: 180,
};

export const QUICK: Params = {
  ...FULL,
  bigBlob: 64 * MiB,
  bigRounds: 1,
  pullRounds: 1,
  warmBlob: 16 * MiB,
  smallPerRound: 2000,
  smallRounds: 1,
  smallSeconds: 2,
  smallWarm: 50,
  manifestRounds: 1,
  manifestSeconds: 2,
  manifestWarmSeconds: 1,
  tagCount: 200,
  tagRounds: 1,
  listRuns: 3,
  memBlob: 256 * MiB,
  lifecycleImages: 10_000,
  gcBlobs: 10_000,
  gcOnlineBlobs: 10_000,
  gcGetRate: 500,
  maintenanceRounds: 1,
  roundTimeoutSec: 90,
};

export interface Sample {
  value: number;
  detail?: string;
  rssMiB?: number;
}

/** A ratio to the reference, a bound on Berth's own figure, or none (a figure reported for context). */
export type Target = { kind: 'ratio'; min: number; shaFraction?: number } | { kind: 'below'; max: number } | { kind: 'info' };

/** What authentication may cost: the least ratios of Berth (auth on) to the reference, and to Berth with BERTH_AUTH=false. */
export interface AuthCost {
  vsReference: number;
  vsAuthOff: number;
}

export interface RowSpec {
  id: string;
  label: string;
  unit: string;
  better: 'higher' | 'lower';
  target: Target;
  /** Set on rows also measured on Berth with auth off (its group then runs on that server too). */
  authCost?: AuthCost;
  /**
   * Set when the reference cannot do what the row measures: what its cell says instead of a figure,
   * and why (in the notes). A group whose rows all have it does not run on the reference.
   */
  reference?: { cell: string; note?: string };
}

/** Inputs shared by both registries' runs, built once and outside any timed section. */
export class Fixtures {
  private readonly big = new Map<string, LargeBlob>();
  private readonly small = new Map<string, SmallBlob[]>();

  constructor(readonly p: Params) {}

  largeBlob(key: string, size: number): LargeBlob {
    let b = this.big.get(key);
    if (!b) {
      b = new LargeBlob(size, key);
      this.big.set(key, b);
    }
    return b;
  }

  smallPool(key: string, count: number, seed: number): SmallBlob[] {
    let s = this.small.get(key);
    if (!s) {
      s = smallBlobs(count, key, seed);
      this.small.set(key, s);
    }
    return s;
  }
}

export interface RunContext {
  server: Server;
  client: RegistryClient;
  fx: Fixtures;
  p: Params;
  /** What earlier groups left for later ones against the same registry. */
  state: { pushed?: { repo: string; blob: LargeBlob } };
  /** On Berth (auth on): starts more servers as it was started, and runs its CLI the same way. */
  berth?: BerthLauncher;
}

export interface Group {
  id: string;
  rows: RowSpec[];
  rounds(p: Params): number;
  /** Builds the shared fixtures before either registry is measured. */
  prepare?(fx: Fixtures): void;
  /** Untimed, once per registry before its first round: pushes what rounds read, warms up. */
  setup?(ctx: RunContext): Promise<void>;
  round(ctx: RunContext, k: number): Promise<Record<string, Sample>>;
  /** Once per registry after its last round, whatever happened: releases what setup made. */
  teardown?(ctx: RunContext): Promise<void>;
}

const now = (): number => performance.now();
const MB = 1e6;

/** Runs fn while recording the server's peak RSS. */
async function withRss<T>(server: Server, fn: () => Promise<T>): Promise<{ result: T; rssMiB: number }> {
  const w = server.rss.window();
  const result = await fn();
  return { result, rssMiB: w.end().peakMiB };
}

/** `concurrency` workers take items until all are done or the deadline passes; the first error stops them. */
async function runWorkers(concurrency: number, count: number, seconds: number, fn: (i: number) => Promise<void>): Promise<{ done: number; seconds: number }> {
  let next = 0;
  let done = 0;
  let failed = false;
  const t0 = now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!failed && next < count && now() < end) {
        const i = next++;
        try {
          await fn(i);
        } catch (err) {
          failed = true;
          throw err;
        }
        done++;
      }
    }),
  );
  return { done, seconds: (now() - t0) / 1000 };
}

export async function pushImageParts(client: RegistryClient, repo: string, label: string): Promise<{ config: Buffer; layer: Buffer }> {
  const parts = imageParts(label);
  for (const b of [parts.config, parts.layer]) await client.pushMonolithic(repo, digestOf(b), [b], b.length);
  return parts;
}

// ---------------------------------------------------------------- large blob push

const BIG_REPO = 'bench/big';
const MODES = ['mono', 'chunked'] as const;

function pushLarge(client: RegistryClient, mode: (typeof MODES)[number], b: LargeBlob): Promise<void> {
  return mode === 'mono' ? client.pushMonolithic(BIG_REPO, b.digest, b.chunks, b.size) : client.pushChunked(BIG_REPO, b.digest, b.chunks);
}

const pushGroup: Group = {
  id: 'push',
  rows: [
    { id: 'push-mono', label: 'blob push, monolithic (POST+PUT)', unit: 'MB/s', better: 'higher', target: { kind: 'ratio', min: 3, shaFraction: 0.5 } },
    { id: 'push-chunked', label: 'blob push, chunked (8 MiB PATCH)', unit: 'MB/s', better: 'higher', target: { kind: 'ratio', min: 3, shaFraction: 0.5 } },
  ],
  rounds: (p) => p.bigRounds,
  prepare(fx) {
    for (const mode of MODES) {
      fx.largeBlob(`warm-${mode}`, fx.p.warmBlob);
      for (let k = 0; k < fx.p.bigRounds; k++) fx.largeBlob(`${mode}-${k}`, fx.p.bigBlob);
    }
  },
  async setup({ client, fx, p }) {
    for (const mode of MODES) await pushLarge(client, mode, fx.largeBlob(`warm-${mode}`, p.warmBlob));
  },
  async round({ client, fx, p, server, state }, k) {
    const out: Record<string, Sample> = {};
    for (const mode of MODES) {
      const blob = fx.largeBlob(`${mode}-${k}`, p.bigBlob);
      const { result: secs, rssMiB } = await withRss(server, async () => {
        const t0 = now();
        await pushLarge(client, mode, blob);
        return (now() - t0) / 1000;
      });
      state.pushed = { repo: BIG_REPO, blob };
      out[`push-${mode}`] = { value: blob.size / MB / secs, detail: `${blob.size / MiB} MiB`, rssMiB };
    }
    return out;
  },
};

// ---------------------------------------------------------------- small blobs

const SMALL_REPO = 'bench/small';

function pushSmall(client: RegistryClient, b: SmallBlob): Promise<void> {
  return client.pushMonolithic(SMALL_REPO, b.digest, b.parts, b.size);
}

const smallGroup: Group = {
  id: 'small',
  rows: [{ id: 'small-blobs', label: 'small blobs 4–64 KiB, 8 concurrent (POST+PUT)', unit: 'blobs/s', better: 'higher', target: { kind: 'ratio', min: 3 } }],
  rounds: (p) => p.smallRounds,
  prepare(fx) {
    fx.smallPool('small-warm', fx.p.smallWarm, 7);
    for (let k = 0; k < fx.p.smallRounds; k++) fx.smallPool(`small-${k}`, fx.p.smallPerRound, 42 + k);
  },
  async setup({ client, fx, p }) {
    const warm = fx.smallPool('small-warm', p.smallWarm, 7);
    await runWorkers(p.smallConcurrency, warm.length, 60, (i) => pushSmall(client, warm[i] as SmallBlob));
  },
  async round({ client, fx, p, server }, k) {
    const pool = fx.smallPool(`small-${k}`, p.smallPerRound, 42 + k);
    const { result: r, rssMiB } = await withRss(server, () => runWorkers(p.smallConcurrency, pool.length, p.smallSeconds, (i) => pushSmall(client, pool[i] as SmallBlob)));
    const exhausted = r.done === pool.length ? ', pool exhausted' : '';
    return { 'small-blobs': { value: r.done / r.seconds, detail: `${r.done} in ${r.seconds.toFixed(1)} s${exhausted}`, rssMiB } };
  },
};

// ---------------------------------------------------------------- blob pull

/** Pulls with curl (see loadgen.ts) and returns MB/s. */
async function pullLarge(client: RegistryClient, repo: string, blob: LargeBlob): Promise<number> {
  const r = await curlDownload(client.url(`/v2/${repo}/blobs/${blob.digest}`), client.headers, 300);
  if (r.status !== 200 || r.bytes !== blob.size) throw new Error(`GET blob: HTTP ${r.status}, ${r.bytes} bytes, expected ${blob.size}`);
  return r.bytes / MB / r.seconds;
}

const pullGroup: Group = {
  id: 'pull',
  rows: [{ id: 'pull', label: 'blob pull (GET)', unit: 'MB/s', better: 'higher', target: { kind: 'ratio', min: 1 } }],
  rounds: (p) => p.pullRounds,
  prepare(fx) {
    fx.largeBlob('mono-0', fx.p.bigBlob);
  },
  async setup({ client, fx, p, state }) {
    if (!state.pushed) {
      const blob = fx.largeBlob('mono-0', p.bigBlob);
      await client.pushMonolithic(BIG_REPO, blob.digest, blob.chunks, blob.size);
      state.pushed = { repo: BIG_REPO, blob };
    }
    await pullLarge(client, state.pushed.repo, state.pushed.blob);
  },
  async round({ client, server, state }) {
    if (!state.pushed) throw new Error('nothing pushed to pull');
    const { repo, blob } = state.pushed;
    const { result, rssMiB } = await withRss(server, () => pullLarge(client, repo, blob));
    return { pull: { value: result, detail: `${blob.size / MiB} MiB`, rssMiB } };
  },
};

// ---------------------------------------------------------------- manifest HEAD/GET

/** The repository the manifest loads read; with auth on it has a repository policy. */
export const MANIFEST_REPO = 'bench/app';
const METHODS = ['HEAD', 'GET'] as const;
/** Issue 3: token and policy checks on, manifest reads stay >= 4x the reference and >= 75% of Berth without auth. */
const MANIFEST_AUTH_COST: AuthCost = { vsReference: 4, vsAuthOff: 0.75 };

/** Manifest requests by tag (`latest`) with docker's Accept list, as the manifest scenario makes them. */
export function manifestLoad(client: RegistryClient, p: Params, method: (typeof METHODS)[number], seconds: number) {
  const url = client.url(`/v2/${MANIFEST_REPO}/manifests/latest`);
  return load({ method, url, headers: { ...client.headers, Accept: DOCKER_MANIFEST_ACCEPT }, connections: p.manifestConnections, seconds });
}

const manifestGroup: Group = {
  id: 'manifest',
  rows: [
    { id: 'manifest-head', label: 'manifest HEAD by tag, 64 conns', unit: 'req/s', better: 'higher', target: { kind: 'ratio', min: 5 }, authCost: MANIFEST_AUTH_COST },
    { id: 'manifest-head-p99', label: 'manifest HEAD p99 latency', unit: 'ms', better: 'lower', target: { kind: 'below', max: 20 } },
    { id: 'manifest-get', label: 'manifest GET by tag, 64 conns', unit: 'req/s', better: 'higher', target: { kind: 'ratio', min: 5 }, authCost: MANIFEST_AUTH_COST },
    { id: 'manifest-get-p99', label: 'manifest GET p99 latency', unit: 'ms', better: 'lower', target: { kind: 'below', max: 20 } },
  ],
  rounds: (p) => p.manifestRounds,
  async setup({ client, p }) {
    const { config, layer } = await pushImageParts(client, MANIFEST_REPO, 'app');
    const manifest = imageManifest(config, layer);
    await client.putManifest(MANIFEST_REPO, 'latest', manifest);
    const check = expectStatus(await client.get(`/v2/${MANIFEST_REPO}/manifests/latest`, { Accept: DOCKER_MANIFEST_ACCEPT }), [200], 'GET manifest');
    if (!check.body.equals(manifest)) throw new Error('GET manifest: body differs from what was pushed');
    for (const method of METHODS) await manifestLoad(client, p, method, p.manifestWarmSeconds);
  },
  async round({ client, p, server }) {
    const out: Record<string, Sample> = {};
    for (const method of METHODS) {
      const { result: r, rssMiB } = await withRss(server, () => manifestLoad(client, p, method, p.manifestSeconds));
      if (r.errors > 0) throw new Error(`${method} manifest: ${r.errors} of ${r.requests} requests failed (${r.tool})`);
      const id = `manifest-${method.toLowerCase()}`;
      out[id] = { value: r.rate, detail: `${r.tool}, ${r.requests} in ${r.seconds.toFixed(1)} s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(1)} ms`, rssMiB };
      out[`${id}-p99`] = { value: r.p99Ms };
    }
    return out;
  },
};

// ---------------------------------------------------------------- tags

function nextLink(linkHeader: string | undefined): string | undefined {
  for (const part of linkHeader?.split(',') ?? []) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (m) return m[1];
  }
  return undefined;
}

async function listTags(client: RegistryClient, first: string, maxPages: number): Promise<{ tags: Set<string>; pages: number }> {
  const tags = new Set<string>();
  let target: URL | undefined = client.url(first);
  let pages = 0;
  while (target && pages < maxPages) {
    const reply = expectStatus(await client.get(target), [200], 'GET tags/list');
    pages++;
    const body = JSON.parse(reply.body.toString('utf8')) as { tags?: string[] | null };
    for (const t of body.tags ?? []) tags.add(t);
    const next = nextLink(header(reply, 'link'));
    target = next ? client.url(next) : undefined;
  }
  return { tags, pages };
}

const tagName = (i: number): string => `v${String(i).padStart(5, '0')}`;

/** Times `runs` listings (after one warm-up), checking each returns every tag once. */
async function timeListing(client: RegistryClient, first: string, expected: number, runs: number): Promise<{ ms: number[]; pages: number }> {
  const maxPages = Math.ceil(expected / 100) + 10;
  const ms: number[] = [];
  let pages = 0;
  for (let i = 0; i <= runs; i++) {
    const t0 = now();
    const l = await listTags(client, first, maxPages);
    if (i > 0) ms.push(now() - t0);
    if (l.tags.size !== expected) throw new Error(`${first}: listed ${l.tags.size} tags in ${l.pages} pages, expected ${expected}`);
    pages = l.pages;
  }
  return { ms, pages };
}

const tagsGroup: Group = {
  id: 'tags',
  rows: [
    { id: 'tags-push', label: 'push tags (distinct manifests), 8 concurrent', unit: 'tags/s', better: 'higher', target: { kind: 'ratio', min: 2 } },
    { id: 'tags-list', label: 'list all tags, one request', unit: 'ms', better: 'lower', target: { kind: 'ratio', min: 1 } },
    { id: 'tags-list-paged', label: 'list all tags, ?n=100 following Link', unit: 'ms', better: 'lower', target: { kind: 'ratio', min: 1 } },
  ],
  rounds: (p) => p.tagRounds,
  async setup({ client, p }) {
    const repo = 'bench/tags-warm';
    const { config, layer } = await pushImageParts(client, repo, 'tags-warm');
    await runWorkers(p.tagConcurrency, 50, 60, (i) => client.putManifest(repo, tagName(i), imageManifest(config, layer, { i: String(i) })));
  },
  async round({ client, p, server }, k) {
    const repo = `bench/tags-${k}`;
    const { config, layer } = await pushImageParts(client, repo, `tags-${k}`);
    const manifests = Array.from({ length: p.tagCount }, (_, i) => imageManifest(config, layer, { 'org.opencontainers.image.revision': `rev-${k}-${i}` }));
    const { result: r, rssMiB } = await withRss(server, () =>
      runWorkers(p.tagConcurrency, p.tagCount, p.roundTimeoutSec / 2, (i) => client.putManifest(repo, tagName(i), manifests[i] as Buffer)),
    );
    if (r.done !== p.tagCount) throw new Error(`only ${r.done} of ${p.tagCount} tags pushed in time`);
    const full = await timeListing(client, `/v2/${repo}/tags/list`, p.tagCount, p.listRuns);
    const paged = await timeListing(client, `/v2/${repo}/tags/list?n=100`, p.tagCount, p.listRuns);
    const pages = (n: number): string => `${n} page${n === 1 ? '' : 's'}`;
    return {
      'tags-push': { value: r.done / r.seconds, detail: `${r.done} tags in ${r.seconds.toFixed(1)} s`, rssMiB },
      'tags-list': { value: median(full.ms), detail: `${pages(full.pages)}, median of ${p.listRuns}` },
      'tags-list-paged': { value: median(paged.ms), detail: `${pages(paged.pages)}, median of ${p.listRuns}` },
    };
  },
};

// ---------------------------------------------------------------- memory

const memoryGroup: Group = {
  id: 'memory',
  rows: [{ id: 'memory', label: 'peak RSS, 2 GiB blob push + pull', unit: 'MiB', better: 'lower', target: { kind: 'below', max: 200 } }],
  rounds: () => 1,
  prepare(fx) {
    fx.largeBlob('memory', fx.p.memBlob);
  },
  async round({ client, fx, p, server }) {
    const blob = fx.largeBlob('memory', p.memBlob);
    const idle = server.rss.lastKiB / 1024;
    const w = server.rss.window();
    const t0 = now();
    await client.pushMonolithic('bench/memory', blob.digest, blob.chunks, blob.size);
    const push = blob.size / MB / ((now() - t0) / 1000);
    const pull = await pullLarge(client, 'bench/memory', blob);
    const win = w.end();
    return {
      memory: {
        value: win.peakMiB,
        detail: `${blob.size / MiB} MiB monolithic push at ${push.toFixed(0)} MB/s then pull at ${pull.toFixed(0)} MB/s, idle ${idle.toFixed(0)} MiB`,
        rssMiB: win.peakMiB,
      },
    };
  },
};

export const GROUPS: readonly Group[] = [pushGroup, smallGroup, pullGroup, manifestGroup, tagsGroup, memoryGroup, maintenanceGroup, scanningGroup, consoleGroup];

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

/** Checks the registry answers at all before a group starts. */
export async function ping(client: RegistryClient): Promise<void> {
  expectStatus(await client.get('/v2/'), [200], 'GET /v2/');
}
