import type { BlobRecord, Page } from './metadata-store.js';

/**
 * Online garbage collection's review queues. Reviews are queued by the metadata store itself, in
 * the transaction that may make something unreferenced:
 * - a link review (repository, digest) when a link is made (an upload or mount that no manifest
 *   may ever use) and for each blob of a deleted manifest;
 * - a blob review (digest) when a blob is committed (a crash before its link leaves it unlinked)
 *   and when a link goes (unlinked, collected, or its repository deleted).
 * Queuing again moves the review's time forward: the grace period runs from the latest event.
 */
export interface LinkReview {
  repositoryId: number;
  digest: string;
}

export interface ReviewClaim {
  /** Only reviews queued at or before this (now minus the grace period). */
  queuedBefore: Date;
  now: Date;
  /** Claimed reviews are skipped by other claims until then. */
  leaseUntil: Date;
  limit: number;
}

export interface GcQueueDepth {
  linkReviews: number;
  blobReviews: number;
}

/** A manifest's reference to something its repository does not have. */
export interface DanglingReference {
  repositoryId: number;
  repositoryName: string;
  manifestDigest: string;
  referencedDigest: string;
  kind: 'blob' | 'manifest';
  /** For a blob: whether the registry has a record of it (in some repository, or none). */
  blobRecorded: boolean;
}

export interface GcMetadataOps {
  /** Leases up to `limit` due link reviews that no one else holds, oldest first. */
  claimLinkReviews(claim: ReviewClaim): Promise<LinkReview[]>;
  /**
   * Of the claimed reviews still due (not queued again after `queuedBefore`), removes the links no
   * manifest of their repository references, queuing blob reviews for them, and drops those reviews.
   * Resolves with the links removed. Atomic; links a concurrent manifest push is using stay.
   */
  collectLinks(reviews: LinkReview[], queuedBefore: Date, at: Date): Promise<LinkReview[]>;
  /** Leases up to `limit` due blob reviews that no one else holds, oldest first. */
  claimBlobReviews(claim: ReviewClaim): Promise<string[]>;
  /**
   * Of the claimed digests still due, deletes the records of blobs that no repository links and no
   * upload committed after `queuedBefore`, drops their reviews, and resolves with the records deleted.
   * Call it in a transaction and delete the bytes before it commits: the blobs' rows stay locked
   * until then, so a concurrent commit of the same bytes waits and finds them gone.
   */
  collectBlobs(digests: string[], queuedBefore: Date): Promise<BlobRecord[]>;
  /** Reviews waiting, due or not. */
  gcQueueDepth(): Promise<GcQueueDepth>;

  // What `berth fsck` walks
  /** Blob records in digest order. */
  listBlobRecords(page: Page): Promise<BlobRecord[]>;
  /** Blob references without a link (or record) in the manifest's repository, and index entries without their manifest. */
  listDanglingReferences(limit: number): Promise<DanglingReference[]>;
  /** Ids of the repositories that link the blob. */
  repositoriesLinking(digest: string): Promise<number[]>;
}
