// Benchmark payloads: generated once, identical for both registries, digests computed
// before any timed section.
import { createHash, randomBytes } from 'node:crypto';

export const MiB = 1024 * 1024;
export const BASE_CHUNK = 8 * MiB;

/** One random 8 MiB buffer that every large blob repeats (first chunk made unique per blob). */
let base: Buffer | undefined;
export function baseChunk(): Buffer {
  base ??= randomBytes(BASE_CHUNK);
  return base;
}

function sha256(parts: readonly Buffer[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return `sha256:${h.digest('hex')}`;
}

/** A large blob as a list of 8 MiB chunks referencing one shared buffer; only the first is a copy. */
export class LargeBlob {
  readonly chunks: readonly Buffer[];
  readonly digest: string;

  constructor(
    readonly size: number,
    tag: string,
  ) {
    const b = baseChunk();
    const chunks: Buffer[] = [];
    for (let off = 0; off < size; off += b.length) chunks.push(b.subarray(0, Math.min(b.length, size - off)));
    const first = Buffer.from(chunks[0] ?? Buffer.alloc(0));
    first.write(`berth-bench ${tag} ${Date.now()} `.slice(0, Math.min(64, first.length)), 0, 'latin1');
    chunks[0] = first;
    this.chunks = chunks;
    this.digest = sha256(chunks);
  }
}

/** Deterministic PRNG (mulberry32) so both registries get the same sizes. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SmallBlob {
  parts: readonly Buffer[];
  size: number;
  digest: string;
}

/** `count` distinct blobs of 4–64 KiB: a unique 32-byte header plus a slice of the shared buffer. */
export function smallBlobs(count: number, label: string, seed: number): SmallBlob[] {
  const b = baseChunk();
  const rnd = prng(seed);
  const out: SmallBlob[] = [];
  for (let i = 0; i < count; i++) {
    const size = 4096 + Math.floor(rnd() * (65536 - 4096 + 1));
    const head = Buffer.alloc(32, 0x20);
    head.write(`${label}-${i}-${seed}`.slice(0, 32), 0, 'latin1');
    const off = Math.floor(rnd() * (b.length - size));
    const parts = [head, b.subarray(off, off + size - head.length)];
    out.push({ parts, size, digest: sha256(parts) });
  }
  return out;
}

/** Single-core SHA-256 rate of node's crypto, hashing `total` bytes in 64 KiB updates (best of `passes`). */
export function sha256Rate(total: number, passes: number): number {
  const b = baseChunk();
  const step = 64 * 1024;
  let best = 0;
  for (let p = 0; p < passes; p++) {
    const h = createHash('sha256');
    const t0 = process.hrtime.bigint();
    for (let done = 0; done < total; done += b.length) {
      const n = Math.min(b.length, total - done);
      for (let o = 0; o < n; o += step) h.update(b.subarray(o, Math.min(n, o + step)));
    }
    h.digest();
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    best = Math.max(best, total / 1e6 / secs);
  }
  return best;
}

/** A small OCI image config and a layer, the blobs every test manifest points at. */
export function imageParts(label: string): { config: Buffer; layer: Buffer } {
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin'], Cmd: ['/app'], Labels: { bench: label } },
      rootfs: { type: 'layers', diff_ids: [] },
    }),
  );
  const layer = Buffer.concat([Buffer.from(`layer ${label} `), randomBytes(2048)]);
  return { config, layer };
}

export function digestOf(buf: Buffer): string {
  return sha256([buf]);
}

/** An OCI image manifest for the config and layer, with optional annotations to make it distinct. */
export function imageManifest(config: Buffer, layer: Buffer, annotations?: Record<string, string>): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digestOf(layer), size: layer.length }],
      ...(annotations ? { annotations } : {}),
    }),
  );
}
