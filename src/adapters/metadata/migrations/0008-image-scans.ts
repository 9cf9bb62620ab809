import type { Kysely, Migration } from 'kysely';
import type { DialectDdl } from './dialect-ddl.js';

/**
 * Image scans: one row per image and scan type, which is both the durable job (IN_PROGRESS, with a
 * lease) and, once done, the result: the package inventory (JSON, for re-matching without reading
 * layers again) and the findings (JSON). Rows go with their manifest.
 */
export function imageScans({ key }: DialectDdl): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('image_scans')
        .addColumn('repository_id', 'integer', (c) => c.notNull())
        .addColumn('manifest_digest', key, (c) => c.notNull())
        .addColumn('scan_type', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('requested_at', 'bigint', (c) => c.notNull())
        .addColumn('completed_at', 'bigint')
        .addColumn('leased_until', 'bigint')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('inventory', 'text')
        .addColumn('findings', 'text')
        .addColumn('severity_counts', 'text')
        .addColumn('source_updated_at', 'bigint')
        .addPrimaryKeyConstraint('image_scans_pk', ['repository_id', 'manifest_digest', 'scan_type'])
        .addForeignKeyConstraint('image_scans_manifest', ['repository_id', 'manifest_digest'], 'manifests', ['repository_id', 'digest'], (c) => c.onDelete('cascade'))
        .execute();
      // Workers claim the oldest pending scan.
      await db.schema.createIndex('image_scans_pending').on('image_scans').columns(['status', 'requested_at']).execute();
    },
  };
}
