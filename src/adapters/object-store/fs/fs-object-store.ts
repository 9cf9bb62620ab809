import { constants } from 'node:fs';
import { mkdir, open, opendir, rename, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { addAbortSignal, type Readable } from 'node:stream';
import {
  ObjectNotFoundError,
  ObjectOffsetMismatchError,
  type ByteRange,
  type ObjectInfo,
  type ObjectSender,
  type ObjectStore,
} from '../../../domain/ports/object-store.js';
import { KeyedMutex } from '../../../domain/content/keyed-mutex.js';
import { keySegments, prefixSegments } from './keys.js';
import { fileSender, wholeOrRange } from './send-file.js';
import { writeChunks } from './write-chunks.js';

/** Read buffer per stream: 4 MiB reads served 2.2-2.6 GB/s here, against 1.6-2.0 GB/s with 1 MiB. */
export const READ_CHUNK_BYTES = 4 * 1024 * 1024;

/** Objects as files under a root directory (created on demand); keys map to relative paths. */
export class FsObjectStore implements ObjectStore {
  private readonly root: string;
  private readonly locks = new KeyedMutex(); // per key: appends never interleave

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    try {
      const info = await stat(this.file(key));
      return info.isFile() ? { size: info.size } : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async read(key: string, range?: ByteRange, signal?: AbortSignal): Promise<Readable> {
    const file = this.file(key);
    if (range) checkRange(range);
    signal?.throwIfAborted();
    // Open first so absence is reported before streaming; streaming from the open handle keeps
    // an in-flight read intact when the object is deleted meanwhile.
    const { handle } = await openObject(file, key);
    const stream = handle.createReadStream({ start: range?.start, end: range?.end, highWaterMark: READ_CHUNK_BYTES });
    return signal ? addAbortSignal(signal, stream) : stream;
  }

  async openForSend(key: string, range?: ByteRange): Promise<ObjectSender> {
    if (range) checkRange(range);
    const { handle, size } = await openObject(this.file(key), key);
    const { start, end } = wholeOrRange(size, range);
    return fileSender(handle, start, end);
  }

  async append(key: string, offset: number, data: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<number> {
    const file = this.file(key);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`invalid append offset ${offset}`);
    // The offset check and the writes happen under the lock, so concurrent appends never interleave.
    return this.locks.run(key, async () => {
      signal?.throwIfAborted();
      const handle = await this.openForAppend(file, key, offset);
      try {
        const { size } = await handle.stat();
        if (size !== offset) throw new ObjectOffsetMismatchError(key, offset, size);
        return await writeChunks(handle, offset, data, signal);
      } finally {
        await handle.close();
      }
    });
  }

  async commit(from: string, to: string): Promise<void> {
    const source = this.file(from);
    const target = this.file(to);
    await this.locks.run(from, async () => {
      await syncAndClose((await openObject(source, from)).handle);
      if (await this.stat(to)) {
        // Content addressing: an existing target holds the same bytes, so the source is redundant.
        await this.remove(source);
        return;
      }
      await withParentDir(target, () => rename(source, target));
      await syncAndClose(await open(path.dirname(target), 'r')); // makes the new directory entry durable
      await this.prune(path.dirname(source));
    });
  }

  async delete(key: string): Promise<void> {
    await this.remove(this.file(key));
  }

  list(prefix: string): AsyncIterable<string> {
    const segments = prefixSegments(prefix); // validated now, not on first iteration
    return walk(path.join(this.root, ...segments), segments.join('/'));
  }

  private file(key: string): string {
    return path.join(this.root, ...keySegments(key));
  }

  private async openForAppend(file: string, key: string, offset: number): Promise<FileHandle> {
    // Only offset 0 may create the object; otherwise an absent object is a mismatch (size 0).
    if (offset === 0) return withParentDir(file, () => open(file, constants.O_RDWR | constants.O_CREAT, 0o644));
    try {
      return await open(file, 'r+');
    } catch (error) {
      if (isMissing(error)) throw new ObjectOffsetMismatchError(key, offset, 0);
      throw error;
    }
  }

  private async remove(file: string): Promise<void> {
    try {
      await unlink(file);
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    await this.prune(path.dirname(file));
  }

  /**
   * Removes now-empty directories up to (not including) the root's own children, which stay so that
   * busy prefixes such as uploads/ are not removed and recreated under concurrent writers;
   * rmdir fails fast when not empty.
   */
  private async prune(dir: string): Promise<void> {
    while (path.dirname(dir).length > this.root.length && dir.startsWith(this.root + path.sep)) {
      try {
        await rmdir(dir);
      } catch {
        return;
      }
      dir = path.dirname(dir);
    }
  }
}

/** Opens an object for reading, with its size from the same fstat that tells it is a file. */
async function openObject(file: string, key: string): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if (isMissing(error)) throw new ObjectNotFoundError(key);
    throw error;
  }
  // A key naming a directory opens fine on Linux but is not an object.
  const info = await handle.stat().catch(() => undefined);
  if (info?.isFile()) return { handle, size: info.size };
  await handle.close();
  throw new ObjectNotFoundError(key);
}

/**
 * Runs `op`, creating the parent directory when it is missing. Retried a few times because a
 * concurrent prune may remove a freshly created, still-empty directory.
 */
async function withParentDir<T>(file: string, op: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (error) {
      if (attempt >= 4 || !isMissing(error)) throw error;
      await makeDirectoryDurably(path.dirname(file));
    }
  }
}

/**
 * Creates `dir` and any missing ancestors, then fsyncs the directories that gained an entry, so a
 * committed object's path survives a crash (the commit fsyncs only the object's own directory).
 */
async function makeDirectoryDurably(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true });
  if (first === undefined) return;
  for (let parent = dir; parent !== path.dirname(first); ) {
    parent = path.dirname(parent);
    await syncAndClose(await open(parent, 'r'));
  }
}

async function syncAndClose(handle: FileHandle): Promise<void> {
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function* walk(dir: string, keyPrefix: string): AsyncGenerator<string> {
  let entries;
  try {
    entries = await opendir(dir); // streams entries: flat memory for huge directories
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  for await (const entry of entries) {
    const key = keyPrefix ? `${keyPrefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) yield* walk(path.join(dir, entry.name), key);
    else if (entry.isFile()) yield key;
  }
}

function checkRange({ start, end }: ByteRange): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new RangeError(`invalid byte range ${start}-${end}`);
  }
}

function isMissing(error: unknown): boolean {
  return isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR');
}

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code;
}
