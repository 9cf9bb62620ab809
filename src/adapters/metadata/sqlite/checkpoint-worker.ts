/** WalCheckpointer's thread: a PASSIVE checkpoint on a timer (it never waits for readers or writers). */
import { workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';

const { databasePath, intervalMs } = workerData as { databasePath: string; intervalMs: number };
const database = new BetterSqlite3(databasePath);
database.pragma('busy_timeout = 1000');
setInterval(() => {
  try {
    database.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or interrupted: the next tick tries again.
  }
}, intervalMs);
