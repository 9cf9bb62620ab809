import { BlobStore } from '../content/blob-store.js';
import type { Clock } from '../ports/clock.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import type { ObjectStore } from '../ports/object-store.js';
import { BlobLinks } from './blob-links.js';
import { Manifests } from './manifests.js';
import { Repositories, type RepositoryPolicy } from './repositories.js';

/** The registry core that protocol surfaces call: one object per process, shared by every request. */
export class Registry {
  readonly repositories: Repositories;
  readonly manifests: Manifests;
  readonly blobs: BlobStore;
  readonly blobLinks: BlobLinks;

  constructor(deps: { metadata: MetadataStore; objects: ObjectStore; clock: Clock; policy: RepositoryPolicy }) {
    this.repositories = new Repositories(deps.metadata, deps.clock, deps.policy);
    this.manifests = new Manifests(deps.metadata, deps.clock);
    this.blobs = new BlobStore(deps.objects, deps.metadata, deps.clock);
    this.blobLinks = new BlobLinks(deps.metadata);
  }
}
