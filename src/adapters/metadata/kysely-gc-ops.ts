import type { DanglingReference, GcMetadataOps, GcQueueDepth, LinkReview, ReviewClaim } from '../../domain/ports/gc-metadata.js';
import type { BlobRecord, Page } from '../../domain/ports/metadata-store.js';
import { KyselyContentOps } from './kysely-content-ops.js';

/** Bound parameters per statement stay far below every driver's limit (SQLite: 32766). */
const CHUNK = 500;

/**
 * Garbage collection's review queues. Every decision is rechecked in the statement that acts on
 * it, after the rows it touches are locked (PostgreSQL) or the database is (SQLite), so a push
 * that links or commits the same content concurrently either finishes first and is seen, or waits
 * and finds the rows gone.
 */
export class KyselyGcOps extends KyselyContentOps implements GcMetadataOps {
  async claimLinkReviews(claim: ReviewClaim): Promise<LinkReview[]> {
    return this.atomic(async (db) => {
      const due = await db
        .selectFrom('gc_link_reviews')
        .select(['repository_id', 'digest'])
        .where('queued_at', '<=', claim.queuedBefore.getTime())
        .where((w) => w.or([w('leased_until', 'is', null), w('leased_until', '<=', claim.now.getTime())]))
        .orderBy('queued_at')
        .limit(claim.limit)
        .$if(this.rowLocks, (q) => q.forUpdate().skipLocked())
        .execute();
      for (const [repositoryId, digests] of groupByRepository(due.map((row) => ({ repositoryId: row.repository_id, digest: row.digest })))) {
        await db.updateTable('gc_link_reviews').set({ leased_until: claim.leaseUntil.getTime() }).where('repository_id', '=', repositoryId).where('digest', 'in', digests).execute();
      }
      return due.map((row) => ({ repositoryId: row.repository_id, digest: row.digest }));
    });
  }

  async collectLinks(reviews: LinkReview[], queuedBefore: Date, at: Date): Promise<LinkReview[]> {
    return this.atomic(async (db) => {
      const ops = new KyselyGcOps(db);
      const removed: LinkReview[] = [];
      for (const [repositoryId, digests] of groupByRepository(reviews)) {
        for (let i = 0; i < digests.length; i += CHUNK) {
          const unlinked = await ops.removeUnreferencedLinks(repositoryId, digests.slice(i, i + CHUNK), queuedBefore);
          await ops.queueBlobReviews(unlinked, at);
          removed.push(...unlinked.map((digest) => ({ repositoryId, digest })));
        }
      }
      return removed;
    });
  }

  /** Removes the repository's links to `digests` that are due for review and unreferenced, with their reviews. */
  private async removeUnreferencedLinks(repositoryId: number, digests: string[], queuedBefore: Date): Promise<string[]> {
    const before = queuedBefore.getTime();
    if (this.rowLocks) {
      // Waits for manifest pushes holding these links (findLinkedBlobs); the delete's fresh snapshot then sees their references.
      await this.db.selectFrom('repository_blobs').select('digest').where('repository_id', '=', repositoryId).where('digest', 'in', digests).orderBy('digest').forUpdate().execute();
    }
    const unlinked = await this.db
      .deleteFrom('repository_blobs as l')
      .where('l.repository_id', '=', repositoryId)
      .where('l.digest', 'in', digests)
      .where(({ exists, not, selectFrom }) =>
        not(
          exists(
            selectFrom('manifest_references as r')
              .select('r.kind')
              .whereRef('r.repository_id', '=', 'l.repository_id')
              .whereRef('r.referenced_digest', '=', 'l.digest')
              .where('r.kind', '=', 'blob'),
          ),
        ),
      )
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('gc_link_reviews as q')
            .select('q.digest')
            .whereRef('q.repository_id', '=', 'l.repository_id')
            .whereRef('q.digest', '=', 'l.digest')
            .where('q.queued_at', '<=', before),
        ),
      )
      .returning('digest')
      .execute();
    await this.db.deleteFrom('gc_link_reviews').where('repository_id', '=', repositoryId).where('digest', 'in', digests).where('queued_at', '<=', before).execute();
    return unlinked.map((row) => row.digest);
  }

  async claimBlobReviews(claim: ReviewClaim): Promise<string[]> {
    const rows = await this.db
      .updateTable('gc_blob_reviews')
      .set({ leased_until: claim.leaseUntil.getTime() })
      .where('digest', 'in', (eb) =>
        eb
          .selectFrom('gc_blob_reviews as q')
          .select('q.digest')
          .where('q.queued_at', '<=', claim.queuedBefore.getTime())
          .where((w) => w.or([w('q.leased_until', 'is', null), w('q.leased_until', '<=', claim.now.getTime())]))
          .orderBy('q.queued_at')
          .limit(claim.limit)
          .$if(this.rowLocks, (q) => q.forUpdate().skipLocked()),
      )
      .returning('digest')
      .execute();
    return rows.map((row) => row.digest);
  }

  async collectBlobs(digests: string[], queuedBefore: Date): Promise<BlobRecord[]> {
    const before = queuedBefore.getTime();
    const collected: BlobRecord[] = [];
    for (let i = 0; i < digests.length; i += CHUNK) {
      const chunk = digests.slice(i, i + CHUNK);
      if (this.rowLocks) {
        // Waits for commits and links of these blobs in flight; the delete's fresh snapshot then sees them.
        // In digest order, as every other locker of blob rows, so two of them cannot deadlock.
        await this.db.selectFrom('blobs').select('digest').where('digest', 'in', chunk).orderBy('digest').forUpdate().execute();
      }
      const deleted = await this.db
        .deleteFrom('blobs as b')
        .where('b.digest', 'in', chunk)
        .where((eb) => eb.or([eb('b.committed_at', 'is', null), eb('b.committed_at', '<=', before)]))
        .where(({ exists, not, selectFrom }) => not(exists(selectFrom('repository_blobs as l').select('l.digest').whereRef('l.digest', '=', 'b.digest'))))
        .where(({ exists, selectFrom }) =>
          exists(selectFrom('gc_blob_reviews as q').select('q.digest').whereRef('q.digest', '=', 'b.digest').where('q.queued_at', '<=', before)),
        )
        .returning(['digest', 'size'])
        .execute();
      await this.db.deleteFrom('gc_blob_reviews').where('digest', 'in', chunk).where('queued_at', '<=', before).execute();
      collected.push(...deleted);
    }
    return collected;
  }

  async gcQueueDepth(): Promise<GcQueueDepth> {
    const [links, blobs] = await Promise.all([
      this.db.selectFrom('gc_link_reviews').select((eb) => eb.fn.countAll<number | string>().as('count')).executeTakeFirstOrThrow(),
      this.db.selectFrom('gc_blob_reviews').select((eb) => eb.fn.countAll<number | string>().as('count')).executeTakeFirstOrThrow(),
    ]);
    return { linkReviews: Number(links.count), blobReviews: Number(blobs.count) };
  }

  async listBlobRecords(page: Page): Promise<BlobRecord[]> {
    return this.db
      .selectFrom('blobs')
      .select(['digest', 'size'])
      .$if(page.after !== undefined, (q) => q.where('digest', '>', page.after as string))
      .orderBy('digest')
      .$if(page.limit !== undefined, (q) => q.limit(page.limit as number))
      .execute();
  }

  async listDanglingReferences(limit: number): Promise<DanglingReference[]> {
    const blobs = await this.db
      .selectFrom('manifest_references as r')
      .innerJoin('repositories as p', 'p.id', 'r.repository_id')
      .leftJoin('repository_blobs as l', (join) => join.onRef('l.repository_id', '=', 'r.repository_id').onRef('l.digest', '=', 'r.referenced_digest'))
      .leftJoin('blobs as b', 'b.digest', 'r.referenced_digest')
      .select(['r.repository_id', 'p.name', 'r.manifest_digest', 'r.referenced_digest', 'b.digest as recorded'])
      .where('r.kind', '=', 'blob')
      .where((eb) => eb.or([eb('l.digest', 'is', null), eb('b.digest', 'is', null)]))
      .orderBy('r.repository_id')
      .orderBy('r.manifest_digest')
      .limit(limit)
      .execute();
    const manifests = await this.db
      .selectFrom('manifest_references as r')
      .innerJoin('repositories as p', 'p.id', 'r.repository_id')
      .leftJoin('manifests as m', (join) => join.onRef('m.repository_id', '=', 'r.repository_id').onRef('m.digest', '=', 'r.referenced_digest'))
      .select(['r.repository_id', 'p.name', 'r.manifest_digest', 'r.referenced_digest'])
      .where('r.kind', '=', 'manifest')
      .where('m.digest', 'is', null)
      .orderBy('r.repository_id')
      .orderBy('r.manifest_digest')
      .limit(limit)
      .execute();
    const common = (row: { repository_id: number; name: string; manifest_digest: string; referenced_digest: string }) => ({
      repositoryId: row.repository_id,
      repositoryName: row.name,
      manifestDigest: row.manifest_digest,
      referencedDigest: row.referenced_digest,
    });
    return [
      ...blobs.map((row): DanglingReference => ({ ...common(row), kind: 'blob', blobRecorded: row.recorded !== null })),
      ...manifests.map((row): DanglingReference => ({ ...common(row), kind: 'manifest', blobRecorded: false })),
    ];
  }

  async repositoriesLinking(digest: string): Promise<number[]> {
    const rows = await this.db.selectFrom('repository_blobs').select('repository_id').where('digest', '=', digest).orderBy('repository_id').execute();
    return rows.map((row) => row.repository_id);
  }
}

function groupByRepository(reviews: LinkReview[]): Map<number, string[]> {
  const byRepository = new Map<number, string[]>();
  for (const { repositoryId, digest } of reviews) {
    const digests = byRepository.get(repositoryId);
    if (digests) digests.push(digest);
    else byRepository.set(repositoryId, [digest]);
  }
  return byRepository;
}
