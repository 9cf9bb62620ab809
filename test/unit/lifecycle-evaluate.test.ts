import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  evaluateLifecyclePolicy,
  explainLifecyclePolicy,
  type LifecycleCandidate,
  type LifecyclePolicy,
  parseLifecyclePolicy,
} from '../../src/domain/lifecycle/index.js';

const NOW = new Date('2025-06-01T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(NOW.getTime() - ms);

function image(digest: string, tags: string[], pushedDaysAgo: number, extra: Partial<LifecycleCandidate> = {}): LifecycleCandidate {
  return { digest, tags, pushedAt: ago(pushedDaysAgo * DAY), lastPulledAt: null, storageClass: 'standard', ...extra };
}

function policy(...rules: object[]): LifecyclePolicy {
  return parseLifecyclePolicy(JSON.stringify({ rules }, null, 2));
}

const EXPIRE = { type: 'expire' };
const TRANSITION = { type: 'transition', targetStorageClass: 'archive' };

/** The digests the policy acts on, sorted, for outcomes stated as sets ("Images A and B are expired"). */
function actedOn(lifecyclePolicy: LifecyclePolicy, images: LifecycleCandidate[]): string[] {
  return evaluateLifecyclePolicy(lifecyclePolicy, images, NOW)
    .map((decision) => decision.digest)
    .sort();
}

// "Examples of lifecycle policies in Amazon ECR", each policy as printed there and its repository contents as described.
describe('ECR documentation: examples of lifecycle policies', () => {
  it('filtering on image age: tagged prod* images older than 14 days', () => {
    const lifecycle = policy({
      rulePriority: 1,
      description: 'Expire images older than 14 days',
      selection: { tagStatus: 'tagged', tagPatternList: ['prod*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 },
      action: EXPIRE,
    });
    const images = [
      image('A', ['prod-1'], 15),
      image('B', ['prod'], 30),
      image('C', ['prod-2'], 13),
      image('D', ['dev-1'], 30),
      image('E', [], 30),
      image('F', ['preprod'], 30),
    ];
    assert.deepEqual(actedOn(lifecycle, images), ['A', 'B']);
  });

  it('filtering on image age: untagged images older than 14 days (the earlier edition)', () => {
    const lifecycle = policy({
      rulePriority: 1,
      description: 'Expire images older than 14 days',
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 },
      action: EXPIRE,
    });
    assert.deepEqual(actedOn(lifecycle, [image('A', [], 15), image('B', [], 13), image('C', ['latest'], 30)]), ['A']);
  });

  it('filtering on image count: keep only one untagged image, expire all others', () => {
    const lifecycle = policy({
      rulePriority: 1,
      description: 'Keep only one untagged image, expire all others',
      selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 },
      action: EXPIRE,
    });
    const images = [image('A', [], 3), image('B', [], 2), image('C', [], 1), image('D', ['v1'], 10)];
    assert.deepEqual(actedOn(lifecycle, images), ['A', 'B']);
  });

  // Image A: beta-1, prod-1, pushed 10 days ago; B: beta-2, prod-2, 9 days; C: beta-3, 8 days.
  const threeImages = () => [image('A', ['beta-1', 'prod-1'], 10), image('B', ['beta-2', 'prod-2'], 9), image('C', ['beta-3'], 8)];
  const keepOne = (rulePriority: number, tags: Record<string, string[]>) => ({
    rulePriority,
    description: `Rule ${rulePriority}`,
    selection: { tagStatus: 'tagged', ...tags, countType: 'imageCountMoreThan', countNumber: 1 },
    action: EXPIRE,
  });

  it('filtering on multiple rules, example A: prod first, then beta', () => {
    for (const [prod, beta] of [
      [{ tagPatternList: ['prod*'] }, { tagPatternList: ['beta*'] }],
      [{ tagPrefixList: ['prod'] }, { tagPrefixList: ['beta'] }],
    ]) {
      const lifecycle = policy(keepOne(1, prod!), keepOne(2, beta!));
      // Rule 1 marks A. Rule 2 would mark A and B, but both were seen by rule 1, and expiring B would violate it.
      assert.deepEqual(evaluateLifecyclePolicy(lifecycle, threeImages(), NOW), [
        { digest: 'A', appliedRulePriority: 1, action: 'EXPIRE', storageClass: 'standard' },
      ]);
      const [rule1, rule2] = explainLifecyclePolicy(lifecycle, threeImages(), NOW).rules;
      assert.deepEqual(rule1, { rulePriority: 1, acted: ['A'], kept: ['B'] });
      assert.deepEqual(rule2, { rulePriority: 2, acted: [], kept: ['C'] });
    }
  });

  it('filtering on multiple rules, example B: beta first, then prod', () => {
    for (const [beta, prod] of [
      [{ tagPatternList: ['beta*'] }, { tagPatternList: ['prod*'] }],
      [{ tagPrefixList: ['beta'] }, { tagPrefixList: ['prod'] }],
    ]) {
      const lifecycle = policy(keepOne(1, beta!), keepOne(2, prod!));
      // Rule 1 sees all three and marks A and B; rule 2 sees nothing it may mark.
      assert.deepEqual(actedOn(lifecycle, threeImages()), ['A', 'B']);
      assert.deepEqual(explainLifecyclePolicy(lifecycle, threeImages(), NOW).rules[1], { rulePriority: 2, acted: [], kept: [] });
    }
  });

  it('filtering on multiple tags in a single rule, example A: images must carry every listed tag', () => {
    const images = [
      image('A', ['alpha-1'], 12),
      image('B', ['beta-1'], 11),
      image('C', ['alpha-2', 'beta-2'], 10),
      image('D', ['alpha-3'], 4),
      image('E', ['beta-3'], 3),
      image('F', ['alpha-4', 'beta-4'], 2),
    ];
    for (const tags of [{ tagPatternList: ['alpha*', 'beta*'] }, { tagPrefixList: ['alpha', 'beta'] }]) {
      const lifecycle = policy({
        rulePriority: 1,
        description: 'Rule 1',
        selection: { tagStatus: 'tagged', ...tags, countType: 'sinceImagePushed', countNumber: 5, countUnit: 'days' },
        action: EXPIRE,
      });
      // The rule sees C and F, and C is older than five days.
      assert.deepEqual(actedOn(lifecycle, images), ['C']);
      assert.deepEqual(explainLifecyclePolicy(lifecycle, images, NOW).rules[0], { rulePriority: 1, acted: ['C'], kept: ['F'] });
    }
  });

  it('filtering on multiple tags in a single rule, example B: tags are not exclusive', () => {
    const images = [image('A', ['alpha-1', 'beta-1', 'gamma-1'], 10), image('B', ['alpha-2', 'beta-2'], 9), image('C', ['alpha-3', 'beta-3', 'gamma-2'], 8)];
    for (const tags of [{ tagPatternList: ['alpha*', 'beta*'] }, { tagPrefixList: ['alpha', 'beta'] }]) {
      const lifecycle = policy({
        rulePriority: 1,
        description: 'Rule 1',
        selection: { tagStatus: 'tagged', ...tags, countType: 'imageCountMoreThan', countNumber: 1 },
        action: EXPIRE,
      });
      assert.deepEqual(actedOn(lifecycle, images), ['A', 'B']);
    }
  });

  it('filtering on all images, example A: keep only the newest image', () => {
    const lifecycle = policy({
      rulePriority: 1,
      description: 'Rule 1',
      selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 },
      action: EXPIRE,
    });
    const images = [image('A', ['alpha-1'], 4), image('B', ['beta-1'], 3), image('C', [], 2), image('D', ['alpha-2'], 1)];
    assert.deepEqual(actedOn(lifecycle, images), ['A', 'B', 'C']);
  });

  it('filtering on all images, example B: the catch-all counts, but may not mark, what earlier rules identified', () => {
    const lifecycle = policy(
      {
        rulePriority: 1,
        description: 'Rule 1',
        selection: { tagStatus: 'tagged', tagPatternList: ['alpha*'], countType: 'imageCountMoreThan', countNumber: 1 },
        action: EXPIRE,
      },
      { rulePriority: 2, description: 'Rule 2', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, action: EXPIRE },
      { rulePriority: 3, description: 'Rule 3', selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: EXPIRE },
    );
    // "Pushed: 1 day ago" for both D and E; E is the newer, and not yet a full day old.
    const images = [
      image('A', ['alpha-1', 'beta-1'], 4),
      image('B', [], 3),
      image('C', ['alpha-2'], 2),
      image('D', ['git hash'], 1),
      image('E', [], 0.9),
    ];
    // Rule 1 marks A (keeps C), rule 2 marks B (keeps E), rule 3 keeps only E, the newest, which is rule 2's,
    // and may not mark A, B, C or E: it marks D.
    assert.deepEqual(evaluateLifecyclePolicy(lifecycle, images, NOW), [
      { digest: 'A', appliedRulePriority: 1, action: 'EXPIRE', storageClass: 'standard' },
      { digest: 'B', appliedRulePriority: 2, action: 'EXPIRE', storageClass: 'standard' },
      { digest: 'D', appliedRulePriority: 3, action: 'EXPIRE', storageClass: 'standard' },
    ]);
    assert.deepEqual(explainLifecyclePolicy(lifecycle, images, NOW).rules, [
      { rulePriority: 1, acted: ['A'], kept: ['C'] },
      { rulePriority: 2, acted: ['B'], kept: ['E'] },
      { rulePriority: 3, acted: ['D'], kept: [] },
    ]);
  });
});

// The archive storage class: images move to archive by push time, pull time or count, and leave it only by expiring.
describe('ECR documentation: archive examples', () => {
  const archiveUnpulled = {
    rulePriority: 1,
    description: 'Archive images not pulled in 90 days',
    selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 90 },
    action: TRANSITION,
  };
  const deleteLongArchived = {
    rulePriority: 2,
    description: 'Delete images archived for more than 365 days',
    selection: { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 365 },
    action: EXPIRE,
  };

  it('archives images not pulled for 90 days, counting a never-pulled image from its push', () => {
    const images = [
      image('pulled-long-ago', ['v1'], 400, { lastPulledAt: ago(100 * DAY) }),
      image('pulled-lately', ['v2'], 400, { lastPulledAt: ago(10 * DAY) }),
      image('never-pulled-old', [], 95),
      image('never-pulled-new', [], 30),
      image('archived', ['v0'], 500, { storageClass: 'archive', transitionedAt: ago(100 * DAY) }),
    ];
    assert.deepEqual(evaluateLifecyclePolicy(policy(archiveUnpulled), images, NOW), [
      { digest: 'pulled-long-ago', appliedRulePriority: 1, action: 'TRANSITION', storageClass: 'standard', targetStorageClass: 'archive' },
      { digest: 'never-pulled-old', appliedRulePriority: 1, action: 'TRANSITION', storageClass: 'standard', targetStorageClass: 'archive' },
    ]);
  });

  it('archives, then deletes what has been archived for a year: one catch-all per storage class', () => {
    const images = [
      image('active', ['v3'], 5, { lastPulledAt: ago(1 * DAY) }),
      image('idle', ['v2'], 200, { lastPulledAt: ago(120 * DAY) }),
      image('archived-lately', ['v1'], 600, { storageClass: 'archive', transitionedAt: ago(100 * DAY) }),
      image('archived-long-ago', ['v0'], 900, { storageClass: 'archive', transitionedAt: ago(400 * DAY) }),
      image('archived-when-unknown', [], 900, { storageClass: 'archive', transitionedAt: null }),
    ];
    assert.deepEqual(evaluateLifecyclePolicy(policy(archiveUnpulled, deleteLongArchived), images, NOW), [
      { digest: 'idle', appliedRulePriority: 1, action: 'TRANSITION', storageClass: 'standard', targetStorageClass: 'archive' },
      { digest: 'archived-long-ago', appliedRulePriority: 2, action: 'EXPIRE', storageClass: 'archive' },
    ]);
  });

  it('keeps the newest images active and archives the rest', () => {
    const lifecycle = policy({
      rulePriority: 1,
      description: 'Keep the 2 newest images active, archive the rest',
      selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 },
      action: TRANSITION,
    });
    const images = [image('A', ['v1'], 4), image('B', ['v2'], 3), image('C', [], 2), image('D', ['v3'], 1), image('Z', ['v0'], 9, { storageClass: 'archive' })];
    // Archived images neither count towards nor are touched by a standard rule; older images go first.
    assert.deepEqual(
      evaluateLifecyclePolicy(lifecycle, images, NOW).map((d) => d.digest),
      ['A', 'B'],
    );
  });

  it('archives tagged images by age and expires untagged ones', () => {
    const lifecycle = policy(
      { rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: EXPIRE },
      {
        rulePriority: 2,
        selection: { tagStatus: 'tagged', tagPatternList: ['release-*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 180 },
        action: TRANSITION,
      },
    );
    const images = [image('old-release', ['release-1.0'], 200), image('new-release', ['release-2.0'], 20), image('old-untagged', [], 200), image('old-dev', ['dev'], 200)];
    assert.deepEqual(evaluateLifecyclePolicy(lifecycle, images, NOW), [
      { digest: 'old-untagged', appliedRulePriority: 1, action: 'EXPIRE', storageClass: 'standard' },
      { digest: 'old-release', appliedRulePriority: 2, action: 'TRANSITION', storageClass: 'standard', targetStorageClass: 'archive' },
    ]);
  });
});

describe("Berth's seed policies", () => {
  it('keeps the last 10 images tagged with all of prod, dev, staging and latest, and expires untagged images after 7 days', () => {
    const lifecycle = policy(
      {
        rulePriority: 1,
        description: 'Keep last 10 images',
        selection: { tagStatus: 'tagged', tagPrefixList: ['prod', 'dev', 'staging', 'latest'], countType: 'imageCountMoreThan', countNumber: 10 },
        action: EXPIRE,
      },
      { rulePriority: 2, description: 'Expire untagged images after 7 days', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: EXPIRE },
    );
    const allFour = Array.from({ length: 12 }, (_, i) => image(`all-${i + 1}`, [`prod-${i + 1}`, `dev-${i + 1}`, `staging-${i + 1}`, `latest-${i + 1}`], i + 1));
    const someOfThem = [
      image('prod-dev-staging', ['prod-a', 'dev-a', 'staging-a'], 300),
      image('prod-only', ['prod'], 300),
      image('latest-only', ['latest'], 300),
    ];
    const untagged = [image('untagged-8d', [], 8), image('untagged-6d', [], 6)];
    const evaluation = explainLifecyclePolicy(lifecycle, [...someOfThem, ...allFour, ...untagged], NOW);
    assert.deepEqual(
      evaluation.decisions.map((d) => [d.digest, d.appliedRulePriority]),
      [
        ['all-12', 1],
        ['all-11', 1],
        ['untagged-8d', 2],
      ],
    );
    // The prefix list selects only images carrying all four: the others are neither counted nor expired.
    assert.deepEqual(evaluation.rules[0]!.kept, ['all-1', 'all-2', 'all-3', 'all-4', 'all-5', 'all-6', 'all-7', 'all-8', 'all-9', 'all-10']);
    assert.deepEqual(evaluation.rules[1], { rulePriority: 2, acted: ['untagged-8d'], kept: ['untagged-6d'] });
  });

  it('keeps the last 10 v* images and the last 5 carrying dev*, feature* and main* tags together, and expires untagged images after 1 day', () => {
    const lifecycle = policy(
      { rulePriority: 1, selection: { tagStatus: 'tagged', tagPatternList: ['v*'], countType: 'imageCountMoreThan', countNumber: 10 }, action: EXPIRE },
      {
        rulePriority: 2,
        selection: { tagStatus: 'tagged', tagPatternList: ['dev*', 'feature*', 'main*'], countType: 'imageCountMoreThan', countNumber: 5 },
        action: EXPIRE,
      },
      { rulePriority: 3, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, action: EXPIRE },
    );
    const releases = Array.from({ length: 12 }, (_, i) => image(`v-${i + 1}`, [`v1.${i}`], 12 - i));
    const combined = Array.from({ length: 7 }, (_, i) => image(`combo-${i + 1}`, [`dev-${i}`, `feature-${i}`, `main-${i}`], 7 - i));
    // Single-kind branch images: many and old, yet no rule selects them, because the pattern list is AND-ed.
    const branches = Array.from({ length: 20 }, (_, i) => image(`branch-${i + 1}`, [['dev-x', 'feature-x', 'main-x'][i % 3]! + i], 50 + i));
    const untagged = [image('untagged-25h', [], 25 / 24), image('untagged-23h', [], 23 / 24)];
    const evaluation = explainLifecyclePolicy(lifecycle, [...releases, ...combined, ...branches, ...untagged], NOW);
    assert.deepEqual(
      evaluation.decisions.map((d) => [d.digest, d.appliedRulePriority]),
      [
        ['v-1', 1],
        ['v-2', 1],
        ['combo-1', 2],
        ['combo-2', 2],
        ['untagged-25h', 3],
      ],
    );
    assert.ok(evaluation.rules.every((rule) => ![...rule.acted, ...rule.kept].some((digest) => digest.startsWith('branch-'))));
  });
});

describe('lifecycle evaluation rules', () => {
  it('lets a higher-priority rule that keeps an image shield it from lower rules', () => {
    const lifecycle = policy(
      { rulePriority: 1, selection: { tagStatus: 'tagged', tagPrefixList: ['release'], countType: 'imageCountMoreThan', countNumber: 1 }, action: EXPIRE },
      { rulePriority: 2, selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 }, action: EXPIRE },
    );
    const images = [image('newest-release', ['release-2'], 60), image('older-release', ['release-1'], 90), image('old-build', ['build-7'], 60)];
    assert.deepEqual(evaluateLifecyclePolicy(lifecycle, images, NOW), [
      { digest: 'older-release', appliedRulePriority: 1, action: 'EXPIRE', storageClass: 'standard' },
      { digest: 'old-build', appliedRulePriority: 2, action: 'EXPIRE', storageClass: 'standard' },
    ]);
    const evaluation = explainLifecyclePolicy(lifecycle, images, NOW);
    assert.deepEqual(evaluation.rules[0], { rulePriority: 1, acted: ['older-release'], kept: ['newest-release'] });
  });

  it('counts sinceImagePulled from the last pull, or from the push for an image never pulled', () => {
    const lifecycle = policy({
      rulePriority: 1,
      selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 },
      action: EXPIRE,
    });
    const images = [
      image('never-pulled-old', [], 40),
      image('never-pulled-new', [], 20),
      image('pulled-lately', ['a'], 100, { lastPulledAt: ago(10 * DAY) }),
      image('pulled-long-ago', ['b'], 100, { lastPulledAt: ago(31 * DAY) }),
    ];
    assert.deepEqual(actedOn(lifecycle, images), ['never-pulled-old', 'pulled-long-ago']);
  });

  it('acts on images more than countNumber days old, not at exactly countNumber days', () => {
    const lifecycle = policy({ rulePriority: 1, selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: EXPIRE });
    const images = [
      { ...image('exactly-7-days', [], 0), pushedAt: ago(7 * DAY) },
      { ...image('a-moment-more', [], 0), pushedAt: ago(7 * DAY + 1) },
    ];
    assert.deepEqual(actedOn(lifecycle, images), ['a-moment-more']);
  });

  it('keeps images exactly within the count and acts on older ones first', () => {
    const lifecycle = policy({ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 3 }, action: EXPIRE });
    const images = [1, 2, 3].map((days) => image(`d${days}`, [], days));
    assert.deepEqual(evaluateLifecyclePolicy(lifecycle, images, NOW), []);
    const five = [5, 1, 4, 2, 3].map((days) => image(`d${days}`, [], days));
    assert.deepEqual(
      evaluateLifecyclePolicy(lifecycle, five, NOW).map((d) => d.digest),
      ['d5', 'd4'],
    );
  });

  it('is deterministic: the same decisions whatever the order of the candidates, ties broken by digest', () => {
    const lifecycle = policy({ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 }, action: EXPIRE });
    const images = ['sha256:c', 'sha256:a', 'sha256:d', 'sha256:b'].map((digest) => image(digest, [], 3));
    const expected = evaluateLifecyclePolicy(lifecycle, images, NOW);
    assert.deepEqual(
      expected.map((d) => d.digest),
      ['sha256:d', 'sha256:c'],
    );
    assert.deepEqual(evaluateLifecyclePolicy(lifecycle, [...images].reverse(), NOW), expected);
    assert.deepEqual(evaluateLifecyclePolicy(lifecycle, [images[2]!, images[0]!, images[3]!, images[1]!], NOW), expected);
  });

  it('matches tag patterns against whole tags, with * for any run of characters', () => {
    const lifecycle = policy({
      rulePriority: 1,
      selection: { tagStatus: 'tagged', tagPatternList: ['*-rc*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 },
      action: EXPIRE,
    });
    const images = [image('rc', ['v1.0-rc1'], 2), image('rc-bare', ['2.0-rc'], 2), image('final', ['v1.0'], 2), image('not-dashed', ['rc1'], 2)];
    assert.deepEqual(actedOn(lifecycle, images), ['rc', 'rc-bare']);
  });
});
