import type { MetadataOps } from '../../domain/ports/metadata-store.js';
import { KyselyScanOps } from './kysely-scan-ops.js';

/**
 * Every metadata operation over a Kysely connection or transaction. The areas are layered one
 * file each: content (repositories, blobs, manifests, tags, uploads) < garbage collection < ECR
 * settings < identities < audit log < storage accounting < archive storage < vulnerability database < image scans.
 */
export class KyselyMetadataOps extends KyselyScanOps implements MetadataOps {}
