import type { BlobArchive } from '../content/blob-archive.js';
import type { Clock } from '../ports/clock.js';
import type { MetadataStore, RepositoryRecord } from '../ports/metadata-store.js';

/**
 * ECR's archive storage class for images: archiving (lifecycle transitions, UpdateImageStorageClass)
 * and restoring (UpdateImageStorageClass, or pushing the image again). An image's status changes in
 * the metadata first; its blobs' bytes move after, each only when no image that is not ARCHIVED uses
 * it any more (a layer an active image shares stays in place), so a pull never finds an active image
 * without its bytes.
 */
export class ImageArchive {
  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    private readonly blobs: BlobArchive,
  ) {}

  /**
   * Archives the repository's ACTIVE images among `digests`, with the index entries that no index
   * still unarchived lists, then moves the bytes only archived images use (for images named that were
   * archived already too, which finishes a move a crash interrupted). Resolves with the images
   * archived (of those named, and the index entries that went with them).
   */
  async archive(repository: RepositoryRecord, digests: string[]): Promise<string[]> {
    const now = this.clock.now();
    const archived = await this.metadata.transaction(async (tx) => {
      const done: string[] = [];
      for (let level = digests; level.length > 0; ) {
        const moved = await tx.setImageStatus(repository.id, level, ['ACTIVE'], 'ARCHIVED', now);
        done.push(...moved);
        const orphaned: string[] = [];
        for (const child of await tx.referencedDigests(repository.id, moved, 'manifest')) {
          if ((await tx.unarchivedIndexesListing(repository.id, child)).length === 0) orphaned.push(child);
        }
        level = orphaned;
      }
      return done;
    });
    await this.blobs.archive(await this.metadata.referencedDigests(repository.id, [...digests, ...archived], 'blob'));
    return archived;
  }

  /**
   * Makes the image and every manifest it lists pullable: those not ACTIVE are ACTIVATING while their
   * blobs come back from the archive, then ACTIVE (lastActivatedAt). On an ACTIVE image it only makes
   * sure its blobs are in standard storage, which also finishes a restore a crash interrupted.
   */
  async activate(repository: RepositoryRecord, digest: string): Promise<void> {
    const manifests = await this.withListedManifests(repository, digest);
    const inactive = await this.metadata.inactiveImages(repository.id, manifests);
    await this.metadata.setImageStatus(repository.id, inactive, ['ARCHIVED'], 'ACTIVATING', this.clock.now());
    await this.blobs.restore(await this.metadata.referencedDigests(repository.id, manifests, 'blob'));
    await this.metadata.setImageStatus(repository.id, inactive, ['ACTIVATING'], 'ACTIVE', this.clock.now());
  }

  /**
   * After a manifest push: pushing an archived image (or an index listing one) restores it, as ECR
   * does; otherwise the blobs it uses come back from the archive if it is their first active user.
   */
  async activatePushed(repository: RepositoryRecord, digest: string, blobDigests: string[], childDigests: string[]): Promise<void> {
    if ((await this.metadata.inactiveImages(repository.id, [digest, ...childDigests])).length > 0) return this.activate(repository, digest);
    await this.blobs.ensureStandard(blobDigests);
  }

  /** The manifest and, for an index, every manifest it lists, recursively. */
  private async withListedManifests(repository: RepositoryRecord, digest: string): Promise<string[]> {
    const all = new Set([digest]);
    for (let level = [digest]; level.length > 0; ) {
      level = (await this.metadata.referencedDigests(repository.id, level, 'manifest')).filter((child) => !all.has(child));
      for (const child of level) all.add(child);
    }
    return [...all];
  }
}
