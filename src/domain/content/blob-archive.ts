import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DomainError } from '../errors.js';
import { Digest } from '../model/digest.js';
import type { BlobStorageClass } from '../ports/archive-metadata.js';
import type { Clock } from '../ports/clock.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import { ObjectNotFoundError, type ObjectStore } from '../ports/object-store.js';
import { hashing } from './hashing.js';
import { archivedBlobKey, blobKey, singleRequestStagingKey } from './layout.js';

/**
 * Moves blobs' bytes between their standard key and their archive key (ECR's archive storage class).
 *
 * A move never loses bytes, whatever crashes or runs at the same time:
 * 1. the bytes are copied (verified against the digest, durable) to the key they move to;
 * 2. a transaction that holds the blob's row, and finds the copy there, changes its storage class;
 * 3. a later transaction that holds the row, and still finds that class and the copy, deletes the
 *    key the bytes moved from.
 * So the key the storage class names always has the bytes, and a key is deleted only while the
 * other one is known to have them. A push that commits the bytes again while they are archived puts
 * them back at the standard key, where reads look first; the manifest push that uses them then
 * restores the blob (see ensureStandard).
 */
export class BlobArchive {
  constructor(
    private readonly objects: ObjectStore,
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    private readonly archivePrefix: string,
  ) {}

  /** Moves to the archive those of the blobs that no manifest which is not ARCHIVED uses, in any repository. */
  async archive(digests: string[]): Promise<void> {
    for (const digest of digests) await this.archiveBlob(Digest.parse(digest));
  }

  /**
   * Brings the archived ones among the blobs back to standard storage. Call it once the manifest that
   * needs them is ACTIVE or ACTIVATING (so no archive decision can take them again): it waits for
   * decisions in progress on them and sees their outcome.
   */
  async ensureStandard(digests: string[]): Promise<void> {
    for (const digest of await this.metadata.archivedBlobsAmong(digests)) await this.restoreBlob(Digest.parse(digest));
  }

  /** As ensureStandard, and deletes the archive copies a crash left of the others (after step 2 of a restore). */
  async restore(digests: string[]): Promise<void> {
    const archived = new Set(await this.metadata.archivedBlobsAmong(digests));
    for (const digest of digests.map((d) => Digest.parse(d))) {
      if (archived.has(digest.toString())) await this.restoreBlob(digest);
      else if (await this.objects.stat(archivedBlobKey(digest, this.archivePrefix))) await this.dropMovedFrom(digest, 'STANDARD');
    }
  }

  private async archiveBlob(digest: Digest): Promise<void> {
    const id = digest.toString();
    const archived = archivedBlobKey(digest, this.archivePrefix);
    // Checked before copying anything: most blobs an archived image leaves are shared with active ones.
    if (await this.metadata.isBlobInUse(id)) return;
    const archivedBefore = (await this.metadata.archivedBlobsAmong([id])).length > 0;
    // The standard bytes are absent when another node archived the blob first.
    if (!archivedBefore && !(await this.copy(digest, blobKey(digest), archived))) return;
    const moved = await this.metadata.transaction(async (tx) => {
      const storageClass = await tx.lockBlobStorage(id);
      // Archived already: on to step 3, which a crash may have kept from running.
      if (storageClass === 'ARCHIVE') return true;
      if (storageClass !== 'STANDARD') return false;
      if (await tx.isBlobInUse(id)) {
        // An image using it is active: the copy is not needed. Deleted under the lock, where a
        // concurrent archive of the same blob checks for its copy before it relies on it.
        await this.objects.delete(archived);
        return false;
      }
      if (!(await this.objects.stat(archived))) return false;
      await tx.setBlobStorageClass(id, 'ARCHIVE');
      return true;
    });
    if (moved) await this.dropMovedFrom(digest, 'ARCHIVE');
  }

  private async restoreBlob(digest: Digest): Promise<void> {
    const id = digest.toString();
    const standard = blobKey(digest);
    for (;;) {
      // A push may have put the bytes back at the standard key already.
      const copied = (await this.objects.stat(standard)) !== undefined || (await this.copy(digest, archivedBlobKey(digest, this.archivePrefix), standard));
      const outcome = await this.metadata.transaction(async (tx) => {
        if ((await tx.lockBlobStorage(id)) !== 'ARCHIVE') return 'restored elsewhere';
        if (!copied) return 'lost';
        // The archive move that put the blob there may have deleted the standard key since the copy.
        if (!(await this.objects.stat(standard))) return 'copy again';
        await tx.setBlobStorageClass(id, 'STANDARD');
        return 'restored';
      });
      if (outcome === 'lost') throw new DomainError('BLOB_UNKNOWN', `blob ${id} is archived, but its bytes are missing from the archive`, { digest: id });
      if (outcome === 'restored') await this.dropMovedFrom(digest, 'STANDARD');
      if (outcome !== 'copy again') return;
    }
  }

  /**
   * Step 3 of a move to `movedTo`: deletes the key the bytes left, in a transaction that holds the
   * blob's row and still finds it in `movedTo` with the bytes at their new key. A transaction that
   * fails after the delete leaves the class as it was, which names the key that has the bytes.
   */
  private async dropMovedFrom(digest: Digest, movedTo: BlobStorageClass): Promise<void> {
    const standard = blobKey(digest);
    const archived = archivedBlobKey(digest, this.archivePrefix);
    const [from, to] = movedTo === 'ARCHIVE' ? [standard, archived] : [archived, standard];
    await this.metadata.transaction(async (tx) => {
      if ((await tx.lockBlobStorage(digest.toString())) === movedTo && (await this.objects.stat(to))) await this.objects.delete(from);
    });
  }

  /**
   * Copies the blob's bytes from one key to another, durably and atomically (through a staging key),
   * checking on the way that they still hash to the digest. Resolves false when `from` has none.
   */
  private async copy(digest: Digest, from: string, to: string): Promise<boolean> {
    let source: Readable;
    try {
      source = await this.objects.read(from);
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return false;
      throw err;
    }
    // Staged as a single-request upload is: the sweep of abandoned uploads removes it only once it is old.
    const staging = singleRequestStagingKey(this.clock.now());
    try {
      const hash = createHash(digest.algorithm);
      await this.objects.append(staging, 0, hashing(source, hash));
      const actual = Digest.fromHash(digest.algorithm, hash);
      if (!actual.equals(digest)) {
        throw new DomainError('DIGEST_INVALID', `blob ${digest} was not moved: its bytes at ${from} hash to ${actual} (run berth fsck)`, { digest: digest.toString(), actual: actual.toString() });
      }
      await this.objects.commit(staging, to);
      return true;
    } finally {
      source.destroy();
      await this.objects.delete(staging);
    }
  }
}
