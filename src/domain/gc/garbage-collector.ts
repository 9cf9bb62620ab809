import { Digest } from '../model/digest.js';
import type { Clock } from '../ports/clock.js';
import type { GcQueueDepth } from '../ports/gc-metadata.js';
import type { MetadataOps, MetadataStore } from '../ports/metadata-store.js';
import type { ObjectStore } from '../ports/object-store.js';
import { archivedBlobKey, blobKey } from '../content/layout.js';
import { WritePacing } from './write-pacing.js';

export interface GcSettings {
  /** How long after the last event that queued a review (a link, a delete, a commit) it waits. */
  gracePeriodMs: number;
  /** How long a claimed batch is another collector's to skip; a collector that dies releases it by expiry. */
  leaseMs?: number;
  /** Where archived bytes are kept (config archivePrefix): a blob's bytes may be there too. */
  archivePrefix: string;
}

export interface GcReport {
  /** Repository links to blobs that no manifest of the repository used. */
  linksRemoved: number;
  blobsDeleted: number;
  bytesFreed: number;
  /** Reviews still waiting afterwards: not yet due, or leased by another collector. */
  pending: GcQueueDepth;
}

/**
 * Batches are small: their bytes are deleted while the batch's transaction holds the blobs' rows
 * (on SQLite, the database), and pushes of the same content wait for it.
 */
const BATCH = 200;
const DEFAULT_LEASE_MS = 15_000;

/**
 * Online garbage collection: works through the review queues the metadata store fills in the
 * transactions that may make something unreferenced, while the registry keeps serving. A review is
 * claimed with a lease once its grace period has passed, and acted on only if still due and still
 * unreferenced when rechecked in the deleting transaction. Several collectors (nodes) may run at once.
 */
export class GarbageCollector {
  constructor(
    private readonly metadata: MetadataStore,
    private readonly objects: ObjectStore,
    private readonly clock: Clock,
    private readonly settings: GcSettings,
  ) {}

  /**
   * One pass over every due review: links first, each batch with the blobs it leaves unlinked in
   * the same transaction, then the blob reviews queued otherwise (deleted repositories, commits).
   */
  async collect(overrides: Partial<GcSettings> = {}): Promise<GcReport> {
    const settings = { ...this.settings, ...overrides };
    const leaseMs = settings.leaseMs ?? DEFAULT_LEASE_MS;
    const claim = () => {
      const now = this.clock.now();
      return { now, queuedBefore: new Date(now.getTime() - settings.gracePeriodMs), leaseUntil: new Date(now.getTime() + leaseMs), limit: BATCH };
    };
    const report: GcReport = { linksRemoved: 0, blobsDeleted: 0, bytesFreed: 0, pending: { linkReviews: 0, blobReviews: 0 } };
    // Most registries never archive: then no blob can have bytes under the archive prefix, and a
    // pass need not try to delete them there (one failed unlink per blob). An archiving that starts
    // during the pass concerns blobs in use, which the pass does not collect.
    const archivePrefix = (await this.anyObjectUnder(`${settings.archivePrefix}blobs`)) ? settings.archivePrefix : undefined;
    const pacing = new WritePacing();
    for (let batch = claim(), reviews = await this.metadata.claimLinkReviews(batch); reviews.length > 0; batch = claim(), reviews = await this.metadata.claimLinkReviews(batch)) {
      const { queuedBefore } = batch;
      await this.metadata.transaction(async (tx) => {
        // The blob reviews queued here are due at once: a link that is gone cannot start to be
        // used, and a new commit of the same bytes fences itself (committed_at).
        const unlinked = await tx.collectLinks(reviews, queuedBefore, queuedBefore);
        report.linksRemoved += unlinked.length;
        await this.collectBlobs(tx, [...new Set(unlinked.map((link) => link.digest))], queuedBefore, archivePrefix, report);
      });
      await pacing.between();
    }
    for (let batch = claim(), digests = await this.metadata.claimBlobReviews(batch); digests.length > 0; batch = claim(), digests = await this.metadata.claimBlobReviews(batch)) {
      const { queuedBefore } = batch;
      await this.metadata.transaction((tx) => this.collectBlobs(tx, digests, queuedBefore, archivePrefix, report));
      await pacing.between();
    }
    report.pending = await this.metadata.gcQueueDepth();
    return report;
  }

  /**
   * Deletes the blobs among `digests` that are still due and unlinked, bytes included (also under
   * `archivePrefix` when given), inside the caller's transaction: should a delete fail, the records
   * stay and the reviews come back.
   */
  private async collectBlobs(tx: MetadataOps, digests: string[], queuedBefore: Date, archivePrefix: string | undefined, report: GcReport): Promise<void> {
    if (digests.length === 0) return;
    const blobs = await tx.collectBlobs(digests, queuedBefore);
    // Both keys: a blob in the standard class may still have a copy an interrupted archiving left.
    await Promise.all(
      blobs.flatMap((blob) => {
        const digest = Digest.parse(blob.digest);
        const keys = archivePrefix === undefined ? [blobKey(digest)] : [blobKey(digest), archivedBlobKey(digest, archivePrefix)];
        return keys.map((key) => this.objects.delete(key));
      }),
    );
    report.blobsDeleted += blobs.length;
    report.bytesFreed += blobs.reduce((sum, blob) => sum + blob.size, 0);
  }

  private async anyObjectUnder(prefix: string): Promise<boolean> {
    for await (const _key of this.objects.list(prefix)) return true;
    return false;
  }
}
