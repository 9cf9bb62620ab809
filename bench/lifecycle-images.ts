// The large repository that lifecycle policies are measured on (`npm run bench -- --only maintenance`)
// and checked on (test/unit/lifecycle-performance.test.ts): releases, branch builds, seed-style tags,
// untagged builds, multi-arch images and signatures, with the 5-rule policy a team would give it.
import { createHash } from 'node:crypto';
import type { LifecycleCandidate } from '../src/domain/lifecycle/index.js';

const DAY = 86_400_000;

/** A digest naming the image (not the hash of a payload: lifecycle evaluation reads neither). */
const digestOf = (name: string): string => `sha256:${createHash('sha256').update(`lifecycle-bench ${name}`).digest('hex')}`;

/**
 * `count` images pushed over the two years before `now`: 20% releases (v1.N.0), 20% branch builds
 * (dev-, feature-, main- tags), 10% with the seed's prod/dev/staging/latest tags, 10% feature builds
 * and 40% untagged, of which one in four is an index with a platform image and one in four has a
 * signature (a referrer). Two images in three have been pulled.
 */
export function largeRepository(count: number, now: Date): LifecycleCandidate[] {
  const images: LifecycleCandidate[] = [];
  for (let i = 0; images.length < count; i++) {
    const pushedAt = new Date(now.getTime() - (i % 720) * DAY - i * 1000);
    const lastPulledAt = i % 3 === 0 ? null : new Date(pushedAt.getTime() + (i % 50) * DAY);
    const kind = i % 10;
    const tags =
      kind < 2 ? [`v1.${i}.0`]
      : kind < 4 ? [`dev-${i}`, `feature-${i % 97}`, `main-${i % 13}`]
      : kind < 5 ? [`prod-${i}`, `dev-${i}`, `staging-${i}`, `latest-${i}`]
      : kind < 6 ? [`feature-${i}`]
      : [];
    const digest = digestOf(String(i));
    images.push({ digest, tags, pushedAt, lastPulledAt, storageClass: 'standard' });
    if (images.length === count) break;
    if (kind === 6) images.push({ digest: digestOf(`${i}-amd64`), tags: [], pushedAt, lastPulledAt, storageClass: 'standard', childOf: [digest] });
    if (kind === 7) images.push({ digest: digestOf(`${i}-sig`), tags: [], pushedAt, lastPulledAt: null, storageClass: 'standard', subjectDigest: digest });
  }
  return images;
}

/** Keep 10 seed-style and 10 release images, 5 branch builds, untagged ones for a week; archive what is unpulled for 90 days. */
export const FIVE_RULE_POLICY = JSON.stringify({
  rules: [
    { rulePriority: 1, selection: { tagStatus: 'tagged', tagPrefixList: ['prod', 'dev', 'staging', 'latest'], countType: 'imageCountMoreThan', countNumber: 10 }, action: { type: 'expire' } },
    { rulePriority: 2, selection: { tagStatus: 'tagged', tagPatternList: ['v*'], countType: 'imageCountMoreThan', countNumber: 10 }, action: { type: 'expire' } },
    { rulePriority: 3, selection: { tagStatus: 'tagged', tagPatternList: ['dev*', 'feature*', 'main*'], countType: 'imageCountMoreThan', countNumber: 5 }, action: { type: 'expire' } },
    { rulePriority: 4, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: { type: 'expire' } },
    { rulePriority: 5, selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 90 }, action: { type: 'transition', targetStorageClass: 'archive' } },
  ],
});
