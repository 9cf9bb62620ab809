import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDomainError } from '../../src/domain/errors.js';
import {
  LIFECYCLE_POLICY_MAX_LENGTH,
  LIFECYCLE_POLICY_MAX_RULES,
  LIFECYCLE_POLICY_MIN_LENGTH,
  parseLifecyclePolicy,
} from '../../src/domain/lifecycle/index.js';

const EXPIRE = { type: 'expire' };
const TRANSITION = { type: 'transition', targetStorageClass: 'archive' };
const KEEP_ONE = { countType: 'imageCountMoreThan', countNumber: 1 };
const ANY_KEEP_ONE = { tagStatus: 'any', ...KEEP_ONE };
const OLDER_THAN_14_DAYS = { countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 };

function rule(rulePriority: unknown, selection: unknown, action: unknown = EXPIRE): Record<string, unknown> {
  return { rulePriority, selection, action };
}

/** A policy's text, padded with spaces to ECR's minimum length so short examples pass that check. */
function text(document: unknown): string {
  return JSON.stringify(document).padEnd(LIFECYCLE_POLICY_MIN_LENGTH);
}

function withRules(...rules: unknown[]): string {
  return text({ rules });
}

/** Asserts that parsing fails with INVALID_PARAMETER and exactly ECR's frame around `reason`. */
function rejects(policyText: string, reason: string | RegExp): void {
  assert.throws(
    () => parseLifecyclePolicy(policyText),
    (err) => {
      assert.ok(isDomainError(err, 'INVALID_PARAMETER'), String(err));
      const prefix = "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ";
      assert.ok(err.message.startsWith(prefix) && err.message.endsWith("'"), err.message);
      const found = err.message.slice(prefix.length, -1);
      if (typeof reason === 'string') assert.equal(found, reason);
      else assert.match(found, reason);
      assert.deepEqual(err.detail, { field: 'LifecyclePolicyText' });
      return true;
    },
  );
}

function rejectsSelection(selection: unknown, reason: string): void {
  rejects(withRules(rule(1, selection)), reason);
}

describe('lifecycle policy text', () => {
  it('is 100 to 30,720 characters long', () => {
    rejects('x'.repeat(LIFECYCLE_POLICY_MIN_LENGTH - 1), 'Member must have length greater than or equal to 100');
    // 100 characters pass the length check and fail only as JSON.
    rejects('x'.repeat(LIFECYCLE_POLICY_MIN_LENGTH), /^Could not map policyString into LifecyclePolicy\. JSON syntax error at line 1, column 1: /);
    const longest = JSON.stringify({ rules: [rule(1, ANY_KEEP_ONE)] }).padEnd(LIFECYCLE_POLICY_MAX_LENGTH);
    assert.equal(parseLifecyclePolicy(longest).rules.length, 1);
    rejects(`${longest} `, 'Member must have length less than or equal to 30720');
  });

  it('is a JSON object, with no duplicate keys', () => {
    rejects('{"rules": ['.padEnd(100), 'Could not map policyString into LifecyclePolicy. JSON syntax error at line 1, column 101: unexpected end of input, expected a value');
    rejects(JSON.stringify([rule(1, ANY_KEEP_ONE)]).padEnd(100), 'Could not map policyString into LifecyclePolicy.');
    rejects('"a string"'.padEnd(100), 'Could not map policyString into LifecyclePolicy.');
    const duplicated = `{"rules": [], "rules": ${JSON.stringify([rule(1, ANY_KEEP_ONE)])}}`;
    rejects(duplicated, /^Could not map policyString into LifecyclePolicy\. JSON syntax error at line 1, column 15: duplicate key "rules"$/);
  });

  it('has a rules array and nothing else at the top', () => {
    rejects(text({}), 'object has missing required properties (["rules"])');
    rejects(text({ rules: [rule(1, ANY_KEEP_ONE)], version: 1, Statement: [] }), 'object instance has properties which are not allowed by the schema: (["Statement","version"])');
    rejects(text({ rules: rule(1, ANY_KEEP_ONE) }), 'instance type (object) does not match any allowed primitive type (allowed: ["array"])');
    rejects(text({ rules: null }), 'instance type (null) does not match any allowed primitive type (allowed: ["array"])');
  });

  it('has 1 to 50 rules', () => {
    rejects(withRules(), 'array is too short: must have at least 1 elements but instance has 0 elements');
    const tagged = (n: number) => rule(n, { tagStatus: 'tagged', tagPrefixList: [`team${n}-`], ...KEEP_ONE });
    const fifty = Array.from({ length: LIFECYCLE_POLICY_MAX_RULES }, (_, i) => tagged(i + 1));
    assert.equal(parseLifecyclePolicy(withRules(...fifty)).rules.length, 50);
    rejects(withRules(...fifty, tagged(51)), 'array is too long: must have at most 50 elements but instance has 51 elements');
  });
});

describe('lifecycle rules', () => {
  it('are objects with rulePriority, selection and action, and optionally a description', () => {
    rejects(withRules(1), 'instance type (integer) does not match any allowed primitive type (allowed: ["object"])');
    rejects(withRules({ selection: ANY_KEEP_ONE }), 'object has missing required properties (["action","rulePriority"])');
    rejects(withRules({ ...rule(1, ANY_KEEP_ONE), name: 'mine' }), 'object instance has properties which are not allowed by the schema: (["name"])');
    rejects(withRules({ ...rule(1, ANY_KEEP_ONE), description: 5 }), 'instance type (integer) does not match any allowed primitive type (allowed: ["string"])');
    const described = parseLifecyclePolicy(withRules({ ...rule(1, ANY_KEEP_ONE), description: 'Keep the newest image' }));
    assert.equal(described.rules[0]!.description, 'Keep the newest image');
    assert.ok(!('description' in parseLifecyclePolicy(withRules(rule(1, ANY_KEEP_ONE))).rules[0]!));
  });

  it('have integer priorities of at least 1', () => {
    rejects(withRules(rule(0, ANY_KEEP_ONE)), 'numeric instance is lower than the required minimum (minimum: 1, found: 0)');
    rejects(withRules(rule(-1, ANY_KEEP_ONE)), 'numeric instance is lower than the required minimum (minimum: 1, found: -1)');
    rejects(withRules(rule(1.5, ANY_KEEP_ONE)), 'instance type (number) does not match any allowed primitive type (allowed: ["integer"])');
    rejects(withRules(rule('1', ANY_KEEP_ONE)), 'instance type (string) does not match any allowed primitive type (allowed: ["integer"])');
    rejects(withRules(rule(2_147_483_648, ANY_KEEP_ONE)), 'numeric instance is greater than the required maximum (maximum: 2147483647, found: 2147483648)');
    assert.equal(parseLifecyclePolicy(withRules(rule(2_147_483_647, ANY_KEEP_ONE))).rules[0]!.rulePriority, 2_147_483_647);
  });

  it('have unique priorities, gaps allowed, and apply lowest first whatever their order in the text', () => {
    const untagged = { tagStatus: 'untagged', ...OLDER_THAN_14_DAYS };
    const prod = { tagStatus: 'tagged', tagPrefixList: ['prod'], ...KEEP_ONE };
    const parsed = parseLifecyclePolicy(withRules(rule(100, ANY_KEEP_ONE), rule(7, untagged), rule(3, prod)));
    assert.deepEqual(
      parsed.rules.map((r) => r.rulePriority),
      [3, 7, 100],
    );
    rejects(withRules(rule(2, untagged), rule(2, prod)), 'rulePriority 2 is used by more than one rule; each rule needs a unique rulePriority.');
  });

  it('keep the text and fill in the default storage class', () => {
    const policyText = withRules(rule(1, { tagStatus: 'untagged', ...OLDER_THAN_14_DAYS }));
    const parsed = parseLifecyclePolicy(policyText);
    assert.equal(parsed.text, policyText);
    assert.deepEqual(parsed.rules[0], {
      rulePriority: 1,
      selection: { tagStatus: 'untagged', storageClass: 'standard', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 },
      action: { type: 'expire' },
    });
  });
});

describe('lifecycle rule selection', () => {
  it('has tagStatus, countType and countNumber, and only the documented keys', () => {
    rejects(withRules({ rulePriority: 1, action: EXPIRE }), 'object has missing required properties (["selection"])');
    rejectsSelection({ countType: 'imageCountMoreThan' }, 'object has missing required properties (["countNumber","tagStatus"])');
    rejectsSelection({ ...ANY_KEEP_ONE, tagList: ['x'] }, 'object instance has properties which are not allowed by the schema: (["tagList"])');
    rejectsSelection('any', 'instance type (string) does not match any allowed primitive type (allowed: ["object"])');
  });

  it('takes tagStatus tagged, untagged or any, case-sensitively', () => {
    rejectsSelection({ ...ANY_KEEP_ONE, tagStatus: 'TAGGED' }, 'instance value ("TAGGED") not found in enum (possible values: ["any","tagged","untagged"])');
    rejectsSelection({ ...ANY_KEEP_ONE, tagStatus: true }, 'instance type (boolean) does not match any allowed primitive type (allowed: ["string"])');
  });

  it('needs exactly one tag list for tagged images and none otherwise', () => {
    rejectsSelection({ ...KEEP_ONE, tagStatus: 'tagged' }, 'Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.');
    rejectsSelection(
      { ...KEEP_ONE, tagStatus: 'tagged', tagPrefixList: ['prod'], tagPatternList: ['prod*'] },
      'Cannot specify both tagPrefixList and tagPatternList in one rule.',
    );
    rejectsSelection({ ...KEEP_ONE, tagStatus: 'untagged', tagPrefixList: ['prod'] }, 'Cannot specify tagPrefixList or tagPatternList when tagStatus=UNTAGGED.');
    rejectsSelection({ ...KEEP_ONE, tagStatus: 'any', tagPatternList: ['prod*'] }, 'Cannot specify tagPrefixList or tagPatternList when tagStatus=ANY.');
    const prefixed = parseLifecyclePolicy(withRules(rule(1, { ...KEEP_ONE, tagStatus: 'tagged', tagPrefixList: ['prod', 'dev'] })));
    assert.deepEqual(prefixed.rules[0]!.selection.tagPrefixList, ['prod', 'dev']);
    assert.equal(prefixed.rules[0]!.selection.tagPatternList, undefined);
  });

  it('takes tag lists as non-empty arrays of non-empty strings', () => {
    for (const list of ['tagPrefixList', 'tagPatternList']) {
      const tagged = (value: unknown) => ({ ...KEEP_ONE, tagStatus: 'tagged', [list]: value });
      rejectsSelection(tagged([]), 'array is too short: must have at least 1 elements but instance has 0 elements');
      rejectsSelection(tagged('prod'), 'instance type (string) does not match any allowed primitive type (allowed: ["array"])');
      rejectsSelection(tagged(['prod', 1]), 'instance type (integer) does not match any allowed primitive type (allowed: ["string"])');
      rejectsSelection(tagged(['']), 'string "" is too short (length 0, required minimum 1)');
    }
  });

  it('allows at most four wildcards in each pattern', () => {
    const patterns = (tagPatternList: string[]) => ({ ...KEEP_ONE, tagStatus: 'tagged', tagPatternList });
    // The documentation's own examples.
    assert.equal(parseLifecyclePolicy(withRules(rule(1, patterns(['*test*1*2*3', 'test*1*2*3*'])))).rules.length, 1);
    rejectsSelection(patterns(['test*1*2*3*4*5*6']), 'tagPatternList entry "test*1*2*3*4*5*6" has 6 wildcards; there is a maximum limit of 4 wildcards (*) per string.');
    assert.equal(parseLifecyclePolicy(withRules(rule(1, patterns(['****'])))).rules.length, 1);
    rejectsSelection(patterns(['prod*', '*****']), 'tagPatternList entry "*****" has 5 wildcards; there is a maximum limit of 4 wildcards (*) per string.');
  });

  it('takes the documented count types, with countUnit days exactly for the since* ones', () => {
    rejectsSelection(
      { ...ANY_KEEP_ONE, countType: 'sinceImageCreated' },
      'instance value ("sinceImageCreated") not found in enum (possible values: ["imageCountMoreThan","sinceImagePulled","sinceImagePushed","sinceImageTransitioned"])',
    );
    rejectsSelection({ ...ANY_KEEP_ONE, countUnit: 'days' }, 'countUnit cannot be specified when countType=imageCountMoreThan.');
    for (const countType of ['sinceImagePushed', 'sinceImagePulled']) {
      rejectsSelection({ tagStatus: 'any', countType, countNumber: 14 }, `Must specify countUnit when countType=${countType}.`);
    }
    rejectsSelection({ tagStatus: 'any', ...OLDER_THAN_14_DAYS, countUnit: 'hours' }, 'instance value ("hours") not found in enum (possible values: ["days"])');
  });

  it('counts from 1', () => {
    rejectsSelection({ ...ANY_KEEP_ONE, countNumber: 0 }, 'numeric instance is lower than the required minimum (minimum: 1, found: 0)');
    rejectsSelection({ ...ANY_KEEP_ONE, countNumber: 2.5 }, 'instance type (number) does not match any allowed primitive type (allowed: ["integer"])');
    rejectsSelection({ ...ANY_KEEP_ONE, countNumber: '5' }, 'instance type (string) does not match any allowed primitive type (allowed: ["integer"])');
    assert.equal(parseLifecyclePolicy(withRules(rule(1, { ...ANY_KEEP_ONE, countNumber: 1 }))).rules[0]!.selection.countNumber, 1);
  });

  it('selects archived images only by the time since they were archived', () => {
    const archivedFor = (countNumber: number, extra: object = {}) => ({
      tagStatus: 'any',
      storageClass: 'archive',
      countType: 'sinceImageTransitioned',
      countUnit: 'days',
      countNumber,
      ...extra,
    });
    rejectsSelection({ ...ANY_KEEP_ONE, storageClass: 'glacier' }, 'instance value ("glacier") not found in enum (possible values: ["archive","standard"])');
    rejectsSelection({ ...ANY_KEEP_ONE, storageClass: 'archive' }, 'countType=imageCountMoreThan cannot be used with storageClass=archive; use sinceImageTransitioned.');
    rejectsSelection({ tagStatus: 'any', storageClass: 'archive', ...OLDER_THAN_14_DAYS }, 'countType=sinceImagePushed cannot be used with storageClass=archive; use sinceImageTransitioned.');
    rejectsSelection(archivedFor(90, { storageClass: undefined }), 'Must specify storageClass=archive when countType=sinceImageTransitioned.');
    rejectsSelection(archivedFor(90, { storageClass: 'standard' }), 'Must specify storageClass=archive when countType=sinceImageTransitioned.');
    rejectsSelection(archivedFor(90, { countUnit: undefined }), 'Must specify countUnit when countType=sinceImageTransitioned.');
    // Archived images have a minimum storage duration of 90 days.
    rejectsSelection(archivedFor(89), 'Archived images have a minimum storage duration of 90 days; countNumber must be at least 90 when countType=sinceImageTransitioned.');
    assert.equal(parseLifecyclePolicy(withRules(rule(1, archivedFor(90)))).rules[0]!.selection.storageClass, 'archive');
  });
});

describe('lifecycle rule action', () => {
  const untaggedOld = { tagStatus: 'untagged', ...OLDER_THAN_14_DAYS };

  it('is expire or transition, with only the documented keys', () => {
    rejects(withRules({ rulePriority: 1, selection: untaggedOld }), 'object has missing required properties (["action"])');
    rejects(withRules(rule(1, untaggedOld, {})), 'object has missing required properties (["type"])');
    rejects(withRules(rule(1, untaggedOld, { type: 'delete' })), 'instance value ("delete") not found in enum (possible values: ["expire","transition"])');
    rejects(withRules(rule(1, untaggedOld, { type: 'expire', after: 3 })), 'object instance has properties which are not allowed by the schema: (["after"])');
  });

  it('transitions standard images to archive, and only transitions name a target', () => {
    rejects(withRules(rule(1, untaggedOld, { type: 'transition' })), 'Must specify targetStorageClass when action type=transition.');
    rejects(withRules(rule(1, untaggedOld, { type: 'transition', targetStorageClass: 'glacier' })), 'instance value ("glacier") not found in enum (possible values: ["archive"])');
    rejects(withRules(rule(1, untaggedOld, { type: 'expire', targetStorageClass: 'archive' })), 'targetStorageClass can only be specified when action type=transition.');
    const archived = { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 90 };
    rejects(withRules(rule(1, archived, TRANSITION)), 'Only images in storageClass=standard can be transitioned.');
    assert.deepEqual(parseLifecyclePolicy(withRules(rule(1, untaggedOld, TRANSITION))).rules[0]!.action, TRANSITION);
  });

  it('lets sinceImagePulled expire images as well as transition them (beyond ECR, deliberately)', () => {
    const notPulledFor90Days = { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 90 };
    assert.equal(parseLifecyclePolicy(withRules(rule(1, notPulledFor90Days, EXPIRE))).rules[0]!.action.type, 'expire');
    assert.equal(parseLifecyclePolicy(withRules(rule(1, notPulledFor90Days, TRANSITION))).rules[0]!.action.type, 'transition');
  });
});

describe('lifecycle rules together, per storage class', () => {
  const untagged = (storageClass?: string) => ({
    tagStatus: 'untagged',
    ...(storageClass === 'archive' ? { storageClass, countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 90 } : OLDER_THAN_14_DAYS),
  });
  const any = (storageClass?: string) => ({ ...untagged(storageClass), tagStatus: 'any' });
  const prod = { tagStatus: 'tagged', tagPrefixList: ['prod'], ...KEEP_ONE };

  it('let only one rule select untagged images per storage class; a tagStatus=any rule does not count', () => {
    rejects(withRules(rule(1, untagged()), rule(2, { ...untagged(), countNumber: 30 })), 'Only one rule can select Untagged images per storage class.');
    rejects(withRules(rule(1, untagged('archive')), rule(2, untagged('archive'))), 'Only one rule can select Untagged images per storage class.');
    assert.equal(parseLifecyclePolicy(withRules(rule(1, untagged()), rule(2, untagged('archive')))).rules.length, 2);
    assert.equal(parseLifecyclePolicy(withRules(rule(1, untagged()), rule(2, any()))).rules.length, 2);
  });

  it('put the tagStatus=any rule last among the rules of its storage class', () => {
    rejects(withRules(rule(1, any()), rule(2, prod)), 'Rule for tagStatus=ANY must have the lowest priority per storage class');
    rejects(withRules(rule(1, any()), rule(2, { ...any(), countNumber: 30 })), 'Rule for tagStatus=ANY must have the lowest priority per storage class');
    rejects(withRules(rule(5, any('archive')), rule(9, untagged('archive'))), 'Rule for tagStatus=ANY must have the lowest priority per storage class');
    // An archive rule after the standard catch-all is fine, and so is the reverse.
    assert.equal(parseLifecyclePolicy(withRules(rule(1, prod), rule(2, any()), rule(3, any('archive')))).rules.length, 3);
    assert.equal(parseLifecyclePolicy(withRules(rule(1, any('archive')), rule(2, prod), rule(3, any()))).rules.length, 3);
  });
});
