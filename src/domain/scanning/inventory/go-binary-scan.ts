import { GO_BUILDINFO_ALIGNMENT, GO_BUILDINFO_MAGIC, decodeGoBuildInfo, type GoBuildInfo } from './go-buildinfo.js';

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

/**
 * Finds a Go binary's build info while the file streams past, holding only the magic's length of
 * earlier bytes and, once found, the build info itself (at most `maxInfoBytes`). Feed it chunks
 * until `done`; then `result` is the build info, 'legacy' (pre-1.18 layout), 'oversized', or
 * undefined for a file that is not an ELF Go binary.
 */
export class GoBinaryScan {
  done = false;
  result: GoBuildInfo | 'legacy' | 'oversized' | undefined;
  /** Bytes of the file before `carry`. */
  private offset = 0;
  /** The last bytes of the previous chunk (a magic may straddle chunks), or the start of the build info once found. */
  private carry: Buffer = Buffer.alloc(0);
  private found = false;

  constructor(private readonly maxInfoBytes: number) {}

  push(chunk: Buffer): void {
    if (this.done) return;
    const window = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    if (this.found) {
      this.carry = window;
      this.decode();
    } else if (this.offset === 0 && window.length < ELF_MAGIC.length) {
      this.carry = window;
    } else if (this.offset === 0 && !window.subarray(0, ELF_MAGIC.length).equals(ELF_MAGIC)) {
      this.done = true;
    } else {
      this.search(window);
    }
  }

  /** The file ended: whatever was found so far is all there is. */
  end(): void {
    this.done = true;
  }

  private search(window: Buffer): void {
    for (let at = window.indexOf(GO_BUILDINFO_MAGIC); at !== -1; at = window.indexOf(GO_BUILDINFO_MAGIC, at + 1)) {
      if ((this.offset + at) % GO_BUILDINFO_ALIGNMENT === 0) {
        this.found = true;
        this.carry = Buffer.from(window.subarray(at));
        this.decode();
        return;
      }
    }
    const keep = Math.min(window.length, GO_BUILDINFO_MAGIC.length - 1);
    this.offset += window.length - keep;
    this.carry = Buffer.from(window.subarray(window.length - keep));
  }

  private decode(): void {
    const decoded = decodeGoBuildInfo(this.carry);
    if (decoded !== 'incomplete') {
      this.result = decoded;
      this.done = true;
    } else if (this.carry.length > this.maxInfoBytes) {
      this.result = 'oversized';
      this.done = true;
    }
  }
}
