/**
 * A worker thread that reads one image's inventory (scan-workers.ts starts one per scan): layers
 * are decompressed and parsed here, away from the thread serving requests. It opens the object
 * store itself, so blob bytes never cross threads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FsObjectStore } from '../adapters/object-store/fs/fs-object-store.js';
import { BetterSqliteFileReader } from '../adapters/sqlite-file/better-sqlite3-file-reader.js';
import { blobKey } from '../domain/content/layout.js';
import { Digest } from '../domain/model/digest.js';
import { readInventory } from '../domain/scanning/inventory/read-inventory.js';
import { ScanInputError } from '../domain/scanning/inventory/scan-input-error.js';
import type { LayerRef } from '../domain/scanning/scan-runner.js';

export interface ScanWorkerInput {
  storageRoot: string;
  layers: LayerRef[];
}

export type ScanWorkerOutput = { inventory: unknown } | { inputError: { problem: ScanInputError['problem']; message: string } } | { failure: string };

const { storageRoot, layers } = workerData as ScanWorkerInput;
const objects = new FsObjectStore(storageRoot);

async function scan(): Promise<ScanWorkerOutput> {
  try {
    const inventory = await readInventory(
      layers.map((layer) => ({ ...layer, open: () => objects.read(blobKey(Digest.parse(layer.digest))) })),
      { sqlite: new BetterSqliteFileReader() },
    );
    return { inventory };
  } catch (err) {
    if (err instanceof ScanInputError) return { inputError: { problem: err.problem, message: err.message } };
    return { failure: err instanceof Error ? err.message : String(err) };
  }
}

parentPort!.postMessage(await scan());
