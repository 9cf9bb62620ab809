import type { Kysely, Migration } from 'kysely';
import type { DialectDdl } from './dialect-ddl.js';

/** The audit log, and storage accounting over time. Timestamps are integer milliseconds. */
export function auditAndStorageSamples({ identity, key }: DialectDdl): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // What the registry did on its own: lifecycle expirations and transitions.
      await db.schema
        .createTable('audit_events')
        .addColumn('id', 'integer', identity)
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('action', key, (c) => c.notNull())
        .addColumn('repository_name', key)
        .addColumn('image_digest', key)
        .addColumn('detail', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_events_at').on('audit_events').column('at').execute();
      await db.schema.createIndex('audit_events_repository').on('audit_events').columns(['repository_name', 'at']).execute();

      // Storage accounting over time, for charts: one row per repository per sample, and the
      // registry's total under the empty name (no repository has it).
      await db.schema
        .createTable('storage_samples')
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('repository_name', key, (c) => c.notNull())
        .addColumn('bytes', 'bigint', (c) => c.notNull())
        .addColumn('image_count', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('storage_samples_pk', ['repository_name', 'at'])
        .execute();
      // Pruning old samples of every series.
      await db.schema.createIndex('storage_samples_at').on('storage_samples').column('at').execute();
    },
  };
}
