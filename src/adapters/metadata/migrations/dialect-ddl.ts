import { sql, type ColumnDataType, type ColumnDefinitionBuilder, type Expression } from 'kysely';

export type SqlDialect = 'sqlite' | 'postgres';

/** What differs between the dialects' DDL; a migration that only differs in these is written once. */
export interface DialectDdl {
  /** An integer primary key the database generates and never reuses after a delete. */
  identity(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /** Text that compares and orders byte-wise, so listings page the same on both dialects. */
  key: ColumnDataType | Expression<unknown>;
  bytes: ColumnDataType;
}

export const dialectDdl: Record<SqlDialect, DialectDdl> = {
  sqlite: {
    // AUTOINCREMENT keeps ids of deleted repositories from being handed out again.
    identity: (column) => column.primaryKey().autoIncrement(),
    // SQLite's default BINARY collation is already byte-wise.
    key: 'text',
    bytes: 'blob',
  },
  postgres: {
    identity: (column) => column.primaryKey().generatedAlwaysAsIdentity(),
    // The database's default collation is locale-aware; "C" compares bytes.
    key: sql`text collate "C"`,
    bytes: 'bytea',
  },
};
