import { setTimeout as sleep } from 'node:timers/promises';

/** Work between two pauses, and the pause. */
const WORK_MS = 100;
const PAUSE_MS = 5;

/**
 * Leaves other writers a turn during a long pass. On SQLite the whole database has one write lock,
 * and a pass's transactions would otherwise follow each other with no gap: a push in the server
 * process, polling for the lock every few ms (adapters/metadata/sqlite/dialect.ts), waited up to
 * 2 s behind a `berth gc` over 30,000 blobs; with these pauses, half of that or less, for about a
 * twentieth of the pass's speed. PostgreSQL locks rows, so there it only costs that twentieth.
 * Real time, not the domain clock: this is about the machine, not about what is due.
 */
export class WritePacing {
  #workingSince = performance.now();

  /** Call between two transactions of the pass. */
  async between(): Promise<void> {
    if (performance.now() - this.#workingSince < WORK_MS) return;
    await sleep(PAUSE_MS);
    this.#workingSince = performance.now();
  }
}
