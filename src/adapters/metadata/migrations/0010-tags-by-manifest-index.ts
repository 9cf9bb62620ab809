import type { Kysely, Migration } from 'kysely';

/**
 * Tags by (repository, manifest, name), replacing the index by (repository, manifest): it serves the
 * same lookups and cascades, and holds the name too, so listing a repository's tags by manifest
 * (lifecycle evaluation loads every tag of the repository) reads the index alone, already in order.
 */
export function tagsByManifestIndex(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createIndex('tags_manifest_name').on('tags').columns(['repository_id', 'manifest_digest', 'name']).execute();
      await db.schema.dropIndex('tags_manifest').execute();
    },
  };
}
