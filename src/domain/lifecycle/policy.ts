/**
 * A lifecycle policy as ECR's PutLifecyclePolicy accepts it, parsed and validated once (parse.ts);
 * the fields keep ECR's JSON names so the console can show a rule as its author wrote it.
 */

export const TAG_STATUSES = ['any', 'tagged', 'untagged'] as const;
export type TagStatus = (typeof TAG_STATUSES)[number];

export const STORAGE_CLASSES = ['archive', 'standard'] as const;
export type StorageClass = (typeof STORAGE_CLASSES)[number];

export const COUNT_TYPES = ['imageCountMoreThan', 'sinceImagePulled', 'sinceImagePushed', 'sinceImageTransitioned'] as const;
export type CountType = (typeof COUNT_TYPES)[number];

export const ACTION_TYPES = ['expire', 'transition'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

/** Which images a rule considers by their tags; a tagged rule has exactly one of the two lists. */
export type LifecycleTagSelection =
  | { readonly tagStatus: 'tagged'; readonly tagPrefixList: readonly string[]; readonly tagPatternList?: undefined }
  | { readonly tagStatus: 'tagged'; readonly tagPatternList: readonly string[]; readonly tagPrefixList?: undefined }
  | { readonly tagStatus: 'untagged' | 'any'; readonly tagPrefixList?: undefined; readonly tagPatternList?: undefined };

export type LifecycleRuleSelection = LifecycleTagSelection & {
  /** 'standard' when the policy leaves it out. */
  readonly storageClass: StorageClass;
  readonly countType: CountType;
  /** Present exactly for the since* count types. */
  readonly countUnit?: 'days';
  readonly countNumber: number;
};

export type LifecycleRuleAction = { readonly type: 'expire' } | { readonly type: 'transition'; readonly targetStorageClass: 'archive' };

export interface LifecycleRule {
  readonly rulePriority: number;
  readonly description?: string;
  readonly selection: LifecycleRuleSelection;
  readonly action: LifecycleRuleAction;
}

export interface LifecyclePolicy {
  /** The submitted text, stored and returned as is. */
  readonly text: string;
  /** In the order they apply: lowest rulePriority first. */
  readonly rules: readonly LifecycleRule[];
}
