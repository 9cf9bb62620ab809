import { Worker } from 'node:worker_threads';

/** How often the WAL is copied back into the database file. */
const CHECKPOINT_INTERVAL_MS = 1_000;

/**
 * Runs SQLite's WAL checkpoints on a timer in a worker thread with its own connection, instead of
 * inside whichever commit crosses the auto-checkpoint threshold (connections open with
 * `wal_autocheckpoint = 0`, open.ts). A checkpoint writes pages back and fsyncs the file; run on
 * commit it blocked that connection's event loop for 30-130 ms, a few hundred times per GC pass, and
 * delayed requests queued behind it. On a timer, pages dirtied many times between two checkpoints are
 * written once, and the fsync waits on the other core.
 */
export class WalCheckpointer {
  readonly #worker: Worker;

  /** `onFailure` runs if the thread dies: the caller turns commits' own checkpoints back on, so the WAL cannot grow without end. */
  constructor(databasePath: string, onFailure: (err: Error) => void) {
    this.#worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), {
      workerData: { databasePath, intervalMs: CHECKPOINT_INTERVAL_MS },
      // Not the process's own flags (--input-type, --cpu-prof, ...), which do not apply to this thread.
      execArgv: [],
    });
    this.#worker.on('error', onFailure);
    // The timer alone must not keep a process (a CLI command) alive.
    this.#worker.unref();
  }

  /** Stops the thread; the database's own close checkpoints what is left. */
  async stop(): Promise<void> {
    await this.#worker.terminate();
  }
}
