import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';

/** Bytes read from the file at a time. */
const WINDOW_BYTES = 1024 * 1024;
/** Windows kept: one walks the central directory, another the entries' data. */
const WINDOWS = 2;

interface Window {
  start: number;
  bytes: Buffer;
}

/**
 * A file for yauzl, read a window of a mebibyte at a time. yauzl reads a zip archive in pieces of
 * a few dozen bytes (each entry's central directory record, then its local header, then its
 * data); reading each from the file costs a system call and a trip through the event loop, which
 * for an archive of 30,000 small records is most of the time an import takes. Both walks are
 * sequential, so a window per walk serves nearly every read from memory; memory stays bounded.
 */
export class WindowedFileReader extends yauzl.RandomAccessReader {
  readonly #file: FileHandle;
  readonly #size: number;
  /** Most recently used first. */
  #windows: Window[] = [];

  constructor(file: FileHandle, size: number) {
    super();
    this.#file = file;
    this.#size = size;
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null, bytesRead?: number) => void): void {
    this.#bytes(position, position + length).then(
      (bytes) => callback(null, bytes.copy(buffer, offset)),
      (err: Error) => callback(err),
    );
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return Readable.from([this.#bytes(start, end)], { objectMode: false });
  }

  override close(callback: (err: Error | null) => void): void {
    this.#file.close().then(
      () => callback(null),
      (err: Error) => callback(err),
    );
  }

  async #bytes(start: number, end: number): Promise<Buffer> {
    const hit = this.#windows.find((window) => window.start <= start && end <= window.start + window.bytes.length);
    if (hit !== undefined) {
      this.#windows = [hit, ...this.#windows.filter((window) => window !== hit)];
      return hit.bytes.subarray(start - hit.start, end - hit.start);
    }
    if (end - start > WINDOW_BYTES) return this.#readAt(start, end - start);
    const window = { start, bytes: await this.#readAt(start, Math.min(WINDOW_BYTES, this.#size - start)) };
    this.#windows = [window, ...this.#windows].slice(0, WINDOWS);
    return window.bytes.subarray(0, end - start);
  }

  async #readAt(position: number, length: number): Promise<Buffer> {
    const bytes = Buffer.allocUnsafe(Math.max(length, 0));
    const { bytesRead } = await this.#file.read(bytes, 0, bytes.length, position);
    return bytes.subarray(0, bytesRead);
  }
}
