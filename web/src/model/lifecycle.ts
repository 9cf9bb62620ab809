/**
 * Lifecycle policy rules as the rule editor holds them, read from and written to ECR's policy JSON, and
 * described in words. Tag lists are AND-ed (every entry must match one of an image's tags), which the
 * descriptions say outright because it surprises people.
 */

export type TagStatus = 'tagged' | 'untagged' | 'any';
export type TagListKind = 'prefix' | 'pattern';
export type StorageClass = 'standard' | 'archive';
export type CountType = 'imageCountMoreThan' | 'sinceImagePushed' | 'sinceImagePulled' | 'sinceImageTransitioned';
export type ActionType = 'expire' | 'transition';

export interface RuleDraft {
  rulePriority: number;
  description: string;
  tagStatus: TagStatus;
  /** Which list the tags go in when tagStatus is tagged. */
  tagListKind: TagListKind;
  tags: string[];
  storageClass: StorageClass;
  countType: CountType;
  countNumber: number;
  actionType: ActionType;
}

export const COUNT_TYPE_LABELS: Record<CountType, string> = {
  imageCountMoreThan: 'Image count more than',
  sinceImagePushed: 'Since image pushed',
  sinceImagePulled: 'Since image pulled',
  sinceImageTransitioned: 'Since image transitioned',
};

/** Archived images are counted only by how long they have been archived; standard ones never are. */
export function countTypesFor(storageClass: StorageClass): CountType[] {
  return storageClass === 'archive' ? ['sinceImageTransitioned'] : ['imageCountMoreThan', 'sinceImagePushed', 'sinceImagePulled'];
}

export function newRule(existing: readonly RuleDraft[]): RuleDraft {
  return {
    rulePriority: Math.max(0, ...existing.map((r) => r.rulePriority)) + 1,
    description: '',
    tagStatus: 'untagged',
    tagListKind: 'prefix',
    tags: [],
    storageClass: 'standard',
    countType: 'sinceImagePushed',
    countNumber: 14,
    actionType: 'expire',
  };
}

export type RulesRead = { ok: true; rules: RuleDraft[] } | { ok: false; message: string };

const has = (value: unknown, key: string): value is Record<string, unknown> => typeof value === 'object' && value !== null && key in value;
const text = (value: unknown, fallback: string) => (typeof value === 'string' ? value : fallback);
const strings = (value: unknown) => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** The rules of a policy text, leniently: the server validates; this only needs the shape to edit it. */
export function rulesFromPolicyText(policyText: string): RulesRead {
  let document: unknown;
  try {
    document = JSON.parse(policyText);
  } catch (error) {
    return { ok: false, message: `The JSON is not valid: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!has(document, 'rules') || !Array.isArray(document.rules)) return { ok: false, message: 'The policy needs a "rules" array.' };
  const rules: RuleDraft[] = [];
  for (const rule of document.rules as unknown[]) {
    if (!has(rule, 'selection') || !has(rule, 'action')) return { ok: false, message: 'Each rule needs a "selection" and an "action".' };
    const selection = rule.selection as Record<string, unknown>;
    const action = rule.action as Record<string, unknown>;
    const patterns = strings(selection.tagPatternList);
    rules.push({
      rulePriority: typeof rule.rulePriority === 'number' ? rule.rulePriority : 0,
      description: text(rule.description, ''),
      tagStatus: text(selection.tagStatus, 'any') as TagStatus,
      tagListKind: patterns.length > 0 ? 'pattern' : 'prefix',
      tags: patterns.length > 0 ? patterns : strings(selection.tagPrefixList),
      storageClass: text(selection.storageClass, 'standard') as StorageClass,
      countType: text(selection.countType, 'imageCountMoreThan') as CountType,
      countNumber: typeof selection.countNumber === 'number' ? selection.countNumber : 1,
      actionType: text(action.type, 'expire') as ActionType,
    });
  }
  return { ok: true, rules: rules.sort((a, b) => a.rulePriority - b.rulePriority) };
}

function ruleToJson(rule: RuleDraft): object {
  const tags = rule.tags.map((t) => t.trim()).filter(Boolean);
  return {
    rulePriority: rule.rulePriority,
    ...(rule.description.trim() && { description: rule.description.trim() }),
    selection: {
      tagStatus: rule.tagStatus,
      ...(rule.tagStatus === 'tagged' && (rule.tagListKind === 'prefix' ? { tagPrefixList: tags } : { tagPatternList: tags })),
      ...(rule.storageClass === 'archive' && { storageClass: 'archive' }),
      countType: rule.countType,
      ...(rule.countType !== 'imageCountMoreThan' && { countUnit: 'days' }),
      countNumber: rule.countNumber,
    },
    action: rule.actionType === 'transition' ? { type: 'transition', targetStorageClass: 'archive' } : { type: 'expire' },
  };
}

export function policyTextFromRules(rules: readonly RuleDraft[]): string {
  return JSON.stringify({ rules: [...rules].sort((a, b) => a.rulePriority - b.rulePriority).map(ruleToJson) }, null, 2);
}

/** Which images a rule looks at, in words; tag lists say that all entries must match. */
function describeSelection(rule: Pick<RuleDraft, 'tagStatus' | 'tagListKind' | 'tags' | 'storageClass'>): string {
  const where = rule.storageClass === 'archive' ? ' in archive storage' : '';
  if (rule.tagStatus === 'any') return `all images${where}`;
  if (rule.tagStatus === 'untagged') return `untagged images${where}`;
  const tags = rule.tags.map((t) => t.trim()).filter(Boolean);
  const kind = rule.tagListKind === 'prefix' ? 'tag prefixes' : 'tag patterns';
  if (tags.length === 1) return `images with a tag matching the ${kind === 'tag prefixes' ? 'prefix' : 'pattern'} ${tags[0]}${where}`;
  return `images carrying ALL of the ${kind} ${tags.join(', ')}${where} (each must match one of the image's tags)`;
}

function describeCount(rule: Pick<RuleDraft, 'countType' | 'countNumber'>): string {
  const days = `${rule.countNumber} day${rule.countNumber === 1 ? '' : 's'}`;
  switch (rule.countType) {
    case 'imageCountMoreThan':
      return `beyond the newest ${rule.countNumber}`;
    case 'sinceImagePushed':
      return `pushed more than ${days} ago`;
    case 'sinceImagePulled':
      return `not pulled for more than ${days}`;
    case 'sinceImageTransitioned':
      return `archived more than ${days} ago`;
  }
}

export function describeRule(rule: RuleDraft): string {
  const verb = rule.actionType === 'expire' ? 'Expire' : 'Archive';
  return `${verb} ${describeSelection(rule)}, ${describeCount(rule)}.`;
}

/** What the editor checks before the server does: the mistakes a form can make. */
export function ruleProblems(rule: RuleDraft, others: readonly RuleDraft[]): Partial<Record<'rulePriority' | 'tags' | 'countNumber', string>> {
  const problems: Partial<Record<'rulePriority' | 'tags' | 'countNumber', string>> = {};
  if (!Number.isInteger(rule.rulePriority) || rule.rulePriority < 1) problems.rulePriority = 'Use a whole number of 1 or more.';
  else if (others.some((r) => r.rulePriority === rule.rulePriority)) problems.rulePriority = `Rule ${rule.rulePriority} already exists; each rule needs its own priority.`;
  if (rule.tagStatus === 'tagged' && rule.tags.every((t) => t.trim() === '')) problems.tags = 'A rule for tagged images needs at least one tag prefix or pattern.';
  if (!Number.isInteger(rule.countNumber) || rule.countNumber < 1) problems.countNumber = 'Use a whole number of 1 or more.';
  return problems;
}
