import type { BlobRecord } from './metadata-store.js';

/**
 * ECR's archive storage class in the metadata: each manifest's imageStatus, and where each blob's
 * bytes are kept. A blob goes to the archive only once no manifest that is not ARCHIVED uses it,
 * in any repository; moving its bytes is the domain's (content/blob-archive.ts).
 */

/** ECR's imageStatus: ACTIVATING while an archived image is being restored. */
export type ImageStatus = 'ACTIVE' | 'ARCHIVED' | 'ACTIVATING';

/** STANDARD: the bytes are at the blob's key. ARCHIVE: they were moved to its archive key. */
export type BlobStorageClass = 'STANDARD' | 'ARCHIVE';

export interface StoredBlobRecord extends BlobRecord {
  storageClass: BlobStorageClass;
}

export interface ArchiveMetadataOps {
  /** The blob with its storage class, if it is linked to the repository. */
  getLinkedBlobStorage(repositoryId: number, digest: string): Promise<StoredBlobRecord | undefined>;

  /**
   * Moves the repository's manifests among `digests` whose status is one of `from` to `to`, stamping
   * last_archived_at (to ARCHIVED) or last_activated_at (to ACTIVE) with `at`. Resolves with the
   * digests moved.
   */
  setImageStatus(repositoryId: number, digests: string[], from: readonly ImageStatus[], to: ImageStatus, at: Date): Promise<string[]>;
  /** Of `digests`, the repository's manifests whose status is not ACTIVE. */
  inactiveImages(repositoryId: number, digests: string[]): Promise<string[]>;
  /** The index manifests of the repository that list `digest` and are not ARCHIVED. */
  unarchivedIndexesListing(repositoryId: number, digest: string): Promise<string[]>;
  /** What the repository's manifests among `manifestDigests` reference: blobs, or child manifests; each once. */
  referencedDigests(repositoryId: number, manifestDigests: string[], kind: 'blob' | 'manifest'): Promise<string[]>;

  /**
   * Of `digests`, the blobs in the ARCHIVE storage class. Each row is read under a share lock, so an
   * archive decision in progress on it is waited for and seen.
   */
  archivedBlobsAmong(digests: string[]): Promise<string[]>;
  /** Locks the blob's row until the transaction ends and reads its storage class; undefined when the blob has no record. */
  lockBlobStorage(digest: string): Promise<BlobStorageClass | undefined>;
  setBlobStorageClass(digest: string, storageClass: BlobStorageClass): Promise<void>;
  /** Whether a manifest that is not ARCHIVED, in any repository, references the blob. */
  isBlobInUse(digest: string): Promise<boolean>;
}
