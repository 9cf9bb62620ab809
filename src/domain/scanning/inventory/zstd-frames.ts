import { describeBytes } from './limits.js';
import { ScanInputError } from './scan-input-error.js';

/**
 * The largest window a zstd frame may ask for: zstd's own decoder refuses more by default
 * (ZSTD_WINDOWLOG_LIMIT_DEFAULT, 2^27), and fzstd allocates the whole window up front.
 */
export const MAX_ZSTD_WINDOW_BYTES = 128 * 1024 * 1024;

/** How much output one piece handed to the decoder may produce at most, so a tiny run of RLE blocks cannot expand to gigabytes in one call. */
const MAX_PIECE_OUTPUT_BYTES = 1024 * 1024;
/** A compressed block never regenerates more than this (RFC 8878 §3.1.1.2.4). */
const MAX_BLOCK_BYTES = 128 * 1024;

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const RAW_BLOCK = 0;
const RLE_BLOCK = 1;
const RESERVED_BLOCK = 3;

/**
 * Follows the frame and block headers of a zstd stream as its compressed bytes pass (RFC 8878 §3.1):
 * a frame asking for an oversized window is refused before the decoder allocates it, a stream that
 * stops inside a frame is reported as truncated, and each chunk is cut at block boundaries into
 * pieces that decompress to about a megabyte at most.
 */
export class ZstdFrameWalker {
  /** Header bytes gathered so far, when a header spans chunks. */
  private header: number[] = [];
  /** Bytes to pass over before the next header (block contents, skippable frames, checksums). */
  private skip = 0;
  private inFrame = false;
  private frameHasChecksum = false;
  /** The most the bytes since the last cut can decompress to. */
  private pendingOutput = 0;

  constructor(private readonly layer: string) {}

  /** The chunk, cut where the output since the previous cut reaches MAX_PIECE_OUTPUT_BYTES. */
  pieces(chunk: Uint8Array): Uint8Array[] {
    const pieces: Uint8Array[] = [];
    let start = 0;
    let offset = 0;
    while (offset < chunk.length) {
      if (this.skip > 0) {
        const passed = Math.min(this.skip, chunk.length - offset);
        this.skip -= passed;
        offset += passed;
        if (this.skip === 0 && this.pendingOutput >= MAX_PIECE_OUTPUT_BYTES) {
          pieces.push(chunk.subarray(start, offset));
          start = offset;
          this.pendingOutput = 0;
        }
        continue;
      }
      this.header.push(chunk[offset++]!);
      if (this.inFrame) this.readBlockHeader();
      else this.readFrameHeader();
    }
    if (start < chunk.length) pieces.push(chunk.subarray(start));
    return pieces;
  }

  /** Throws when the stream ended inside a frame. */
  end(): void {
    if (this.inFrame || this.skip > 0 || this.header.length > 0) throw new ScanInputError('malformed', `${this.layer} is not a valid zstd stream: it ends inside a frame`);
  }

  private readFrameHeader(): void {
    const bytes = this.header;
    if (bytes.length < 4) return;
    const magic = littleEndian(bytes.slice(0, 4));
    if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (bytes.length < 8) return;
      this.skip = littleEndian(bytes.slice(4, 8));
      this.header = [];
      return;
    }
    if (magic !== ZSTD_MAGIC) throw new ScanInputError('malformed', `${this.layer} is not a valid zstd stream: a frame does not start with the zstd magic number`);
    if (bytes.length < 5) return;
    const descriptor = bytes[4]!;
    const singleSegment = (descriptor >> 5) & 1;
    const contentSizeFlag = descriptor >> 6;
    const dictionaryIdBytes = [0, 1, 2, 4][descriptor & 3]!;
    const contentSizeBytes = contentSizeFlag === 0 ? singleSegment : 1 << contentSizeFlag;
    const headerLength = 5 + (singleSegment ? 0 : 1) + dictionaryIdBytes + contentSizeBytes;
    if (bytes.length < headerLength) return;
    // A single-segment frame's window is its whole content (Frame_Content_Size; its 2-byte form is stored minus 256).
    const window = singleSegment
      ? littleEndian(bytes.slice(headerLength - contentSizeBytes, headerLength)) + (contentSizeFlag === 1 ? 256 : 0)
      : windowSize(bytes[5]!);
    if (window > MAX_ZSTD_WINDOW_BYTES) {
      throw new ScanInputError('limit', `${this.layer} is zstd-compressed with a ${describeBytes(window)} window (at most ${describeBytes(MAX_ZSTD_WINDOW_BYTES)} is accepted)`);
    }
    this.frameHasChecksum = ((descriptor >> 2) & 1) === 1;
    this.inFrame = true;
    this.header = [];
  }

  private readBlockHeader(): void {
    if (this.header.length < 3) return;
    const value = littleEndian(this.header);
    const last = value & 1;
    const type = (value >> 1) & 3;
    const size = value >>> 3;
    if (type === RESERVED_BLOCK) throw new ScanInputError('malformed', `${this.layer} is not a valid zstd stream: a block has the reserved type`);
    this.skip = type === RLE_BLOCK ? 1 : size;
    this.pendingOutput += type === RAW_BLOCK || type === RLE_BLOCK ? size : MAX_BLOCK_BYTES;
    if (last) {
      this.skip += this.frameHasChecksum ? 4 : 0;
      this.inFrame = false;
    }
    this.header = [];
  }
}

function littleEndian(bytes: number[]): number {
  let value = 0;
  for (let i = bytes.length - 1; i >= 0; i--) value = value * 256 + bytes[i]!;
  return value;
}

/** Window_Descriptor: 2^(10 + exponent) plus mantissa eighths of it. */
function windowSize(descriptor: number): number {
  const base = 2 ** (10 + (descriptor >> 3));
  return base + (base / 8) * (descriptor & 7);
}
