import type { Generated } from 'kysely';

/**
 * Row types of the metadata tables, shared by both dialects. Timestamps are integer
 * milliseconds since the epoch and sizes are integers in both, so one code path maps rows.
 */
export interface Database {
  repositories: RepositoriesTable;
  blobs: BlobsTable;
  repository_blobs: RepositoryBlobsTable;
  manifests: ManifestsTable;
  manifest_references: ManifestReferencesTable;
  tags: TagsTable;
  uploads: UploadsTable;
  repository_documents: RepositoryDocumentsTable;
  repository_tags: RepositoryTagsTable;
  registry_documents: RegistryDocumentsTable;
  creation_templates: CreationTemplatesTable;
  principals: PrincipalsTable;
  inline_policies: InlinePoliciesTable;
  access_keys: AccessKeysTable;
  counters: CountersTable;
  gc_link_reviews: GcLinkReviewsTable;
  gc_blob_reviews: GcBlobReviewsTable;
  audit_events: AuditEventsTable;
  storage_samples: StorageSamplesTable;
  vulndb_sources: VulndbSourcesTable;
  vulndb_records: VulndbRecordsTable;
  vulndb_affected: VulndbAffectedTable;
  image_scans: ImageScansTable;
  login_profiles: LoginProfilesTable;
  console_sessions: ConsoleSessionsTable;
}

export interface RepositoriesTable {
  id: Generated<number>;
  name: string;
  created_at: number;
  /** JSON text of the repository's settings; '{}' means the defaults. */
  settings: Generated<string>;
}

export interface BlobsTable {
  digest: string;
  size: number;
  committed_at: Generated<number | null>;
  storage_class: Generated<string>;
}

export interface RepositoryBlobsTable {
  repository_id: number;
  digest: string;
}

export interface ManifestsTable {
  repository_id: number;
  digest: string;
  media_type: string;
  artifact_type: string | null;
  subject_digest: string | null;
  /** JSON object text, or null. */
  annotations: string | null;
  payload: Uint8Array;
  size: number;
  created_at: number;
  last_pulled_at: Generated<number | null>;
  image_status: Generated<string>;
  last_archived_at: Generated<number | null>;
  last_activated_at: Generated<number | null>;
}

export type ReferenceKind = 'blob' | 'manifest';

export interface ManifestReferencesTable {
  repository_id: number;
  manifest_digest: string;
  referenced_digest: string;
  kind: ReferenceKind;
}

export interface TagsTable {
  repository_id: number;
  name: string;
  manifest_digest: string;
  updated_at: number;
}

export interface UploadsTable {
  id: string;
  repository_id: number;
  /** `offset` is an SQL keyword; this name needs no quoting anywhere. */
  byte_offset: number;
  started_at: number;
  updated_at: number;
}

export interface RepositoryDocumentsTable {
  repository_id: number;
  kind: string;
  text: string;
  updated_at: number;
}

export interface RepositoryTagsTable {
  repository_id: number;
  key: string;
  value: string;
}

export interface RegistryDocumentsTable {
  kind: string;
  text: string;
  updated_at: number;
}

export interface CreationTemplatesTable {
  prefix: string;
  document: string;
  created_at: number;
  updated_at: number;
}

export interface PrincipalsTable {
  arn: string;
  account: string;
  kind: string;
  name: string;
  id: string;
  path: string;
  trust_policy: string | null;
  created_at: number;
}

export interface InlinePoliciesTable {
  principal_arn: string;
  name: string;
  document: string;
}

export interface AccessKeysTable {
  id: string;
  secret: string;
  principal_arn: string;
  status: string;
  created_at: number;
  session_token: string | null;
  expires_at: number | null;
  session_arn: string | null;
}

export interface CountersTable {
  name: string;
  value: number;
}

export interface GcLinkReviewsTable {
  repository_id: number;
  digest: string;
  queued_at: number;
  leased_until: number | null;
}

export interface GcBlobReviewsTable {
  digest: string;
  queued_at: number;
  leased_until: number | null;
}

export interface AuditEventsTable {
  id: Generated<number>;
  at: number;
  action: string;
  repository_name: string | null;
  image_digest: string | null;
  /** JSON object text. */
  detail: string;
}

export interface StorageSamplesTable {
  at: number;
  /** '' for the registry's total. */
  repository_name: string;
  bytes: number;
  image_count: number;
}

export interface VulndbSourcesTable {
  name: string;
  /** The path or URL it was last imported from. */
  location: string;
  record_count: number;
  imported_at: number;
  newest_modified: number | null;
}

export interface VulndbRecordsTable {
  source: string;
  id: string;
  /** As published, compared exactly. */
  modified: string;
  withdrawn: string | null;
  /** JSON text of the record without its `affected` entries. */
  record: string;
}

export interface VulndbAffectedTable {
  /** As OSV writes it ("Debian:12"); '' for an entry without a package. */
  ecosystem: string;
  /** The package name as lookups compare it (packageKey). */
  package_key: string;
  source: string;
  record_id: string;
  /** The entry's place in the record's `affected` list. */
  ordinal: number;
  /** The record's, repeated so lookups read no other table. */
  modified: string;
  withdrawn: string | null;
  /** JSON text of the entry. */
  entry: string;
}

export interface ImageScansTable {
  repository_id: number;
  manifest_digest: string;
  scan_type: string;
  status: string;
  description: string | null;
  trigger: string;
  requested_at: number;
  completed_at: number | null;
  leased_until: number | null;
  attempts: Generated<number>;
  /** JSON text of the Inventory. */
  inventory: string | null;
  /** JSON text of the findings. */
  findings: string | null;
  /** JSON text of severity -> count. */
  severity_counts: string | null;
  source_updated_at: number | null;
}

export interface LoginProfilesTable {
  user_arn: string;
  /** The password's scrypt hash with its parameters and salt (see domain/identity/login-profiles.ts). */
  password_hash: string;
  created_at: number;
  updated_at: number;
}

export interface ConsoleSessionsTable {
  /** SHA-256 of the session's cookie value: the store never holds a usable cookie. */
  id_hash: string;
  principal_arn: string;
  /** Set when the session signed in with an access key. */
  access_key_id: string | null;
  /** Set when it signed in with a password: which password, so setting another ends the session. */
  password_fingerprint: string | null;
  created_at: number;
  expires_at: number;
}
