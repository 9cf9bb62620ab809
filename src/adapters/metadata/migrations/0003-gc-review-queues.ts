import type { Kysely, Migration } from 'kysely';
import type { DialectDdl } from './dialect-ddl.js';

/** Online garbage collection: its review queues and the commit fence. Timestamps are integer milliseconds. */
export function gcReviewQueues({ key }: DialectDdl): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // When an upload last committed these bytes: garbage collection leaves a blob alone for a
      // grace period after it, so bytes a commit found already in place are not deleted under it.
      await db.schema.alterTable('blobs').addColumn('committed_at', 'bigint').execute();

      // A repository's link to a blob that may no longer be referenced by any of its manifests.
      await db.schema
        .createTable('gc_link_reviews')
        .addColumn('repository_id', 'integer', (c) => c.notNull())
        .addColumn('digest', key, (c) => c.notNull())
        .addColumn('queued_at', 'bigint', (c) => c.notNull())
        .addColumn('leased_until', 'bigint')
        .addPrimaryKeyConstraint('gc_link_reviews_pk', ['repository_id', 'digest'])
        .execute();
      await db.schema.createIndex('gc_link_reviews_queued').on('gc_link_reviews').column('queued_at').execute();

      // A blob that may no longer be linked to any repository.
      await db.schema
        .createTable('gc_blob_reviews')
        .addColumn('digest', key, (c) => c.primaryKey())
        .addColumn('queued_at', 'bigint', (c) => c.notNull())
        .addColumn('leased_until', 'bigint')
        .execute();
      await db.schema.createIndex('gc_blob_reviews_queued').on('gc_blob_reviews').column('queued_at').execute();
    },
  };
}
