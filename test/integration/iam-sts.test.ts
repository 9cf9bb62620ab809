import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { aws, awsCliUnavailable, awsEnv, boto3, boto3Unavailable } from '../support/aws-cli.js';
import { queryCall, type TestCredentials, xmlText } from '../support/aws-request.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { run } from '../support/tools.js';

const READ_ONLY_ECR = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], Resource: '*' }],
});

function parse(result: { code: number | null; stdout: string; stderr: string }): Record<string, unknown> {
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe('IAM and STS with the real aws CLI', { skip: awsCliUnavailable() }, () => {
  let server: TestServer;
  let admin: TestCredentials;
  let region: string;
  const cli = (args: string[], as: TestCredentials = admin) => aws(server.url, as, region, args);

  before(async () => {
    server = await startTestServer({ accountId: '123456789012', region: 'eu-west-3' });
    admin = server.admin;
    region = server.config.region;
  });
  after(() => server?.close());

  it('tells the caller who they are, by --endpoint-url and by AWS_ENDPOINT_URL', async () => {
    const identity = parse(await cli(['sts', 'get-caller-identity']));
    assert.deepEqual(identity, { UserId: identity.UserId, Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/admin' });
    assert.match(String(identity.UserId), /^AIDA[A-Z2-7]{17}$/);
    const viaEnv = await run('aws', ['sts', 'get-caller-identity', '--query', 'Account', '--output', 'text'], { env: awsEnv(admin, region, { AWS_ENDPOINT_URL: server.url }) });
    assert.equal(viaEnv.stdout.trim(), '123456789012', viaEnv.stderr);
  });

  it('manages users, access keys and inline policies', async () => {
    const user = parse(await cli(['iam', 'create-user', '--user-name', 'ci-bot'])).User as Record<string, string>;
    assert.equal(user.Arn, 'arn:aws:iam::123456789012:user/ci-bot');
    const duplicate = await cli(['iam', 'create-user', '--user-name', 'ci-bot']);
    assert.match(duplicate.stderr, /EntityAlreadyExists.*User with name ci-bot already exists/);

    const key = parse(await cli(['iam', 'create-access-key', '--user-name', 'ci-bot'])).AccessKey as Record<string, string>;
    assert.match(key.AccessKeyId!, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(key.SecretAccessKey!.length, 40);
    const bot = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };

    // No policy yet: the user is who it says, and may do nothing else.
    assert.equal(parse(await cli(['sts', 'get-caller-identity'], bot)).Arn, 'arn:aws:iam::123456789012:user/ci-bot');
    const denied = await cli(['ecr', 'get-login-password'], bot);
    assert.match(denied.stderr, /AccessDeniedException.*User: arn:aws:iam::123456789012:user\/ci-bot is not authorized to perform: ecr:GetAuthorizationToken on resource: \* because no identity-based policy allows the ecr:GetAuthorizationToken action/);

    const malformed = await cli(['iam', 'put-user-policy', '--user-name', 'ci-bot', '--policy-name', 'bad', '--policy-document', '{"Statement":[{"Effect":"Maybe"}]}']);
    assert.match(malformed.stderr, /MalformedPolicyDocument/);
    assert.equal((await cli(['iam', 'put-user-policy', '--user-name', 'ci-bot', '--policy-name', 'read', '--policy-document', READ_ONLY_ECR])).code, 0);
    const policy = parse(await cli(['iam', 'get-user-policy', '--user-name', 'ci-bot', '--policy-name', 'read']));
    assert.deepEqual(policy.PolicyDocument, JSON.parse(READ_ONLY_ECR));
    // The policy applies at once (caches are invalidated by the change).
    const password = await cli(['ecr', 'get-login-password'], bot);
    assert.equal(password.code, 0, password.stderr);

    const keys = parse(await cli(['iam', 'list-access-keys', '--user-name', 'ci-bot'])).AccessKeyMetadata as Record<string, string>[];
    assert.deepEqual(keys.map((k) => [k.AccessKeyId, k.Status]), [[bot.accessKeyId, 'Active']]);
    assert.equal((await cli(['iam', 'update-access-key', '--user-name', 'ci-bot', '--access-key-id', bot.accessKeyId, '--status', 'Inactive'])).code, 0);
    const inactive = await cli(['sts', 'get-caller-identity'], bot);
    assert.match(inactive.stderr, /InvalidClientTokenId/);

    const conflict = await cli(['iam', 'delete-user', '--user-name', 'ci-bot']);
    assert.match(conflict.stderr, /DeleteConflict/);
    assert.equal((await cli(['iam', 'delete-access-key', '--user-name', 'ci-bot', '--access-key-id', bot.accessKeyId])).code, 0);
    assert.equal((await cli(['iam', 'delete-user-policy', '--user-name', 'ci-bot', '--policy-name', 'read'])).code, 0);
    assert.equal((await cli(['iam', 'delete-user', '--user-name', 'ci-bot'])).code, 0);
    assert.match((await cli(['iam', 'delete-user', '--user-name', 'ci-bot'])).stderr, /NoSuchEntity/);
  });

  it('assumes a role its trust policy allows, with temporary credentials that expire', async () => {
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:user/deployer' }, Action: 'sts:AssumeRole' }] });
    parse(await cli(['iam', 'create-user', '--user-name', 'deployer']));
    parse(await cli(['iam', 'create-user', '--user-name', 'stranger']));
    const deployer = parse(await cli(['iam', 'create-access-key', '--user-name', 'deployer'])).AccessKey as Record<string, string>;
    const stranger = parse(await cli(['iam', 'create-access-key', '--user-name', 'stranger'])).AccessKey as Record<string, string>;
    const role = parse(await cli(['iam', 'create-role', '--role-name', 'pusher', '--assume-role-policy-document', trust])).Role as Record<string, unknown>;
    assert.equal(role.Arn, 'arn:aws:iam::123456789012:role/pusher');
    assert.deepEqual(role.AssumeRolePolicyDocument, JSON.parse(trust));
    assert.equal((await cli(['iam', 'put-role-policy', '--role-name', 'pusher', '--policy-name', 'ecr', '--policy-document', READ_ONLY_ECR])).code, 0);

    const creds = (as: Record<string, string>) => ({ accessKeyId: as.AccessKeyId!, secretAccessKey: as.SecretAccessKey! });
    const refused = await cli(['sts', 'assume-role', '--role-arn', role.Arn as string, '--role-session-name', 's1'], creds(stranger));
    assert.match(refused.stderr, /AccessDenied.*not authorized to perform: sts:AssumeRole/);

    const assumed = parse(await cli(['sts', 'assume-role', '--role-arn', role.Arn as string, '--role-session-name', 'build-42', '--duration-seconds', '900'], creds(deployer)));
    const session = assumed.Credentials as Record<string, string>;
    assert.match(session.AccessKeyId!, /^ASIA/);
    assert.equal((assumed.AssumedRoleUser as Record<string, string>).Arn, 'arn:aws:sts::123456789012:assumed-role/pusher/build-42');
    const expiry = Date.parse(session.Expiration!);
    assert.ok(Math.abs(expiry - Date.now() - 900_000) < 60_000, session.Expiration);
    const temporary = { accessKeyId: session.AccessKeyId!, secretAccessKey: session.SecretAccessKey!, sessionToken: session.SessionToken! };
    assert.equal(parse(await cli(['sts', 'get-caller-identity'], temporary)).Arn, 'arn:aws:sts::123456789012:assumed-role/pusher/build-42');
    assert.equal((await cli(['ecr', 'get-login-password'], temporary)).code, 0);
    // Without its session token the temporary key is refused.
    const tokenless = await cli(['sts', 'get-caller-identity'], { accessKeyId: temporary.accessKeyId, secretAccessKey: temporary.secretAccessKey });
    assert.notEqual(tokenless.code, 0);
  });
});

describe('IAM and STS with boto3', { skip: await boto3Unavailable() }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server?.close());

  it('reports errors as the exception classes boto3 raises', async () => {
    const result = await boto3(
      server.url,
      server.admin,
      server.config.region,
      `
import boto3, json, os
sts = boto3.client('sts', endpoint_url=os.environ['ENDPOINT'])
iam = boto3.client('iam', endpoint_url=os.environ['ENDPOINT'])
out = {'account': sts.get_caller_identity()['Account']}
iam.create_user(UserName='py')
try:
    iam.create_user(UserName='py')
except iam.exceptions.EntityAlreadyExistsException as e:
    out['duplicate'] = e.response['Error']['Code']
try:
    iam.get_user_policy(UserName='py', PolicyName='none')
except iam.exceptions.NoSuchEntityException as e:
    out['missing'] = e.response['Error']['Code']
key = iam.create_access_key(UserName='py')['AccessKey']
out['keys'] = [k['AccessKeyId'] == key['AccessKeyId'] for k in iam.list_access_keys(UserName='py')['AccessKeyMetadata']]
print(json.dumps(out))
`,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { account: server.config.accountId, duplicate: 'EntityAlreadyExists', missing: 'NoSuchEntity', keys: [true] });
  });
});

describe('IAM and STS refuse bad requests', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server?.close());

  it('answers an unknown action, a wrong secret and a replay as AWS does', async () => {
    const region = server.config.region;
    const unknown = await queryCall(server.url, server.admin, region, 'sts', { Action: 'GetSessionBananas' });
    assert.equal(unknown.status, 400);
    assert.equal(xmlText(unknown.xml, 'Code'), 'InvalidAction');
    const wrongSecret = await queryCall(server.url, { ...server.admin, secretAccessKey: 'x'.repeat(40) }, region, 'sts', { Action: 'GetCallerIdentity' });
    assert.equal(wrongSecret.status, 403);
    assert.equal(xmlText(wrongSecret.xml, 'Code'), 'SignatureDoesNotMatch');
    const unsigned = await fetch(`${server.url}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
    assert.equal(unsigned.status, 403);
    assert.equal(xmlText(await unsigned.text(), 'Code'), 'MissingAuthenticationToken');
    const ok = await queryCall(server.url, server.admin, region, 'sts', { Action: 'GetCallerIdentity' });
    assert.equal(xmlText(ok.xml, 'Account'), server.config.accountId);
  });
});
