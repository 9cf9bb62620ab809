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

/** Candidates as the evaluator sees them: every image standard (no archive yet), with the indexes that list it. */
export function candidateOf(images: ImageDetailRecord[]): (image: ImageDetailRecord) => LifecycleCandidate {
  const parents = new Map<string, string[]>();
  for (const image of images) for (const child of image.childDigests) parents.set(child, [...(parents.get(child) ?? []), image.digest]);
  return (image) => ({
    digest: image.digest,
    tags: image.tags,
    pushedAt: image.pushedAt,
    lastPulledAt: image.lastPulledAt,
    storageClass: 'standard',
    ...(parents.has(image.digest) && { childOf: parents.get(image.digest)! }),
    ...(image.subjectDigest !== null && { subjectDigest: image.subjectDigest }),
  });
}
