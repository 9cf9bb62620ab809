import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { it } from 'node:test';
import { evaluateLifecyclePolicy, type LifecycleCandidate, parseLifecyclePolicy } from '../../src/domain/lifecycle/index.js';

const NOW = new Date('2025-06-01T12:00:00Z');
const DAY = 86_400_000;
const COUNT = 100_000;

/** A large repository: releases, branch builds, seed-style tags, untagged builds, multi-arch images and signatures. */
function candidates(): LifecycleCandidate[] {
  const images: LifecycleCandidate[] = [];
  for (let i = 0; images.length < COUNT; i++) {
    const pushedAt = new Date(NOW.getTime() - (i % 720) * DAY - i * 1000);
    const lastPulledAt = i % 3 === 0 ? null : new Date(pushedAt.getTime() + (i % 50) * DAY);
    const kind = i % 10;
    const tags =
      kind < 2 ? [`v1.${i}.0`]
      : kind < 4 ? [`dev-${i}`, `feature-${i % 97}`, `main-${i % 13}`]
      : kind < 5 ? [`prod-${i}`, `dev-${i}`, `staging-${i}`, `latest-${i}`]
      : kind < 6 ? [`feature-${i}`]
      : [];
    const digest = `sha256:${i.toString(16).padStart(64, '0')}`;
    images.push({ digest, tags, pushedAt, lastPulledAt, storageClass: 'standard' });
    if (kind === 6) images.push({ digest: `${digest}-amd64`, tags: [], pushedAt, lastPulledAt, storageClass: 'standard', childOf: [digest] });
    if (kind === 7) images.push({ digest: `${digest}-sig`, tags: [], pushedAt, lastPulledAt: null, storageClass: 'standard', subjectDigest: digest });
  }
  return images;
}

it('evaluates a policy of 5 rules over 100,000 candidates well under 2 seconds', (t) => {
  const policy = parseLifecyclePolicy(
    JSON.stringify({
      rules: [
        { rulePriority: 1, selection: { tagStatus: 'tagged', tagPrefixList: ['prod', 'dev', 'staging', 'latest'], countType: 'imageCountMoreThan', countNumber: 10 }, action: { type: 'expire' } },
        { rulePriority: 2, selection: { tagStatus: 'tagged', tagPatternList: ['v*'], countType: 'imageCountMoreThan', countNumber: 10 }, action: { type: 'expire' } },
        { rulePriority: 3, selection: { tagStatus: 'tagged', tagPatternList: ['dev*', 'feature*', 'main*'], countType: 'imageCountMoreThan', countNumber: 5 }, action: { type: 'expire' } },
        { rulePriority: 4, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: { type: 'expire' } },
        { rulePriority: 5, selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 90 }, action: { type: 'transition', targetStorageClass: 'archive' } },
      ],
    }),
  );
  const images = candidates();
  const started = performance.now();
  const decisions = evaluateLifecyclePolicy(policy, images, NOW);
  const elapsed = performance.now() - started;
  t.diagnostic(`evaluated ${images.length} candidates in ${elapsed.toFixed(1)} ms: ${decisions.length} decisions`);
  assert.equal(images.length, COUNT);
  assert.ok(decisions.length > COUNT / 2);
  assert.ok(elapsed < 2000, `took ${elapsed} ms`);
});
