import type { Selectable } from 'kysely';
import { DEFAULT_REPOSITORY_SETTINGS, type RepositorySettings } from '../../domain/model/repository-settings.js';
import type { ImageStatus } from '../../domain/ports/archive-metadata.js';
import type { ManifestRecord, ManifestSummary, RepositoryRecord, UploadRecord } from '../../domain/ports/metadata-store.js';
import type { ManifestsTable, RepositoriesTable, UploadsTable } from './schema.js';

/** Conversions between rows and the port's records, the same for both dialects. */

export function toRepository(row: Selectable<RepositoriesTable>): RepositoryRecord {
  return {
    id: row.id,
    name: row.name,
    createdAt: new Date(row.created_at),
    settings: { ...DEFAULT_REPOSITORY_SETTINGS, ...(JSON.parse(row.settings) as Partial<RepositorySettings>) },
  };
}

export type ManifestSummaryRow = Pick<
  Selectable<ManifestsTable>,
  'digest' | 'media_type' | 'size' | 'artifact_type' | 'annotations' | 'image_status'
>;

export function toManifestSummary(row: ManifestSummaryRow): ManifestSummary {
  return {
    digest: row.digest,
    mediaType: row.media_type,
    size: row.size,
    artifactType: row.artifact_type,
    annotations: row.annotations === null ? null : (JSON.parse(row.annotations) as Record<string, string>),
    imageStatus: row.image_status as ImageStatus,
  };
}

export function toManifest(row: Selectable<ManifestsTable>): ManifestRecord {
  return {
    ...toManifestSummary(row),
    repositoryId: row.repository_id,
    subjectDigest: row.subject_digest,
    payload: row.payload,
    createdAt: new Date(row.created_at),
  };
}

export function toUpload(row: Selectable<UploadsTable>): UploadRecord {
  return {
    id: row.id,
    repositoryId: row.repository_id,
    offset: row.byte_offset,
    startedAt: new Date(row.started_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** better-sqlite3 binds Buffers only; a view over the same memory, no copy. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
