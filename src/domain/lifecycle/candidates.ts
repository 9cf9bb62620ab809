import type { LifecycleImageRecord } from '../ports/ecr-metadata.js';
import type { LifecycleCandidate } from './evaluate.js';

/**
 * Candidates as the evaluator sees them, with the indexes that list them: ACTIVE images in the
 * standard class, ARCHIVED ones in the archive class with the time they moved there. Images being
 * restored (ACTIVATING) are left out: no rule acts on them, and the images they own count them alive.
 */
export function lifecycleCandidates(images: LifecycleImageRecord[]): LifecycleCandidate[] {
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
