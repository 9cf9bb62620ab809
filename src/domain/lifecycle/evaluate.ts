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
import { wildcardMatcher } from '../model/wildcard.js';
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
  /** For each decision, the position in the evaluated images of the image it acts on. */
  readonly imageIndexes: readonly number[];
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
  const imageIndexes: number[] = [];
  const decide = (i: number, decision: LifecycleDecision): void => {
    decided[i] = decision;
    decisions.push(decision);
    imageIndexes.push(i);
  };
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
    for (const i of acted) decide(i, ruleDecision(images[i]!, rule));
    const digestOf = (i: number): string => images[i]!.digest;
    return { rulePriority: rule.rulePriority, acted: acted.map(digestOf), kept: kept.map(digestOf) };
  });
  addFollowers(images, decided, decisions, imageIndexes, decide);
  return { decisions, imageIndexes, rules };
}

function ownersOf(image: LifecycleCandidate): readonly string[] {
  const parents = image.childOf ?? [];
  return image.subjectDigest === undefined ? parents : [...parents, image.subjectDigest];
}

function hasOwners(image: LifecycleCandidate): boolean {
  return image.subjectDigest !== undefined || (image.childOf !== undefined && image.childOf.length > 0);
}

/**
 * The images rules may select, youngest first (ties by digest, so the outcome never depends on input
 * order). The push times are sorted in a typed array, which sorts numbers without calling back into
 * JavaScript (a comparator was a third of evaluating 100,000 images); each image then takes the next
 * place of its push time.
 */
function rankSelectable(images: readonly LifecycleCandidate[]): number[] {
  const selectable: number[] = [];
  for (let i = 0; i < images.length; i++) if (!hasOwners(images[i]!)) selectable.push(i);
  const pushedAt = (i: number): number => images[i]!.pushedAt.getTime();
  const times = Float64Array.from(selectable, pushedAt).sort().reverse();
  const ranked = new Array<number>(selectable.length);
  /** How many images took places in the run of equal times that starts at each place. */
  const placed = new Uint32Array(selectable.length);
  for (const i of selectable) {
    const first = firstPlaceOf(times, pushedAt(i));
    ranked[first + placed[first]!++] = i;
  }
  for (let first = 0; first < ranked.length; first += placed[first]!) {
    if (placed[first] === 1) continue;
    const sameTime = ranked.slice(first, first + placed[first]!).sort((a, b) => compareText(images[a]!.digest, images[b]!.digest));
    sameTime.forEach((i, k) => (ranked[first + k] = i));
  }
  return ranked;
}

/** Where `time` first occurs in `times`, which is in descending order. */
function firstPlaceOf(times: Float64Array, time: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (times[middle]! > time) low = middle + 1;
    else high = middle;
  }
  return low;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Loops rather than every/some over closures: this runs for every image and rule, and allocates nothing. */
function tagRequirement(selection: LifecycleRuleSelection): (tags: readonly string[]) => boolean {
  if (selection.tagStatus !== 'tagged') return selection.tagStatus === 'any' ? () => true : (tags) => tags.length === 0;
  const matchers =
    selection.tagPrefixList !== undefined ? selection.tagPrefixList.map((prefix) => (tag: string) => tag.startsWith(prefix)) : selection.tagPatternList.map(wildcardMatcher);
  return (tags) => {
    for (const matches of matchers) if (!tags.some(matches)) return false;
    return true;
  };
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
function addFollowers(
  images: readonly LifecycleCandidate[],
  decided: readonly (LifecycleDecision | undefined)[],
  decisions: readonly LifecycleDecision[],
  imageIndexes: readonly number[],
  decide: (i: number, decision: LifecycleDecision) => void,
): void {
  const followers: number[] = [];
  /** Where each owner is among the images, -1 while not found (an owner that is not a candidate stays so). */
  const indexOfOwner = new Map<string, number>();
  images.forEach((image, i) => {
    if (!hasOwners(image)) return;
    followers.push(i);
    for (const owner of ownersOf(image)) indexOfOwner.set(owner, -1);
  });
  // Most images own nothing: only owners are indexed, and a repository without followers stops here.
  if (followers.length === 0) return;
  images.forEach((image, i) => {
    if (indexOfOwner.has(image.digest)) indexOfOwner.set(image.digest, i);
  });
  /** The images that follow each owner, by the owner's position. */
  const followersOf = new Map<number, number[]>();
  for (const i of followers) {
    for (const owner of ownersOf(images[i]!)) {
      const at = indexOfOwner.get(owner)!;
      if (at < 0) continue;
      const list = followersOf.get(at);
      if (list) list.push(i);
      else followersOf.set(at, [i]);
    }
  }
  /** The decisions on all of an image's owners, or undefined while one of them has none (or is unknown). */
  const ownerDecisions = (image: LifecycleCandidate): LifecycleDecision[] | undefined => {
    const owners: LifecycleDecision[] = [];
    for (const digest of ownersOf(image)) {
      const i = indexOfOwner.get(digest)!;
      const decision = i < 0 ? undefined : decided[i];
      if (decision === undefined) return undefined;
      owners.push(decision);
    }
    return owners;
  };

  for (let head = 0; head < decisions.length; head++) {
    const followersOfHead = followersOf.get(imageIndexes[head]!);
    if (followersOfHead === undefined) continue;
    for (const i of followersOfHead) {
      if (decided[i]) continue;
      const image = images[i]!;
      const owners = ownerDecisions(image);
      if (owners === undefined) continue; // examined again when its next owner is decided
      const expired = owners.every((owner) => owner.action === 'EXPIRE');
      // An archived image whose owner goes to archive is where it must be already.
      if (!expired && image.storageClass !== 'standard') continue;
      const leader = owners.find((owner) => owner.action === (expired ? 'EXPIRE' : 'TRANSITION'))!;
      decide(i, followerDecision(image, leader));
    }
  }
}

function followerDecision(image: LifecycleCandidate, leader: LifecycleDecision): LifecycleDecision {
  const { digest, storageClass } = image;
  const { appliedRulePriority, action, targetStorageClass } = leader;
  return targetStorageClass === undefined
    ? { digest, appliedRulePriority, action, storageClass, follows: leader.digest }
    : { digest, appliedRulePriority, action, storageClass, targetStorageClass, follows: leader.digest };
}
