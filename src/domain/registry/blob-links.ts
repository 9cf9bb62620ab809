import { DomainError } from '../errors.js';
import type { Digest } from '../model/digest.js';
import { parseRepositoryName } from '../model/repository-name.js';
import type { Clock } from '../ports/clock.js';
import type { BlobRecord, MetadataStore, RepositoryRecord } from '../ports/metadata-store.js';

/** Which repositories may read which blobs: cross-repository mounts and unlinking. */
export class BlobLinks {
  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Links a blob of the `from` repository without moving bytes. Resolves undefined when it has no such
   * blob, and the caller falls back to a regular upload, as the spec says.
   */
  async mount(target: RepositoryRecord, digest: Digest, from: string): Promise<BlobRecord | undefined> {
    const source = await this.metadata.getRepository(parseRepositoryName(from));
    const blob = source && (await this.metadata.getLinkedBlob(source.id, digest.toString()));
    if (blob) await this.metadata.linkBlob(target.id, blob.digest, this.clock.now());
    return blob;
  }

  /** Removes the blob from the repository; its bytes go only when garbage collection finds them unreferenced. */
  async unlink(repository: RepositoryRecord, digest: Digest): Promise<void> {
    if (!(await this.metadata.unlinkBlob(repository.id, digest.toString(), this.clock.now()))) {
      throw new DomainError('BLOB_UNKNOWN', `blob ${digest} is not known to repository "${repository.name}"`, { digest: digest.toString() });
    }
  }
}
