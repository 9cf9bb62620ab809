import { Migrator, type Kysely, type Migration } from 'kysely';
import { initial } from './0001-initial.js';
import { ecrAndIdentity } from './0002-ecr-and-identity.js';
import { gcReviewQueues } from './0003-gc-review-queues.js';
import { auditAndStorageSamples } from './0004-audit-and-storage-samples.js';
import { archiveStorageClass } from './0005-archive-storage-class.js';
import { manifestsLifecycleIndex } from './0006-manifests-lifecycle-index.js';
import { vulnerabilityDatabase } from './0007-vulnerability-database.js';
import { imageScans } from './0008-image-scans.js';
import { loginProfilesAndConsoleSessions } from './0009-login-profiles-and-console-sessions.js';
import { tagsByManifestIndex } from './0010-tags-by-manifest-index.js';
import { dialectDdl, type SqlDialect } from './dialect-ddl.js';

export type { SqlDialect } from './dialect-ddl.js';

/**
 * Numbered migrations per dialect, in code so nothing scans the filesystem. Never edit a
 * released migration: add the next number. Dialects may share a migration body (as 0001
 * does through DialectDdl) or have their own.
 */
const migrations: Record<SqlDialect, Record<string, Migration>> = {
  sqlite: {
    '0001_initial': initial(dialectDdl.sqlite),
    '0002_ecr_and_identity': ecrAndIdentity(dialectDdl.sqlite),
    '0003_gc_review_queues': gcReviewQueues(dialectDdl.sqlite),
    '0004_audit_and_storage_samples': auditAndStorageSamples(dialectDdl.sqlite),
    '0005_archive_storage_class': archiveStorageClass(),
    '0006_manifests_lifecycle_index': manifestsLifecycleIndex(),
    '0007_vulnerability_database': vulnerabilityDatabase(dialectDdl.sqlite, 'sqlite'),
    '0008_image_scans': imageScans(dialectDdl.sqlite),
    '0009_login_profiles_and_console_sessions': loginProfilesAndConsoleSessions(dialectDdl.sqlite),
    '0010_tags_by_manifest_index': tagsByManifestIndex(),
  },
  postgres: {
    '0001_initial': initial(dialectDdl.postgres),
    '0002_ecr_and_identity': ecrAndIdentity(dialectDdl.postgres),
    '0003_gc_review_queues': gcReviewQueues(dialectDdl.postgres),
    '0004_audit_and_storage_samples': auditAndStorageSamples(dialectDdl.postgres),
    '0005_archive_storage_class': archiveStorageClass(),
    '0006_manifests_lifecycle_index': manifestsLifecycleIndex(),
    '0007_vulnerability_database': vulnerabilityDatabase(dialectDdl.postgres, 'postgres'),
    '0008_image_scans': imageScans(dialectDdl.postgres),
    '0009_login_profiles_and_console_sessions': loginProfilesAndConsoleSessions(dialectDdl.postgres),
    '0010_tags_by_manifest_index': tagsByManifestIndex(),
  },
};

/** Brings the schema up to date; rejects with the failing migration's error. */
export async function migrateToLatest(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations[dialect] } });
  const { error } = await migrator.migrateToLatest();
  if (error !== undefined) throw error;
}
