/** ECR lifecycle policies as pure functions: parse and validate once, evaluate over candidate images for both preview and run. */
export {
  type LifecycleAction,
  type LifecycleCandidate,
  type LifecycleDecision,
  type LifecycleEvaluation,
  type LifecycleRuleOutcome,
  evaluateLifecyclePolicy,
  explainLifecyclePolicy,
} from './evaluate.js';
export {
  ARCHIVE_MINIMUM_DAYS,
  LIFECYCLE_POLICY_MAX_LENGTH,
  LIFECYCLE_POLICY_MAX_RULES,
  LIFECYCLE_POLICY_MIN_LENGTH,
  MAX_WILDCARDS_PER_PATTERN,
  parseLifecyclePolicy,
} from './parse.js';
export type {
  ActionType,
  CountType,
  LifecyclePolicy,
  LifecycleRule,
  LifecycleRuleAction,
  LifecycleRuleSelection,
  LifecycleTagSelection,
  StorageClass,
  TagStatus,
} from './policy.js';
export { type LifecyclePreviewResult, LifecyclePreviews } from './previews.js';
export { type LifecycleRunEntry, LifecycleRunner } from './runner.js';
