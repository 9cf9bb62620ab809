import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  evaluateLifecyclePolicy,
  explainLifecyclePolicy,
  type LifecycleCandidate,
  type LifecyclePolicy,
  parseLifecyclePolicy,
} from '../../src/domain/lifecycle/index.js';

// Multi-arch images (an index and the platform images it references) and referrers (signatures, SBOMs).

const NOW = new Date('2025-06-01T12:00:00Z');
const DAY = 86_400_000;

function image(digest: string, tags: string[], pushedDaysAgo: number, extra: Partial<LifecycleCandidate> = {}): LifecycleCandidate {
  return { digest, tags, pushedAt: new Date(NOW.getTime() - pushedDaysAgo * DAY), lastPulledAt: null, storageClass: 'standard', ...extra };
}

function policy(...rules: object[]): LifecyclePolicy {
  return parseLifecyclePolicy(JSON.stringify({ rules }, null, 2));
}

const EXPIRE = { type: 'expire' };
const TRANSITION = { type: 'transition', targetStorageClass: 'archive' };
const expireUntaggedAfterADay = { rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, action: EXPIRE };
const keepNewest = (rulePriority = 1) => ({ rulePriority, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: EXPIRE });

/** A multi-arch image: a tagged index and its untagged platform images. */
function multiArch(name: string, tags: string[], pushedDaysAgo: number, extra: Partial<LifecycleCandidate> = {}): LifecycleCandidate[] {
  return [
    image(name, tags, pushedDaysAgo, extra),
    image(`${name}/amd64`, [], pushedDaysAgo, { ...extra, childOf: [name] }),
    image(`${name}/arm64`, [], pushedDaysAgo, { ...extra, childOf: [name] }),
  ];
}

describe('lifecycle evaluation: index manifests and their images', () => {
  it('never treats platform images as untagged images on their own', () => {
    const images = [...multiArch('app:v1', ['v1'], 30), image('dangling', [], 30)];
    assert.deepEqual(evaluateLifecyclePolicy(policy(expireUntaggedAfterADay), images, NOW), [
      { digest: 'dangling', appliedRulePriority: 1, action: 'EXPIRE', storageClass: 'standard' },
    ]);
    assert.deepEqual(explainLifecyclePolicy(policy(expireUntaggedAfterADay), images, NOW).rules[0], { rulePriority: 1, acted: ['dangling'], kept: [] });
  });

  it('expires platform images with their index, under the same rule, index first', () => {
    const images = [...multiArch('old', ['v1'], 20), ...multiArch('new', ['v2'], 10)];
    assert.deepEqual(evaluateLifecyclePolicy(policy(keepNewest()), images, NOW), [
      { digest: 'old', appliedRulePriority: 1, action: 'EXPIRE', storageClass: 'standard' },
      { digest: 'old/amd64', appliedRulePriority: 1, action: 'EXPIRE', storageClass: 'standard', follows: 'old' },
      { digest: 'old/arm64', appliedRulePriority: 1, action: 'EXPIRE', storageClass: 'standard', follows: 'old' },
    ]);
  });

  it('does not count platform images towards imageCountMoreThan', () => {
    // Two images in all: the index and a single-platform image; keeping 2 keeps everything.
    const images = [...multiArch('multi', ['v2'], 10), image('single', ['v1'], 20)];
    const keepTwo = { ...keepNewest(), selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 } };
    assert.deepEqual(evaluateLifecyclePolicy(policy(keepTwo), images, NOW), []);
  });

  it('keeps an image another living index still references', () => {
    const shared = image('shared/amd64', [], 20, { childOf: ['old', 'new'] });
    const images = [image('old', ['v1'], 20), image('new', ['v2'], 10), shared];
    assert.deepEqual(
      evaluateLifecyclePolicy(policy(keepNewest()), images, NOW).map((d) => d.digest),
      ['old'],
    );
    // Once both indexes go, so does the image they shared.
    const bothOld = [image('old', ['v1'], 20), image('new', ['v2'], 10), image('newest', ['v3'], 1), shared];
    assert.deepEqual(evaluateLifecyclePolicy(policy(keepNewest()), bothOld, NOW), [
      { digest: 'old', appliedRulePriority: 1, action: 'EXPIRE', storageClass: 'standard' },
      { digest: 'new', appliedRulePriority: 1, action: 'EXPIRE', storageClass: 'standard' },
      { digest: 'shared/amd64', appliedRulePriority: 1, action: 'EXPIRE', storageClass: 'standard', follows: 'old' },
    ]);
  });

  it('treats an index that is not among the candidates as alive', () => {
    const images = [image('orphan/amd64', [], 30, { childOf: ['sha256:elsewhere'] })];
    assert.deepEqual(evaluateLifecyclePolicy(policy(expireUntaggedAfterADay), images, NOW), []);
  });

  it('follows nested indexes all the way down', () => {
    const images = [
      image('outer', ['v1'], 20),
      image('inner', [], 20, { childOf: ['outer'] }),
      image('inner/amd64', [], 20, { childOf: ['inner'] }),
      image('current', ['v2'], 1),
    ];
    assert.deepEqual(
      evaluateLifecyclePolicy(policy(keepNewest()), images, NOW).map((d) => [d.digest, d.follows]),
      [
        ['outer', undefined],
        ['inner', 'outer'],
        ['inner/amd64', 'inner'],
      ],
    );
  });

  it('transitions platform images with their index', () => {
    const archiveOld = { rulePriority: 1, selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: TRANSITION };
    assert.deepEqual(evaluateLifecyclePolicy(policy(archiveOld), multiArch('app', ['v1'], 30), NOW), [
      { digest: 'app', appliedRulePriority: 1, action: 'TRANSITION', storageClass: 'standard', targetStorageClass: 'archive' },
      { digest: 'app/amd64', appliedRulePriority: 1, action: 'TRANSITION', storageClass: 'standard', targetStorageClass: 'archive', follows: 'app' },
      { digest: 'app/arm64', appliedRulePriority: 1, action: 'TRANSITION', storageClass: 'standard', targetStorageClass: 'archive', follows: 'app' },
    ]);
  });

  it('moves a shared image to archive when one index is expired and the other archived', () => {
    const lifecycle = policy(
      { rulePriority: 1, selection: { tagStatus: 'tagged', tagPrefixList: ['tmp'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: EXPIRE },
      { rulePriority: 2, selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: TRANSITION },
    );
    const images = [image('scratch', ['tmp-1'], 30), image('release', ['v1'], 30), image('base/amd64', [], 30, { childOf: ['scratch', 'release'] })];
    assert.deepEqual(evaluateLifecyclePolicy(lifecycle, images, NOW)[2], {
      digest: 'base/amd64',
      appliedRulePriority: 2,
      action: 'TRANSITION',
      storageClass: 'standard',
      targetStorageClass: 'archive',
      follows: 'release',
    });
  });
});

describe('lifecycle evaluation: referrers', () => {
  const signatureOf = (subject: string, pushedDaysAgo: number, extra: Partial<LifecycleCandidate> = {}) =>
    image(`${subject}.sig`, [], pushedDaysAgo, { subjectDigest: subject, ...extra });

  it('expires referrers with their subject, under the same rule', () => {
    const images = [image('old', ['v1'], 20), signatureOf('old', 19), image('new', ['v2'], 10), signatureOf('new', 9)];
    assert.deepEqual(evaluateLifecyclePolicy(policy(keepNewest()), images, NOW), [
      { digest: 'old', appliedRulePriority: 1, action: 'EXPIRE', storageClass: 'standard' },
      { digest: 'old.sig', appliedRulePriority: 1, action: 'EXPIRE', storageClass: 'standard', follows: 'old' },
    ]);
  });

  it('never selects or counts a referrer on its own account', () => {
    // The signature is newer than its image: were it counted, "keep the newest" would expire the image.
    const images = [image('app', ['v1'], 20), signatureOf('app', 1)];
    assert.deepEqual(evaluateLifecyclePolicy(policy(keepNewest()), images, NOW), []);
    // And an untagged-images rule leaves untagged referrers of a kept image alone.
    assert.deepEqual(evaluateLifecyclePolicy(policy(expireUntaggedAfterADay), [image('app', ['v1'], 20), signatureOf('app', 19)], NOW), []);
  });

  it('leaves a referrer whose subject is not among the candidates to garbage collection', () => {
    assert.deepEqual(evaluateLifecyclePolicy(policy(expireUntaggedAfterADay), [signatureOf('sha256:gone', 30)], NOW), []);
  });

  it('follows chains of referrers, and referrers of an index and of its images', () => {
    const images = [
      ...multiArch('app', ['v1'], 20),
      image('app.sbom', [], 20, { subjectDigest: 'app' }),
      image('app.sbom.sig', [], 20, { subjectDigest: 'app.sbom' }),
      image('app/amd64.att', [], 20, { subjectDigest: 'app/amd64' }),
      image('current', ['v2'], 1),
    ];
    assert.deepEqual(
      evaluateLifecyclePolicy(policy(keepNewest()), images, NOW).map((d) => [d.digest, d.appliedRulePriority, d.follows]),
      [
        ['app', 1, undefined],
        ['app/amd64', 1, 'app'],
        ['app/arm64', 1, 'app'],
        ['app.sbom', 1, 'app'],
        ['app/amd64.att', 1, 'app/amd64'],
        ['app.sbom.sig', 1, 'app.sbom'],
      ],
    );
  });

  it('archives referrers with their subject, and leaves those already archived where they are', () => {
    const archiveOld = { rulePriority: 1, selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: TRANSITION };
    const images = [image('app', ['v1'], 30), signatureOf('app', 30), image('app.sbom', [], 30, { subjectDigest: 'app', storageClass: 'archive' })];
    assert.deepEqual(evaluateLifecyclePolicy(policy(archiveOld), images, NOW), [
      { digest: 'app', appliedRulePriority: 1, action: 'TRANSITION', storageClass: 'standard', targetStorageClass: 'archive' },
      { digest: 'app.sig', appliedRulePriority: 1, action: 'TRANSITION', storageClass: 'standard', targetStorageClass: 'archive', follows: 'app' },
    ]);
  });

  it('expires archived referrers with their archived subject', () => {
    const expireArchived = {
      rulePriority: 1,
      selection: { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 90 },
      action: EXPIRE,
    };
    const archived = { storageClass: 'archive' as const, transitionedAt: new Date(NOW.getTime() - 100 * DAY) };
    const images = [image('app', ['v1'], 300, archived), signatureOf('app', 300, archived)];
    assert.deepEqual(evaluateLifecyclePolicy(policy(expireArchived), images, NOW), [
      { digest: 'app', appliedRulePriority: 1, action: 'EXPIRE', storageClass: 'archive' },
      { digest: 'app.sig', appliedRulePriority: 1, action: 'EXPIRE', storageClass: 'archive', follows: 'app' },
    ]);
  });
});
