import type {
  ArchiveMetadataOps,
  BlobStorageClass,
  ImageStatus,
  StoredBlobRecord,
} from '../../domain/ports/archive-metadata.js';
import { KyselyStorageUsageOps } from './kysely-storage-usage-ops.js';

/** Bound parameters per statement stay far below every driver's limit (SQLite: 32766). */
const CHUNK = 500;

/**
 * Image statuses and blob storage classes. The archive's decisions on a blob are made under a lock
 * on its row (PostgreSQL) or the database (SQLite), which readers that must see them take too.
 */
export class KyselyArchiveOps extends KyselyStorageUsageOps implements ArchiveMetadataOps {
  async getLinkedBlobStorage(repositoryId: number, digest: string): Promise<StoredBlobRecord | undefined> {
    const row = await this.db
      .selectFrom('repository_blobs as l')
      .innerJoin('blobs as b', 'b.digest', 'l.digest')
      .select(['b.digest', 'b.size', 'b.storage_class'])
      .where('l.repository_id', '=', repositoryId)
      .where('l.digest', '=', digest)
      .executeTakeFirst();
    return row && { digest: row.digest, size: row.size, storageClass: row.storage_class as BlobStorageClass };
  }

  async setImageStatus(repositoryId: number, digests: string[], from: readonly ImageStatus[], to: ImageStatus, at: Date): Promise<string[]> {
    const stamp = to === 'ARCHIVED' ? { last_archived_at: at.getTime() } : to === 'ACTIVE' ? { last_activated_at: at.getTime() } : {};
    const moved = await inChunks(digests, (chunk) =>
      this.db
        .updateTable('manifests')
        .set({ image_status: to, ...stamp })
        .where('repository_id', '=', repositoryId)
        .where('digest', 'in', chunk)
        .where('image_status', 'in', [...from])
        .returning('digest')
        .execute(),
    );
    return moved.map((row) => row.digest);
  }

  async inactiveImages(repositoryId: number, digests: string[]): Promise<string[]> {
    const inactive = await inChunks(digests, (chunk) =>
      this.db.selectFrom('manifests').select('digest').where('repository_id', '=', repositoryId).where('digest', 'in', chunk).where('image_status', '<>', 'ACTIVE').execute(),
    );
    return inactive.map((row) => row.digest);
  }

  async unarchivedIndexesListing(repositoryId: number, digest: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('manifest_references as r')
      .innerJoin('manifests as m', (join) => join.onRef('m.repository_id', '=', 'r.repository_id').onRef('m.digest', '=', 'r.manifest_digest'))
      .select('r.manifest_digest')
      .where('r.repository_id', '=', repositoryId)
      .where('r.referenced_digest', '=', digest)
      .where('r.kind', '=', 'manifest')
      .where('m.image_status', '<>', 'ARCHIVED')
      .orderBy('r.manifest_digest')
      .execute();
    return rows.map((row) => row.manifest_digest);
  }

  async referencedDigests(repositoryId: number, manifestDigests: string[], kind: 'blob' | 'manifest'): Promise<string[]> {
    const referenced = await inChunks(manifestDigests, (chunk) =>
      this.db
        .selectFrom('manifest_references')
        .select('referenced_digest')
        .where('repository_id', '=', repositoryId)
        .where('manifest_digest', 'in', chunk)
        .where('kind', '=', kind)
        .execute(),
    );
    return [...new Set(referenced.map((row) => row.referenced_digest))];
  }

  async archivedBlobsAmong(digests: string[]): Promise<string[]> {
    // Every row is locked, not only archived ones: PostgreSQL waits only for rows its snapshot
    // selects, and a row an archive decision is changing is still STANDARD in that snapshot. In
    // digest order, so statements locking several blobs' rows cannot deadlock on each other. On
    // SQLite, whose plain reads see the last commit without waiting, the transaction's write lock
    // is what waits for a decision in progress.
    const rows = await this.atomic((db) =>
      inChunks([...digests].sort(), (chunk) =>
        db.selectFrom('blobs').select(['digest', 'storage_class']).where('digest', 'in', chunk).orderBy('digest').$if(this.rowLocks, (q) => q.forShare()).execute(),
      ),
    );
    return rows.filter((row) => row.storage_class === 'ARCHIVE').map((row) => row.digest);
  }

  async lockBlobStorage(digest: string): Promise<BlobStorageClass | undefined> {
    // A no-op update locks the row (PostgreSQL) or takes the write lock (SQLite) before reading it.
    const row = await this.db
      .updateTable('blobs')
      .set((eb) => ({ storage_class: eb.ref('storage_class') }))
      .where('digest', '=', digest)
      .returning('storage_class')
      .executeTakeFirst();
    return row?.storage_class as BlobStorageClass | undefined;
  }

  async setBlobStorageClass(digest: string, storageClass: BlobStorageClass): Promise<void> {
    await this.db.updateTable('blobs').set({ storage_class: storageClass }).where('digest', '=', digest).execute();
  }

  async isBlobInUse(digest: string): Promise<boolean> {
    // Through the repositories that link the blob (indexed by digest): a manifest's blobs are linked to its repository.
    const row = await this.db
      .selectFrom('repository_blobs as l')
      .innerJoin('manifest_references as r', (join) => join.onRef('r.repository_id', '=', 'l.repository_id').onRef('r.referenced_digest', '=', 'l.digest'))
      .innerJoin('manifests as m', (join) => join.onRef('m.repository_id', '=', 'r.repository_id').onRef('m.digest', '=', 'r.manifest_digest'))
      .select('m.digest')
      .where('l.digest', '=', digest)
      .where('r.kind', '=', 'blob')
      .where('m.image_status', '<>', 'ARCHIVED')
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }
}

/** The rows of `query` over each chunk of `digests` (each digest once), in chunks of bounded size. */
async function inChunks<Row>(digests: string[], query: (chunk: string[]) => Promise<Row[]>): Promise<Row[]> {
  const unique = [...new Set(digests)];
  const rows: Row[] = [];
  for (let i = 0; i < unique.length; i += CHUNK) rows.push(...(await query(unique.slice(i, i + CHUNK))));
  return rows;
}
