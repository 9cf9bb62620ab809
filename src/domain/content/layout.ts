import { randomUUID } from 'node:crypto';
import type { Digest } from '../model/digest.js';

/**
 * Where bytes live in the object store. Blobs are content addressed and shared by every
 * repository; staging objects hold upload bytes until they are verified and committed.
 */
export function blobKey(digest: Digest): string {
  return `blobs/${digest.algorithm}/${digest.hex.slice(0, 2)}/${digest.hex}`;
}

/** Where archived bytes go unless configured otherwise (config `archivePrefix`). */
export const DEFAULT_ARCHIVE_PREFIX = 'archive/';

/**
 * Where a blob's bytes are kept while it is in the archive storage class: its key under the
 * archive prefix ('/'-terminated), e.g. archive/blobs/sha256/ab/<hex>.
 */
export function archivedBlobKey(digest: Digest, archivePrefix: string): string {
  return `${archivePrefix}${blobKey(digest)}`;
}

export const STAGING_PREFIX = 'uploads';

export function stagingKey(uploadId: string): string {
  return `${STAGING_PREFIX}/${uploadId}`;
}

/**
 * A new staging object for a whole blob sent in one request, which has no session row: the key
 * carries its start time, so a sweep can tell one left by a crash from one still being written.
 */
export function singleRequestStagingKey(startedAt: Date): string {
  return `${STAGING_PREFIX}/single-${startedAt.getTime()}-${randomUUID()}`;
}

/** What a staging key holds: an upload session's bytes, or a single request's started at a time. */
export function parseStagingKey(key: string): { uploadId: string } | { singleRequestStartedAt: Date } | undefined {
  const name = key.startsWith(`${STAGING_PREFIX}/`) ? key.slice(STAGING_PREFIX.length + 1) : undefined;
  if (!name || name.includes('/')) return undefined;
  const single = /^single-(\d+)-/.exec(name);
  return single ? { singleRequestStartedAt: new Date(Number(single[1])) } : { uploadId: name };
}
