import type { Readable, Writable } from 'node:stream';

/** An inclusive byte range, as HTTP Range uses. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface ObjectInfo {
  size: number;
}

/**
 * Bytes by key, nothing else: the object store knows no digests, repositories or manifests.
 * Keys are '/'-separated relative paths chosen by domain/content; adapters must reject keys
 * that are absolute or contain '.'/'..' segments.
 */
export interface ObjectStore {
  /** Size of the object, or undefined when there is none. */
  stat(key: string): Promise<ObjectInfo | undefined>;

  /** Streams the object or an inclusive byte range of it. Rejects with ObjectNotFoundError when absent. */
  read(key: string, range?: ByteRange, signal?: AbortSignal): Promise<Readable>;

  /**
   * Opens the object (or an inclusive byte range of it) to send it somewhere, rejecting with
   * ObjectNotFoundError when absent, so the caller can still answer "not found" before it starts a
   * response. The driver then writes into the destination from buffers of its own, reused from
   * chunk to chunk: serving a blob allocates nothing per chunk.
   */
  openForSend(key: string, range?: ByteRange): Promise<ObjectSender>;

  /**
   * Appends `data` to the object at `key`, creating it when `offset` is 0. Rejects with
   * ObjectOffsetMismatchError, writing nothing, when the object's current size is not `offset`.
   * Resolves with the new size. When `data` fails or `signal` aborts, what was written stays
   * (a later append continues from the new size) and the error propagates. The store may hold on to
   * chunks until the append resolves (to write them without copying): producers must not reuse them.
   */
  append(key: string, offset: number, data: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<number>;

  /**
   * Makes the object at `from` durable (fsync) and moves it to `to` atomically. When `to` exists
   * already the content is the same by construction (content addressing): `from` is discarded.
   * Readers never see a partial `to`.
   */
  commit(from: string, to: string): Promise<void>;

  /** Deletes the object; deleting an absent object is not an error. */
  delete(key: string): Promise<void>;

  /** Every key under a prefix (recursively), in no particular order. */
  list(prefix: string): AsyncIterable<string>;
}

export interface ObjectSender {
  /**
   * Writes every byte into `destination` (without ending it), waiting for each write to be taken
   * before its buffer is reused, then closes the object. Rejects, closing the object, when the
   * destination fails or closes early or `signal` aborts.
   */
  sendTo(destination: Writable, signal?: AbortSignal): Promise<void>;
  /** Closes the object without sending it. */
  close(): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  override readonly name = 'ObjectNotFoundError';
  constructor(readonly key: string) {
    super(`object not found: ${key}`);
  }
}

export class ObjectOffsetMismatchError extends Error {
  override readonly name = 'ObjectOffsetMismatchError';
  constructor(
    readonly key: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`object ${key} has ${actual} bytes, append expected ${expected}`);
  }
}
