import { PostgresDialect, type Dialect } from 'kysely';
import pg from 'pg';

const INT8_OID = 20;

/** A connection pool to the PostgreSQL database at `url`. */
export function postgresDialect(url: string): Dialect {
  const pool = new pg.Pool({
    connectionString: url,
    // Sizes and millisecond timestamps are bigint columns; node-postgres returns those as
    // strings by default. They stay far below 2^53, so numbers are exact.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client lost its connection (server restart, network): the pool discards it and
  // the next query connects again. Without a listener the error would crash the process.
  pool.on('error', () => {});
  return new PostgresDialect({ pool });
}
