/**
 * Who may do what: principals with different identity and repository policies (the seeds' read-only
 * node role and push-capable CI role, a partner account, source-IP and resource-tag conditions)
 * against every OCI and ECR action, over real HTTP with registry tokens and SigV4 signatures.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignedTokens } from '../../src/domain/identity/signed-tokens.js';
import { ecrCall, registryAuthorization, send, signCall, type TestCredentials } from '../support/aws-request.js';
import { OCI_MANIFEST, OciClient, sha256 } from '../support/oci-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

const ACCOUNT = '111111111111';
const PARTNER = '222222222222';
const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability', 'ecr:ListImages', 'ecr:DescribeRepositories'];
const PUSH = ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload'];
const TOKEN_ONLY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }] };

/** The seeds' repository policy: nodes pull, CI pushes, the partner account pulls, nobody deletes from outside 10/8. */
const REPOSITORY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'NodesPull', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/node-role` }, Action: PULL },
    { Sid: 'CiPushes', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ci-role` }, Action: [...PULL, ...PUSH] },
    { Sid: 'PartnerPulls', Effect: 'Allow', Principal: { AWS: PARTNER }, Action: PULL },
    { Sid: 'NoDeletesFromOutside', Effect: 'Deny', Principal: '*', Action: 'ecr:BatchDeleteImage', Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
  ],
};

type Capability = 'pull' | 'push' | 'delete' | 'list';

interface Principal {
  name: string;
  credentials: TestCredentials;
  /** What it may do on app/web. */
  may: Capability[];
}

describe('authorisation matrix', () => {
  let server: TestServer;
  let region: string;
  const principals: Principal[] = [];
  let image: { digest: string; layer: string };

  const ecr = (as: TestCredentials, operation: string, input: object = {}) => ecrCall(server.url, as, region, operation, input);

  async function userWith(account: string, name: string, policy?: object): Promise<TestCredentials> {
    const { identities } = server.services;
    await identities.createUser(account, name);
    if (policy) await identities.putPolicy('user', account, name, 'policy', JSON.stringify(policy));
    return identities.createAccessKey(account, name);
  }

  async function assumedRole(role: string, operator: TestCredentials): Promise<TestCredentials> {
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/operator` }, Action: 'sts:AssumeRole' }] };
    await server.services.identities.createRole(ACCOUNT, role, JSON.stringify(trust));
    await server.services.identities.putPolicy('role', ACCOUNT, role, 'token', JSON.stringify(TOKEN_ONLY));
    const body = new URLSearchParams({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: `arn:aws:iam::${ACCOUNT}:role/${role}`, RoleSessionName: 'matrix' }).toString();
    const res = await send(await signCall(server.url, operator, 'sts', region, { 'content-type': 'application/x-www-form-urlencoded' }, body));
    const xml = await res.text();
    assert.equal(res.status, 200, xml);
    const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)![1]!;
    return { accessKeyId: field('AccessKeyId'), secretAccessKey: field('SecretAccessKey'), sessionToken: field('SessionToken') };
  }

  before(async () => {
    server = await startTestServer({ accountId: ACCOUNT });
    region = server.config.region;
    const admin = server.admin;
    const oci = new OciClient(server.url, server.registryAuthorization);
    for (const name of ['app/web', 'app/other']) assert.equal((await ecr(admin, 'CreateRepository', { repositoryName: name })).status, 200);
    const pushed = await oci.pushImage('app/web', 'v1');
    await oci.pushImage('app/other', 'v1');
    image = { digest: pushed.digest, layer: pushed.layers[0]!.digest };
    assert.equal((await ecr(admin, 'SetRepositoryPolicy', { repositoryName: 'app/web', policyText: JSON.stringify(REPOSITORY_POLICY) })).status, 200);
    assert.equal((await ecr(admin, 'TagResource', { resourceArn: `arn:aws:ecr:${region}:${ACCOUNT}:repository/app/web`, tags: [{ Key: 'team', Value: 'web' }] })).status, 200);

    const operator = await userWith(ACCOUNT, 'operator', TOKEN_ONLY);
    const appOnly = (cidr: string) => ({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        { Effect: 'Allow', Action: 'ecr:*', Resource: `arn:aws:ecr:*:${ACCOUNT}:repository/app/*`, Condition: { IpAddress: { 'aws:SourceIp': cidr } } },
      ],
    });
    const webTeam = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        { Effect: 'Allow', Action: PULL, Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'web' } } },
      ],
    };
    principals.push(
      { name: 'admin', credentials: admin, may: ['pull', 'push', 'list'] },
      { name: 'node role session', credentials: await assumedRole('node-role', operator), may: ['pull', 'list'] },
      { name: 'CI role session', credentials: await assumedRole('ci-role', operator), may: ['pull', 'push', 'list'] },
      { name: 'token-only user', credentials: operator, may: [] },
      { name: 'partner account user', credentials: await userWith(PARTNER, 'partner', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] }), may: ['pull', 'list'] },
      { name: 'user allowed from loopback', credentials: await userWith(ACCOUNT, 'local', appOnly('127.0.0.0/8')), may: ['pull', 'push', 'list'] },
      { name: 'user allowed from elsewhere', credentials: await userWith(ACCOUNT, 'remote', appOnly('192.0.2.0/24')), may: [] },
      { name: 'user allowed by resource tag', credentials: await userWith(ACCOUNT, 'tagged', webTeam), may: ['pull', 'list'] },
    );
  });
  after(() => server?.close());

  /** Each action, the capability it needs, and how to tell allowed (true) from denied (false). */
  const actions: Array<{ action: string; needs: Capability; attempt: (p: Principal, oci: OciClient) => Promise<boolean> }> = [
    { action: 'OCI GET manifest', needs: 'pull', attempt: async (_p, oci) => ociAllowed(await oci.request('GET', `/v2/app/web/manifests/v1`)) },
    { action: 'OCI HEAD manifest', needs: 'pull', attempt: async (_p, oci) => ociAllowed(await oci.request('HEAD', `/v2/app/web/manifests/v1`)) },
    { action: 'OCI GET blob', needs: 'pull', attempt: async (_p, oci) => ociAllowed(await oci.request('GET', `/v2/app/web/blobs/${image.layer}`)) },
    { action: 'OCI HEAD blob', needs: 'pull', attempt: async (_p, oci) => ociAllowed(await oci.request('HEAD', `/v2/app/web/blobs/${image.layer}`)) },
    { action: 'OCI tags list', needs: 'list', attempt: async (_p, oci) => ociAllowed(await oci.request('GET', `/v2/app/web/tags/list`)) },
    { action: 'OCI catalog', needs: 'list', attempt: async (_p, oci) => ((await (await oci.request('GET', '/v2/_catalog')).json()) as { repositories?: string[] }).repositories?.includes('app/web') ?? false },
    { action: 'OCI start upload', needs: 'push', attempt: async (_p, oci) => ociAllowed(await oci.request('POST', `/v2/app/web/blobs/uploads/`)) },
    {
      action: 'OCI PUT manifest',
      needs: 'push',
      attempt: async (_p, oci) => {
        const manifest = await (await fetch(`${server.url}/v2/app/web/manifests/v1`, { headers: { authorization: server.registryAuthorization } })).text();
        return ociAllowed(await oci.request('PUT', `/v2/app/web/manifests/v1-copy`, { headers: { 'content-type': OCI_MANIFEST }, body: manifest }));
      },
    },
    { action: 'OCI DELETE manifest', needs: 'delete', attempt: async (_p, oci) => ociAllowed(await oci.request('DELETE', `/v2/app/web/manifests/${sha256('nothing')}`)) },
    { action: 'ecr:BatchGetImage', needs: 'pull', attempt: async (p) => ecrAllowed(await ecr(p.credentials, 'BatchGetImage', { repositoryName: 'app/web', imageIds: [{ imageTag: 'v1' }] })) },
    { action: 'ecr:BatchCheckLayerAvailability', needs: 'pull', attempt: async (p) => ecrAllowed(await ecr(p.credentials, 'BatchCheckLayerAvailability', { repositoryName: 'app/web', layerDigests: [image.layer] })) },
    { action: 'ecr:GetDownloadUrlForLayer', needs: 'pull', attempt: async (p) => ecrAllowed(await ecr(p.credentials, 'GetDownloadUrlForLayer', { repositoryName: 'app/web', layerDigest: image.layer })) },
    { action: 'ecr:ListImages', needs: 'list', attempt: async (p) => ecrAllowed(await ecr(p.credentials, 'ListImages', { repositoryName: 'app/web' })) },
    { action: 'ecr:DescribeRepositories', needs: 'list', attempt: async (p) => ecrAllowed(await ecr(p.credentials, 'DescribeRepositories', { repositoryNames: ['app/web'] })) },
    { action: 'ecr:InitiateLayerUpload', needs: 'push', attempt: async (p) => ecrAllowed(await ecr(p.credentials, 'InitiateLayerUpload', { repositoryName: 'app/web' })) },
    { action: 'ecr:BatchDeleteImage', needs: 'delete', attempt: async (p) => ecrAllowed(await ecr(p.credentials, 'BatchDeleteImage', { repositoryName: 'app/web', imageIds: [{ imageTag: 'no-such-tag' }] })) },
  ];

  it('allows exactly what each principal is granted, over OCI and ECR', async () => {
    const mismatches: string[] = [];
    for (const principal of principals) {
      let authorization: string | undefined;
      try {
        authorization = await registryAuthorization(server.url, principal.credentials, region);
      } catch {
        // No ecr:GetAuthorizationToken: OCI requests go without credentials and must all be refused.
      }
      const oci = new OciClient(server.url, authorization);
      for (const { action, needs, attempt } of actions) {
        const expected = principal.may.includes(needs);
        const actual = await attempt(principal, oci);
        if (actual !== expected) mismatches.push(`${principal.name} ${action}: expected ${expected ? 'allowed' : 'denied'}, was ${actual ? 'allowed' : 'denied'}`);
      }
    }
    assert.deepEqual(mismatches, []);
  });

  it('says who was denied which action on which resource, on both wires', async () => {
    const operator = principals.find((p) => p.name === 'token-only user')!;
    const oci = new OciClient(server.url, await registryAuthorization(server.url, operator.credentials, region));
    const res = await oci.request('GET', '/v2/app/web/manifests/v1');
    assert.equal(res.status, 403);
    const body = (await res.json()) as { errors: { code: string; message: string }[] };
    assert.equal(body.errors[0]!.code, 'DENIED');
    const expected = `User: arn:aws:iam::${ACCOUNT}:user/operator is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:${region}:${ACCOUNT}:repository/app/web because no identity-based policy allows the ecr:BatchGetImage action`;
    assert.equal(body.errors[0]!.message, expected);
    const viaEcr = await ecr(operator.credentials, 'BatchGetImage', { repositoryName: 'app/web', imageIds: [{ imageTag: 'v1' }] });
    assert.deepEqual(viaEcr, { status: 400, body: { __type: 'AccessDeniedException', message: expected } });
    const deleting = await ecr(server.admin, 'BatchDeleteImage', { repositoryName: 'app/web', imageIds: [{ imageTag: 'v1' }] });
    assert.equal((deleting.body as { message: string }).message, `User: arn:aws:iam::${ACCOUNT}:user/admin is not authorized to perform: ecr:BatchDeleteImage on resource: arn:aws:ecr:${region}:${ACCOUNT}:repository/app/web with an explicit deny in a resource-based policy`);
  });

  it('refuses unauthenticated, expired, forged, wrongly signed and replayed requests', async () => {
    const anonymous = await fetch(`${server.url}/v2/app/web/manifests/v1`);
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic realm=/);

    const keys = new SignedTokens(server.services.metadata, server.services.clock);
    const expired = await keys.sign('registry', { k: server.admin.accessKeyId }, new Date(Date.now() - 1000));
    const expiredRes = await fetch(`${server.url}/v2/app/web/manifests/v1`, { headers: { authorization: `Basic ${Buffer.from(`AWS:${expired}`).toString('base64')}` } });
    assert.equal(expiredRes.status, 401);
    assert.match(await expiredRes.text(), /expired/);
    const forged = `${expired.split('.')[0]}.${'A'.repeat(43)}`;
    assert.equal((await fetch(`${server.url}/v2/`, { headers: { authorization: `Basic ${Buffer.from(`AWS:${forged}`).toString('base64')}` } })).status, 401);

    const wrong = await ecr({ ...server.admin, secretAccessKey: 'wrong'.repeat(8) }, 'DescribeRepositories');
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.__type, 'InvalidSignatureException');
    const unknownKey = await ecr({ accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x'.repeat(40) }, 'DescribeRepositories');
    assert.equal(unknownKey.body.__type, 'UnrecognizedClientException');

    const call = await signCall(server.url, server.admin, 'ecr', region, { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories' }, '{}');
    assert.equal((await send(call)).status, 200);
    const replayed = await send(call);
    assert.equal(replayed.status, 400);
    assert.match(JSON.stringify(await replayed.json()), /already used/);
  });

  it('stops honouring a token once its access key is deactivated, and again once reactivated', async () => {
    const key = await server.services.identities.createAccessKey(ACCOUNT, 'local');
    const oci = new OciClient(server.url, await registryAuthorization(server.url, key, region));
    assert.equal((await oci.request('GET', '/v2/app/web/manifests/v1')).status, 200);
    await server.services.identities.setAccessKeyStatus(ACCOUNT, 'local', key.accessKeyId, 'Inactive');
    assert.equal((await oci.request('GET', '/v2/app/web/manifests/v1')).status, 401);
    await server.services.identities.setAccessKeyStatus(ACCOUNT, 'local', key.accessKeyId, 'Active');
    assert.equal((await oci.request('GET', '/v2/app/web/manifests/v1')).status, 200);
    await server.services.identities.deleteAccessKey(ACCOUNT, 'local', key.accessKeyId);
    assert.equal((await oci.request('GET', '/v2/app/web/manifests/v1')).status, 401);
  });

  it('conditions creation on the tags the request sets (aws:RequestTag, aws:TagKeys)', async () => {
    const creator = await userWith(ACCOUNT, 'creator', {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'ecr:CreateRepository',
          Resource: '*',
          Condition: { StringEquals: { 'aws:RequestTag/team': 'web' }, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'cost-centre'] } },
        },
      ],
    });
    const untagged = await ecr(creator, 'CreateRepository', { repositoryName: 'web/untagged' });
    assert.equal(untagged.body.__type, 'AccessDeniedException');
    const extraKey = await ecr(creator, 'CreateRepository', { repositoryName: 'web/extra', tags: [{ Key: 'team', Value: 'web' }, { Key: 'owner', Value: 'x' }] });
    assert.equal(extraKey.body.__type, 'AccessDeniedException');
    const tagged = await ecr(creator, 'CreateRepository', { repositoryName: 'web/tagged', tags: [{ Key: 'team', Value: 'web' }] });
    assert.equal(tagged.status, 200, JSON.stringify(tagged.body));
  });

  it('lets the registry policy grant other accounts creation (scope V1) and every repository action (scope V2)', async () => {
    const partner = principals.find((p) => p.name === 'partner account user')!.credentials;
    const registryPolicy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PARTNER}:root` }, Action: ['ecr:CreateRepository', 'ecr:BatchGetImage'], Resource: `arn:aws:ecr:${region}:${ACCOUNT}:repository/*` }],
    };
    assert.equal((await ecr(partner, 'CreateRepository', { repositoryName: 'partner/before' })).body.__type, 'AccessDeniedException');
    assert.equal((await ecr(server.admin, 'PutRegistryPolicy', { policyText: JSON.stringify(registryPolicy) })).status, 200);
    assert.equal((await ecr(server.admin, 'GetAccountSetting', { name: 'REGISTRY_POLICY_SCOPE' })).body.value, 'V1');
    assert.equal((await ecr(partner, 'CreateRepository', { repositoryName: 'partner/v1' })).status, 200, 'V1 governs CreateRepository');
    const pull = { repositoryName: 'app/other', imageIds: [{ imageTag: 'v1' }] };
    assert.equal((await ecr(partner, 'BatchGetImage', pull)).body.__type, 'AccessDeniedException', 'V1 does not govern pulls');
    assert.equal((await ecr(server.admin, 'PutAccountSetting', { name: 'REGISTRY_POLICY_SCOPE', value: 'V2' })).status, 200);
    assert.equal((await ecr(partner, 'BatchGetImage', pull)).status, 200, 'V2 governs every repository action');
    assert.equal((await ecr(server.admin, 'DeleteRegistryPolicy')).status, 200);
    assert.equal((await ecr(partner, 'BatchGetImage', pull)).body.__type, 'AccessDeniedException');
    assert.equal((await ecr(server.admin, 'PutAccountSetting', { name: 'REGISTRY_POLICY_SCOPE', value: 'V1' })).status, 200);
  });

  it('refuses, unless forced, a repository policy that would lock its author out', async () => {
    const lockout = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 'ecr:SetRepositoryPolicy' }] });
    const refused = await ecr(server.admin, 'SetRepositoryPolicy', { repositoryName: 'app/other', policyText: lockout });
    assert.equal(refused.body.__type, 'InvalidParameterException');
    assert.match(String(refused.body.message), /would prevent arn:aws:iam::111111111111:user\/admin from setting a repository policy/);
    assert.equal((await ecr(server.admin, 'SetRepositoryPolicy', { repositoryName: 'app/other', policyText: lockout, force: true })).status, 200);
    const lockedOut = await ecr(server.admin, 'SetRepositoryPolicy', { repositoryName: 'app/other', policyText: JSON.stringify(REPOSITORY_POLICY), force: true });
    assert.equal(lockedOut.body.__type, 'AccessDeniedException');
    assert.equal((await ecr(server.admin, 'DeleteRepositoryPolicy', { repositoryName: 'app/other' })).status, 200);
  });

  it('applies a repository policy change to the very next request', async () => {
    const node = principals.find((p) => p.name === 'node role session')!;
    const oci = new OciClient(server.url, await registryAuthorization(server.url, node.credentials, region));
    assert.equal((await oci.request('HEAD', '/v2/app/web/manifests/v1')).status, 200);
    const withoutNodes = { ...REPOSITORY_POLICY, Statement: REPOSITORY_POLICY.Statement.filter((s) => s.Sid !== 'NodesPull') };
    assert.equal((await ecr(server.admin, 'SetRepositoryPolicy', { repositoryName: 'app/web', policyText: JSON.stringify(withoutNodes) })).status, 200);
    assert.equal((await oci.request('HEAD', '/v2/app/web/manifests/v1')).status, 403);
    assert.equal((await ecr(server.admin, 'SetRepositoryPolicy', { repositoryName: 'app/web', policyText: JSON.stringify(REPOSITORY_POLICY) })).status, 200);
    assert.equal((await oci.request('HEAD', '/v2/app/web/manifests/v1')).status, 200);
  });
});

/** Denied means 401/403; anything else (200, 201, 202, 404…) got past authorisation. */
function ociAllowed(res: Response): boolean {
  void res.body?.cancel();
  return res.status !== 401 && res.status !== 403;
}

function ecrAllowed(result: { status: number; body: Record<string, unknown> }): boolean {
  return result.body.__type !== 'AccessDeniedException';
}
