import type { MetadataOps } from '../../domain/ports/metadata-store.js';
import { KyselyStorageUsageOps } from './kysely-storage-usage-ops.js';

/**
 * Every metadata operation over a Kysely connection or transaction. The areas are layered one
 * file each: content (repositories, blobs, manifests, tags, uploads) < garbage collection < ECR
 * settings < identities < audit log < storage accounting.
 */
export class KyselyMetadataOps extends KyselyStorageUsageOps implements MetadataOps {}
