import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AuthorizationRequest,
  authorize,
  canAssume,
  type ConditionContext,
  evaluate,
  parsePolicyDocument,
  type PolicyDocument,
  type RequestPrincipal,
} from '../../src/domain/policy/index.js';

const A = '111122223333'; // owns the repositories and roles
const B = '444455556666'; // another account

function doc<K extends 'identity' | 'resource' | 'trust'>(kind: K, ...statements: object[]): PolicyDocument<K> {
  return parsePolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: statements }), kind);
}

const user = (account: string, name: string): RequestPrincipal => ({ arn: `arn:aws:iam::${account}:user/${name}`, account, username: name });
const session = (account: string, role: string, name: string): RequestPrincipal => ({
  arn: `arn:aws:sts::${account}:assumed-role/${role}/${name}`,
  roleArn: `arn:aws:iam::${account}:role/${role}`,
  account,
});
const root = (account: string): RequestPrincipal => ({ arn: `arn:aws:iam::${account}:root`, account, isRoot: true });
const repo = (name: string, account = A) => `arn:aws:ecr:us-east-1:${account}:repository/${name}`;

const ALLOWED = { allowed: true, reason: 'allowed' } as const;
const explicitDeny = (policyType: string) => ({ allowed: false, reason: 'explicitDeny', policyType });
const implicitDeny = (policyType: string) => ({ allowed: false, reason: 'implicitDeny', policyType });

/** A pull of repository "app" in account A, with whatever the test overrides. */
function pull(overrides: Partial<AuthorizationRequest> & { principal: RequestPrincipal }) {
  return authorize({ action: 'ecr:BatchGetImage', resource: repo('app'), resourceAccount: A, identityPolicies: [], context: {}, ...overrides });
}

const ECR_ALL = doc('identity', { Effect: 'Allow', Action: 'ecr:*', Resource: '*' });

describe('evaluate', () => {
  const alice = user(A, 'alice');
  const request = (action: string, resource: string, context: ConditionContext = {}, principal = alice) => ({ action, resource, principal, context });

  it('is NotApplicable without a matching statement, and an explicit Deny anywhere wins', () => {
    assert.equal(evaluate([], request('ecr:BatchGetImage', repo('app'))), 'NotApplicable');
    const allow = doc('identity', { Effect: 'Allow', Action: 'ecr:*', Resource: '*' });
    const deny = doc('identity', { Effect: 'Deny', Action: 'ecr:DeleteRepository', Resource: repo('prod-*') });
    assert.equal(evaluate([allow, deny], request('ecr:BatchGetImage', repo('prod-api'))), 'Allow');
    assert.equal(evaluate([allow, deny], request('ecr:DeleteRepository', repo('prod-api'))), 'Deny');
    assert.equal(evaluate([deny, allow], request('ecr:DeleteRepository', repo('prod-api'))), 'Deny');
    assert.equal(evaluate([allow, deny], request('ecr:DeleteRepository', repo('dev-api'))), 'Allow');
  });

  it('NotAction with Allow grants everything but the listed actions (IAM docs)', () => {
    const allButIam = doc('identity', { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' });
    assert.equal(evaluate([allButIam], request('ecr:PutImage', repo('app'))), 'Allow');
    assert.equal(evaluate([allButIam], request('iam:CreateUser', `arn:aws:iam::${A}:user/bob`)), 'NotApplicable');
  });

  it('NotAction with Deny denies everything else without MFA (IAM docs)', () => {
    const requireMfa = doc(
      'identity',
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Sid: 'DenyAllUsersNotUsingMFA', Effect: 'Deny', NotAction: 'iam:*', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } },
    );
    assert.equal(evaluate([requireMfa], request('ecr:PutImage', repo('app'))), 'Deny');
    assert.equal(evaluate([requireMfa], request('ecr:PutImage', repo('app'), { 'aws:MultiFactorAuthPresent': false })), 'Deny');
    assert.equal(evaluate([requireMfa], request('ecr:PutImage', repo('app'), { 'aws:MultiFactorAuthPresent': true })), 'Allow');
    assert.equal(evaluate([requireMfa], request('iam:ChangePassword', alice.arn)), 'Allow');
  });

  it('NotResource applies to every resource but the listed ones (IAM docs HRBucket example)', () => {
    const payroll = ['arn:aws:s3:::HRBucket/Payroll', 'arn:aws:s3:::HRBucket/Payroll/*'];
    const denyOutside = doc('identity', { Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Effect: 'Deny', Action: 's3:*', NotResource: payroll });
    assert.equal(evaluate([denyOutside], request('s3:GetObject', 'arn:aws:s3:::HRBucket/Payroll/march.csv')), 'Allow');
    assert.equal(evaluate([denyOutside], request('s3:GetObject', 'arn:aws:s3:::HRBucket/Other/x')), 'Deny');
    const allowOutside = doc('identity', { Effect: 'Allow', Action: 's3:*', NotResource: payroll });
    assert.equal(evaluate([allowOutside], request('s3:GetObject', 'arn:aws:s3:::HRBucket/Payroll')), 'NotApplicable');
    assert.equal(evaluate([allowOutside], request('s3:GetObject', 'arn:aws:s3:::OtherBucket/x')), 'Allow');
  });

  it('NotPrincipal with Deny exempts only callers all of whose identities it lists (IAM docs)', () => {
    const bob = user(B, 'Bob');
    const exemptBob = (...names: string[]) => doc('resource', { Effect: 'Deny', NotPrincipal: { AWS: names }, Action: 's3:*', Resource: '*' });
    const bobAndAccount = exemptBob(bob.arn, `arn:aws:iam::${B}:root`);
    const onGet = (policy: PolicyDocument, principal: RequestPrincipal) => evaluate([policy], request('s3:GetObject', 'arn:aws:s3:::bucket/x', {}, principal));
    assert.equal(onGet(bobAndAccount, bob), 'NotApplicable');
    assert.equal(onGet(bobAndAccount, user(B, 'Alice')), 'Deny');
    assert.equal(onGet(bobAndAccount, user(A, 'Bob')), 'Deny');
    // Without the account, Bob himself is denied: his account is one of his identities.
    assert.equal(onGet(exemptBob(bob.arn), bob), 'Deny');
    // A role session must be listed with its role and account.
    const audit = session(B, 'cross-account-read-only-role', 'cross-account-audit-app');
    assert.equal(onGet(exemptBob(audit.arn, audit.roleArn!, `arn:aws:iam::${B}:root`), audit), 'NotApplicable');
    assert.equal(onGet(exemptBob(audit.arn, `arn:aws:iam::${B}:root`), audit), 'Deny');
    assert.equal(onGet(exemptBob('*'), audit), 'NotApplicable');
  });

  it('never matches a caller with a Service, Federated or CanonicalUser principal', () => {
    const servicesOnly = doc('resource', {
      Effect: 'Allow',
      Principal: { Service: 'ecr.amazonaws.com', Federated: 'cognito-identity.amazonaws.com', CanonicalUser: 'abc' },
      Action: 'ecr:*',
    });
    assert.equal(evaluate([servicesOnly], request('ecr:BatchGetImage', repo('app'))), 'NotApplicable');
  });
});

describe('authorize within one account', () => {
  const alice = user(A, 'alice');

  it('an Allow in the identity policies suffices', () => {
    assert.deepEqual(pull({ principal: alice, identityPolicies: [ECR_ALL] }), ALLOWED);
    assert.deepEqual(pull({ principal: alice }), implicitDeny('identity'));
  });

  it('a repository policy naming the caller suffices without any identity policy', () => {
    const namesAlice = doc('resource', { Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'ecr:BatchGetImage' });
    assert.deepEqual(pull({ principal: alice, resourcePolicy: namesAlice }), ALLOWED);
    assert.deepEqual(pull({ principal: user(A, 'bob'), resourcePolicy: namesAlice }), implicitDeny('identity'));
    const everyone = doc('resource', { Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage' });
    assert.deepEqual(pull({ principal: alice, resourcePolicy: everyone }), ALLOWED);
  });

  it('a repository policy naming only the account delegates to the identity policies', () => {
    const namesAccount = doc('resource', { Effect: 'Allow', Principal: { AWS: A }, Action: 'ecr:BatchGetImage' });
    assert.deepEqual(pull({ principal: alice, resourcePolicy: namesAccount }), implicitDeny('identity'));
    assert.deepEqual(pull({ principal: alice, resourcePolicy: namesAccount, identityPolicies: [ECR_ALL] }), ALLOWED);
  });

  it('an explicit Deny in any policy wins over every Allow', () => {
    const denyAll = doc('resource', { Effect: 'Deny', Principal: '*', Action: 'ecr:*' });
    assert.deepEqual(pull({ principal: alice, identityPolicies: [ECR_ALL], resourcePolicy: denyAll }), explicitDeny('resource'));
    const allowAlice = doc('resource', { Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'ecr:*' });
    const denyPull = doc('identity', { Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: '*' });
    assert.deepEqual(pull({ principal: alice, identityPolicies: [ECR_ALL, denyPull], resourcePolicy: allowAlice }), explicitDeny('identity'));
  });

  it('the account root may do anything no policy explicitly denies', () => {
    assert.deepEqual(pull({ principal: root(A) }), ALLOWED);
    assert.deepEqual(pull({ principal: root(A), action: 'ecr:DeleteRepository' }), ALLOWED);
    const denyOutsideNetwork = doc('resource', { Effect: 'Deny', Principal: '*', Action: 'ecr:*', Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } });
    assert.deepEqual(pull({ principal: root(A), resourcePolicy: denyOutsideNetwork, context: { 'aws:SourceIp': '192.0.2.1' } }), explicitDeny('resource'));
    assert.deepEqual(pull({ principal: root(A), resourcePolicy: denyOutsideNetwork, context: { 'aws:SourceIp': '10.0.0.1' } }), ALLOWED);
    // The flag is what counts: a caller not marked root gets no such allowance.
    assert.deepEqual(pull({ principal: { ...root(A), isRoot: false } }), implicitDeny('identity'));
  });

  it('a permissions boundary caps the identity policies but not a grant naming the caller', () => {
    const pullOnly = doc('identity', { Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: '*' });
    assert.deepEqual(pull({ principal: alice, identityPolicies: [ECR_ALL], permissionsBoundary: pullOnly }), ALLOWED);
    const push = { principal: alice, identityPolicies: [ECR_ALL], permissionsBoundary: pullOnly, action: 'ecr:PutImage' };
    assert.deepEqual(pull(push), implicitDeny('permissionsBoundary'));
    assert.deepEqual(pull({ ...push, identityPolicies: [] }), implicitDeny('identity'));
    const allowAlicePush = doc('resource', { Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'ecr:PutImage' });
    assert.deepEqual(pull({ ...push, resourcePolicy: allowAlicePush }), ALLOWED);
    const boundaryDeniesPush = doc('identity', { Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'ecr:PutImage', Resource: '*' });
    assert.deepEqual(pull({ ...push, permissionsBoundary: boundaryDeniesPush, resourcePolicy: allowAlicePush }), explicitDeny('permissionsBoundary'));
  });

  it('a grant to a role applies to its sessions, still capped by the boundary; a grant to the session is not', () => {
    const ci = session(A, 'ci', 'build-7');
    const pullOnly = doc('identity', { Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: '*' });
    const namesRole = doc('resource', { Effect: 'Allow', Principal: { AWS: ci.roleArn! }, Action: 'ecr:*' });
    const push = { principal: ci, resourcePolicy: namesRole, action: 'ecr:PutImage' };
    assert.deepEqual(pull(push), ALLOWED);
    assert.deepEqual(pull({ ...push, permissionsBoundary: pullOnly }), implicitDeny('permissionsBoundary'));
    const namesSession = doc('resource', { Effect: 'Allow', Principal: { AWS: ci.arn }, Action: 'ecr:*' });
    assert.deepEqual(pull({ ...push, resourcePolicy: namesSession, permissionsBoundary: pullOnly }), ALLOWED);
    assert.deepEqual(pull({ ...push, principal: session(A, 'ci', 'other'), resourcePolicy: namesSession }), implicitDeny('identity'));
  });
});

describe('authorize across accounts', () => {
  const bob = user(B, 'bob');
  const grantB = doc('resource', { Sid: 'AllowCrossAccountPull', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] });

  it('needs an Allow from both the repository policy and the caller’s identity policies', () => {
    assert.deepEqual(pull({ principal: bob, resourcePolicy: grantB, identityPolicies: [ECR_ALL] }), ALLOWED);
    assert.deepEqual(pull({ principal: bob, resourcePolicy: grantB }), implicitDeny('identity'));
    assert.deepEqual(pull({ principal: bob, identityPolicies: [ECR_ALL] }), implicitDeny('resource'));
    assert.deepEqual(pull({ principal: bob, resourcePolicy: grantB, identityPolicies: [ECR_ALL], action: 'ecr:PutImage' }), implicitDeny('resource'));
    const grantOther = doc('resource', { Effect: 'Allow', Principal: { AWS: '999999999999' }, Action: 'ecr:*' });
    assert.deepEqual(pull({ principal: bob, resourcePolicy: grantOther, identityPolicies: [ECR_ALL] }), implicitDeny('resource'));
  });

  it('a grant naming the caller directly still needs its identity policies', () => {
    const namesBob = doc('resource', { Effect: 'Allow', Principal: { AWS: bob.arn }, Action: 'ecr:*' });
    assert.deepEqual(pull({ principal: bob, resourcePolicy: namesBob }), implicitDeny('identity'));
    assert.deepEqual(pull({ principal: bob, resourcePolicy: namesBob, identityPolicies: [ECR_ALL] }), ALLOWED);
  });

  it('another account’s root needs the repository policy, and nothing more', () => {
    assert.deepEqual(pull({ principal: root(B), resourcePolicy: grantB }), ALLOWED);
    assert.deepEqual(pull({ principal: root(B) }), implicitDeny('resource'));
  });

  it('applies the caller’s permissions boundary', () => {
    const noEcr = doc('identity', { Effect: 'Allow', Action: 's3:*', Resource: '*' });
    assert.deepEqual(pull({ principal: bob, resourcePolicy: grantB, identityPolicies: [ECR_ALL], permissionsBoundary: noEcr }), implicitDeny('permissionsBoundary'));
  });
});

describe('trust policies', () => {
  const roleArn = `arn:aws:iam::${A}:role/deployer`;
  const assume = (principal: RequestPrincipal, trust: PolicyDocument<'trust'>, identityPolicies: PolicyDocument<'identity'>[] = [], context: ConditionContext = {}) =>
    authorize({ principal, action: 'sts:AssumeRole', resource: roleArn, resourceAccount: A, resourcePolicy: trust, identityPolicies, context });
  const mayAssume = doc('identity', { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn });

  it('must always allow: an identity policy alone cannot assume a role', () => {
    const trustsEc2 = doc('trust', { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });
    assert.deepEqual(assume(user(A, 'alice'), trustsEc2, [mayAssume]), implicitDeny('resource'));
  });

  it('naming the user suffices in the same account; naming the account delegates to its identity policies', () => {
    const alice = user(A, 'alice');
    const trustsAlice = doc('trust', { Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRole' });
    assert.deepEqual(assume(alice, trustsAlice), ALLOWED);
    const trustsAccount = doc('trust', { Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' });
    assert.deepEqual(assume(alice, trustsAccount), implicitDeny('identity'));
    assert.deepEqual(assume(alice, trustsAccount, [mayAssume]), ALLOWED);
  });

  it('across accounts needs the trust policy and the caller’s identity policies', () => {
    const trustsB = doc('trust', { Effect: 'Allow', Principal: { AWS: B }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'Unique-1' } } });
    assert.deepEqual(assume(user(B, 'bob'), trustsB, [mayAssume], { 'sts:ExternalId': 'Unique-1' }), ALLOWED);
    assert.deepEqual(assume(user(B, 'bob'), trustsB, [mayAssume], { 'sts:ExternalId': 'wrong' }), implicitDeny('resource'));
    assert.deepEqual(assume(user(B, 'bob'), trustsB, [], { 'sts:ExternalId': 'Unique-1' }), implicitDeny('identity'));
  });

  it('canAssume says whether the trust policy trusts the principal', () => {
    const trust = doc(
      'trust',
      { Effect: 'Allow', Principal: { AWS: [B, `arn:aws:iam::${A}:role/ci`], Service: 'ecs-tasks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] },
      { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    );
    assert.equal(canAssume(trust, user(B, 'bob'), {}), true);
    assert.equal(canAssume(trust, session(A, 'ci', 'job'), {}), true);
    assert.equal(canAssume(trust, user(A, 'alice'), {}), false);
    assert.equal(canAssume(trust, user(B, 'bob'), { 'aws:SecureTransport': false }), false);
    const onlyTagging = doc('trust', { Effect: 'Allow', Principal: { AWS: B }, Action: 'sts:TagSession' });
    assert.equal(canAssume(onlyTagging, user(B, 'bob'), {}), false);
    const conditional = doc('trust', { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalAccount': B } } });
    assert.equal(canAssume(conditional, user(B, 'bob'), {}), true);
    assert.equal(canAssume(conditional, user(A, 'alice'), {}), false);
  });
});
