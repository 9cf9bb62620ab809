import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';

export interface DownloadedFile {
  path: string;
  /** Removes the file and its temporary directory. */
  remove(): Promise<void>;
}

/**
 * Downloads `url` to a file in a new temporary directory, streaming (an archive is never held in
 * memory), reporting bytes received so far and the length the server announced.
 */
export async function downloadToTempFile(url: string, onBytes: (received: number, length: number | undefined) => void): Promise<DownloadedFile> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-vulndb-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    const response = await fetch(url).catch((err: Error) => {
      // fetch says only "fetch failed"; why is in the cause (refused, no such host, TLS).
      throw new Error(`GET ${url} failed: ${(err.cause as Error | undefined)?.message ?? err.message}`);
    });
    if (!response.ok || response.body === null) throw new Error(`GET ${url} answered ${response.status} ${response.statusText}`);
    const announced = Number(response.headers.get('content-length') ?? Number.NaN);
    const length = Number.isFinite(announced) ? announced : undefined;
    let received = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        onBytes(received, length);
        done(null, chunk);
      },
    });
    const path = join(dir, 'download');
    await pipeline(Readable.fromWeb(response.body as ReadableStream<Uint8Array>), counter, createWriteStream(path));
    return { path, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}
