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
}

export interface RepositoriesTable {
  id: Generated<number>;
  name: string;
  created_at: number;
}

export interface BlobsTable {
  digest: string;
  size: number;
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
