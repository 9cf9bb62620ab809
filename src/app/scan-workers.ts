import { Worker } from 'node:worker_threads';
import type { Inventory } from '../domain/scanning/inventory/model.js';
import { ScanInputError } from '../domain/scanning/inventory/scan-input-error.js';
import type { InventoryReader, LayerRef } from '../domain/scanning/scan-runner.js';
import type { ScanWorkerInput, ScanWorkerOutput } from './scan-worker.js';

/** A scan's thread may not grow its heap past this: a hostile image fails its scan, not the server. */
const WORKER_HEAP_MB = 512;

/**
 * The InventoryReader the server uses: each scan in a fresh worker thread with a bounded heap, so a
 * scan that runs out of memory or crashes ends its thread only; the scan is then retried on its
 * next claim, and given up after a few (ScanRunner).
 */
export function workerInventoryReader(storageRoot: string): InventoryReader {
  return (layers: readonly LayerRef[]) =>
    new Promise<Inventory>((resolve, reject) => {
      const workerData: ScanWorkerInput = { storageRoot, layers: [...layers] };
      const worker = new Worker(new URL('./scan-worker.js', import.meta.url), { workerData, execArgv: [], resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
      let settled = false;
      worker.once('message', (output: ScanWorkerOutput) => {
        settled = true;
        if ('inventory' in output) resolve(output.inventory as Inventory);
        else if ('inputError' in output) reject(new ScanInputError(output.inputError.problem, output.inputError.message));
        else reject(new Error(`scanning failed: ${output.failure}`));
      });
      worker.once('error', (err) => {
        settled = true;
        reject(err.message.includes('out of memory') ? new ScanInputError('limit', `Scanning the image ran out of memory (${WORKER_HEAP_MB} MB).`) : err);
      });
      worker.once('exit', (code) => {
        if (!settled) reject(new Error(`the scan's worker thread exited with code ${code}`));
      });
    });
}
