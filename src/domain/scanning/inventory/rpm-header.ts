/** The header tags scanning reads (rpmtag.h). */
export const RpmTag = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  LICENSE: 1014,
  ARCH: 1022,
  SOURCERPM: 1044,
} as const;

const INT32_TYPE = 4;
const STRING_TYPE = 6;
const I18NSTRING_TYPE = 9;
const INDEX_ENTRY_BYTES = 16;
/** rpm's own sanity bounds on a header (header.c: HEADER_TAGS_MAX, HEADER_DATA_MAX). */
const MAX_TAGS = 0xffff;
const MAX_DATA_BYTES = 0x0fffffff;

export interface RpmHeader {
  string(tag: number): string | undefined;
  int32(tag: number): number | undefined;
}

/**
 * An RPM header as rpmdb stores it (no lead or magic): index count and data length (32-bit big
 * endian), the index entries (tag, type, offset, count), then the data store. Throws a SyntaxError
 * when the counts, offsets or strings run outside the blob.
 */
export function parseRpmHeader(blob: Uint8Array): RpmHeader {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (blob.length < 8) throw new SyntaxError(`a package header is ${blob.length} bytes long`);
  const indexCount = view.getUint32(0);
  const dataLength = view.getUint32(4);
  if (indexCount === 0 || indexCount > MAX_TAGS || dataLength > MAX_DATA_BYTES) throw new SyntaxError(`a package header claims ${indexCount} tags and ${dataLength} data bytes`);
  const dataStart = 8 + indexCount * INDEX_ENTRY_BYTES;
  if (dataStart + dataLength > blob.length) throw new SyntaxError(`a package header claims ${dataStart + dataLength} bytes but has ${blob.length}`);
  const entries = new Map<number, { type: number; offset: number }>();
  for (let i = 0; i < indexCount; i++) {
    const at = 8 + i * INDEX_ENTRY_BYTES;
    const offset = view.getInt32(at + 8);
    if (offset < 0 || offset >= dataLength) throw new SyntaxError(`tag ${view.getUint32(at)} of a package header points outside its data`);
    entries.set(view.getUint32(at), { type: view.getUint32(at + 4), offset });
  }
  return {
    string(tag) {
      const entry = entries.get(tag);
      if (!entry || (entry.type !== STRING_TYPE && entry.type !== I18NSTRING_TYPE)) return undefined;
      const start = dataStart + entry.offset;
      const end = blob.indexOf(0, start);
      if (end === -1 || end >= dataStart + dataLength) throw new SyntaxError(`tag ${tag} of a package header is not a terminated string`);
      return Buffer.from(blob.buffer, blob.byteOffset + start, end - start).toString('utf8');
    },
    int32(tag) {
      const entry = entries.get(tag);
      if (!entry || entry.type !== INT32_TYPE) return undefined;
      if (entry.offset + 4 > dataLength) throw new SyntaxError(`tag ${tag} of a package header points outside its data`);
      return view.getInt32(dataStart + entry.offset);
    },
  };
}
