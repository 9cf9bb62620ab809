import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Dialect } from 'kysely';
import { ImmediateSqliteDialect } from './dialect.js';
import { withStatementCache } from './statement-cache.js';

/** Opens (creating it if need be) the SQLite database file at `path`. */
export function sqliteDialect(path: string): Dialect {
  mkdirSync(dirname(path), { recursive: true });
  const database = new BetterSqlite3(path);
  try {
    // First, so the journal mode switch below waits for another process instead of failing.
    database.pragma('busy_timeout = 5000');
    // Readers never block the writer, and other processes (the CLI) can read while we write.
    database.pragma('journal_mode = WAL');
    // Durable at checkpoints, consistent always: the usual trade-off with WAL.
    database.pragma('synchronous = NORMAL');
    // Off by default in SQLite; the schema's cascades depend on it.
    database.pragma('foreign_keys = ON');
    // From now on short: better-sqlite3 waits on the event loop; longer waits are retried off it (dialect.ts).
    database.pragma('busy_timeout = 20');
  } catch (err) {
    database.close();
    throw err;
  }
  return new ImmediateSqliteDialect({ database: withStatementCache(database) });
}
