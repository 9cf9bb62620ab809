import Database from 'better-sqlite3';
import type { SqliteFileReader } from '../../domain/ports/sqlite-file-reader.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** SqliteFileReader over better-sqlite3: read-only, one statement, rows streamed by its iterator. */
export class BetterSqliteFileReader implements SqliteFileReader {
  async *readBlobs(file: string, table: string, column: string): AsyncIterable<Uint8Array> {
    if (!IDENTIFIER.test(table) || !IDENTIFIER.test(column)) throw new TypeError(`not a plain SQL identifier: ${table}.${column}`);
    const database = new Database(file, { readonly: true, fileMustExist: true });
    try {
      for (const [value] of database.prepare(`SELECT "${column}" FROM "${table}"`).raw().iterate() as IterableIterator<[unknown]>) {
        if (!(value instanceof Uint8Array)) throw new TypeError(`${table}.${column} holds a ${value === null ? 'null' : typeof value}, not a blob`);
        yield value;
      }
    } finally {
      database.close();
    }
  }
}
