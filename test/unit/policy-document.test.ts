import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDomainError } from '../../src/domain/errors.js';
import { parsePolicyDocument, POLICY_MAX_LENGTH, type PolicyKind } from '../../src/domain/policy/index.js';

const ALLOW_PULL = { Effect: 'Allow', Action: 'ecr:BatchGetImage' };

function policy(statement: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ Version: '2012-10-17', ...extra, Statement: statement });
}

/** Asserts that parsing fails with POLICY_INVALID and exactly this message. */
function rejects(text: string, kind: PolicyKind, message: string): void {
  assert.throws(
    () => parsePolicyDocument(text, kind),
    (err) => {
      assert.ok(isDomainError(err, 'POLICY_INVALID'), String(err));
      assert.equal(err.message, `Invalid policy document: ${message}`);
      return true;
    },
  );
}

describe('policy documents: accepted shapes', () => {
  it('takes Statement as one object or an array, and keeps the submitted text', () => {
    const single = policy({ ...ALLOW_PULL, Resource: '*' });
    const doc = parsePolicyDocument(single, 'identity');
    assert.equal(doc.statements.length, 1);
    assert.equal(doc.text, single);
    assert.equal(doc.kind, 'identity');
    assert.equal(doc.version, '2012-10-17');
    assert.equal(parsePolicyDocument(policy([{ ...ALLOW_PULL, Resource: '*' }, { Effect: 'Deny', NotAction: 'ecr:*', Resource: '*' }]), 'identity').statements.length, 2);
  });

  it('accepts both policy language versions, or none, and an Id', () => {
    for (const Version of ['2012-10-17', '2008-10-17']) {
      assert.equal(parsePolicyDocument(JSON.stringify({ Version, Statement: { ...ALLOW_PULL, Resource: '*' } }), 'identity').version, Version);
    }
    const unversioned = parsePolicyDocument(JSON.stringify({ Id: 'p1', Statement: { ...ALLOW_PULL, Resource: '*' } }), 'identity');
    assert.equal(unversioned.version, undefined);
    assert.equal(unversioned.id, 'p1');
  });

  it('lets resource policies omit Resource and trust policies name only a Principal', () => {
    const repositoryPolicy = policy({ Sid: 'Allow pull (any Sid text)', ...ALLOW_PULL, Principal: { AWS: '123456789012' } });
    assert.equal(parsePolicyDocument(repositoryPolicy, 'resource').statements[0]!.resources, undefined);
    const trust = policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root', Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });
    assert.equal(parsePolicyDocument(trust, 'trust').statements.length, 1);
  });

  it('accepts every principal form AWS documents', () => {
    const principals = [
      '*',
      { AWS: '*' },
      { AWS: '123456789012' },
      { AWS: ['arn:aws:iam::123456789012:root', 'arn:aws:iam::123456789012:user/alice', 'arn:aws:iam::123456789012:role/ci'] },
      { AWS: 'arn:aws:sts::123456789012:assumed-role/ci/session-1' },
      { Service: ['ecr.amazonaws.com'], Federated: 'cognito-identity.amazonaws.com', CanonicalUser: '79a59df900b949e55d96a1e698fbaced' },
    ];
    for (const Principal of principals) parsePolicyDocument(policy({ ...ALLOW_PULL, Principal }), 'resource');
  });

  it('accepts a policy exactly at the size limit', () => {
    const base = policy({ Sid: '', ...ALLOW_PULL, Resource: '*' });
    const padded = base.replace('"Sid":""', `"Sid":"${'a'.repeat(POLICY_MAX_LENGTH - base.length)}"`);
    assert.equal(padded.length, POLICY_MAX_LENGTH);
    parsePolicyDocument(padded, 'identity');
    assert.equal(POLICY_MAX_LENGTH, 10_240);
  });
});

describe('policy documents: rejected with a precise reason', () => {
  it('reports JSON syntax errors with line and column', () => {
    rejects('', 'identity', 'JSON syntax error at line 1, column 1: unexpected end of input, expected a value');
    rejects('{\n  "Statement": [\n    {"Effect": "Allow",}\n  ]\n}', 'identity', 'JSON syntax error at line 3, column 24: expected a string key');
    rejects('{"Statement": []} x', 'identity', 'JSON syntax error at line 1, column 19: unexpected content after the end of the document');
    rejects('{"Statement": "\u0001"}', 'identity', 'JSON syntax error at line 1, column 16: control character in string');
    rejects(`${'['.repeat(5000)}${']'.repeat(5000)}`, 'identity', 'JSON syntax error at line 1, column 66: nesting deeper than 64 levels');
  });

  it('rejects duplicate keys, which JSON.parse would silently collapse', () => {
    const text = '{"Statement": {"Effect": "Allow", "Action": "ecr:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}, "Bool": {"aws:MultiFactorAuthPresent": "true"}}}}';
    rejects(text, 'identity', 'JSON syntax error at line 1, column 126: duplicate key "Bool"');
  });

  it('rejects documents that are too long, before parsing them', () => {
    rejects(' '.repeat(POLICY_MAX_LENGTH + 1), 'resource', `the policy is ${POLICY_MAX_LENGTH + 1} characters long; the limit is 10240`);
  });

  it('checks the top level', () => {
    rejects('[]', 'identity', 'the policy must be a JSON object');
    rejects('{"Version": "2012-10-17"}', 'identity', 'Statement is required');
    rejects(policy([]), 'identity', 'Statement must not be empty');
    rejects(policy({ ...ALLOW_PULL, Resource: '*' }, { Version: '2012-10-18' }), 'identity', 'Version must be "2012-10-17" or "2008-10-17"');
    rejects(policy({ ...ALLOW_PULL, Resource: '*' }, { Statements: [] }), 'identity', "unknown element 'Statements'; expected Version, Id and Statement");
    rejects(policy({ ...ALLOW_PULL, Resource: '*' }, { Id: 7 }), 'identity', 'Id must be a string');
  });

  it('checks Effect', () => {
    rejects(policy({ Action: 'ecr:*', Resource: '*' }), 'identity', 'Statement: Effect is required');
    rejects(policy([{ ...ALLOW_PULL, Resource: '*' }, { Effect: 'allow', Action: 'ecr:*', Resource: '*' }]), 'identity', 'Statement[1]: Effect must be "Allow" or "Deny", not "allow"');
  });

  it('checks Action and NotAction', () => {
    rejects(policy({ Effect: 'Allow', Resource: '*' }), 'identity', 'Statement: Action or NotAction is required');
    rejects(policy({ Effect: 'Allow', Action: 'ecr:*', NotAction: 'iam:*', Resource: '*' }), 'identity', 'Statement: Action and NotAction cannot both be present');
    rejects(policy({ Effect: 'Allow', Action: 5, Resource: '*' }), 'identity', 'Statement: Action must be a string or an array of strings');
    rejects(policy({ Effect: 'Allow', Action: ['ecr:*', null], Resource: '*' }), 'identity', 'Statement: Action must be a string or an array of strings');
    rejects(policy({ Effect: 'Allow', Action: [], Resource: '*' }), 'identity', 'Statement: Action must not be an empty array');
    rejects(policy({ Effect: 'Allow', NotAction: 'BatchGetImage', Resource: '*' }), 'identity', `Statement: NotAction 'BatchGetImage' must be "*" or "service:ActionName", like "ecr:BatchGetImage"`);
    rejects(policy({ Effect: 'Allow', Action: 'ecr:Batch GetImage', Resource: '*' }), 'identity', `Statement: Action 'ecr:Batch GetImage' must be "*" or "service:ActionName", like "ecr:BatchGetImage"`);
  });

  it('checks Resource and NotResource per kind of policy', () => {
    rejects(policy(ALLOW_PULL), 'identity', 'Statement: Resource or NotResource is required in an identity policy');
    rejects(policy({ ...ALLOW_PULL, Resource: '*', NotResource: '*' }), 'identity', 'Statement: Resource and NotResource cannot both be present');
    rejects(policy({ ...ALLOW_PULL, Resource: 'repository/app' }), 'identity', `Statement: Resource 'repository/app' must be "*" or an ARN (arn:partition:service:region:account-id:resource)`);
    rejects(policy({ ...ALLOW_PULL, Resource: 'arn:aws:ecr:*' }), 'identity', `Statement: Resource 'arn:aws:ecr:*' must be "*" or an ARN (arn:partition:service:region:account-id:resource)`);
    rejects(policy({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: '*', Resource: '*' }), 'trust', 'Statement: Resource is not allowed in a trust policy');
  });

  it('checks Principal and NotPrincipal per kind of policy', () => {
    rejects(policy([{ ...ALLOW_PULL, Resource: '*' }, { ...ALLOW_PULL, Resource: '*', Principal: '*' }]), 'identity', 'Statement[1]: Principal is not allowed in an identity policy');
    rejects(policy({ ...ALLOW_PULL, Resource: '*', NotPrincipal: { AWS: '123456789012' } }), 'identity', 'Statement: NotPrincipal is not allowed in an identity policy');
    rejects(policy(ALLOW_PULL), 'resource', 'Statement: Principal or NotPrincipal is required in a resource policy');
    rejects(policy({ ...ALLOW_PULL, Principal: '*', NotPrincipal: '*' }), 'resource', 'Statement: Principal and NotPrincipal cannot both be present');
    rejects(policy({ Effect: 'Allow', Action: 'sts:AssumeRole' }), 'trust', 'Statement: Principal is required in a trust policy');
    rejects(policy({ Effect: 'Deny', Action: 'sts:AssumeRole', NotPrincipal: { AWS: '123456789012' } }), 'trust', 'Statement: NotPrincipal is not allowed in a trust policy');
  });

  it('checks principal values', () => {
    const cases: [unknown, string][] = [
      ['123456789012', 'Principal must be "*" or an object such as {"AWS": "123456789012"}'],
      [{}, 'Principal must name at least one principal'],
      [{ Aws: '123456789012' }, "Principal has an unknown principal type 'Aws'; expected AWS, Service, Federated or CanonicalUser"],
      [{ AWS: [] }, 'Principal.AWS must be a non-empty string or a non-empty array of strings'],
      [{ AWS: 'arn:aws:iam::123456789012:user/*' }, `Principal 'arn:aws:iam::123456789012:user/*' is invalid: a principal cannot contain wildcards other than "*" alone`],
      [{ AWS: 'alice' }, "Principal 'alice' is not an account ID or an IAM/STS ARN"],
      [{ AWS: 'arn:aws:ecr:us-east-1:123456789012:repository/app' }, "Principal 'arn:aws:ecr:us-east-1:123456789012:repository/app' is not an account ID or an IAM/STS ARN"],
    ];
    for (const [Principal, message] of cases) rejects(policy({ ...ALLOW_PULL, Principal }), 'resource', `Statement: ${message}`);
  });

  it('checks Sid', () => {
    rejects(policy([{ Sid: 'Pull', ...ALLOW_PULL, Resource: '*' }, { Sid: 'Pull', ...ALLOW_PULL, Resource: '*' }]), 'identity', "Statement[1]: duplicate Sid 'Pull'");
    rejects(policy({ Sid: 'allow pull', ...ALLOW_PULL, Resource: '*' }), 'identity', "Statement: Sid 'allow pull' may contain only letters and digits in an identity policy");
    rejects(policy({ Sid: 'a-b', Effect: 'Allow', Action: 'sts:AssumeRole', Principal: '*' }), 'trust', "Statement: Sid 'a-b' may contain only letters and digits in a trust policy");
    rejects(policy({ Sid: 1, ...ALLOW_PULL, Resource: '*' }), 'identity', 'Statement: Sid must be a string');
  });

  it('rejects unknown statement elements', () => {
    rejects(policy({ ...ALLOW_PULL, Resources: '*' }), 'identity', "Statement: unknown element 'Resources'");
    rejects(policy(['Allow']), 'identity', 'Statement[0]: a statement must be an object');
  });

  it('checks conditions', () => {
    const withCondition = (Condition: unknown) => policy({ ...ALLOW_PULL, Resource: '*', Condition });
    const cases: [unknown, string][] = [
      [{ StringEquls: { 'aws:username': 'x' } }, "unknown condition operator 'StringEquls'"],
      [{ 'ForSomeValues:StringEquals': { 'aws:TagKeys': 'x' } }, "unknown condition qualifier 'ForSomeValues' in 'ForSomeValues:StringEquals'; expected ForAnyValue or ForAllValues"],
      [{ NullIfExists: { 'aws:TokenIssueTime': 'true' } }, "condition operator 'NullIfExists' is not allowed: Null already tests whether a key is present"],
      [{ 'ForAnyValue:Null': { 'aws:TagKeys': 'true' } }, "condition operator 'ForAnyValue:Null' is not allowed: Null already tests whether a key is present"],
      [['StringEquals'], 'Condition must be an object such as {"StringEquals": {"aws:PrincipalTag/team": "dev"}}'],
      [{ StringEquals: 'aws:username' }, 'Condition StringEquals must be an object mapping condition keys to values'],
      [{ StringEquals: { SourceIp: 'x' } }, "condition key 'SourceIp' must start with its service prefix, as in 'aws:SourceIp'"],
      [{ StringEquals: { 'aws:username': [] } }, "Condition StringEquals 'aws:username' has an empty list of values"],
      [{ StringEquals: { 'aws:username': { name: 'x' } } }, "Condition StringEquals 'aws:username' values must be strings, numbers or booleans"],
      [{ NumericLessThan: { 'aws:MultiFactorAuthAge': 'an hour' } }, "NumericLessThan value 'an hour' for 'aws:MultiFactorAuthAge' is not a number"],
      [{ DateGreaterThan: { 'aws:CurrentTime': 'yesterday' } }, "DateGreaterThan value 'yesterday' for 'aws:CurrentTime' is not an ISO 8601 date or epoch seconds"],
      [{ DateLessThan: { 'aws:CurrentTime': '2024-02-30T00:00:00Z' } }, "DateLessThan value '2024-02-30T00:00:00Z' for 'aws:CurrentTime' is not an ISO 8601 date or epoch seconds"],
      [{ Bool: { 'aws:SecureTransport': 'yes' } }, "Bool value 'yes' for 'aws:SecureTransport' is not true or false"],
      [{ Null: { 'aws:TokenIssueTime': 'maybe' } }, "Null value 'maybe' for 'aws:TokenIssueTime' is not true or false"],
      [{ IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } }, "IpAddress value '10.0.0.0/33' for 'aws:SourceIp' is not an IP address or CIDR block"],
      [{ NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8', 'corp-network'] } }, "NotIpAddress value 'corp-network' for 'aws:SourceIp' is not an IP address or CIDR block"],
      [{ StringEquals: { 'aws:ResourceTag/owner': '${aws:username' } }, "unterminated policy variable in '${aws:username'"],
      [{ StringEquals: { 'aws:ResourceTag/owner': '${}' } }, "invalid policy variable name '' in '${}'"],
      [{ StringEquals: { 'aws:ResourceTag/owner': '${aws:username, default}' } }, "the default of a policy variable must be in single quotes in '${aws:username, default}'"],
    ];
    for (const [Condition, message] of cases) rejects(withCondition(Condition), 'identity', `Statement: ${message}`);
  });

  it('leaves policy variables alone in documents without Version 2012-10-17', () => {
    const text = JSON.stringify({ Version: '2008-10-17', Statement: { ...ALLOW_PULL, Resource: '*', Condition: { StringEquals: { 'aws:username': '${unterminated' } } } });
    parsePolicyDocument(text, 'identity');
  });
});
