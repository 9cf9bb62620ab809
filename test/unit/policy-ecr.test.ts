/** The ECR repository, registry and identity policy examples, as a registry request would be decided. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  authorize,
  type ConditionContext,
  type Decision,
  parsePolicyDocument,
  type PolicyDocument,
  type RequestPrincipal,
} from '../../src/domain/policy/index.js';

const OWNER = '111122223333';
const OTHER = '444455556666';
const REGION = 'us-west-2';
const repo = (name: string) => `arn:aws:ecr:${REGION}:${OWNER}:repository/${name}`;

const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
const PUSH = ['ecr:CompleteLayerUpload', 'ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:UploadLayerPart', 'ecr:BatchCheckLayerAvailability'];

const user = (account: string, name: string): RequestPrincipal => ({ arn: `arn:aws:iam::${account}:user/${name}`, account, username: name });
const session = (account: string, role: string): RequestPrincipal => ({
  arn: `arn:aws:sts::${account}:assumed-role/${role}/s`,
  roleArn: `arn:aws:iam::${account}:role/${role}`,
  account,
});

const repositoryPolicy = (statement: object) =>
  parsePolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: [statement] }), 'resource');
const identityPolicy = (...statements: object[]) =>
  parsePolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: statements }), 'identity');
const FULL_ECR = identityPolicy({ Effect: 'Allow', Action: 'ecr:*', Resource: '*' });

interface Case {
  principal: RequestPrincipal;
  action: string;
  resource?: string;
  resourcePolicy?: PolicyDocument<'resource'>;
  identityPolicies?: PolicyDocument<'identity'>[];
  context?: ConditionContext;
}

function decide({ principal, action, resource = repo('app'), resourcePolicy, identityPolicies = [], context = {} }: Case): Decision {
  return authorize({ principal, action, resource, resourceAccount: OWNER, resourcePolicy, identityPolicies, context });
}
const allowed = (c: Case) => decide(c).allowed;

describe('ECR repository policy examples', () => {
  it('allows pull (and only pull) for another account', () => {
    const policy = repositoryPolicy({ Sid: 'AllowCrossAccountPull', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: PULL });
    const bob = user(OTHER, 'bob');
    for (const action of PULL) assert.equal(allowed({ principal: bob, action, resourcePolicy: policy, identityPolicies: [FULL_ECR] }), true, action);
    assert.equal(allowed({ principal: bob, action: 'ecr:PutImage', resourcePolicy: policy, identityPolicies: [FULL_ECR] }), false);
    assert.equal(allowed({ principal: bob, action: 'ecr:BatchGetImage', resourcePolicy: policy }), false);
    assert.equal(allowed({ principal: user('999999999999', 'eve'), action: 'ecr:BatchGetImage', resourcePolicy: policy, identityPolicies: [FULL_ECR] }), false);
  });

  it('allows push for a role, including its sessions from another account', () => {
    const policy = repositoryPolicy({ Sid: 'AllowPush', Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${OTHER}:role/ci-pusher`] }, Action: PUSH });
    const pusher = session(OTHER, 'ci-pusher');
    for (const action of PUSH) assert.equal(allowed({ principal: pusher, action, resourcePolicy: policy, identityPolicies: [FULL_ECR] }), true, action);
    assert.equal(allowed({ principal: session(OTHER, 'ci-reader'), action: 'ecr:PutImage', resourcePolicy: policy, identityPolicies: [FULL_ECR] }), false);
    assert.equal(allowed({ principal: pusher, action: 'ecr:DeleteRepository', resourcePolicy: policy, identityPolicies: [FULL_ECR] }), false);
  });

  it('allows IAM users of the same account listed by ARN, without identity policies', () => {
    const policy = repositoryPolicy({ Sid: 'AllowPushPull', Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${OWNER}:user/push-pull-user-1`, `arn:aws:iam::${OWNER}:user/push-pull-user-2`] }, Action: [...PULL, ...PUSH] });
    assert.equal(allowed({ principal: user(OWNER, 'push-pull-user-2'), action: 'ecr:PutImage', resourcePolicy: policy }), true);
    assert.equal(allowed({ principal: user(OWNER, 'someone-else'), action: 'ecr:PutImage', resourcePolicy: policy }), false);
  });

  it('denies everyone, the owner account root included', () => {
    const policy = repositoryPolicy({ Sid: 'DenyAll', Effect: 'Deny', Principal: '*', Action: ['ecr:*'] });
    const root: RequestPrincipal = { arn: `arn:aws:iam::${OWNER}:root`, account: OWNER, isRoot: true };
    assert.deepEqual(decide({ principal: root, action: 'ecr:BatchGetImage', resourcePolicy: policy }), { allowed: false, reason: 'explicitDeny', policyType: 'resource' });
    assert.equal(allowed({ principal: user(OWNER, 'admin'), action: 'ecr:BatchGetImage', resourcePolicy: policy, identityPolicies: [FULL_ECR] }), false);
  });

  it('denies requests from outside the given networks (aws:SourceIp)', () => {
    const policy = repositoryPolicy({
      Sid: 'DenyOutsideCorporateNetwork',
      Effect: 'Deny',
      Principal: '*',
      Action: 'ecr:*',
      Condition: { NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '2001:db8::/32'] } },
    });
    const admin = user(OWNER, 'admin');
    const from = (ip: string | undefined) => allowed({ principal: admin, action: 'ecr:BatchGetImage', resourcePolicy: policy, identityPolicies: [FULL_ECR], context: { 'aws:SourceIp': ip } });
    assert.equal(from('192.0.2.44'), true);
    assert.equal(from('2001:db8::9'), true);
    assert.equal(from('203.0.113.1'), false);
    assert.equal(from(undefined), false); // an absent key makes NotIpAddress hold, so the Deny applies
  });

  it('denies requests without TLS (aws:SecureTransport)', () => {
    const policy = repositoryPolicy({ Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 'ecr:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    const admin = user(OWNER, 'admin');
    const over = (secure: boolean) => allowed({ principal: admin, action: 'ecr:PutImage', resourcePolicy: policy, identityPolicies: [FULL_ECR], context: { 'aws:SecureTransport': secure } });
    assert.equal(over(true), true);
    assert.equal(over(false), false);
  });

  it('allows every CI role of the organisation’s accounts by aws:PrincipalArn', () => {
    const policy = repositoryPolicy({ Sid: 'AllowCiRoles', Effect: 'Allow', Principal: '*', Action: PULL, Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/ci-*' } } });
    assert.equal(allowed({ principal: session(OTHER, 'ci-build'), action: 'ecr:BatchGetImage', resourcePolicy: policy, identityPolicies: [FULL_ECR] }), true);
    assert.equal(allowed({ principal: session(OWNER, 'ci-build'), action: 'ecr:BatchGetImage', resourcePolicy: policy }), true);
    assert.equal(allowed({ principal: session(OTHER, 'web'), action: 'ecr:BatchGetImage', resourcePolicy: policy, identityPolicies: [FULL_ECR] }), false);
    assert.equal(allowed({ principal: user(OTHER, 'ci-bob'), action: 'ecr:BatchGetImage', resourcePolicy: policy, identityPolicies: [FULL_ECR] }), false);
  });

  it('allows a service principal, which never matches a user', () => {
    const policy = repositoryPolicy({
      Sid: 'CodeBuildAccess',
      Effect: 'Allow',
      Principal: { Service: 'codebuild.amazonaws.com' },
      Action: PULL,
      Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:codebuild:${REGION}:${OWNER}:project/*` }, StringEquals: { 'aws:SourceAccount': OWNER } },
    });
    assert.equal(allowed({ principal: user(OWNER, 'alice'), action: 'ecr:BatchGetImage', resourcePolicy: policy, context: { 'aws:SourceAccount': OWNER } }), false);
  });

  it('grants access for a limited time (aws:CurrentTime)', () => {
    const policy = repositoryPolicy({
      Sid: 'TemporaryPull',
      Effect: 'Allow',
      Principal: { AWS: OTHER },
      Action: PULL,
      Condition: { DateGreaterThan: { 'aws:CurrentTime': '2025-01-01T00:00:00Z' }, DateLessThan: { 'aws:CurrentTime': '2025-02-01T00:00:00Z' } },
    });
    const at = (iso: string) => allowed({ principal: user(OTHER, 'bob'), action: 'ecr:BatchGetImage', resourcePolicy: policy, identityPolicies: [FULL_ECR], context: { 'aws:CurrentTime': new Date(iso) } });
    assert.equal(at('2025-01-15T12:00:00Z'), true);
    assert.equal(at('2025-02-01T00:00:00Z'), false);
    assert.equal(at('2024-12-31T23:59:59Z'), false);
  });
});

describe('ECR registry policy examples', () => {
  it('lets a source account replicate into this registry', () => {
    const registryPolicy = repositoryPolicy({
      Sid: 'ReplicationAccessCrossAccount',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
      Action: ['ecr:CreateRepository', 'ecr:ReplicateImage'],
      Resource: `arn:aws:ecr:${REGION}:${OWNER}:repository/*`,
    });
    const replicator: RequestPrincipal = { arn: `arn:aws:iam::${OTHER}:root`, account: OTHER, isRoot: true };
    const replicate = (resource: string) => allowed({ principal: replicator, action: 'ecr:ReplicateImage', resource, resourcePolicy: registryPolicy });
    assert.equal(replicate(repo('team/app')), true);
    assert.equal(replicate(`arn:aws:ecr:us-east-1:${OWNER}:repository/team/app`), false);
  });

  it('limits pull-through-cache repository creation to a prefix', () => {
    const registryPolicy = repositoryPolicy({
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${OWNER}:root` },
      Action: ['ecr:CreateRepository', 'ecr:BatchImportUpstreamImage'],
      Resource: `arn:aws:ecr:${REGION}:${OWNER}:repository/ecr-public/*`,
    });
    const ci = session(OWNER, 'ci');
    const ciPolicy = identityPolicy({ Effect: 'Allow', Action: 'ecr:BatchImportUpstreamImage', Resource: `arn:aws:ecr:*:${OWNER}:repository/ecr-public/*` });
    const importing = (name: string) => allowed({ principal: ci, action: 'ecr:BatchImportUpstreamImage', resource: repo(name), resourcePolicy: registryPolicy, identityPolicies: [ciPolicy] });
    assert.equal(importing('ecr-public/nginx/nginx'), true);
    assert.equal(importing('docker-hub/library/nginx'), false);
  });
});

describe('ECR tag-based access control (identity policies)', () => {
  const dev = user(OWNER, 'dev');

  it('limits access to repositories tagged for the caller’s team (aws:ResourceTag, ${aws:PrincipalTag})', () => {
    const policy = identityPolicy({ Effect: 'Allow', Action: 'ecr:*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } } });
    const member: RequestPrincipal = { ...dev, tags: { team: 'payments' } };
    const on = (tags: ConditionContext, principal = member) => allowed({ principal, action: 'ecr:PutImage', identityPolicies: [policy], context: tags });
    assert.equal(on({ 'aws:ResourceTag/team': 'payments' }), true);
    assert.equal(on({ 'aws:ResourceTag/team': 'search' }), false);
    assert.equal(on({}), false);
    assert.equal(on({ 'aws:ResourceTag/team': 'payments' }, dev), false); // untagged principal: the statement does not apply
  });

  it('requires tags on CreateRepository (aws:RequestTag, ForAllValues and ForAnyValue on aws:TagKeys)', () => {
    const policy = identityPolicy(
      {
        Sid: 'CreateOnlyWithEnvironmentTag',
        Effect: 'Allow',
        Action: 'ecr:CreateRepository',
        Resource: '*',
        Condition: {
          StringEquals: { 'aws:RequestTag/environment': ['dev', 'test'] },
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['environment', 'cost-center'] },
        },
      },
      { Sid: 'NoReservedTags', Effect: 'Deny', Action: 'ecr:TagResource', Resource: '*', Condition: { 'ForAnyValue:StringLike': { 'aws:TagKeys': 'aws:*' } } },
      { Sid: 'Tagging', Effect: 'Allow', Action: 'ecr:TagResource', Resource: '*' },
    );
    const create = (tags: Record<string, string>) =>
      allowed({
        principal: dev,
        action: 'ecr:CreateRepository',
        resource: repo('new'),
        identityPolicies: [policy],
        context: { ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])), 'aws:TagKeys': Object.keys(tags) },
      });
    assert.equal(create({ environment: 'dev' }), true);
    assert.equal(create({ environment: 'dev', 'cost-center': '42' }), true);
    assert.equal(create({ environment: 'prod' }), false);
    assert.equal(create({ environment: 'dev', owner: 'me' }), false);
    assert.equal(create({}), false);
    const tag = (keys: string[]) => decide({ principal: dev, action: 'ecr:TagResource', identityPolicies: [policy], context: { 'aws:TagKeys': keys } });
    assert.deepEqual(tag(['team']), { allowed: true, reason: 'allowed' });
    assert.deepEqual(tag(['team', 'aws:cloudformation:stack']), { allowed: false, reason: 'explicitDeny', policyType: 'identity' });
  });
});
