import type { LifecycleImageRecord } from '../ports/ecr-metadata.js';
import type { LifecycleCandidate } from './evaluate.js';

/**
 * Candidates as the evaluator sees them, with the indexes that list them: ACTIVE images in the
 * standard class, ARCHIVED ones in the archive class with the time they moved there. Images being
 * restored (ACTIVATING) are left out: no rule acts on them, and the images they own count them alive.
 */
export function lifecycleCandidates(images: readonly LifecycleImageRecord[]): LifecycleCandidate[] {
  const parents = new Map<string, string[]>();
  for (const image of images) {
    for (const child of image.childDigests) {
      const list = parents.get(child);
      if (list) list.push(image.digest);
      else parents.set(child, [image.digest]);
    }
  }
  const candidates: LifecycleCandidate[] = [];
  for (const image of images) {
    if (image.imageStatus === 'ACTIVATING') continue;
    // Every field on every candidate, absent ones undefined: one object shape keeps the evaluator's loops fast.
    candidates.push({
      digest: image.digest,
      tags: image.tags,
      pushedAt: image.pushedAt,
      lastPulledAt: image.lastPulledAt,
      storageClass: image.imageStatus === 'ARCHIVED' ? 'archive' : 'standard',
      transitionedAt: image.lastArchivedAt,
      childOf: parents.get(image.digest),
      subjectDigest: image.subjectDigest ?? undefined,
    });
  }
  return candidates;
}
