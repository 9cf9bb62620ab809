import { DomainError } from '../errors.js';
import { Digest } from '../model/digest.js';
import { type ParsedManifest, parseManifest } from '../model/manifest.js';
import { isNonDistributable } from '../model/media-types.js';
import { parseTag, type Reference } from '../model/reference.js';
import { isTagImmutable } from '../model/tag-mutability.js';
import type { Clock } from '../ports/clock.js';
import type { ManifestRecord, ManifestSummary, MetadataOps, MetadataStore, Page, RepositoryRecord } from '../ports/metadata-store.js';
import { imageArchived, referencesNotFound, tagImmutable } from './ecr-errors.js';
import type { ImageArchive } from './image-archive.js';
import { MAX_MANIFEST_BYTES } from './limits.js';
import type { PullRecorder } from './pull-recorder.js';

export interface PushedManifest {
  digest: Digest;
  mediaType: string;
  subject?: Digest;
  /** Pushed by tag: the digest the tag pointed at before, if it existed (the pushed digest itself when unchanged). */
  previousTagTarget?: string;
}

/**
 * Runs in the transaction that stores a pushed manifest, so what it records (a scan request) is as
 * durable as the manifest.
 */
export type ManifestStoredHook = (tx: MetadataOps, repository: RepositoryRecord, digest: string, mediaType: string) => Promise<void>;

export class Manifests {
  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    private readonly pulls: PullRecorder,
    private readonly archive: ImageArchive,
    private readonly registryId: string,
    private readonly onStored?: ManifestStoredHook,
  ) {}

  /** The manifest a reference names, to be served: IMAGE_ARCHIVED when it is archived (or being restored). */
  async get(repository: RepositoryRecord, reference: Reference): Promise<ManifestRecord> {
    const manifest =
      reference.kind === 'tag'
        ? await this.metadata.getManifestByTag(repository.id, reference.tag)
        : await this.metadata.getManifest(repository.id, reference.digest.toString());
    if (!manifest) {
      const what = reference.kind === 'tag' ? `tag "${reference.tag}"` : `manifest ${reference.digest}`;
      throw new DomainError('MANIFEST_UNKNOWN', `${what} is not known to repository "${repository.name}"`);
    }
    if (manifest.imageStatus !== 'ACTIVE') throw imageArchived(manifest.digest, repository.name, manifest.imageStatus === 'ACTIVATING');
    return manifest;
  }

  /**
   * A manifest fetched to be used, not just looked at (GET, not HEAD): its pull time is recorded,
   * unless `pullerArn` (the IAM user or role that pulled) is on the pull time update exclusion list.
   */
  async pull(repository: RepositoryRecord, reference: Reference, pullerArn?: string): Promise<ManifestRecord> {
    const manifest = await this.get(repository, reference);
    this.pulls.record(repository.id, manifest.digest, pullerArn);
    return manifest;
  }

  /**
   * Stores a manifest under its digest and, when pushed by tag, points the tag at it, in one transaction.
   * Every blob and child manifest it references must already be in the repository. An immutable tag
   * (the repository's tag mutability) may be pushed again only with the digest it has: the check is
   * made on the tag move itself, inside the transaction, so of concurrent pushes exactly one wins.
   * Pushing an archived image restores it, and blobs it uses come back from the archive.
   */
  async put(repository: RepositoryRecord, reference: Reference, contentType: string | undefined, payload: Uint8Array): Promise<PushedManifest> {
    if (payload.byteLength > MAX_MANIFEST_BYTES) throw tooLarge();
    const parsed = parseManifest(payload, contentType);
    const digest = Digest.of(payload, reference.kind === 'digest' ? reference.digest.algorithm : 'sha256');
    if (reference.kind === 'digest' && !digest.equals(reference.digest)) {
      throw new DomainError('DIGEST_INVALID', `manifest digest mismatch: the payload's digest is ${digest}, not ${reference.digest}`, { digest: reference.digest.toString(), actual: digest.toString() });
    }
    const blobDigests = unique(parsed.blobs.filter((b) => !(isNonDistributable(b.mediaType) && b.urls?.length)).map((b) => b.digest.toString()));
    const childDigests = unique(parsed.manifests.map((m) => m.digest.toString()));
    const now = this.clock.now();
    const previousTagTarget = await this.metadata.transaction(async (tx) => {
      const [linked, children] = await Promise.all([tx.findLinkedBlobs(repository.id, blobDigests), tx.findManifests(repository.id, childDigests)]);
      const missingBlobs = blobDigests.filter((d) => !linked.has(d));
      if (missingBlobs.length > 0) throw referencesNotFound('blob', missingBlobs, repository.name, this.registryId);
      const missingChildren = childDigests.filter((d) => !children.has(d));
      if (missingChildren.length > 0) throw referencesNotFound('manifest', missingChildren, repository.name, this.registryId);
      await tx.putManifest({
        repositoryId: repository.id,
        digest: digest.toString(),
        mediaType: parsed.mediaType,
        artifactType: artifactTypeOf(parsed),
        subjectDigest: parsed.subject?.digest.toString() ?? null,
        annotations: parsed.annotations ?? null,
        payload,
        createdAt: now,
        blobDigests,
        childDigests,
      });
      await this.onStored?.(tx, repository, digest.toString(), parsed.mediaType);
      if (reference.kind !== 'tag') return undefined;
      const previous = await tx.putTag(repository.id, reference.tag, digest.toString(), now);
      // Throwing rolls the move (and the manifest, if new) back.
      if (previous !== undefined && previous !== digest.toString() && isTagImmutable(repository.settings, reference.tag)) {
        throw tagImmutable(reference.tag, repository.name);
      }
      return previous;
    });
    await this.archive.activatePushed(repository, digest.toString(), blobDigests, childDigests);
    return {
      digest,
      mediaType: parsed.mediaType,
      ...(parsed.subject && { subject: parsed.subject.digest }),
      ...(previousTagTarget !== undefined && { previousTagTarget }),
    };
  }

  async delete(repository: RepositoryRecord, digest: Digest): Promise<void> {
    if (!(await this.metadata.deleteManifest(repository.id, digest.toString(), this.clock.now()))) {
      throw new DomainError('MANIFEST_UNKNOWN', `manifest ${digest} is not known to repository "${repository.name}"`);
    }
  }

  async deleteTag(repository: RepositoryRecord, tag: string): Promise<void> {
    if (!(await this.metadata.deleteTag(repository.id, parseTag(tag)))) {
      throw new DomainError('MANIFEST_UNKNOWN', `tag "${tag}" is not known to repository "${repository.name}"`);
    }
  }

  async tags(repository: RepositoryRecord, page: Page): Promise<string[]> {
    return this.metadata.listTags(repository.id, page);
  }

  async referrers(repository: RepositoryRecord, subject: Digest, artifactType?: string): Promise<ManifestSummary[]> {
    return this.metadata.listReferrers(repository.id, subject.toString(), artifactType);
  }
}

/** As the referrers API reports it: the manifest's artifactType, else its config's media type. */
function artifactTypeOf(parsed: ParsedManifest): string | null {
  return parsed.artifactType ?? parsed.config?.mediaType ?? null;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

export function tooLarge(): DomainError {
  return new DomainError('MANIFEST_TOO_LARGE', `manifest is larger than the ${MAX_MANIFEST_BYTES} bytes (4 MiB) a registry accepts`, { limit: MAX_MANIFEST_BYTES });
}
