/**
 * Reads a SQLite database file that came out of an image (RPM's rpmdb.sqlite), so the domain can
 * read one without a SQLite driver. The file is untrusted: it is opened read-only, and only the
 * named table and column are read.
 */
export interface SqliteFileReader {
  /**
   * The values of `column` in `table`, row by row. Rejects (or the iteration throws) when the file
   * is not a SQLite database, has no such table or column, or a value is not a blob.
   */
  readBlobs(file: string, table: string, column: string): AsyncIterable<Uint8Array>;
}
