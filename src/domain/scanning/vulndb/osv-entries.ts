import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';
import { WindowedFileReader } from './windowed-file-reader.js';

/** A record's JSON is never near this (Debian's largest is under 1 MB); a larger entry is refused, not read. */
export const MAX_RECORD_BYTES = 32 * 1024 * 1024;

/** Zip compression methods. */
const STORED = 0;
const DEFLATED = 8;

/**
 * One entry of a source, named for reports (zip entry name, or file path under the directory):
 * a record's JSON text, a reason it could not be read, or something that is not a record
 * (a directory entry, a file not named *.json) to pass over.
 */
export type OsvEntry = { name: string; text: string } | { name: string; problem: string } | { name: string; ignored: true };

export interface OsvEntries {
  /** How many entries `entries` yields. */
  total: number;
  /** Read one at a time as they are consumed, so at most one record's text is held. */
  entries: AsyncIterable<OsvEntry>;
}

/** The entries of an OSV zip archive (as osv.dev publishes `<ecosystem>/all.zip`), a directory tree of *.json files, or one JSON file. */
export async function openOsvEntries(path: string): Promise<OsvEntries> {
  const info = await stat(path);
  if (info.isDirectory()) return directoryEntries(path);
  if (await isZip(path)) return zipEntries(path);
  return { total: 1, entries: fileEntries(dirname(path), [basename(path)]) };
}

async function isZip(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(4), 0, 4, 0);
    // A local file header, or the end of central directory of an empty archive.
    return bytesRead === 4 && (buffer.readUInt32LE(0) === 0x04034b50 || buffer.readUInt32LE(0) === 0x06054b50);
  } finally {
    await file.close();
  }
}

async function directoryEntries(dir: string): Promise<OsvEntries> {
  const names = (await readdir(dir, { recursive: true })).filter((name) => name.endsWith('.json')).sort();
  return { total: names.length, entries: fileEntries(dir, names) };
}

/** The files `names` under `dir`. */
async function* fileEntries(dir: string, names: readonly string[]): AsyncGenerator<OsvEntry> {
  for (const name of names) {
    const path = join(dir, name);
    try {
      yield (await stat(path)).size > MAX_RECORD_BYTES ? tooLarge(name) : { name, text: await readFile(path, 'utf8') };
    } catch (err) {
      yield { name, problem: `cannot read it: ${(err as Error).message}` };
    }
  }
}

async function zipEntries(path: string): Promise<OsvEntries> {
  const file = await open(path, 'r');
  let zip: yauzl.ZipFile;
  try {
    const { size } = await file.stat();
    zip = await yauzl.fromRandomAccessReaderPromise(new WindowedFileReader(file, size), size, { validateEntrySizes: true });
  } catch (err) {
    await file.close();
    throw new Error(`${path} is not a readable zip archive: ${(err as Error).message}`);
  }
  return { total: zip.entryCount, entries: readZip(zip, path) };
}

async function* readZip(zip: yauzl.ZipFile, path: string): AsyncGenerator<OsvEntry> {
  try {
    for await (const entry of zip.eachEntry()) yield await zipEntry(zip, entry);
  } catch (err) {
    // Entries' own failures are reported with them; this is the archive's structure failing.
    throw new Error(`${path} is not a readable zip archive: ${(err as Error).message}`);
  } finally {
    zip.close();
  }
}

async function zipEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<OsvEntry> {
  const name = entry.fileName;
  if (!name.endsWith('.json')) return { name, ignored: true };
  if (entry.uncompressedSize > MAX_RECORD_BYTES) return tooLarge(name);
  if (entry.isEncrypted() || (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED)) {
    return { name, problem: `encrypted, or compressed with method ${entry.compressionMethod}, which OSV archives do not use` };
  }
  try {
    // Inflated here in one call: a small record's trip through an asynchronous zlib stream costs
    // more than inflating it, and an archive has tens of thousands.
    const raw = await readBytes(await zip.openReadStreamPromise(entry, { decodeFileData: false }));
    const bytes = entry.compressionMethod === DEFLATED ? inflateRawSync(raw, { maxOutputLength: MAX_RECORD_BYTES }) : raw;
    if (bytes.length !== entry.uncompressedSize) return { name, problem: `${bytes.length} bytes where the archive lists ${entry.uncompressedSize}` };
    return { name, text: bytes.toString('utf8') };
  } catch (err) {
    return { name, problem: `cannot read it from the archive: ${(err as Error).message}` };
  }
}

async function readBytes(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function tooLarge(name: string): OsvEntry {
  return { name, problem: `larger than ${MAX_RECORD_BYTES} bytes, which no OSV record is` };
}
