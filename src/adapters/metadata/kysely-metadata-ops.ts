import type { MetadataOps } from '../../domain/ports/metadata-store.js';
import { KyselyIdentityOps } from './kysely-identity-ops.js';

/**
 * Every metadata operation over a Kysely connection or transaction. The areas are layered one
 * file each: content (repositories, blobs, manifests, tags, uploads) < ECR settings < identities.
 */
export class KyselyMetadataOps extends KyselyIdentityOps implements MetadataOps {}
