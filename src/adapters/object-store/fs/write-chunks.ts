import type { FileHandle } from 'node:fs/promises';

/**
 * Bytes gathered before one write call, and how many such batches one append may hold: one
 * filling on the main thread (which is busy hashing the same bytes) while the others are written
 * in order by the thread pool. Measured on a 2-vCPU VM ingesting 512 MiB in 64 KiB chunks with
 * SHA-256 alongside: 1 MiB x 4 was at least as fast as 2-8 MiB batches and holds only 4 MiB.
 */
export const WRITE_BATCH_BYTES = 1024 * 1024;
export const WRITE_BATCHES = 4;

/**
 * Writes every chunk of `data`, in order, from `position` on, and resolves with the position after
 * the last byte. Chunks are copied into a small ring of batch buffers that are written one after
 * another while the next fills on the main thread, so memory stays at WRITE_BATCHES batches and
 * `data` is pulled only as fast as writes complete. Copying (rather than keeping references) also
 * keeps us correct when a producer reuses its buffer. Chunks received before a failure or an
 * abort are written before the error propagates, so the stored bytes are exactly what the caller
 * saw go by.
 */
export async function writeChunks(
  file: FileHandle,
  position: number,
  data: AsyncIterable<Uint8Array>,
  signal?: AbortSignal,
): Promise<number> {
  const buffers: Buffer[] = [Buffer.allocUnsafe(WRITE_BATCH_BYTES)];
  const written: Promise<void>[] = []; // per buffer: its last write, which must finish before reuse
  let tail: Promise<void> = Promise.resolve(); // writes are chained: in order, none after a failure
  let current = 0;
  let filled = 0;

  const flush = async (): Promise<void> => {
    const batch = buffers[current]!.subarray(0, filled);
    const at = position;
    tail = tail.then(() => writeFully(file, batch, at));
    tail.catch(() => {}); // observed when the buffer is reused or at the end; no unhandled rejection
    written[current] = tail;
    position += filled;
    filled = 0;
    current = (current + 1) % WRITE_BATCHES;
    if (buffers[current]) await written[current];
    else buffers[current] = Buffer.allocUnsafe(WRITE_BATCH_BYTES); // only big appends allocate more
  };
  const drain = async (): Promise<void> => {
    try {
      if (filled > 0) await flush();
    } finally {
      await tail; // never leave a write running on a handle the caller is about to close
    }
  };

  const iterator = data[Symbol.asyncIterator]();
  const next = abortableNext(iterator, signal);
  try {
    for (let step = await next(); !step.done; step = await next()) {
      const chunk = step.value;
      for (let offset = 0; offset < chunk.byteLength; ) {
        const n = Math.min(WRITE_BATCH_BYTES - filled, chunk.byteLength - offset);
        buffers[current]!.set(chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === WRITE_BATCH_BYTES) await flush();
      }
    }
  } catch (error) {
    // Release the source (a no-op when it is what failed), keep what was received, report the cause.
    Promise.resolve()
      .then(() => iterator.return?.())
      .catch(() => {});
    await drain().catch(() => {});
    throw error;
  } finally {
    next.dispose();
  }
  await drain();
  return position;
}

async function writeFully(file: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.byteLength; ) {
    const { bytesWritten } = await file.write(bytes, done, bytes.byteLength - done, position + done);
    if (bytesWritten <= 0) throw new Error('write made no progress');
    done += bytesWritten;
  }
}

/**
 * `iterator.next()` that also rejects when `signal` aborts, so a stalled source cannot hold an
 * append forever. One listener for the whole append (not one per chunk) keeps the hot path cheap.
 */
function abortableNext<T>(
  iterator: AsyncIterator<T>,
  signal?: AbortSignal,
): (() => Promise<IteratorResult<T>>) & { dispose(): void } {
  let rejectPending: ((reason: unknown) => void) | undefined;
  const onAbort = (): void => rejectPending?.(signal!.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const next = (): Promise<IteratorResult<T>> => {
    if (!signal) return iterator.next();
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      rejectPending = reject; // settling an already-settled promise later is a no-op
      iterator.next().then(resolve, reject);
    });
  };
  return Object.assign(next, { dispose: () => signal?.removeEventListener('abort', onAbort) });
}
