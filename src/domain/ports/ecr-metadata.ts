import type { RepositorySettings, ResourceTag } from '../model/repository-settings.js';
import type { ImageStatus } from './archive-metadata.js';
import type { Page } from './metadata-store.js';

/** Settings, documents and views the ECR control plane keeps beside the registry's content. */

/** Policy-like documents stored per repository, kept as the exact text the client sent. */
export type RepositoryDocumentKind = 'policy' | 'lifecycle-policy' | 'lifecycle-preview';

/** Registry-wide documents: the registry policy, account settings, configurations, keys. */
export type RegistryDocumentKind = string;

export interface StoredDocument {
  text: string;
  updatedAt: Date;
}

export interface CreationTemplateRecord {
  prefix: string;
  /** The template as JSON text (everything but prefix and timestamps). */
  document: string;
  createdAt: Date;
  updatedAt: Date;
}

/** One row of ECR's ListImages: a manifest with one of its tags, or with none. */
export interface ImageIdRecord {
  digest: string;
  tag: string | null;
}

export type TagStatus = 'TAGGED' | 'UNTAGGED' | 'ANY';

export interface ImageIdPage {
  tagStatus: TagStatus;
  /** Only images of this status; every image when absent. */
  imageStatus?: ImageStatus;
  /** Exclusive lower bound in (digest, tag) order; a null tag sorts first. */
  after?: ImageIdRecord;
  limit: number;
}

/** What DescribeImages reports of one manifest. */
export interface ImageDetailRecord {
  digest: string;
  mediaType: string;
  artifactType: string | null;
  tags: string[];
  /** Sum of the sizes of the blobs the manifest references (config and layers). */
  blobBytes: number;
  /** Digests of child manifests (an index's entries). */
  childDigests: string[];
  /** The manifest it refers to (a signature's, an SBOM's subject), if any. */
  subjectDigest: string | null;
  pushedAt: Date;
  lastPulledAt: Date | null;
  imageStatus: ImageStatus;
  lastArchivedAt: Date | null;
  lastActivatedAt: Date | null;
}

/** What lifecycle rules look at of one manifest. */
export type LifecycleImageRecord = Pick<ImageDetailRecord, 'digest' | 'tags' | 'childDigests' | 'subjectDigest' | 'pushedAt' | 'lastPulledAt' | 'imageStatus' | 'lastArchivedAt'>;

export interface EcrMetadataOps {
  updateRepositorySettings(repositoryId: number, settings: RepositorySettings): Promise<void>;

  getRepositoryDocument(repositoryId: number, kind: RepositoryDocumentKind): Promise<StoredDocument | undefined>;
  putRepositoryDocument(repositoryId: number, kind: RepositoryDocumentKind, text: string, at: Date): Promise<void>;
  /** Resolves true when it existed. */
  deleteRepositoryDocument(repositoryId: number, kind: RepositoryDocumentKind): Promise<boolean>;

  /** The repository's resource tags, by key. */
  getRepositoryTags(repositoryId: number): Promise<ResourceTag[]>;
  /** Adds or overwrites tags by key. */
  putRepositoryTags(repositoryId: number, tags: ResourceTag[]): Promise<void>;
  deleteRepositoryTags(repositoryId: number, keys: string[]): Promise<void>;

  getRegistryDocument(kind: RegistryDocumentKind): Promise<StoredDocument | undefined>;
  putRegistryDocument(kind: RegistryDocumentKind, text: string, at: Date): Promise<void>;
  /** Stores `text` only when no document of that kind exists; resolves with the one stored. */
  putRegistryDocumentIfAbsent(kind: RegistryDocumentKind, text: string, at: Date): Promise<string>;
  deleteRegistryDocument(kind: RegistryDocumentKind): Promise<boolean>;

  /** Rejects with TEMPLATE_ALREADY_EXISTS when the prefix is taken. */
  createCreationTemplate(template: CreationTemplateRecord): Promise<void>;
  getCreationTemplate(prefix: string): Promise<CreationTemplateRecord | undefined>;
  /** All templates by prefix, byte-wise. */
  listCreationTemplates(): Promise<CreationTemplateRecord[]>;
  /** Resolves false when no template has the prefix. */
  updateCreationTemplate(prefix: string, document: string, at: Date): Promise<boolean>;
  deleteCreationTemplate(prefix: string): Promise<boolean>;

  listImageIds(repositoryId: number, page: ImageIdPage): Promise<ImageIdRecord[]>;
  /** Manifest digests in byte-wise order. */
  listManifestDigests(repositoryId: number, page: Page): Promise<string[]>;
  /** Details of the given manifests in digest order; digests not in the repository are left out. */
  describeImages(repositoryId: number, digests: string[]): Promise<ImageDetailRecord[]>;
  /** What lifecycle rules look at, for every manifest of the repository in digest order, in a few queries whatever their number. */
  listLifecycleImages(repositoryId: number): Promise<LifecycleImageRecord[]>;
  /** Sets the last recorded pull time of each manifest (later times only). */
  recordPulls(pulls: { repositoryId: number; digest: string; at: Date }[]): Promise<void>;
}
