import { open } from 'node:fs/promises';
import { describeBytes } from './limits.js';
import { ScanInputError } from './scan-input-error.js';
import type { TarEntry } from './tar-entries.js';

/**
 * Feeds each chunk of a tar entry to `sink`, to the entry's end. A ScanInputError from the sink stops
 * everything at once; any other error (a file to skip) is held while the rest of the entry drains,
 * since leaving an entry early would end the whole archive, and thrown after.
 */
export async function consumeEntry(entry: TarEntry, sink: (chunk: Buffer) => void): Promise<void> {
  let held: unknown;
  for await (const chunk of entry) {
    if (held !== undefined) continue;
    try {
      sink(chunk);
    } catch (error) {
      if (error instanceof ScanInputError) throw error;
      held = error;
    }
  }
  if (held !== undefined) throw held;
}

/** Refuses an entry whose declared size is over `limit` before reading any of it (tar-stream delivers exactly the declared size). */
export function checkEntrySize(entry: TarEntry, path: string, limit: number, limitName: string): void {
  const size = entry.header.size ?? 0;
  if (size > limit) throw new ScanInputError('limit', `${path} is ${describeBytes(size)} (limit ${limitName} ${describeBytes(limit)})`);
}

/** The whole entry as text, when it is at most `limit` bytes. */
export async function readEntryText(entry: TarEntry, path: string, limit: number, limitName: string): Promise<string> {
  checkEntrySize(entry, path, limit, limitName);
  const chunks: Buffer[] = [];
  await consumeEntry(entry, (chunk) => void chunks.push(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** Copies the entry into a new file (never over an existing one), when it is at most `limit` bytes. */
export async function writeEntryToFile(entry: TarEntry, file: string, path: string, limit: number, limitName: string): Promise<void> {
  checkEntrySize(entry, path, limit, limitName);
  const handle = await open(file, 'wx', 0o600);
  try {
    for await (const chunk of entry) await handle.write(chunk);
  } finally {
    await handle.close();
  }
}
