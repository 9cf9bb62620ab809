import { extract, type Header } from 'tar-stream';
import { ScanInputError } from './scan-input-error.js';

/** One entry of a tar stream: its header, and its content in Buffer chunks. */
export interface TarEntry extends AsyncIterable<Buffer> {
  readonly header: Header;
  /** Lets the content drain unread. */
  resume(): void;
}

/**
 * The entries of a tar stream, one at a time, each to be read to its end (or resumed) before the next.
 * Errors of the tar format become ScanInputError; errors of the bytes themselves pass through untouched.
 * Never break out of a `for await` over an entry's content: that destroys the whole archive.
 */
export async function* tarEntries(bytes: AsyncIterable<Uint8Array>, layer: string): AsyncGenerator<TarEntry> {
  // Pre-POSIX (v7) headers are tar too; checksums still tell garbage apart.
  const archive = extract({ allowUnknownFormat: true } as Parameters<typeof extract>[0]);
  // Bytes are written in as the entries are read out; the writer ends when the source does or the archive is destroyed.
  let upstreamError: unknown;
  feed(bytes, archive).catch((error: unknown) => {
    upstreamError = error;
    archive.destroy(error as Error);
  });
  try {
    for await (const entry of archive) yield entry as unknown as TarEntry;
  } catch (error) {
    if (upstreamError !== undefined && error === upstreamError) throw error;
    throw new ScanInputError('malformed', `${layer} is not a valid tar archive (${error instanceof Error ? error.message : String(error)})`);
  } finally {
    archive.destroy();
  }
}

type Archive = ReturnType<typeof extract>;

async function feed(bytes: AsyncIterable<Uint8Array>, archive: Archive): Promise<void> {
  for await (const chunk of bytes) {
    if (archive.destroyed) return;
    if (!archive.write(chunk)) await drainedOrClosed(archive);
  }
  archive.end(null);
}

function drainedOrClosed(archive: Archive): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      archive.off('drain', done);
      archive.off('close', done);
      resolve();
    };
    archive.on('drain', done);
    archive.on('close', done);
  });
}
