import type { MetadataOps } from '../../domain/ports/metadata-store.js';
import { KyselyArchiveOps } from './kysely-archive-ops.js';

/**
 * Every metadata operation over a Kysely connection or transaction. The areas are layered one
 * file each: content (repositories, blobs, manifests, tags, uploads) < garbage collection < ECR
 * settings < identities < audit log < storage accounting < archive storage.
 */
export class KyselyMetadataOps extends KyselyArchiveOps implements MetadataOps {}
