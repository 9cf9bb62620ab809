import type { MetadataOps } from '../../domain/ports/metadata-store.js';
import { KyselyVulnerabilityOps } from './kysely-vulnerability-ops.js';

/**
 * Every metadata operation over a Kysely connection or transaction. The areas are layered one
 * file each: content (repositories, blobs, manifests, tags, uploads) < garbage collection < ECR
 * settings < identities < audit log < storage accounting < archive storage < vulnerability database.
 */
export class KyselyMetadataOps extends KyselyVulnerabilityOps implements MetadataOps {}
