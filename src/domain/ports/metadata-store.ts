import type { RepositorySettings } from '../model/repository-settings.js';
import type { ArchiveMetadataOps, ImageStatus } from './archive-metadata.js';
import type { AuditLogOps } from './audit-log.js';
import type { EcrMetadataOps } from './ecr-metadata.js';
import type { GcMetadataOps } from './gc-metadata.js';
import type { IdentityMetadataOps } from './identity-metadata.js';
import type { ScanMetadataOps } from './scan-metadata.js';
import type { StorageUsageMetadataOps } from './storage-usage-metadata.js';
import type { VulnerabilityMetadataOps } from './vulnerability-metadata.js';

/**
 * The metadata store is the source of truth for everything but blob bytes.
 * Digests are their canonical strings here ("sha256:…"); the domain parses them before they get here.
 * Every method is usable inside or outside a transaction.
 */

export interface RepositoryRecord {
  id: number;
  name: string;
  createdAt: Date;
  settings: RepositorySettings;
}

export interface BlobRecord {
  digest: string;
  size: number;
}

export interface ManifestSummary {
  digest: string;
  mediaType: string;
  size: number;
  artifactType: string | null;
  annotations: Record<string, string> | null;
  /** ECR's status; a new manifest is ACTIVE. */
  imageStatus: ImageStatus;
}

export interface ManifestRecord extends ManifestSummary {
  repositoryId: number;
  subjectDigest: string | null;
  /** The exact bytes the client pushed, served back byte for byte. */
  payload: Uint8Array;
  createdAt: Date;
}

export interface NewManifest extends Omit<ManifestRecord, 'size' | 'imageStatus'> {
  /** Blob digests the manifest references (config, layers). */
  blobDigests: string[];
  /** Child manifest digests (index entries). */
  childDigests: string[];
}

export interface UploadRecord {
  id: string;
  repositoryId: number;
  /** Bytes received and durable in the staging object. */
  offset: number;
  startedAt: Date;
  updatedAt: Date;
}

export interface Page {
  /** Exclusive lower bound, in the listing's order (byte-wise lexical). */
  after?: string;
  /** At most this many results; undefined means all. */
  limit?: number;
}

/** Repositories and their content: blobs, manifests, tags, uploads. */
export interface ContentMetadataOps {
  // Repositories
  /** Rejects with DomainError REPOSITORY_ALREADY_EXISTS when the name is taken. */
  createRepository(input: { name: string; createdAt: Date; settings?: RepositorySettings }): Promise<RepositoryRecord>;
  getRepository(name: string): Promise<RepositoryRecord | undefined>;
  /** Names in byte-wise lexical order. */
  listRepositories(page: Page): Promise<string[]>;
  /** Records in byte-wise name order. */
  listRepositoryRecords(page: Page): Promise<RepositoryRecord[]>;
  /** Removes the repository with its tags, manifests, blob links and uploads; queues reviews of the blobs it linked. */
  deleteRepository(id: number, at: Date): Promise<void>;

  // Blobs: the global record of committed bytes, and per-repository links to them
  /**
   * Records that the blob's bytes are being committed at `at` (idempotent; before the bytes are moved
   * into place): garbage collection leaves the blob alone for its grace period after that, so bytes a
   * commit finds already in place are not deleted under it. Queues a review of the blob.
   */
  putBlob(blob: BlobRecord, at: Date): Promise<void>;
  getBlob(digest: string): Promise<BlobRecord | undefined>;
  /** Idempotent. The blob record must exist. Queues a review of the link (until a manifest uses it, it is garbage). */
  linkBlob(repositoryId: number, digest: string, at: Date): Promise<void>;
  getLinkedBlob(repositoryId: number, digest: string): Promise<BlobRecord | undefined>;
  /**
   * Of `digests`, those linked to the repository. In a transaction, the links found stay until it
   * ends: garbage collection waits for it.
   */
  findLinkedBlobs(repositoryId: number, digests: string[]): Promise<Set<string>>;
  /** Resolves true when a link was removed (and a review of the blob queued). */
  unlinkBlob(repositoryId: number, digest: string, at: Date): Promise<boolean>;

  // Manifests
  /** Idempotent: pushing the same digest again changes nothing. */
  putManifest(manifest: NewManifest): Promise<void>;
  getManifest(repositoryId: number, digest: string): Promise<ManifestRecord | undefined>;
  /** The manifest a tag points at, in one round trip. */
  getManifestByTag(repositoryId: number, tag: string): Promise<ManifestRecord | undefined>;
  /** Of `digests`, those that are manifests in the repository. */
  findManifests(repositoryId: number, digests: string[]): Promise<Set<string>>;
  /**
   * Removes the manifest, its references and every tag pointing at it, queuing reviews of the links
   * to the blobs it referenced. Resolves true when it existed.
   */
  deleteManifest(repositoryId: number, digest: string, at: Date): Promise<boolean>;
  /** Manifests in the repository whose subject is `subjectDigest`, optionally of one artifactType, by digest. */
  listReferrers(repositoryId: number, subjectDigest: string, artifactType?: string): Promise<ManifestSummary[]>;

  // Tags
  /** Points the tag at the digest; resolves with the digest it pointed at before, if any. */
  putTag(repositoryId: number, tag: string, digest: string, at: Date): Promise<string | undefined>;
  getTag(repositoryId: number, tag: string): Promise<string | undefined>;
  /** Resolves true when the tag existed. */
  deleteTag(repositoryId: number, tag: string): Promise<boolean>;
  /** Tag names in byte-wise lexical order. */
  listTags(repositoryId: number, page: Page): Promise<string[]>;
  tagsOf(repositoryId: number, digest: string): Promise<string[]>;

  // Upload sessions
  createUpload(upload: { id: string; repositoryId: number; startedAt: Date }): Promise<void>;
  getUpload(id: string): Promise<UploadRecord | undefined>;
  /** Compare-and-set of the offset; resolves false (changing nothing) when it was not `expected`. */
  advanceUpload(id: string, expected: number, offset: number, at: Date): Promise<boolean>;
  deleteUpload(id: string): Promise<void>;
  /** Up to `limit` sessions that have received nothing since before `idleSince`, oldest first. */
  listIdleUploads(idleSince: Date, limit: number): Promise<UploadRecord[]>;
  /** Deletes the session only if it has still received nothing since before `idleSince`; resolves true when it did. */
  deleteUploadIfIdle(id: string, idleSince: Date): Promise<boolean>;
}

export interface MetadataOps extends ContentMetadataOps, GcMetadataOps, EcrMetadataOps, IdentityMetadataOps, AuditLogOps, StorageUsageMetadataOps, ArchiveMetadataOps, VulnerabilityMetadataOps, ScanMetadataOps {}

export interface MetadataStore extends MetadataOps {
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it rejects. */
  transaction<T>(fn: (tx: MetadataOps) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
