import type { Kysely, Migration } from 'kysely';

/** ECR's archive storage class: each image's status, and where each blob's bytes are. Timestamps are integer milliseconds. */
export function archiveStorageClass(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // STANDARD, or ARCHIVE once every image using the blob is archived and its bytes were moved.
      await db.schema.alterTable('blobs').addColumn('storage_class', 'text', (c) => c.notNull().defaultTo('STANDARD')).execute();
      // ECR's imageStatus: ACTIVE, ARCHIVED or ACTIVATING.
      await db.schema.alterTable('manifests').addColumn('image_status', 'text', (c) => c.notNull().defaultTo('ACTIVE')).execute();
      await db.schema.alterTable('manifests').addColumn('last_archived_at', 'bigint').execute();
      await db.schema.alterTable('manifests').addColumn('last_activated_at', 'bigint').execute();
    },
  };
}
