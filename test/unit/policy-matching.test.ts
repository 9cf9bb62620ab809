import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arnMatches, compileArnPattern, splitArn } from '../../src/domain/policy/arn.js';
import { type ConditionContext, evaluate, parsePolicyDocument, type RequestPrincipal } from '../../src/domain/policy/index.js';
import { NO_BINDINGS, parseTemplate } from '../../src/domain/policy/variables.js';
import { compileGlob, globMatches } from '../../src/domain/policy/wildcard.js';

function glob(pattern: string, text: string): boolean {
  return globMatches(compileGlob(parseTemplate(pattern, false)), text, NO_BINDINGS);
}

function arn(pattern: string, text: string): boolean {
  return arnMatches(compileArnPattern(parseTemplate(pattern, false)), text, splitArn(text), NO_BINDINGS);
}

const ACCOUNT = '111122223333';
const ALICE: RequestPrincipal = { arn: `arn:aws:iam::${ACCOUNT}:user/alice`, account: ACCOUNT, username: 'alice' };
const repo = (name: string) => `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${name}`;

/** Evaluates one identity policy statement (Version 2012-10-17) for a request. */
function decide(statement: object, action: string, resource: string, context: ConditionContext = {}, principal = ALICE) {
  const doc = parsePolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: statement }), 'identity');
  return evaluate([doc], { action, resource, principal, context });
}

describe('wildcard matching', () => {
  it('matches * and ? like AWS', () => {
    const cases: [string, string, boolean][] = [
      ['*', '', true],
      ['*', 'anything at all', true],
      ['', '', true],
      ['', 'x', false],
      ['abc', 'abc', true],
      ['abc', 'abcd', false],
      ['a*', 'a', true],
      ['a*', 'ba', false],
      ['*a', 'ba', true],
      ['*a', 'ab', false],
      ['a*c', 'abbbc', true],
      ['a*c', 'ac', true],
      ['a*c', 'acb', false],
      ['a?c', 'abc', true],
      ['a?c', 'ac', false],
      ['a??', 'abc', true],
      ['a??', 'ab', false],
      ['?', '', false],
      ['*?', '', false],
      ['*?', 'x', true],
      ['a*b*c', 'aXbYc', true],
      ['a*b*c', 'aXcYb', false],
      ['a*b*b', 'abb', true],
      ['a*ab', 'aab', true],
      ['a*aa', 'aaa', true],
      ['a*aa', 'aa', false],
      ['*ab*ab*', 'xabyab', true],
      ['*ab*ab*', 'xaby', false],
      ['**a**', 'bab', true],
      ['*?b*', 'ab', true],
      ['*?b*', 'b', false],
      ['team/*/app', 'team/x/y/app', true],
      ['Prod*', 'prod-1', false],
    ];
    for (const [pattern, text, expected] of cases) assert.equal(glob(pattern, text), expected, `${pattern} vs ${text}`);
  });

  it('is fast on hostile patterns that make backtracking regexes explode', () => {
    const started = performance.now();
    const star = 'a*'.repeat(2000);
    assert.equal(glob(`${star}b`, 'a'.repeat(5000)), false);
    assert.equal(glob(`${star}b`, `${'a'.repeat(5000)}b`), true);
    assert.equal(glob(`*${'a*'.repeat(2000)}c`, `${'a'.repeat(1999)}b`.repeat(3)), false);
    assert.equal(glob(`*${'?'.repeat(100)}*b*`, 'a'.repeat(10_000)), false);
    assert.equal(glob(`*${'a?'.repeat(1000)}b*`, 'a'.repeat(10_000)), false);
    // The same through a whole policy, as a hostile user would submit it (10 KiB limit).
    const hostile = `arn:aws:ecr:*:*:repository/${'a*'.repeat(4000)}b`;
    assert.equal(decide({ Effect: 'Allow', Action: 'ecr:*', Resource: hostile }, 'ecr:BatchGetImage', repo('a'.repeat(2048))), 'NotApplicable');
    assert.ok(performance.now() - started < 1000, `took ${performance.now() - started} ms`);
  });

  it('matches actions case-insensitively', () => {
    assert.equal(decide({ Effect: 'Allow', Action: 'ECR:batchget*', Resource: '*' }, 'ecr:BatchGetImage', repo('app')), 'Allow');
    assert.equal(decide({ Effect: 'Allow', Action: `ecr:Get${'?'.repeat(19)}`, Resource: '*' }, 'ecr:GetDownloadUrlForLayer', repo('app')), 'Allow');
    assert.equal(decide({ Effect: 'Allow', Action: 'ecr:Get*', Resource: '*' }, 'ecr:BatchGetImage', repo('app')), 'NotApplicable');
    assert.equal(decide({ Effect: 'Allow', Action: '*', Resource: '*' }, 'iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/bob`), 'Allow');
  });
});

describe('ARN matching', () => {
  it('matches component by component, case-sensitively', () => {
    const cases: [string, string, boolean][] = [
      ['*', 'arn:aws:ecr:us-east-1:111122223333:repository/app', true],
      ['*', 'not an arn', true],
      ['arn:aws:ecr:*:*:repository/*', 'arn:aws:ecr:us-east-1:111122223333:repository/team/app', true],
      ['arn:aws:ecr:*:*:repository/*', 'arn:aws:ecr:us-east-1:111122223333:repository', false],
      ['arn:aws:ecr:us-*:111122223333:repository/app', 'arn:aws:ecr:us-west-2:111122223333:repository/app', true],
      ['arn:aws:ecr:us-*:111122223333:repository/app', 'arn:aws:ecr:eu-west-1:111122223333:repository/app', false],
      ['arn:aws:ecr:us-east-1:111122223333:repository/App', 'arn:aws:ecr:us-east-1:111122223333:repository/app', false],
      // A wildcard stays inside its component: "*" in the region cannot swallow the account.
      ['arn:aws:ecr:*:repository/app:x:y', 'arn:aws:ecr:us-east-1:111122223333:repository/app', false],
      ['arn:aws:ecr:*::repository/*', 'arn:aws:ecr:us-east-1:111122223333:repository/app', false],
      // The resource component keeps its own colons.
      ['arn:aws:logs:*:*:log-group:app:*', 'arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:s1', true],
      ['arn:aws:iam::*:role/ci-?', 'arn:aws:iam::111122223333:role/ci-1', true],
      ['arn:aws:iam::*:role/ci-?', 'arn:aws:iam::111122223333:role/ci-10', false],
      ['arn:aws:iam::*:role/ci', 'arn:aws:iam::111122223333', false],
    ];
    for (const [pattern, text, expected] of cases) assert.equal(arn(pattern, text), expected, `${pattern} vs ${text}`);
  });
});

describe('policy variables', () => {
  const homeRepos = { Effect: 'Allow', Action: 'ecr:*', Resource: `arn:aws:ecr:*:${ACCOUNT}:repository/home/\${aws:username}/*` };

  it('substitutes aws:username in Resource (the IAM docs home-directory example)', () => {
    assert.equal(decide(homeRepos, 'ecr:PutImage', repo('home/alice/app')), 'Allow');
    assert.equal(decide(homeRepos, 'ecr:PutImage', repo('home/bob/app')), 'NotApplicable');
  });

  it('treats a statement whose variable cannot be resolved as not applying, Allow and Deny alike', () => {
    const session: RequestPrincipal = { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ci/s1`, roleArn: `arn:aws:iam::${ACCOUNT}:role/ci`, account: ACCOUNT };
    assert.equal(decide(homeRepos, 'ecr:PutImage', repo('home/alice/app'), {}, session), 'NotApplicable');
    const denyOthers = { Effect: 'Deny', Action: 'ecr:*', NotResource: `arn:aws:ecr:*:${ACCOUNT}:repository/home/\${aws:username}/*` };
    assert.equal(decide(denyOthers, 'ecr:PutImage', repo('shared/app'), {}, session), 'NotApplicable');
    assert.equal(decide(denyOthers, 'ecr:PutImage', repo('shared/app')), 'Deny');
    // A multi-valued key cannot be a variable either.
    const byTag = { Effect: 'Allow', Action: 'ecr:*', Resource: `arn:aws:ecr:*:*:repository/\${aws:TagKeys}` };
    assert.equal(decide(byTag, 'ecr:PutImage', repo('a'), { 'aws:TagKeys': ['a'] }), 'NotApplicable');
  });

  it('uses the default when the key is absent', () => {
    const team = { Effect: 'Allow', Action: 'ecr:*', Resource: `arn:aws:ecr:*:*:repository/\${aws:PrincipalTag/team, 'shared'}/*` };
    assert.equal(decide(team, 'ecr:PutImage', repo('shared/app')), 'Allow');
    assert.equal(decide(team, 'ecr:PutImage', repo('dev/app'), {}, { ...ALICE, tags: { Team: 'dev' } }), 'Allow');
    assert.equal(decide(team, 'ecr:PutImage', repo('shared/app'), {}, { ...ALICE, tags: { team: 'dev' } }), 'NotApplicable');
    const quoted = { Effect: 'Allow', Action: 'ecr:*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/note': "${aws:username, 'it''s'}" } } };
    assert.equal(decide(quoted, 'ecr:PutImage', repo('a'), { 'aws:ResourceTag/note': "it's" }, { ...ALICE, username: undefined }), 'Allow');
  });

  it('substitutes any context key, case-insensitively, and the principal keys', () => {
    const byTag = { Effect: 'Allow', Action: 'ecr:*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/owner': '${AWS:USERNAME}' } } };
    assert.equal(decide(byTag, 'ecr:PutImage', repo('a'), { 'aws:ResourceTag/Owner': 'alice' }), 'Allow');
    assert.equal(decide(byTag, 'ecr:PutImage', repo('a'), { 'aws:ResourceTag/owner': 'bob' }), 'NotApplicable');
    const self = { Effect: 'Allow', Action: 'iam:*', Resource: 'arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}' };
    assert.equal(decide(self, 'iam:CreateAccessKey', ALICE.arn), 'Allow');
    assert.equal(decide(self, 'iam:CreateAccessKey', `arn:aws:iam::${ACCOUNT}:user/bob`), 'NotApplicable');
    assert.equal(decide(self, 'iam:CreateAccessKey', 'arn:aws:iam::444455556666:user/alice'), 'NotApplicable');
    const creator = { Effect: 'Allow', Action: 'ecr:*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/creator': '${aws:PrincipalArn}' } } };
    assert.equal(decide(creator, 'ecr:PutImage', repo('a'), { 'aws:ResourceTag/creator': ALICE.arn }), 'Allow');
    const region = { Effect: 'Allow', Action: 'ecr:*', Resource: 'arn:aws:ecr:${aws:RequestedRegion}:*:repository/*' };
    assert.equal(decide(region, 'ecr:PutImage', repo('a'), { 'aws:RequestedRegion': 'us-east-1' }), 'Allow');
    assert.equal(decide(region, 'ecr:PutImage', repo('a'), { 'aws:RequestedRegion': 'eu-west-1' }), 'NotApplicable');
  });

  it('never lets a substituted value act as a wildcard, and ${*} ${?} ${$} are literal', () => {
    const byTag = { Effect: 'Allow', Action: 'ecr:*', Resource: '*', Condition: { StringLike: { 'aws:ResourceTag/owner': '${aws:PrincipalTag/owner}' } } };
    const wildcardOwner = { ...ALICE, tags: { owner: '*' } };
    assert.equal(decide(byTag, 'ecr:PutImage', repo('a'), { 'aws:ResourceTag/owner': 'bob' }, wildcardOwner), 'NotApplicable');
    assert.equal(decide(byTag, 'ecr:PutImage', repo('a'), { 'aws:ResourceTag/owner': '*' }, wildcardOwner), 'Allow');
    const escaped = { Effect: 'Allow', Action: 'ecr:*', Resource: '*', Condition: { StringLike: { 'aws:ResourceTag/x': 'a${*}b${?}${$}{c}*' } } };
    assert.equal(decide(escaped, 'ecr:PutImage', repo('a'), { 'aws:ResourceTag/x': 'a*b?${c}-tail' }), 'Allow');
    assert.equal(decide(escaped, 'ecr:PutImage', repo('a'), { 'aws:ResourceTag/x': 'aXbY${c}' }), 'NotApplicable');
  });

  it('is not a variable in a 2008-10-17 policy', () => {
    const doc = parsePolicyDocument(
      JSON.stringify({ Version: '2008-10-17', Statement: { Effect: 'Allow', Action: 'ecr:*', Resource: 'arn:aws:ecr:*:*:repository/${aws:username}' } }),
      'identity',
    );
    const request = (resource: string) => ({ action: 'ecr:PutImage', resource, principal: ALICE, context: {} });
    assert.equal(evaluate([doc], request(repo('alice'))), 'NotApplicable');
    assert.equal(evaluate([doc], request(repo('${aws:username}'))), 'Allow');
  });
});
