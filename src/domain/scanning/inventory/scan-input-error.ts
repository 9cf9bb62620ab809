/**
 * Why an image's layers could not be read into an inventory:
 * - `malformed`: a layer or a package database is not what it claims to be (bad gzip, bad tar, a path leaving the image root);
 * - `limit`: reading would cross one of the configured limits (decompression bombs, absurd sizes, deep nesting);
 * - `unsupported`: the image is well formed but keeps its packages in a format Berth does not read.
 */
export type ScanInputProblem = 'malformed' | 'limit' | 'unsupported';

/** Raised for hostile or unreadable image content; its message is user-facing (it becomes the scan's FAILED description). */
export class ScanInputError extends Error {
  override readonly name = 'ScanInputError';
  constructor(
    readonly problem: ScanInputProblem,
    message: string,
  ) {
    super(message);
  }
}
