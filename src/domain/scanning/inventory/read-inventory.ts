import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { SqliteFileReader } from '../../ports/sqlite-file-reader.js';
import { ImageScan } from './image-scan.js';
import { resolveInventoryLimits, type InventoryLimits } from './limits.js';
import type { Inventory } from './model.js';

/** One layer of the image, as its manifest lists it; the caller opens the blob. */
export interface ImageLayer {
  digest: string;
  mediaType: string;
  size: number;
  open(): Promise<Readable>;
}

export interface ReadInventoryOptions {
  /** Reads RPM's rpmdb.sqlite (src/adapters/sqlite-file). */
  sqlite: SqliteFileReader;
  /** Overrides of DEFAULT_INVENTORY_LIMITS. */
  limits?: Partial<InventoryLimits>;
  /** Stops reading; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Where the scan's scratch directory is made (default: the OS temp directory). */
  scratchParent?: string;
}

/**
 * What is installed in the filesystem an image's layers (in manifest order) add up to. Layers are
 * hostile input: anything malformed or over a limit rejects with a ScanInputError whose message
 * says why. The only files written are copies of package databases and archives in a scratch
 * directory of this call's own, removed before the promise settles, whatever happened.
 */
export async function readInventory(layers: readonly ImageLayer[], options: ReadInventoryOptions): Promise<Inventory> {
  const limits = resolveInventoryLimits(options.limits);
  options.signal?.throwIfAborted();
  const scratch = await mkdtemp(join(options.scratchParent ?? tmpdir(), 'berth-scan-'));
  try {
    const scan = new ImageScan(limits, scratch, options.sqlite, options.signal);
    for (const [index, layer] of layers.entries()) {
      options.signal?.throwIfAborted();
      await scan.applyLayer(await layer.open(), layer.digest, index);
    }
    return scan.inventory();
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
