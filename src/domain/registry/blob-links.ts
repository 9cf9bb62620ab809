import { DomainError } from '../errors.js';
import type { Digest } from '../model/digest.js';
import { parseRepositoryName } from '../model/repository-name.js';
import type { BlobRecord, MetadataStore, RepositoryRecord } from '../ports/metadata-store.js';

/** Which repositories may read which blobs: cross-repository mounts and unlinking. */
export class BlobLinks {
  constructor(private readonly metadata: MetadataStore) {}

  /**
   * Links a blob from another repository without moving bytes. With `from`, only that repository's
   * blob is considered; without it, any committed blob. Resolves undefined when the blob can't be
   * mounted, and the caller falls back to a regular upload, as the spec says.
   */
  async mount(target: RepositoryRecord, digest: Digest, from?: string): Promise<BlobRecord | undefined> {
    let blob: BlobRecord | undefined;
    if (from !== undefined) {
      const source = await this.metadata.getRepository(parseRepositoryName(from));
      blob = source && (await this.metadata.getLinkedBlob(source.id, digest.toString()));
    } else {
      blob = await this.metadata.getBlob(digest.toString());
    }
    if (blob) await this.metadata.linkBlob(target.id, blob.digest);
    return blob;
  }

  /** Removes the blob from the repository; its bytes go only when garbage collection finds them unreferenced. */
  async unlink(repository: RepositoryRecord, digest: Digest): Promise<void> {
    if (!(await this.metadata.unlinkBlob(repository.id, digest.toString()))) {
      throw new DomainError('BLOB_UNKNOWN', `blob ${digest} is not known to repository "${repository.name}"`, { digest: digest.toString() });
    }
  }
}
