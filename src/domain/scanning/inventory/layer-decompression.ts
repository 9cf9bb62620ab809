import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { ScanInputError } from './scan-input-error.js';
import { ZstdFrameWalker } from './zstd-frames.js';

/** Magic numbers at the start of a layer blob; the media type is not trusted (mislabelled layers are common). */
const FORMATS: { name: string; magic: number[] }[] = [
  { name: 'gzip', magic: [0x1f, 0x8b] },
  { name: 'zstd', magic: [0x28, 0xb5, 0x2f, 0xfd] },
  { name: 'xz', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { name: 'bzip2', magic: [0x42, 0x5a, 0x68] },
];
const LONGEST_MAGIC = 6;

/**
 * The layer's tar bytes, decompressed as they stream: gzip (zlib), zstd (fzstd) or none, told apart
 * by the blob's first bytes. Errors of the compression format become ScanInputError; errors of the
 * source pass through untouched.
 */
export async function* decompressedLayer(blob: AsyncIterable<Uint8Array>, layer: string): AsyncGenerator<Uint8Array> {
  const chunks = blob[Symbol.asyncIterator]();
  const head = await readAtLeast(chunks, LONGEST_MAGIC);
  const whole = prepended(head, chunks);
  const format = FORMATS.find(({ magic }) => magic.every((byte, i) => head[i] === byte))?.name;
  switch (format) {
    case 'gzip':
      return yield* gunzipped(whole, layer);
    case 'zstd':
      return yield* unzstd(whole, layer);
    case undefined:
      return yield* whole;
    default:
      await whole.return(undefined);
      throw new ScanInputError('unsupported', `${layer} is ${format}-compressed; Berth reads gzip, zstd and uncompressed layers`);
  }
}

async function readAtLeast(chunks: AsyncIterator<Uint8Array>, length: number): Promise<Buffer> {
  const head: Uint8Array[] = [];
  let size = 0;
  while (size < length) {
    const next = await chunks.next();
    if (next.done) break;
    head.push(next.value);
    size += next.value.length;
  }
  return Buffer.concat(head);
}

async function* prepended(head: Buffer, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    if (head.length > 0) yield head;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    await rest.return?.();
  }
}

async function* gunzipped(compressed: AsyncIterable<Uint8Array>, layer: string): AsyncGenerator<Uint8Array> {
  const gunzip = createGunzip();
  // The pipeline's errors reach the loop below: it destroys gunzip with them.
  pipeline(Readable.from(compressed), gunzip, () => {});
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (error) {
    throw isZlibError(error) ? new ScanInputError('malformed', `${layer} is not a valid gzip stream (${error.message})`) : error;
  } finally {
    gunzip.destroy();
  }
}

function isZlibError(error: unknown): error is Error {
  const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('Z_');
}

async function* unzstd(compressed: AsyncIterable<Uint8Array>, layer: string): AsyncGenerator<Uint8Array> {
  const frames = new ZstdFrameWalker(layer);
  let output: Uint8Array[] = [];
  const decoder = new Decompress((data) => void output.push(data));
  const decode = (piece: Uint8Array, final: boolean): Buffer[] => {
    try {
      decoder.push(piece, final);
    } catch (error) {
      throw new ScanInputError('malformed', `${layer} is not a valid zstd stream (${error instanceof Error ? error.message : String(error)})`);
    }
    const ready = output.map((data) => Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    output = [];
    return ready;
  };
  for await (const chunk of compressed) {
    for (const piece of frames.pieces(chunk)) yield* decode(piece, false);
  }
  frames.end();
  yield* decode(new Uint8Array(0), true);
}
