import { setTimeout as sleep } from 'node:timers/promises';
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';

/**
 * Kysely's SQLite dialect (one connection behind a mutex, so the transactions of one process
 * queue), except that:
 * - transactions BEGIN IMMEDIATE: a deferred transaction that reads and then writes fails at once
 *   with SQLITE_BUSY when another process wrote in between, whereas taking the write lock up front
 *   waits for it;
 * - waiting for another process's write lock (`berth gc`, `berth lifecycle run` beside the server)
 *   happens off the event loop. better-sqlite3 waits synchronously for busy_timeout, so that is kept
 *   short (open.ts) and a statement still refused is retried after a timer, up to BUSY_WAIT_MS.
 */
export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/** How long a statement may wait for another process's write lock in all. */
const BUSY_WAIT_MS = 30_000;
const MAX_RETRY_DELAY_MS = 50;

class ImmediateSqliteDriver extends SqliteDriver {
  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    return {
      executeQuery: (query) => whileBusy(() => connection.executeQuery(query)),
      streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
    };
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** Runs `statement` again after a pause while SQLite refuses it as busy: a refused statement did nothing. */
async function whileBusy<T>(statement: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + BUSY_WAIT_MS;
  for (let delay = 1; ; delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS)) {
    try {
      return await statement();
    } catch (err) {
      if (!isBusy(err) || Date.now() >= deadline) throw err;
      await sleep(delay);
    }
  }
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}
