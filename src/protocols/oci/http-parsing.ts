import { DomainError } from '../../domain/errors.js';
import { MAX_PAGE_SIZE } from '../../domain/registry/limits.js';
import type { ByteRange } from '../../domain/ports/object-store.js';
import type { Page } from '../../domain/ports/metadata-store.js';

/**
 * A `Range: bytes=…` request header against a blob of `size` bytes: undefined for the whole blob,
 * 'unsatisfiable' for a range that can't be served (416). Multiple ranges are served whole.
 */
export function parseRangeHeader(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first, last] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

/** A chunk's `Content-Range: start-end` (the upload form, no unit); returns its start. */
export function parseContentRange(header: string | undefined, contentLength: number | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  if (!match) throw new DomainError('BLOB_UPLOAD_INVALID', `malformed Content-Range "${header.slice(0, 100)}": expected <start>-<end>`);
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (end < start) throw new DomainError('RANGE_INVALID', `Content-Range ${start}-${end} ends before it starts`);
  if (contentLength !== undefined && contentLength !== end - start + 1) {
    throw new DomainError('SIZE_INVALID', `Content-Range ${start}-${end} covers ${end - start + 1} bytes but Content-Length is ${contentLength}`);
  }
  return start;
}

export function contentLengthOf(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = Number(header);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** Reads a small body (a manifest) into memory, refusing more than `limit` bytes before reading them. */
export async function readLimitedBody(body: AsyncIterable<Buffer>, declaredLength: number | undefined, limit: number, tooLarge: () => Error): Promise<Buffer> {
  if (declaredLength !== undefined && declaredLength > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (total > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

/** `n` and `last` of the listing endpoints; one more than `n` is fetched to know whether a next page exists. */
export function parsePage(query: Record<string, string | undefined>): { page: Page; n?: number } {
  const { n, last } = query;
  let limit: number | undefined;
  if (n !== undefined) {
    if (!/^\d+$/.test(n)) throw new DomainError('PAGINATION_INVALID', `n must be a non-negative integer, got "${n.slice(0, 50)}"`);
    limit = Math.min(Number(n), MAX_PAGE_SIZE);
  }
  if (last?.includes('\u0000')) throw new DomainError('PAGINATION_INVALID', 'last must not contain NUL characters');
  return {
    page: { ...(last !== undefined && last !== '' && { after: last }), ...(limit !== undefined && { limit: limit + 1 }) },
    ...(limit !== undefined && { n: limit }),
  };
}
