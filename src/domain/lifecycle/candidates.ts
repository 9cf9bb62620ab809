import type { ImageDetailRecord } from '../ports/ecr-metadata.js';
import type { MetadataOps } from '../ports/metadata-store.js';
import type { LifecycleCandidate } from './evaluate.js';

/** Manifests are described in DescribeImages-sized batches. */
const DESCRIBE_BATCH = 100;

/** Every image of a repository, as the metadata store describes them. */
export async function repositoryImages(metadata: MetadataOps, repositoryId: number): Promise<ImageDetailRecord[]> {
  const digests = await metadata.listManifestDigests(repositoryId, {});
  const images: ImageDetailRecord[] = [];
  for (let i = 0; i < digests.length; i += DESCRIBE_BATCH) images.push(...(await metadata.describeImages(repositoryId, digests.slice(i, i + DESCRIBE_BATCH))));
  return images;
}

/**
 * Candidates as the evaluator sees them, with the indexes that list them: ACTIVE images in the
 * standard class, ARCHIVED ones in the archive class with the time they moved there. Images being
 * restored (ACTIVATING) are left out: no rule acts on them, and the images they own count them alive.
 */
export function lifecycleCandidates(images: ImageDetailRecord[]): LifecycleCandidate[] {
  const parents = new Map<string, string[]>();
  for (const image of images) for (const child of image.childDigests) parents.set(child, [...(parents.get(child) ?? []), image.digest]);
  return images
    .filter((image) => image.imageStatus !== 'ACTIVATING')
    .map((image) => ({
      digest: image.digest,
      tags: image.tags,
      pushedAt: image.pushedAt,
      lastPulledAt: image.lastPulledAt,
      storageClass: image.imageStatus === 'ARCHIVED' ? 'archive' : 'standard',
      transitionedAt: image.lastArchivedAt,
      ...(parents.has(image.digest) && { childOf: parents.get(image.digest)! }),
      ...(image.subjectDigest !== null && { subjectDigest: image.subjectDigest }),
    }));
}
