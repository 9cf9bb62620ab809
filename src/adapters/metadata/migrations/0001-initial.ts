import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectDdl } from './dialect-ddl.js';

/**
 * Repositories, blobs and their per-repository links, manifests with their references,
 * tags and upload sessions. Timestamps are integer milliseconds; sizes are 64-bit integers.
 */
export function initial({ identity, key, bytes }: DialectDdl): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('repositories')
        .addColumn('id', 'integer', identity)
        .addColumn('name', key, (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('blobs')
        .addColumn('digest', key, (c) => c.primaryKey())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('repository_blobs')
        .addColumn('repository_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('digest', key, (c) => c.notNull().references('blobs.digest'))
        .addPrimaryKeyConstraint('repository_blobs_pk', ['repository_id', 'digest'])
        .execute();
      // Garbage collection asks whether any repository still links a blob.
      await db.schema.createIndex('repository_blobs_digest').on('repository_blobs').column('digest').execute();

      await db.schema
        .createTable('manifests')
        .addColumn('repository_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('digest', key, (c) => c.notNull())
        .addColumn('media_type', 'text', (c) => c.notNull())
        .addColumn('artifact_type', 'text')
        .addColumn('subject_digest', key)
        .addColumn('annotations', 'text')
        .addColumn('payload', bytes, (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('manifests_pk', ['repository_id', 'digest'])
        .execute();
      await db.schema
        .createIndex('manifests_subject')
        .on('manifests')
        .columns(['repository_id', 'subject_digest'])
        .execute();

      await db.schema
        .createTable('manifest_references')
        .addColumn('repository_id', 'integer', (c) => c.notNull())
        .addColumn('manifest_digest', key, (c) => c.notNull())
        .addColumn('referenced_digest', key, (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addCheckConstraint('manifest_references_kind', sql`kind in ('blob', 'manifest')`)
        .addPrimaryKeyConstraint('manifest_references_pk', ['repository_id', 'manifest_digest', 'kind', 'referenced_digest'])
        .addForeignKeyConstraint(
          'manifest_references_manifest',
          ['repository_id', 'manifest_digest'],
          'manifests',
          ['repository_id', 'digest'],
          (fk) => fk.onDelete('cascade'),
        )
        .execute();
      // "Is this blob or child manifest still referenced in the repository?"
      await db.schema
        .createIndex('manifest_references_referenced')
        .on('manifest_references')
        .columns(['repository_id', 'referenced_digest'])
        .execute();

      await db.schema
        .createTable('tags')
        .addColumn('repository_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('name', key, (c) => c.notNull())
        .addColumn('manifest_digest', key, (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('tags_pk', ['repository_id', 'name'])
        .addForeignKeyConstraint(
          'tags_manifest',
          ['repository_id', 'manifest_digest'],
          'manifests',
          ['repository_id', 'digest'],
          (fk) => fk.onDelete('cascade'),
        )
        .execute();
      // tagsOf, and the cascade when a manifest is deleted.
      await db.schema.createIndex('tags_manifest').on('tags').columns(['repository_id', 'manifest_digest']).execute();

      await db.schema
        .createTable('uploads')
        .addColumn('id', key, (c) => c.primaryKey())
        .addColumn('repository_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('byte_offset', 'bigint', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('uploads_repository').on('uploads').column('repository_id').execute();
    },
  };
}
