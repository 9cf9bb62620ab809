import { setTimeout as sleep } from 'node:timers/promises';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SqliteDialect,
  type SqliteDatabase,
} from 'kysely';

export interface SqliteConnections {
  /** Runs transactions and every statement that writes, one at a time. */
  writer: SqliteDatabase;
  /** Runs read-only statements outside transactions (a query_only connection to the same file). */
  reader: SqliteDatabase;
  /** Runs after both connections close (stops what else uses the file, such as the checkpointer). */
  onClose?: () => Promise<void>;
}

/**
 * Kysely's SQLite dialect with a driver of our own over two connections to one file:
 * - a read outside a transaction runs on the reader connection at once. On one connection it would
 *   queue behind a transaction waiting for another process's write lock (`berth gc` beside the
 *   server), and every GET with it. WAL lets the reader see the last commit without waiting;
 * - transactions and writes take turns on the writer connection, which transactions take up front
 *   (BEGIN IMMEDIATE): a deferred transaction that reads and then writes fails at once with
 *   SQLITE_BUSY when another process wrote in between, whereas taking the lock first waits for it;
 * - waiting for another process's write lock happens off the event loop. better-sqlite3 waits
 *   synchronously for busy_timeout, so that is 0 (open.ts) and a refused statement is retried after
 *   a timer, every few milliseconds, up to BUSY_WAIT_MS.
 */
export class TwoConnectionSqliteDialect extends SqliteDialect {
  readonly #connections: SqliteConnections;

  constructor(connections: SqliteConnections) {
    super({ database: connections.writer });
    this.#connections = connections;
  }

  override createDriver(): Driver {
    return new TwoConnectionSqliteDriver(this.#connections);
  }
}

/** How long a statement may wait for another process's write lock in all. */
const BUSY_WAIT_MS = 30_000;
const MAX_RETRY_DELAY_MS = 5;

class TwoConnectionSqliteDriver implements Driver {
  readonly #writerTurn = new Turn();

  constructor(readonly connections: SqliteConnections) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new RoutedConnection(this.connections, this.#writerTurn);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as RoutedConnection).begin();
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as RoutedConnection).release();
  }

  async destroy(): Promise<void> {
    await this.connections.onClose?.();
    this.connections.reader.close();
    this.connections.writer.close();
  }
}

/** One acquisition: reads go to the reader until a transaction begins, which holds the writer until released. */
class RoutedConnection implements DatabaseConnection {
  #inTransaction = false;

  constructor(
    private readonly connections: SqliteConnections,
    private readonly writerTurn: Turn,
  ) {}

  async begin(): Promise<void> {
    await this.writerTurn.take();
    this.#inTransaction = true;
    await whileBusy(() => run(this.connections.writer, CompiledQuery.raw('begin immediate')));
  }

  release(): void {
    if (!this.#inTransaction) return;
    this.#inTransaction = false;
    this.writerTurn.give();
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.#inTransaction) return whileBusy(() => run<R>(this.connections.writer, query));
    if (isReadOnly(this.connections.reader, query.sql)) {
      return whileBusy(() => run<R>(this.connections.reader, query));
    }
    await this.writerTurn.take();
    try {
      return await whileBusy(() => run<R>(this.connections.writer, query));
    } finally {
      this.writerTurn.give();
    }
  }

  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('the SQLite metadata store does not stream queries');
  }
}

/** Whether a statement only reads (better-sqlite3 reports it; `readonly` is absent from kysely's type). */
function isReadOnly(database: SqliteDatabase, sql: string): boolean {
  return (database.prepare(sql) as { readonly?: boolean }).readonly === true;
}

function run<R>(database: SqliteDatabase, { sql, parameters }: CompiledQuery): Promise<QueryResult<R>> {
  const statement = database.prepare(sql);
  if (statement.reader) return Promise.resolve({ rows: statement.all(parameters) as R[] });
  const { changes, lastInsertRowid } = statement.run(parameters);
  return Promise.resolve({ numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] });
}

/** Turns on the writer connection, first come first served. */
class Turn {
  #held = false;
  readonly #waiting: (() => void)[] = [];

  async take(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  give(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#held = false;
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
