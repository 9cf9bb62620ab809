import { invalidParameter } from '../model/invalid-parameter.js';

/**
 * ECR's paging: maxResults (1-1000, 100 when absent) and an opaque nextToken. A token carries the
 * position after the page's last item (names, digests, tags), so any node can continue a listing.
 */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_ECR_PAGE_SIZE = 1000;

export type PagePosition = (string | null)[];

export function pageSize(maxResults: number | undefined): number {
  if (maxResults === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_ECR_PAGE_SIZE) {
    throw invalidParameter('maxResults', `Member must have value between 1 and ${MAX_ECR_PAGE_SIZE}`);
  }
  return maxResults;
}

export function encodeNextToken(position: PagePosition): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** The position a token carries, which must have `arity` parts; INVALID_PARAMETER for anything else. */
export function decodeNextToken(token: string, arity: number): PagePosition {
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    position = undefined;
  }
  if (!Array.isArray(position) || position.length !== arity || !position.every((p) => p === null || typeof p === 'string')) {
    throw invalidParameter('nextToken', 'Invalid token');
  }
  return position as PagePosition;
}

/**
 * One page of `items` fetched with one extra: the page, and the token for the next when there is
 * more. `positionOf` gives the position after an item.
 */
export function pageOf<T>(items: T[], size: number, positionOf: (item: T) => PagePosition): { items: T[]; nextToken?: string } {
  if (items.length <= size) return { items };
  const page = items.slice(0, size);
  return { items: page, nextToken: encodeNextToken(positionOf(page[page.length - 1]!)) };
}
