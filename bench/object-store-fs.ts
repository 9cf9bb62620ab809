/**
 * Micro-benchmark of the fs object store (not a test): ingest 512 MiB in 64 KiB chunks while
 * hashing them on the main thread (as an upload does), commit, then read it all back.
 * Repeated because shared VMs are noisy; the SHA-256-only line is the ceiling for ingest.
 * Run: npx tsc -p . && node dist/bench/object-store-fs.js [runs=3] [directory=os.tmpdir()]
 */
import { createHash, type Hash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FsObjectStore } from '../src/adapters/object-store/fs/fs-object-store.js';

const TOTAL = 512 * 1024 * 1024;
const CHUNK = 64 * 1024;
const runs = Number(process.argv[2] ?? 3);
const dir = await mkdtemp(path.join(process.argv[3] ?? tmpdir(), 'berth-bench-'));
const store = new FsObjectStore(dir);
const chunk = Buffer.alloc(CHUNK, 0xa5); // pre-filled, reused for every chunk

async function* chunks(hash?: Hash): AsyncGenerator<Uint8Array> {
  for (let sent = 0; sent < TOTAL; sent += CHUNK) {
    hash?.update(chunk);
    yield chunk;
  }
}

/** Runs `phase` and returns "<MB/s> MB/s" (or milliseconds when it moves no bytes). */
async function timed(phase: () => Promise<unknown>, bytes = TOTAL): Promise<string> {
  const started = process.hrtime.bigint();
  await phase();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return bytes ? `${(bytes / 1e3 / ms).toFixed(0).padStart(5)} MB/s` : `${ms.toFixed(0).padStart(5)} ms`;
}

try {
  for (let run = 1; run <= runs; run++) {
    const hashOnly = await timed(async () => {
      const hash = createHash('sha256');
      for (let sent = 0; sent < TOTAL; sent += CHUNK) hash.update(chunk);
      hash.digest();
    });
    const plain = await timed(() => store.append('plain', 0, chunks()));
    await store.delete('plain');
    const ingest = await timed(() => store.append('uploads/1/data', 0, chunks(createHash('sha256'))));
    const commit = await timed(() => store.commit('uploads/1/data', 'blobs/ab/blob'), 0);
    const read = await timed(async () => {
      let bytes = 0;
      for await (const part of await store.read('blobs/ab/blob')) bytes += (part as Buffer).length;
      if (bytes !== TOTAL) throw new Error(`read ${bytes} bytes, expected ${TOTAL}`);
    });
    await store.delete('blobs/ab/blob');
    console.log(
      `run ${run}: sha256 only ${hashOnly} | append ${plain} | append+sha256 ${ingest} | commit ${commit} | read ${read}`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
