import type { Kysely, Migration } from 'kysely';

/**
 * An index holding every column lifecycle evaluation reads of a manifest, so loading a large
 * repository's images reads the index alone: the table's rows carry the manifests' payloads.
 */
export function manifestsLifecycleIndex(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createIndex('manifests_lifecycle')
        .on('manifests')
        .columns(['repository_id', 'digest', 'created_at', 'last_pulled_at', 'image_status', 'last_archived_at', 'subject_digest'])
        .execute();
    },
  };
}
