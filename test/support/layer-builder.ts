/**
 * Builds image layers for the inventory tests: tarballs written with tar-stream (or byte by byte,
 * for headers no well-behaved writer produces), compressed with gzip or the zstd CLI, zip archives
 * (jars) with a given member list, and an ImageLayer over the bytes that counts what is read.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex, Readable } from 'node:stream';
import { createDeflateRaw, createGzip, crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { BetterSqliteFileReader } from '../../src/adapters/sqlite-file/better-sqlite3-file-reader.js';
import type { Inventory } from '../../src/domain/scanning/inventory/model.js';
import { readInventory, type ImageLayer, type ReadInventoryOptions } from '../../src/domain/scanning/inventory/read-inventory.js';
import { repoRoot } from './tools.js';

/** The committed fixture files (see PROVENANCE.md). */
export const fixtures = join(repoRoot, 'test/fixtures/layers');

export interface LayerEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  content?: string | Buffer;
  mode?: number;
  linkname?: string;
}

/** An uncompressed layer tarball, as tar-stream writes it (pax headers for long names). */
export async function tarLayer(entries: LayerEntry[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of archive) chunks.push(chunk as Buffer);
  })();
  for (const { name, type = 'file', content = '', mode, linkname } of entries) {
    await new Promise<void>((resolve, reject) =>
      archive.entry(
        { name, type, mode: mode ?? (type === 'directory' ? 0o755 : 0o644), ...(linkname !== undefined && { linkname }), mtime: new Date(0) },
        type === 'file' ? content : '',
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  }
  archive.finalize();
  await collected;
  return Buffer.concat(chunks);
}

/** A ustar header written by hand: any name, any declared size (base-256 beyond octal's reach), no checks. */
export function rawTarHeader(name: string, size: number, typeflag = '0'): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  if (size < 8 ** 11) header.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  else {
    header[124] = 0x80;
    header.writeBigUInt64BE(BigInt(size), 128);
  }
  header.write('00000000000\0', 136);
  header.write(typeflag, 156);
  header.write('ustar\0' + '00', 257);
  header.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return header;
}

export function gzip(data: Buffer): Buffer {
  return gzipSync(data);
}

export const zstdAvailable = spawnSync('zstd', ['--version']).status === 0;

export function zstd(data: Buffer): Buffer {
  const result = spawnSync('zstd', ['-q', '-c', '-3'], { input: data, maxBuffer: 1024 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`zstd failed: ${result.stderr.toString()}`);
  return result.stdout;
}

/** A gzip-compressed tar holding one entry of `bytes` zero bytes, compressed as it is generated (only the compressed bytes are held). */
export function gzipBomb(bytes: number): Promise<Buffer> {
  return zeroTar(createGzip({ level: 1 }), bytes);
}

/** The same, compressed by the zstd CLI. */
export function zstdBomb(bytes: number): Promise<Buffer> {
  const zstdProcess = spawn('zstd', ['-q', '-c', '-1'], { stdio: ['pipe', 'pipe', 'inherit'] });
  return zeroTar(Duplex.from({ writable: zstdProcess.stdin, readable: zstdProcess.stdout }), bytes);
}

async function zeroTar(compressor: Duplex, bytes: number): Promise<Buffer> {
  const compressed: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of compressor) compressed.push(chunk as Buffer);
  })();
  await writeAll(compressor, [rawTarHeader('zeros', bytes)], bytes, [Buffer.alloc(1024)]);
  await collected;
  return Buffer.concat(compressed);
}

export interface ZipMember {
  name: string;
  data?: Buffer;
  /** Instead of data: this many zero bytes, deflated as they are generated. */
  zeros?: number;
  /** What the headers claim the uncompressed size is, when it should not be the truth. */
  declaredSize?: number;
}

/** A zip archive (deflate), written field by field (APPNOTE.TXT §4.3). */
export async function zipArchive(members: ZipMember[]): Promise<Buffer> {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const member of members) {
    const { compressed, crc, size } = member.zeros !== undefined ? await deflatedZeros(member.zeros) : deflated(member.data ?? Buffer.alloc(0));
    const name = Buffer.from(member.name);
    // Local and central headers share one run of fields (version needed ... name length), at 4 and 6.
    const header = (signature: number, length: number, fieldsAt: number) => {
      const bytes = Buffer.alloc(length);
      bytes.writeUInt32LE(signature, 0);
      bytes.writeUInt16LE(20, fieldsAt);
      bytes.writeUInt16LE(8, fieldsAt + 4);
      bytes.writeUInt32LE(crc, fieldsAt + 10);
      bytes.writeUInt32LE(compressed.length, fieldsAt + 14);
      bytes.writeUInt32LE(member.declaredSize ?? size, fieldsAt + 18);
      bytes.writeUInt16LE(name.length, fieldsAt + 22);
      return bytes;
    };
    const local = header(0x04034b50, 30, 4);
    const central = header(0x02014b50, 46, 6);
    central.writeUInt16LE(20, 4);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

function deflated(data: Buffer): { compressed: Buffer; crc: number; size: number } {
  return { compressed: deflateRawSync(data), crc: crc32(data), size: data.length };
}

async function deflatedZeros(size: number): Promise<{ compressed: Buffer; crc: number; size: number }> {
  const compressor = createDeflateRaw({ level: 1 });
  const compressed: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of compressor) compressed.push(chunk as Buffer);
  })();
  const crc = await writeAll(compressor, [], size, []);
  await collected;
  return { compressed: Buffer.concat(compressed), crc, size };
}

/** Writes `before`, then `zeros` zero bytes, then `after` into a compressor, minding backpressure; resolves with the zeros' CRC-32. */
async function writeAll(compressor: NodeJS.WritableStream, before: Buffer[], zeros: number, after: Buffer[]): Promise<number> {
  const block = Buffer.alloc(1024 * 1024);
  const write = (chunk: Buffer) => (compressor.write(chunk) ? Promise.resolve() : new Promise<void>((resolve) => compressor.once('drain', resolve)));
  let crc = 0;
  for (const chunk of before) await write(chunk);
  for (let left = zeros; left > 0; left -= block.length) {
    const chunk = left >= block.length ? block : block.subarray(0, left);
    crc = crc32(chunk, crc);
    await write(chunk);
  }
  for (const chunk of after) await write(chunk);
  compressor.end();
  return crc;
}

export interface CountingLayer extends ImageLayer {
  /** Bytes of the blob handed out so far. */
  readonly bytesRead: number;
}

/** A layer over `blob`, handed out in 64 KiB chunks, as an object store would stream it. */
export function imageLayer(blob: Buffer): CountingLayer {
  const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
  const layer = {
    digest,
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    size: blob.length,
    bytesRead: 0,
    async open() {
      return Readable.from(
        (function* () {
          for (let at = 0; at < blob.length; at += 65536) {
            layer.bytesRead = Math.min(blob.length, at + 65536);
            yield blob.subarray(at, at + 65536);
          }
        })(),
      );
    },
  };
  return layer;
}

/**
 * readInventory with the real SQLite adapter and a scratch parent of the test's own, which must be
 * empty again when it settles, whether it resolved or rejected.
 */
export async function scanLayers(layers: ImageLayer[], options: Omit<ReadInventoryOptions, 'sqlite' | 'scratchParent'> = {}): Promise<Inventory> {
  const scratchParent = mkdtempSync(join(tmpdir(), 'berth-inventory-test-'));
  try {
    return await readInventory(layers, { ...options, sqlite: new BetterSqliteFileReader(), scratchParent });
  } finally {
    const left = readdirSync(scratchParent);
    rmSync(scratchParent, { recursive: true, force: true });
    if (left.length > 0) throw new Error(`the scan left ${left.join(', ')} in its scratch area`);
  }
}

/** The layers of an image whose layers are these tarballs, gzip-compressed. */
export async function gzipLayers(...layers: LayerEntry[][]): Promise<CountingLayer[]> {
  return Promise.all(layers.map(async (entries) => imageLayer(gzip(await tarLayer(entries)))));
}
