import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ConditionContext, evaluate, parsePolicyDocument, type RequestPrincipal } from '../../src/domain/policy/index.js';

const ACCOUNT = '111122223333';
const ALICE: RequestPrincipal = { arn: `arn:aws:iam::${ACCOUNT}:user/alice`, account: ACCOUNT, username: 'alice' };
const RESOURCE = `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/app`;

/** Whether an Allow statement with this Condition block applies to a request with this context. */
function holds(condition: object, context: ConditionContext, principal = ALICE): boolean {
  const text = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'ecr:*', Resource: '*', Condition: condition } });
  return evaluate([parsePolicyDocument(text, 'identity')], { action: 'ecr:PutImage', resource: RESOURCE, principal, context }) === 'Allow';
}

/** Checks one condition against several contexts: [context, expected] pairs. */
function table(condition: object, cases: [ConditionContext, boolean][]): void {
  for (const [context, expected] of cases) {
    assert.equal(holds(condition, context), expected, `${JSON.stringify(condition)} with ${JSON.stringify(context)}`);
  }
}

describe('condition operators', () => {
  it('String operators (the IAM docs aws:PrincipalTag/job-category example)', () => {
    const key = 'aws:PrincipalTag/job-category';
    table({ StringEquals: { [key]: 'iamuser-admin' } }, [
      [{ [key]: 'iamuser-admin' }, true],
      [{ [key]: 'IAMUser-Admin' }, false],
      [{ [key]: 'other' }, false],
      [{}, false],
    ]);
    table({ StringNotEquals: { [key]: ['a', 'b'] } }, [
      [{ [key]: 'a' }, false],
      [{ [key]: 'b' }, false],
      [{ [key]: 'c' }, true],
      [{}, true], // a negated operator holds when the key is absent
    ]);
    table({ StringEqualsIgnoreCase: { [key]: 'IamUser-Admin' } }, [
      [{ [key]: 'iamuser-ADMIN' }, true],
      [{ [key]: 'other' }, false],
    ]);
    table({ StringNotEqualsIgnoreCase: { [key]: 'admin' } }, [
      [{ [key]: 'ADMIN' }, false],
      [{ [key]: 'user' }, true],
    ]);
    table({ StringLike: { 'aws:ResourceTag/project': ['web-*', 'api-??'] } }, [
      [{ 'aws:ResourceTag/project': 'web-frontend' }, true],
      [{ 'aws:ResourceTag/project': 'api-v2' }, true],
      [{ 'aws:ResourceTag/project': 'api-v10' }, false],
      [{ 'aws:ResourceTag/project': 'Web-frontend' }, false],
    ]);
    table({ StringNotLike: { 'aws:ResourceTag/project': 'web-*' } }, [
      [{ 'aws:ResourceTag/project': 'web-frontend' }, false],
      [{ 'aws:ResourceTag/project': 'api' }, true],
      [{}, true],
    ]);
  });

  it('takes condition key names case-insensitively and values as given', () => {
    table({ StringEquals: { 'AWS:RESOURCETAG/Env': 'prod' } }, [
      [{ 'aws:resourcetag/env': 'prod' }, true],
      [{ 'aws:ResourceTag/ENV': 'Prod' }, false],
    ]);
    table({ stringequals: { 'aws:ResourceTag/env': 'prod' } }, [[{ 'aws:ResourceTag/env': 'prod' }, true]]);
  });

  it('compares numbers, strings or numbers in the context (the IAM docs s3:max-keys example)', () => {
    table({ NumericLessThanEquals: { 's3:max-keys': '10' } }, [
      [{ 's3:max-keys': 10 }, true],
      [{ 's3:max-keys': '9.5' }, true],
      [{ 's3:max-keys': '11' }, false],
      [{ 's3:max-keys': 'ten' }, false],
      [{}, false],
    ]);
    table({ NumericEquals: { 'ecr:count': [1, 2] } }, [
      [{ 'ecr:count': 2 }, true],
      [{ 'ecr:count': 3 }, false],
    ]);
    table({ NumericNotEquals: { 'ecr:count': [1, 2] } }, [
      [{ 'ecr:count': 2 }, false],
      [{ 'ecr:count': 3 }, true],
    ]);
    table({ NumericLessThan: { 'ecr:count': 5 } }, [[{ 'ecr:count': 5 }, false], [{ 'ecr:count': 4 }, true]]);
    table({ NumericGreaterThan: { 'ecr:count': 5 } }, [[{ 'ecr:count': 5 }, false], [{ 'ecr:count': 6 }, true]]);
    table({ NumericGreaterThanEquals: { 'ecr:count': '-1.5' } }, [[{ 'ecr:count': -1.5 }, true], [{ 'ecr:count': -2 }, false]]);
  });

  it('compares dates given as ISO 8601 or epoch seconds (aws:CurrentTime, aws:TokenIssueTime)', () => {
    const now = 'aws:CurrentTime';
    table({ DateLessThan: { [now]: '2030-01-01T00:00:00Z' } }, [
      [{ [now]: new Date('2029-12-31T23:59:59Z') }, true],
      [{ [now]: new Date('2030-01-01T00:00:00Z') }, false],
      [{ [now]: '2029-06-01T12:00:00+02:00' }, true],
      [{ [now]: 1893456000 - 1 }, true], // epoch seconds
      [{ [now]: 1893456000 }, false],
      [{ [now]: 'not a date' }, false],
      [{}, false],
    ]);
    table({ DateGreaterThanEquals: { [now]: '1893456000' } }, [[{ [now]: new Date('2030-01-01T00:00:00Z') }, true]]);
    table({ DateEquals: { [now]: '2030-01-01' } }, [[{ [now]: new Date(Date.UTC(2030, 0, 1)) }, true]]);
    // A date-time without an offset is UTC, not the server's local time.
    table({ DateEquals: { [now]: '2030-01-01T10:00:00' } }, [[{ [now]: new Date('2030-01-01T10:00:00Z') }, true]]);
    table({ DateNotEquals: { [now]: '2030-01-01T00:00:00Z' } }, [
      [{ [now]: new Date('2030-01-01T00:00:00Z') }, false],
      [{ [now]: new Date('2031-01-01T00:00:00Z') }, true],
    ]);
    table({ DateGreaterThan: { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' } }, [
      [{ 'aws:TokenIssueTime': '2021-05-01T00:00:00Z' }, true],
      [{ 'aws:TokenIssueTime': '2019-05-01T00:00:00Z' }, false],
    ]);
    table({ DateLessThanEquals: { [now]: '2030-01-01T00:00:00.500Z' } }, [[{ [now]: new Date('2030-01-01T00:00:00.500Z') }, true]]);
  });

  it('Bool (the IAM docs aws:SecureTransport and aws:MultiFactorAuthPresent examples)', () => {
    table({ Bool: { 'aws:SecureTransport': 'true' } }, [
      [{ 'aws:SecureTransport': true }, true],
      [{ 'aws:SecureTransport': 'TRUE' }, true],
      [{ 'aws:SecureTransport': false }, false],
      [{}, false],
    ]);
    table({ Bool: { 'aws:MultiFactorAuthPresent': false } }, [[{ 'aws:MultiFactorAuthPresent': false }, true]]);
    table({ BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } }, [
      [{ 'aws:MultiFactorAuthPresent': 'false' }, true],
      [{ 'aws:MultiFactorAuthPresent': true }, false],
      [{}, true],
    ]);
  });

  it('BinaryEquals compares base64 text', () => {
    table({ BinaryEquals: { 'ecr:blob': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } }, [
      [{ 'ecr:blob': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' }, true],
      [{ 'ecr:blob': 'other' }, false],
    ]);
  });

  it('IpAddress and NotIpAddress, IPv4 and IPv6, single addresses and CIDR blocks', () => {
    table({ IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:DB8:1234:5678::/64', '198.51.100.7'] } }, [
      [{ 'aws:SourceIp': '203.0.113.200' }, true],
      [{ 'aws:SourceIp': '203.0.114.1' }, false],
      [{ 'aws:SourceIp': '2001:db8:1234:5678::1' }, true],
      [{ 'aws:SourceIp': '2001:db8:1234:5679::1' }, false],
      [{ 'aws:SourceIp': '198.51.100.7' }, true],
      [{ 'aws:SourceIp': '198.51.100.8' }, false],
      [{ 'aws:SourceIp': '::ffff:203.0.113.9' }, true], // IPv4-mapped, as dual-stack sockets report it
      [{ 'aws:SourceIp': 'not-an-ip' }, false],
      [{}, false],
    ]);
    table({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, [
      [{ 'aws:SourceIp': '10.1.2.3' }, false],
      [{ 'aws:SourceIp': '192.0.2.1' }, true],
      [{}, true],
    ]);
    table({ IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }, [[{ 'aws:SourceIp': '192.0.2.1' }, true]]);
  });

  it('Arn operators match per component (the IAM docs aws:SourceArn example)', () => {
    const topic = 'arn:aws:sns:us-east-1:123456789012:TOPIC-ID';
    for (const operator of ['ArnEquals', 'ArnLike']) {
      table({ [operator]: { 'aws:SourceArn': 'arn:aws:sns:*:123456789012:TOPIC-*' } }, [
        [{ 'aws:SourceArn': topic }, true],
        [{ 'aws:SourceArn': 'arn:aws:sns:us-east-1:999999999999:TOPIC-ID' }, false],
        [{ 'aws:SourceArn': 'not-an-arn' }, false],
      ]);
    }
    for (const operator of ['ArnNotEquals', 'ArnNotLike']) {
      table({ [operator]: { 'aws:SourceArn': 'arn:aws:sns:*:123456789012:*' } }, [
        [{ 'aws:SourceArn': topic }, false],
        [{ 'aws:SourceArn': 'arn:aws:sns:us-east-1:999999999999:TOPIC-ID' }, true],
        [{}, true],
      ]);
    }
  });

  it('Null tests presence (the IAM docs aws:TokenIssueTime example)', () => {
    table({ Null: { 'aws:TokenIssueTime': 'true' } }, [
      [{}, true],
      [{ 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' }, false],
    ]);
    table({ Null: { 'aws:TokenIssueTime': false } }, [
      [{}, false],
      [{ 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' }, true],
    ]);
    // An empty multi-valued key counts as absent.
    table({ Null: { 'aws:TagKeys': 'false' } }, [[{ 'aws:TagKeys': [] }, false], [{ 'aws:TagKeys': ['a'] }, true]]);
  });

  it('...IfExists holds when the key is absent and tests it when present', () => {
    table({ StringEqualsIfExists: { 'ec2:InstanceType': ['t1.*', 't2.*'] } }, [[{}, true], [{ 'ec2:InstanceType': 'm5.large' }, false]]);
    table({ StringLikeIfExists: { 'ec2:InstanceType': ['t1.*', 't2.*'] } }, [
      [{}, true],
      [{ 'ec2:InstanceType': 't2.micro' }, true],
      [{ 'ec2:InstanceType': 'm5.large' }, false],
    ]);
    table({ NotIpAddressIfExists: { 'aws:SourceIp': '10.0.0.0/8' } }, [[{}, true], [{ 'aws:SourceIp': '10.0.0.1' }, false]]);
    table({ ArnLikeIfExists: { 'aws:SourceArn': 'arn:aws:sns:*:*:*' } }, [[{}, true]]);
    table({ NumericLessThanIfExists: { 's3:max-keys': 10 } }, [[{}, true], [{ 's3:max-keys': 11 }, false]]);
    table({ DateGreaterThanIfExists: { 'aws:TokenIssueTime': '2020-01-01' } }, [[{}, true], [{ 'aws:TokenIssueTime': '2019-01-01' }, false]]);
  });

  it('ANDs operators and keys, ORs the values of a key', () => {
    const condition = {
      StringEquals: { 'aws:ResourceTag/env': ['dev', 'test'], 'aws:ResourceTag/team': 'web' },
      Bool: { 'aws:SecureTransport': 'true' },
    };
    const base = { 'aws:ResourceTag/env': 'test', 'aws:ResourceTag/team': 'web', 'aws:SecureTransport': true };
    table(condition, [
      [base, true],
      [{ ...base, 'aws:ResourceTag/env': 'prod' }, false],
      [{ ...base, 'aws:ResourceTag/team': 'api' }, false],
      [{ ...base, 'aws:SecureTransport': false }, false],
    ]);
    table({}, [[{}, true]]);
  });
});

describe('set operators on multi-valued keys (the IAM docs aws:TagKeys examples)', () => {
  const allowed = ['environment', 'cost-center'];

  it('ForAllValues: every request value must be in the set, so an absent or empty key passes', () => {
    table({ 'ForAllValues:StringEquals': { 'aws:TagKeys': allowed } }, [
      [{ 'aws:TagKeys': ['environment'] }, true],
      [{ 'aws:TagKeys': ['environment', 'cost-center'] }, true],
      [{ 'aws:TagKeys': ['environment', 'owner'] }, false],
      [{ 'aws:TagKeys': [] }, true],
      [{}, true],
    ]);
    // The docs' remedy: pair it with Null to require the key.
    table({ 'ForAllValues:StringEquals': { 'aws:TagKeys': allowed }, Null: { 'aws:TagKeys': 'false' } }, [
      [{}, false],
      [{ 'aws:TagKeys': ['environment'] }, true],
    ]);
  });

  it('ForAnyValue: at least one request value must be in the set, so an absent key fails', () => {
    table({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': allowed } }, [
      [{ 'aws:TagKeys': ['owner', 'environment'] }, true],
      [{ 'aws:TagKeys': ['owner'] }, false],
      [{}, false],
    ]);
    table({ 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': allowed } }, [[{}, true]]);
  });

  it('negated operators under a qualifier test each value', () => {
    // Deny-style guard: none of the request's tag keys may be a reserved one.
    table({ 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['reserved', 'system'] } }, [
      [{ 'aws:TagKeys': ['a', 'b'] }, true],
      [{ 'aws:TagKeys': ['a', 'system'] }, false],
      [{}, true],
    ]);
    table({ 'ForAnyValue:StringNotLike': { 'aws:TagKeys': 'team-*' } }, [
      [{ 'aws:TagKeys': ['team-a', 'owner'] }, true],
      [{ 'aws:TagKeys': ['team-a', 'team-b'] }, false],
      [{}, false],
    ]);
  });

  it('qualifiers work with other operator families', () => {
    table({ 'ForAllValues:StringLike': { 'aws:TagKeys': ['env*', 'cost-*'] } }, [
      [{ 'aws:TagKeys': ['environment', 'cost-center'] }, true],
      [{ 'aws:TagKeys': ['environment', 'owner'] }, false],
    ]);
    table({ 'forallvalues:ArnLike': { 'aws:CalledVia': 'arn:aws:iam::*:role/*' } }, [
      [{ 'aws:CalledVia': ['arn:aws:iam::111122223333:role/a', 'arn:aws:iam::111122223333:role/b'] }, true],
      [{ 'aws:CalledVia': ['arn:aws:iam::111122223333:role/a', 'arn:aws:iam::111122223333:user/b'] }, false],
    ]);
  });

  it('without a qualifier a multi-valued key holds when any value matches (negated: when none does)', () => {
    table({ StringEquals: { 'aws:TagKeys': 'environment' } }, [
      [{ 'aws:TagKeys': ['owner', 'environment'] }, true],
      [{ 'aws:TagKeys': ['owner'] }, false],
    ]);
    table({ StringNotEquals: { 'aws:TagKeys': 'environment' } }, [
      [{ 'aws:TagKeys': ['owner', 'environment'] }, false],
      [{ 'aws:TagKeys': ['owner'] }, true],
    ]);
  });
});

describe('principal keys', () => {
  it('derives aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType and aws:PrincipalTag from the principal', () => {
    const session: RequestPrincipal = {
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ci-deploy/run-42`,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/ci-deploy`,
      account: ACCOUNT,
      tags: { Team: 'platform' },
    };
    assert.equal(holds({ ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/ci-*` } }, {}, session), true);
    assert.equal(holds({ ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/ci-*` } }, {}), false);
    assert.equal(holds({ StringEquals: { 'aws:PrincipalType': 'AssumedRole', 'aws:PrincipalAccount': ACCOUNT } }, {}, session), true);
    assert.equal(holds({ StringEquals: { 'aws:PrincipalType': 'User', 'aws:username': 'alice' } }, {}), true);
    assert.equal(holds({ StringEquals: { 'aws:PrincipalTag/team': 'platform' } }, {}, session), true);
    assert.equal(holds({ Null: { 'aws:username': 'true' } }, {}, session), true);
    const root: RequestPrincipal = { arn: `arn:aws:iam::${ACCOUNT}:root`, account: ACCOUNT, isRoot: true };
    assert.equal(holds({ StringEquals: { 'aws:PrincipalType': 'Account' } }, {}, root), true);
  });

  it('lets the context set them explicitly', () => {
    assert.equal(holds({ StringEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/r' } }, { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/r' }), true);
  });
});
