/**
 * The one lifecycle evaluator: the preview shows what it returns and the runner does it.
 *
 * ECR's evaluation rules, all here:
 * - every rule is evaluated against all images of its storage class at once, then the rules are applied
 *   in priority order (lowest rulePriority first);
 * - an image is acted on by at most one rule, and an image that matches a rule's selection is never
 *   acted on by a lower-priority rule, even when that rule kept it;
 * - a lower-priority rule still counts the images a higher one selected ("rules can never mark images
 *   that are marked by higher priority rules, but can still identify them"), so with imageCountMoreThan
 *   they fill its count without being its to act on;
 * - tagPrefixList and tagPatternList entries are AND-ed: every entry must match some tag of the image;
 * - imageCountMoreThan ranks images youngest to oldest by push time and acts on those past countNumber;
 *   the since* types act on images whose event is more than countNumber days before `now`: the push,
 *   the last recorded pull (the push for an image never pulled), or the move to archive;
 * - older images are acted on before newer ones.
 *
 * Images that belong to other manifests, the platform images of an index (childOf) and referrers such
 * as signatures, SBOMs and attestations (subjectDigest), are handled as Berth chooses: they are never
 * selected, counted or acted on on their own account. ECR's own rules see them as ordinary images, so an
 * untagged rule breaks multi-arch images and "keep the last N" counts signatures as images
 * (aws/containers-roadmap#2613). Such an image follows its owners instead: once every index referencing
 * it and its subject are acted on, it gets their action (expired if all of them are expired, else moved
 * to archive along with the ones going there), under the rule that acted on the owner. An owner that is
 * not among the candidates counts as alive, so an image whose index or subject is unknown stays; orphans
 * are garbage collection's to remove.
 */
import { matchesWildcard } from '../model/wildcard.js';
import type { CountType, LifecyclePolicy, LifecycleRule, LifecycleRuleSelection, StorageClass } from './policy.js';

const DAY_MS = 86_400_000;

/** One manifest of the repository, as the evaluator needs to see it; one entry per digest. */
export interface LifecycleCandidate {
  readonly digest: string;
  readonly tags: readonly string[];
  readonly pushedAt: Date;
  readonly lastPulledAt: Date | null;
  readonly storageClass: StorageClass;
  /** When the image moved to archive; an archived image without it is never old enough to expire. */
  readonly transitionedAt?: Date | null;
  /** Digests of the index manifests in the repository that reference this one. */
  readonly childOf?: readonly string[];
  /** The manifest this one refers to, for a referrer (its `subject`). */
  readonly subjectDigest?: string;
}

export type LifecycleAction = 'EXPIRE' | 'TRANSITION';

export interface LifecycleDecision {
  readonly digest: string;
  readonly appliedRulePriority: number;
  readonly action: LifecycleAction;
  /** The image's current storage class. */
  readonly storageClass: StorageClass;
  readonly targetStorageClass?: 'archive';
  /** For an index's image or a referrer: the owner whose action it follows. */
  readonly follows?: string;
}

/** What one rule decided, so a preview can say why an image it selected survived. */
export interface LifecycleRuleOutcome {
  readonly rulePriority: number;
  /** Selected by this rule and acted on, oldest first. */
  readonly acted: readonly string[];
  /** Selected by this rule and kept — within its count, or not old enough — youngest first. */
  readonly kept: readonly string[];
}

export interface LifecycleEvaluation {
  /** The rules' own decisions in priority order, oldest image first, then the images that follow them. */
  readonly decisions: LifecycleDecision[];
  /** One per rule, in priority order. */
  readonly rules: readonly LifecycleRuleOutcome[];
}

export function evaluateLifecyclePolicy(policy: LifecyclePolicy, images: readonly LifecycleCandidate[], now: Date): LifecycleDecision[] {
  return explainLifecyclePolicy(policy, images, now).decisions;
}

export function explainLifecyclePolicy(policy: LifecyclePolicy, images: readonly LifecycleCandidate[], now: Date): LifecycleEvaluation {
  const ranked = rankSelectable(images);
  const selectedByEarlierRule = new Uint8Array(images.length);
  const decided = new Array<LifecycleDecision | undefined>(images.length);
  const decisions: LifecycleDecision[] = [];
  const rules = policy.rules.map((rule): LifecycleRuleOutcome => {
    const { storageClass } = rule.selection;
    const selects = tagRequirement(rule.selection);
    const isMarked = countCriterion(rule.selection, now);
    const acted: number[] = [];
    const kept: number[] = [];
    let rank = 0;
    for (const i of ranked) {
      const image = images[i]!;
      if (image.storageClass !== storageClass || !selects(image.tags)) continue;
      rank++;
      if (selectedByEarlierRule[i]) continue;
      selectedByEarlierRule[i] = 1;
      (isMarked(image, rank) ? acted : kept).push(i);
    }
    acted.reverse();
    for (const i of acted) {
      const decision = ruleDecision(images[i]!, rule);
      decided[i] = decision;
      decisions.push(decision);
    }
    const digestOf = (i: number): string => images[i]!.digest;
    return { rulePriority: rule.rulePriority, acted: acted.map(digestOf), kept: kept.map(digestOf) };
  });
  addFollowers(images, decided, decisions);
  return { decisions, rules };
}

function ownersOf(image: LifecycleCandidate): readonly string[] {
  const parents = image.childOf ?? [];
  return image.subjectDigest === undefined ? parents : [...parents, image.subjectDigest];
}

function hasOwners(image: LifecycleCandidate): boolean {
  return image.subjectDigest !== undefined || (image.childOf !== undefined && image.childOf.length > 0);
}

/** The images rules may select, youngest first (ties by digest, so the outcome never depends on input order). */
function rankSelectable(images: readonly LifecycleCandidate[]): number[] {
  const pushed = images.map((image) => image.pushedAt.getTime());
  const selectable: number[] = [];
  for (let i = 0; i < images.length; i++) if (!hasOwners(images[i]!)) selectable.push(i);
  return selectable.sort((a, b) => pushed[b]! - pushed[a]! || compareText(images[a]!.digest, images[b]!.digest));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function tagRequirement(selection: LifecycleRuleSelection): (tags: readonly string[]) => boolean {
  if (selection.tagStatus !== 'tagged') return selection.tagStatus === 'any' ? () => true : (tags) => tags.length === 0;
  if (selection.tagPrefixList !== undefined) {
    const prefixes = selection.tagPrefixList;
    return (tags) => prefixes.every((prefix) => tags.some((tag) => tag.startsWith(prefix)));
  }
  const patterns = selection.tagPatternList;
  return (tags) => patterns.every((pattern) => tags.some((tag) => matchesWildcard(pattern, tag)));
}

/** When each since* count type measures an image's age from. */
const AGE_FROM: Record<Exclude<CountType, 'imageCountMoreThan'>, (image: LifecycleCandidate) => Date | null | undefined> = {
  sinceImagePushed: (image) => image.pushedAt,
  sinceImagePulled: (image) => image.lastPulledAt ?? image.pushedAt,
  sinceImageTransitioned: (image) => image.transitionedAt,
};

/** Whether a selected image, `rank`-th youngest of the rule's selection, is past the rule's count. */
function countCriterion(selection: LifecycleRuleSelection, now: Date): (image: LifecycleCandidate, rank: number) => boolean {
  const { countType, countNumber } = selection;
  if (countType === 'imageCountMoreThan') return (_image, rank) => rank > countNumber;
  const ageFrom = AGE_FROM[countType];
  const cutoff = now.getTime() - countNumber * DAY_MS;
  return (image) => {
    const since = ageFrom(image);
    return since != null && since.getTime() < cutoff;
  };
}

function ruleDecision(image: LifecycleCandidate, rule: LifecycleRule): LifecycleDecision {
  const { digest, storageClass } = image;
  const { rulePriority: appliedRulePriority, action } = rule;
  return action.type === 'expire'
    ? { digest, appliedRulePriority, action: 'EXPIRE', storageClass }
    : { digest, appliedRulePriority, action: 'TRANSITION', storageClass, targetStorageClass: action.targetStorageClass };
}

/**
 * Appends the index images and referrers that go with the images `decisions` act on, transitively: the
 * list is its own work queue, so every image comes after the owner it follows.
 */
function addFollowers(images: readonly LifecycleCandidate[], decided: (LifecycleDecision | undefined)[], decisions: LifecycleDecision[]): void {
  const indexOfDigest = new Map<string, number>();
  const dependents = new Map<string, number[]>();
  images.forEach((image, i) => {
    indexOfDigest.set(image.digest, i);
    if (!hasOwners(image)) return;
    for (const owner of ownersOf(image)) {
      const list = dependents.get(owner);
      if (list) list.push(i);
      else dependents.set(owner, [i]);
    }
  });
  /** The decisions on all of an image's owners, or undefined while one of them has none (or is unknown). */
  const ownerDecisions = (image: LifecycleCandidate): LifecycleDecision[] | undefined => {
    const owners: LifecycleDecision[] = [];
    for (const digest of ownersOf(image)) {
      const i = indexOfDigest.get(digest);
      const decision = i === undefined ? undefined : decided[i];
      if (decision === undefined) return undefined;
      owners.push(decision);
    }
    return owners;
  };

  for (let head = 0; head < decisions.length; head++) {
    for (const i of dependents.get(decisions[head]!.digest) ?? []) {
      if (decided[i]) continue;
      const image = images[i]!;
      const owners = ownerDecisions(image);
      if (owners === undefined) continue; // examined again when its next owner is decided
      const expired = owners.every((owner) => owner.action === 'EXPIRE');
      // An archived image whose owner goes to archive is where it must be already.
      if (!expired && image.storageClass !== 'standard') continue;
      const leader = owners.find((owner) => owner.action === (expired ? 'EXPIRE' : 'TRANSITION'))!;
      const decision: LifecycleDecision = {
        digest: image.digest,
        appliedRulePriority: leader.appliedRulePriority,
        action: leader.action,
        storageClass: image.storageClass,
        ...(leader.targetStorageClass !== undefined && { targetStorageClass: leader.targetStorageClass }),
        follows: leader.digest,
      };
      decided[i] = decision;
      decisions.push(decision);
    }
  }
}
