/** WalCheckpointer's thread: a PASSIVE checkpoint on a timer (it never waits for readers or writers). */
import os from 'node:os';
import { workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';

// Background work: when the process's request thread wants a core this thread has, the request goes
// first (on Linux, 0 names the calling thread). Never raised: in a process that runs at lower priority
// (berth gc), the thread keeps it.
const belowNormal = os.constants.priority.PRIORITY_BELOW_NORMAL;
try {
  if (os.getPriority(0) < belowNormal) os.setPriority(0, belowNormal);
} catch {
  // A platform that refuses costs some request latency during checkpoints, nothing else.
}

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
