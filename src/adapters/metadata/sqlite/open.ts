import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Dialect } from 'kysely';
import { WalCheckpointer } from './checkpointer.js';
import { TwoConnectionSqliteDialect } from './dialect.js';
import { withStatementCache } from './statement-cache.js';

/** SQLite's default: a commit checkpoints once the WAL holds this many pages. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

/** Opens (creating it if need be) the SQLite database file at `path`: a writer and a reader connection (dialect.ts). */
export function sqliteDialect(path: string): Dialect {
  mkdirSync(dirname(path), { recursive: true });
  const writer = openConnection(path, (database) => {
    // Readers never block the writer, and other processes (the CLI) can read while we write.
    database.pragma('journal_mode = WAL');
  });
  let reader: BetterSqlite3.Database;
  try {
    reader = openConnection(path, (database) => database.pragma('query_only = ON'));
  } catch (err) {
    writer.close();
    throw err;
  }
  const checkpointer = new WalCheckpointer(path, () => writer.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`));
  return new TwoConnectionSqliteDialect({
    writer: withStatementCache(writer),
    reader: withStatementCache(reader),
    onClose: () => checkpointer.stop(),
  });
}

function openConnection(path: string, configure: (database: BetterSqlite3.Database) => void): BetterSqlite3.Database {
  const database = new BetterSqlite3(path);
  try {
    // First, so the journal mode switch waits for another process instead of failing.
    database.pragma('busy_timeout = 5000');
    configure(database);
    // Durable at checkpoints, consistent always: the usual trade-off with WAL.
    database.pragma('synchronous = NORMAL');
    // Checkpoints run on a timer in their own thread (checkpointer.ts), not inside commits; the WAL
    // file is truncated back to this size after each full checkpoint.
    database.pragma('wal_autocheckpoint = 0');
    database.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    // Off by default in SQLite; the schema's cascades depend on it.
    database.pragma('foreign_keys = ON');
    // From now on none: better-sqlite3 would wait with the event loop blocked (every request of the
    // process stalled while `berth gc` holds the write lock), so a busy statement fails at once and
    // is retried on a timer (dialect.ts).
    database.pragma('busy_timeout = 0');
  } catch (err) {
    database.close();
    throw err;
  }
  return database;
}
