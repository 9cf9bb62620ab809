import type { Digest } from '../model/digest.js';

/**
 * Where bytes live in the object store. Blobs are content addressed and shared by every
 * repository; staging objects hold upload bytes until they are verified and committed.
 */
export function blobKey(digest: Digest): string {
  return `blobs/${digest.algorithm}/${digest.hex.slice(0, 2)}/${digest.hex}`;
}

export function stagingKey(uploadId: string): string {
  return `uploads/${uploadId}`;
}
