import type {
  RepositoryStorageRecord,
  StorageSample,
  StorageSamplePoint,
  StorageSampleQuery,
  StorageUsageMetadataOps,
} from '../../domain/ports/storage-usage-metadata.js';
import { KyselyAuditOps } from './kysely-audit-ops.js';

/** PostgreSQL sums bigints as numeric, which node-postgres hands back as a string; SQLite as a number. */
type SqlSum = number | string | null;

/** Rows per insert: 4 parameters each stays far below every driver's limit (SQLite: 32766). */
const APPEND_CHUNK = 500;

/** The registry's total is stored under the empty name, which no repository can have. */
const TOTAL = '';

/**
 * Storage accounting as a few aggregate queries, so the cost grows with the tables' sizes inside
 * the database and never with rows carried into the process; and its samples over time.
 */
export class KyselyStorageUsageOps extends KyselyAuditOps implements StorageUsageMetadataOps {
  async repositoryStorage(): Promise<RepositoryStorageRecord[]> {
    const linked = this.db
      .selectFrom('repository_blobs as rb')
      .innerJoin('blobs as b', 'b.digest', 'rb.digest')
      .select(['rb.repository_id', (eb) => eb.fn.sum<SqlSum>('b.size').as('bytes')])
      .groupBy('rb.repository_id');
    const manifests = this.db
      .selectFrom('manifests')
      .select(['repository_id', (eb) => eb.fn.sum<SqlSum>('size').as('bytes'), (eb) => eb.fn.countAll<number>().as('images')])
      .groupBy('repository_id');
    const rows = await this.db
      .selectFrom('repositories as r')
      .leftJoin(linked.as('l'), 'l.repository_id', 'r.id')
      .leftJoin(manifests.as('m'), 'm.repository_id', 'r.id')
      .select(['r.name', 'l.bytes as blobBytes', 'm.bytes as manifestBytes', 'm.images'])
      .orderBy('r.name')
      .execute();
    return rows.map((row) => ({
      name: row.name,
      bytes: Number(row.blobBytes ?? 0) + Number(row.manifestBytes ?? 0),
      imageCount: Number(row.images ?? 0),
    }));
  }

  async registryStorageBytes(): Promise<number> {
    const [blobs, manifests] = await Promise.all([
      this.db
        .selectFrom('blobs as b')
        .select((eb) => eb.fn.sum<SqlSum>('b.size').as('bytes'))
        .where(({ exists, selectFrom }) => exists(selectFrom('repository_blobs as rb').select('rb.digest').whereRef('rb.digest', '=', 'b.digest')))
        .executeTakeFirstOrThrow(),
      this.db.selectFrom('manifests').select((eb) => eb.fn.sum<SqlSum>('size').as('bytes')).executeTakeFirstOrThrow(),
    ]);
    return Number(blobs.bytes ?? 0) + Number(manifests.bytes ?? 0);
  }

  async appendStorageSamples(at: Date, samples: StorageSample[]): Promise<void> {
    for (let i = 0; i < samples.length; i += APPEND_CHUNK) {
      await this.db
        .insertInto('storage_samples')
        .values(
          samples.slice(i, i + APPEND_CHUNK).map((sample) => ({
            at: at.getTime(),
            repository_name: sample.repositoryName ?? TOTAL,
            bytes: sample.bytes,
            image_count: sample.imageCount,
          })),
        )
        .onConflict((oc) => oc.columns(['repository_name', 'at']).doNothing())
        .execute();
    }
  }

  async listStorageSamples(query: StorageSampleQuery): Promise<StorageSamplePoint[]> {
    const rows = await this.db
      .selectFrom('storage_samples')
      .select(['at', 'bytes', 'image_count'])
      .where('repository_name', '=', query.repositoryName ?? TOTAL)
      .$if(query.since !== undefined, (q) => q.where('at', '>=', (query.since as Date).getTime()))
      .$if(query.until !== undefined, (q) => q.where('at', '<', (query.until as Date).getTime()))
      .orderBy('at')
      .$if(query.limit !== undefined, (q) => q.limit(query.limit as number))
      .execute();
    // Bigint columns, unlike sums, arrive as numbers from both dialects (postgres/open.ts parses int8).
    return rows.map((row) => ({ at: new Date(row.at), bytes: row.bytes, imageCount: row.image_count }));
  }

  async pruneStorageSamples(before: Date): Promise<number> {
    const result = await this.db.deleteFrom('storage_samples').where('at', '<', before.getTime()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
