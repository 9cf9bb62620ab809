import { type Kysely, PostgresAdapter, sql } from 'kysely';
import { DomainError } from '../../domain/errors.js';
import type { RepositorySettings } from '../../domain/model/repository-settings.js';
import type {
  BlobRecord,
  ManifestRecord,
  ManifestSummary,
  ContentMetadataOps,
  NewManifest,
  Page,
  RepositoryRecord,
  UploadRecord,
} from '../../domain/ports/metadata-store.js';
import { asBuffer, toManifest, toManifestSummary, toRepository, toUpload } from './rows.js';
import type { Database, ReferenceKind } from './schema.js';

/** Tables keyed by (repository_id, digest). */
type DigestTable = 'repository_blobs' | 'manifests';

/** Bound parameters per statement stay far below every driver's limit (SQLite: 32766). */
const CHUNK = 500;

/**
 * Repositories and their content over a Kysely connection or a transaction: the same code serves
 * the store and the handle its transactions pass to their callback, on SQLite and PostgreSQL.
 */
export class KyselyContentOps implements ContentMetadataOps {
  constructor(protected readonly db: Kysely<Database>) {}

  /** Runs multi-statement work in the caller's transaction, or in a new one outside any. */
  protected atomic<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.db.isTransaction ? fn(this.db) : this.db.transaction().execute(fn);
  }

  /**
   * Whether the database locks rows on request (PostgreSQL). SQLite needs no row locks: a write
   * transaction holds the whole database, and the metadata store's transactions all write.
   */
  protected get rowLocks(): boolean {
    return this.db.getExecutor().adapter instanceof PostgresAdapter;
  }

  /** Queues (or moves forward) reviews of the links, for garbage collection. */
  protected async queueLinkReviews(repositoryId: number, digests: string[], at: Date): Promise<void> {
    for (let i = 0; i < digests.length; i += CHUNK) {
      await this.db
        .insertInto('gc_link_reviews')
        .values(digests.slice(i, i + CHUNK).map((digest) => ({ repository_id: repositoryId, digest, queued_at: at.getTime() })))
        .onConflict((oc) => oc.columns(['repository_id', 'digest']).doUpdateSet({ queued_at: at.getTime() }))
        .execute();
    }
  }

  /** Queues (or moves forward) reviews of the blobs, for garbage collection. */
  protected async queueBlobReviews(digests: string[], at: Date): Promise<void> {
    for (let i = 0; i < digests.length; i += CHUNK) {
      await this.db
        .insertInto('gc_blob_reviews')
        .values(digests.slice(i, i + CHUNK).map((digest) => ({ digest, queued_at: at.getTime() })))
        .onConflict((oc) => oc.column('digest').doUpdateSet({ queued_at: at.getTime() }))
        .execute();
    }
  }

  /** Of `digests`, those with a row in `table` for the repository; asked in chunks of bounded size. */
  private async findIn(table: DigestTable, repositoryId: number, digests: string[], lock = false): Promise<Set<string>> {
    const unique = [...new Set(digests)];
    const found = new Set<string>();
    for (let i = 0; i < unique.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom(table)
        .select('digest')
        .where('repository_id', '=', repositoryId)
        .where('digest', 'in', unique.slice(i, i + CHUNK))
        // In digest order, as every other locker of these rows, so two of them cannot deadlock.
        .$if(lock && this.rowLocks, (q) => q.orderBy('digest').forShare())
        .execute();
      for (const row of rows) found.add(row.digest);
    }
    return found;
  }

  /** Resolves true when the repository's row for `digest` in `table` existed. */
  private async deleteByDigest(table: DigestTable, repositoryId: number, digest: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom(table)
      .where('repository_id', '=', repositoryId)
      .where('digest', '=', digest)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  // Repositories

  async createRepository(input: { name: string; createdAt: Date; settings?: RepositorySettings }): Promise<RepositoryRecord> {
    const row = await this.db
      .insertInto('repositories')
      .values({ name: input.name, created_at: input.createdAt.getTime(), ...(input.settings && { settings: JSON.stringify(input.settings) }) })
      .onConflict((oc) => oc.column('name').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (row === undefined) {
      throw new DomainError('REPOSITORY_ALREADY_EXISTS', `repository ${input.name} already exists`, {
        name: input.name,
      });
    }
    return toRepository(row);
  }

  async getRepository(name: string): Promise<RepositoryRecord | undefined> {
    const row = await this.db.selectFrom('repositories').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toRepository(row);
  }

  async listRepositories(page: Page): Promise<string[]> {
    const rows = await this.db
      .selectFrom('repositories')
      .select('name')
      .$if(page.after !== undefined, (q) => q.where('name', '>', page.after as string))
      .orderBy('name')
      .$if(page.limit !== undefined, (q) => q.limit(page.limit as number))
      .execute();
    return rows.map((r) => r.name);
  }

  async listRepositoryRecords(page: Page): Promise<RepositoryRecord[]> {
    const rows = await this.db
      .selectFrom('repositories')
      .selectAll()
      .$if(page.after !== undefined, (q) => q.where('name', '>', page.after as string))
      .orderBy('name')
      .$if(page.limit !== undefined, (q) => q.limit(page.limit as number))
      .execute();
    return rows.map(toRepository);
  }

  async deleteRepository(id: number, at: Date): Promise<void> {
    await this.atomic(async (db) => {
      await db
        .insertInto('gc_blob_reviews')
        .columns(['digest', 'queued_at'])
        .expression((eb) => eb.selectFrom('repository_blobs').select(['digest', sql<number>`cast(${at.getTime()} as bigint)`.as('queued_at')]).where('repository_id', '=', id))
        .onConflict((oc) => oc.column('digest').doUpdateSet({ queued_at: at.getTime() }))
        .execute();
      // Foreign keys cascade to links, manifests (and their references and tags) and uploads.
      await db.deleteFrom('repositories').where('id', '=', id).execute();
    });
  }

  // Blobs

  async putBlob(blob: BlobRecord, at: Date): Promise<void> {
    await this.atomic(async (db) => {
      await db
        .insertInto('blobs')
        .values({ digest: blob.digest, size: blob.size, committed_at: at.getTime() })
        .onConflict((oc) => oc.column('digest').doUpdateSet({ committed_at: at.getTime() }))
        .execute();
      await new KyselyContentOps(db).queueBlobReviews([blob.digest], at);
    });
  }

  async getBlob(digest: string): Promise<BlobRecord | undefined> {
    return this.db.selectFrom('blobs').select(['digest', 'size']).where('digest', '=', digest).executeTakeFirst();
  }

  async linkBlob(repositoryId: number, digest: string, at: Date): Promise<void> {
    await this.atomic(async (db) => {
      await db
        .insertInto('repository_blobs')
        .values({ repository_id: repositoryId, digest })
        .onConflict((oc) => oc.columns(['repository_id', 'digest']).doNothing())
        .execute();
      await new KyselyContentOps(db).queueLinkReviews(repositoryId, [digest], at);
    });
  }

  async getLinkedBlob(repositoryId: number, digest: string): Promise<BlobRecord | undefined> {
    return this.db
      .selectFrom('repository_blobs as l')
      .innerJoin('blobs as b', 'b.digest', 'l.digest')
      .select(['b.digest', 'b.size'])
      .where('l.repository_id', '=', repositoryId)
      .where('l.digest', '=', digest)
      .executeTakeFirst();
  }

  async findLinkedBlobs(repositoryId: number, digests: string[]): Promise<Set<string>> {
    return this.findIn('repository_blobs', repositoryId, digests, true);
  }

  async unlinkBlob(repositoryId: number, digest: string, at: Date): Promise<boolean> {
    return this.atomic(async (db) => {
      const ops = new KyselyContentOps(db);
      const removed = await ops.deleteByDigest('repository_blobs', repositoryId, digest);
      if (removed) await ops.queueBlobReviews([digest], at);
      return removed;
    });
  }

  // Manifests

  async putManifest(manifest: NewManifest): Promise<void> {
    const repositoryId = manifest.repositoryId;
    await this.atomic(async (db) => {
      const inserted = await db
        .insertInto('manifests')
        .values({
          repository_id: repositoryId,
          digest: manifest.digest,
          media_type: manifest.mediaType,
          artifact_type: manifest.artifactType,
          subject_digest: manifest.subjectDigest,
          annotations: manifest.annotations === null ? null : JSON.stringify(manifest.annotations),
          payload: asBuffer(manifest.payload),
          size: manifest.payload.byteLength,
          created_at: manifest.createdAt.getTime(),
        })
        .onConflict((oc) => oc.columns(['repository_id', 'digest']).doNothing())
        .returning('digest')
        .executeTakeFirst();
      // Already there: same digest, same bytes, same references.
      if (inserted === undefined) return;
      const references = [
        ...referencesOf(manifest.blobDigests, 'blob'),
        ...referencesOf(manifest.childDigests, 'manifest'),
      ].map((r) => ({ ...r, repository_id: repositoryId, manifest_digest: manifest.digest }));
      for (let i = 0; i < references.length; i += CHUNK) {
        await db.insertInto('manifest_references').values(references.slice(i, i + CHUNK)).execute();
      }
    });
  }

  async getManifest(repositoryId: number, digest: string): Promise<ManifestRecord | undefined> {
    const row = await this.db
      .selectFrom('manifests')
      .selectAll()
      .where('repository_id', '=', repositoryId)
      .where('digest', '=', digest)
      .executeTakeFirst();
    return row && toManifest(row);
  }

  async getManifestByTag(repositoryId: number, tag: string): Promise<ManifestRecord | undefined> {
    const row = await this.db
      .selectFrom('tags as t')
      .innerJoin('manifests as m', (join) =>
        join.onRef('m.repository_id', '=', 't.repository_id').onRef('m.digest', '=', 't.manifest_digest'),
      )
      .selectAll('m')
      .where('t.repository_id', '=', repositoryId)
      .where('t.name', '=', tag)
      .executeTakeFirst();
    return row && toManifest(row);
  }

  async findManifests(repositoryId: number, digests: string[]): Promise<Set<string>> {
    return this.findIn('manifests', repositoryId, digests);
  }

  async deleteManifest(repositoryId: number, digest: string, at: Date): Promise<boolean> {
    return this.atomic(async (db) => {
      await db
        .insertInto('gc_link_reviews')
        .columns(['repository_id', 'digest', 'queued_at'])
        .expression((eb) =>
          eb
            .selectFrom('manifest_references')
            .select(['repository_id', 'referenced_digest as digest', sql<number>`cast(${at.getTime()} as bigint)`.as('queued_at')])
            .where('repository_id', '=', repositoryId)
            .where('manifest_digest', '=', digest)
            .where('kind', '=', 'blob'),
        )
        .onConflict((oc) => oc.columns(['repository_id', 'digest']).doUpdateSet({ queued_at: at.getTime() }))
        .execute();
      // Foreign keys cascade to the manifest's references and the tags pointing at it.
      return new KyselyContentOps(db).deleteByDigest('manifests', repositoryId, digest);
    });
  }

  async listReferrers(repositoryId: number, subjectDigest: string, artifactType?: string): Promise<ManifestSummary[]> {
    const rows = await this.db
      .selectFrom('manifests')
      .select(['digest', 'media_type', 'size', 'artifact_type', 'annotations', 'image_status'])
      .where('repository_id', '=', repositoryId)
      .where('subject_digest', '=', subjectDigest)
      .$if(artifactType !== undefined, (q) => q.where('artifact_type', '=', artifactType as string))
      .orderBy('digest')
      .execute();
    return rows.map(toManifestSummary);
  }

  // Tags

  async putTag(repositoryId: number, tag: string, digest: string, at: Date): Promise<string | undefined> {
    const updatedAt = at.getTime();
    return this.atomic(async (db) => {
      for (;;) {
        const created = await db
          .insertInto('tags')
          .values({ repository_id: repositoryId, name: tag, manifest_digest: digest, updated_at: updatedAt })
          .onConflict((oc) => oc.columns(['repository_id', 'name']).doNothing())
          .returning('name')
          .executeTakeFirst();
        if (created !== undefined) return undefined;
        // A no-op update locks the row (PostgreSQL) before reading it, so concurrent moves of one
        // tag each get the digest the previous move set; SQLite's write lock gives the same.
        const current = await db
          .updateTable('tags')
          .set((eb) => ({ updated_at: eb.ref('updated_at') }))
          .where('repository_id', '=', repositoryId)
          .where('name', '=', tag)
          .returning('manifest_digest')
          .executeTakeFirst();
        // Deleted since the insert found it: create it again.
        if (current === undefined) continue;
        await db
          .updateTable('tags')
          .set({ manifest_digest: digest, updated_at: updatedAt })
          .where('repository_id', '=', repositoryId)
          .where('name', '=', tag)
          .execute();
        return current.manifest_digest;
      }
    });
  }

  async getTag(repositoryId: number, tag: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('tags')
      .select('manifest_digest')
      .where('repository_id', '=', repositoryId)
      .where('name', '=', tag)
      .executeTakeFirst();
    return row?.manifest_digest;
  }

  async deleteTag(repositoryId: number, tag: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('tags')
      .where('repository_id', '=', repositoryId)
      .where('name', '=', tag)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async listTags(repositoryId: number, page: Page): Promise<string[]> {
    const rows = await this.db
      .selectFrom('tags')
      .select('name')
      .where('repository_id', '=', repositoryId)
      .$if(page.after !== undefined, (q) => q.where('name', '>', page.after as string))
      .orderBy('name')
      .$if(page.limit !== undefined, (q) => q.limit(page.limit as number))
      .execute();
    return rows.map((r) => r.name);
  }

  async tagsOf(repositoryId: number, digest: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('tags')
      .select('name')
      .where('repository_id', '=', repositoryId)
      .where('manifest_digest', '=', digest)
      .orderBy('name')
      .execute();
    return rows.map((r) => r.name);
  }

  // Upload sessions

  async createUpload(upload: { id: string; repositoryId: number; startedAt: Date }): Promise<void> {
    const at = upload.startedAt.getTime();
    await this.db
      .insertInto('uploads')
      .values({ id: upload.id, repository_id: upload.repositoryId, byte_offset: 0, started_at: at, updated_at: at })
      .execute();
  }

  async getUpload(id: string): Promise<UploadRecord | undefined> {
    const row = await this.db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUpload(row);
  }

  async advanceUpload(id: string, expected: number, offset: number, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('uploads')
      .set({ byte_offset: offset, updated_at: at.getTime() })
      .where('id', '=', id)
      .where('byte_offset', '=', expected)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async listIdleUploads(idleSince: Date, limit: number): Promise<UploadRecord[]> {
    const rows = await this.db
      .selectFrom('uploads')
      .selectAll()
      .where('updated_at', '<', idleSince.getTime())
      .orderBy('updated_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toUpload);
  }

  async deleteUploadIfIdle(id: string, idleSince: Date): Promise<boolean> {
    const result = await this.db.deleteFrom('uploads').where('id', '=', id).where('updated_at', '<', idleSince.getTime()).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async deleteUpload(id: string): Promise<void> {
    await this.db.deleteFrom('uploads').where('id', '=', id).execute();
  }
}

function referencesOf(digests: string[], kind: ReferenceKind): { referenced_digest: string; kind: ReferenceKind }[] {
  return [...new Set(digests)].map((referenced_digest) => ({ referenced_digest, kind }));
}
