import { BlobArchive } from '../content/blob-archive.js';
import { BlobStore } from '../content/blob-store.js';
import { DEFAULT_ARCHIVE_PREFIX } from '../content/layout.js';
import { LifecyclePreviews } from '../lifecycle/previews.js';
import { LifecycleRunner } from '../lifecycle/runner.js';
import type { Clock } from '../ports/clock.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import type { ObjectStore } from '../ports/object-store.js';
import { ImageScans } from '../scanning/image-scans.js';
import { BlobLinks } from './blob-links.js';
import { CreationTemplates } from './creation-templates.js';
import { ImageArchive } from './image-archive.js';
import { Images } from './images.js';
import { Layers } from './layers.js';
import { Manifests } from './manifests.js';
import { PULL_FLUSH_DELAY_MS, PullRecorder } from './pull-recorder.js';
import type { PullTimeExclusions } from './pull-time-exclusions.js';
import { Repositories, type RepositoryConfig } from './repositories.js';
import { RepositoryDocuments } from './repository-documents.js';

export interface RegistryDeps extends RepositoryConfig {
  metadata: MetadataStore;
  objects: ObjectStore;
  clock: Clock;
  /** Principals whose pulls are not recorded; none when absent. */
  pullTimeExclusions?: PullTimeExclusions;
  /** Where archived bytes go in the object store ('/'-terminated); archive/ when absent. */
  archivePrefix?: string;
}

/** The registry core that protocol surfaces call: one object per process, shared by every request. */
export class Registry {
  /** The 12-digit account id the registry answers as (ECR's registryId). */
  readonly registryId: string;
  readonly repositories: Repositories;
  readonly repositoryDocuments: RepositoryDocuments;
  readonly creationTemplates: CreationTemplates;
  readonly manifests: Manifests;
  readonly images: Images;
  readonly imageArchive: ImageArchive;
  readonly layers: Layers;
  readonly blobs: BlobStore;
  readonly blobLinks: BlobLinks;
  readonly pulls: PullRecorder;
  readonly lifecyclePreviews: LifecyclePreviews;
  readonly lifecycleRuns: LifecycleRunner;
  readonly scans: ImageScans;

  constructor(deps: RegistryDeps) {
    const { metadata, objects, clock, registryId, createOnPush } = deps;
    this.registryId = registryId;
    const exclusions = deps.pullTimeExclusions;
    this.pulls = new PullRecorder(metadata, clock, PULL_FLUSH_DELAY_MS, exclusions && ((arn) => exclusions.excludes(arn)));
    this.repositories = new Repositories(metadata, clock, { registryId, createOnPush });
    this.repositoryDocuments = new RepositoryDocuments(metadata, clock, this.repositories, registryId);
    this.creationTemplates = new CreationTemplates(metadata, clock, registryId);
    this.imageArchive = new ImageArchive(metadata, clock, new BlobArchive(objects, metadata, clock, deps.archivePrefix ?? DEFAULT_ARCHIVE_PREFIX));
    this.manifests = new Manifests(metadata, clock, this.pulls, this.imageArchive, registryId, (tx, repository, digest, mediaType) =>
      this.scans.requestOnPush(tx, repository, digest, mediaType),
    );
    this.images = new Images(metadata, clock, this.repositories, this.manifests, this.pulls, this.imageArchive, registryId);
    this.blobs = new BlobStore(objects, metadata, clock);
    this.layers = new Layers(metadata, this.blobs, this.repositories, registryId);
    this.blobLinks = new BlobLinks(metadata, clock);
    this.lifecyclePreviews = new LifecyclePreviews(metadata, clock, this.repositories, this.repositoryDocuments, registryId);
    this.scans = new ImageScans(metadata, clock, this.images, registryId);
    this.lifecycleRuns = new LifecycleRunner(metadata, clock, this.images, this.imageArchive);
  }

  /** Writes what is still buffered (pull times); call before closing the metadata store. */
  async close(): Promise<void> {
    await this.pulls.close();
  }
}
