/**
 * The console's server side over real HTTP: sessions (access keys and console passwords, cookie flags,
 * expiry, sign-out, credentials that stop holding), the cross-site header, ECR operations run through
 * the console exactly as through the signed API, image detail, SBOM download, storage, and the built
 * console's files (caching, precompressed variants, the app's page for every console URL).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { consolePlugin } from '../../src/protocols/console/plugin.js';
import { ecrHandlers } from '../../src/protocols/ecr/operations/index.js';
import { ConsoleClient } from '../support/console-client.js';
import { ecrCall } from '../support/aws-request.js';
import { layerOf, pushLayerImage } from '../support/host-debian-image.js';
import { OCI_INDEX, OCI_MANIFEST } from '../support/oci-client.js';
import { describeOnEveryStore, startTestServer, type TestServer } from '../support/server.js';
import { httpRequest, waitFor } from '../support/tools.js';

const INVALID_CREDENTIALS = { __type: 'InvalidCredentials', message: 'The access key or password is not valid' };
const PASSWORD = 'Correct-Horse-7';

/** A user of the registry's account with an inline policy, a console password and an access key. */
async function makeUser(server: TestServer, name: string, policy?: object): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const { identities, loginProfiles } = server.services;
  const account = server.config.accountId;
  await identities.createUser(account, name);
  if (policy) await identities.putPolicy('user', account, name, 'console', JSON.stringify({ Version: '2012-10-17', Statement: [policy] }));
  await loginProfiles.create(account, name, PASSWORD);
  return identities.createAccessKey(account, name);
}

function cookieAttributes(setCookie: string): Map<string, string> {
  return new Map(setCookie.split(';').slice(1).map((part) => [part.trim().split('=')[0]!.toLowerCase(), part.trim().split('=')[1] ?? '']));
}

await describeOnEveryStore('console API', { scanInterval: 0.2 }, (registry) => {
  let server: TestServer;
  let admin: ConsoleClient;

  before(async () => {
    server = registry.server;
    admin = new ConsoleClient(server.url);
    assert.equal((await admin.signIn(server.admin)).status, 200);
  });

  describe('sessions', () => {
    it('signs in with an access key: the principal, the expiry, the registry, and a cookie only the console gets', async () => {
      const browser = new ConsoleClient(server.url);
      const before = Date.now();
      const signedIn = await browser.signIn(server.admin);
      assert.equal(signedIn.status, 200, signedIn.text);
      const { accountId, region } = server.config;
      assert.deepEqual(signedIn.body.principal, { arn: `arn:aws:iam::${accountId}:user/admin`, userName: 'admin', type: 'user' });
      assert.deepEqual(signedIn.body.registry, { accountId, region, host: new URL(server.url).host });
      const expiresAt = Date.parse(signedIn.body.expiresAt as string);
      assert.ok(Math.abs(expiresAt - (before + 43_200_000)) < 60_000, `expires 12 hours from now, not at ${signedIn.body.expiresAt as string}`);

      const [setCookie] = signedIn.headers.getSetCookie();
      assert.match(setCookie!, /^berth_console_session=[A-Za-z0-9_-]{43};/);
      const attributes = cookieAttributes(setCookie!);
      assert.equal(attributes.get('path'), '/console');
      assert.ok(attributes.has('httponly'));
      assert.equal(attributes.get('samesite'), 'Strict');
      assert.equal(attributes.get('max-age'), '43200');
      assert.ok(!attributes.has('secure'), 'no Secure flag over plain HTTP');
      assert.equal(signedIn.headers.get('cache-control'), 'no-store');

      const current = await browser.session();
      assert.equal(current.status, 200);
      assert.deepEqual(current.body, signedIn.body);
    });

    it('signs in with a console password set with the login profile', async () => {
      await makeUser(server, 'carol');
      const browser = new ConsoleClient(server.url);
      const signedIn = await browser.signIn({ userName: 'carol', password: PASSWORD });
      assert.equal(signedIn.status, 200, signedIn.text);
      assert.deepEqual(signedIn.body.principal, { arn: `arn:aws:iam::${server.config.accountId}:user/carol`, userName: 'carol', type: 'user' });
      assert.equal((await browser.session()).status, 200);
    });

    it('makes no registry credentials for a password session, and says why', async () => {
      await makeUser(server, 'dora', { Effect: 'Allow', Action: 'ecr:*', Resource: '*' });
      const browser = new ConsoleClient(server.url);
      assert.equal((await browser.signIn({ userName: 'dora', password: PASSWORD })).status, 200);
      const token = await browser.ecr('GetAuthorizationToken');
      assert.equal(token.status, 400);
      assert.equal(token.body.__type, 'AccessDeniedException');
      assert.match(token.body.message as string, /made from an access key, and a console password session has none/);
    });

    it('answers every wrong credential alike: wrong secret, unknown key, wrong password, unknown user, user without a password', async () => {
      await server.services.identities.createUser(server.config.accountId, 'nopassword');
      const browser = new ConsoleClient(server.url);
      for (const credentials of [
        { accessKeyId: server.admin.accessKeyId, secretAccessKey: `${server.admin.secretAccessKey}x` },
        { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: server.admin.secretAccessKey },
        { userName: 'carol', password: `${PASSWORD}x` },
        { userName: 'nobody', password: PASSWORD },
        { userName: 'nopassword', password: PASSWORD },
      ]) {
        const refused = await browser.signIn(credentials);
        assert.equal(refused.status, 401, JSON.stringify(credentials));
        assert.deepEqual(refused.body, INVALID_CREDENTIALS);
        assert.deepEqual(refused.headers.getSetCookie(), []);
      }
      const malformed = await browser.signIn({ accessKeyId: server.admin.accessKeyId } as never);
      assert.equal(malformed.status, 400);
      assert.equal(malformed.body.__type, 'InvalidParameterException');
    });

    it('is not signed in without a cookie, or with a made-up one (which it clears)', async () => {
      const browser = new ConsoleClient(server.url);
      const none = await browser.session();
      assert.equal(none.status, 401);
      assert.equal(none.body.__type, 'NotSignedIn');
      browser.sessionCookie = 'made-up';
      const madeUp = await browser.session();
      assert.equal(madeUp.status, 401);
      assert.equal(madeUp.body.__type, 'NotSignedIn');
      assert.match(madeUp.headers.getSetCookie()[0]!, /^berth_console_session=; Path=\/console; Max-Age=0/);
      assert.equal(browser.sessionCookie, undefined);
    });

    it('signs out: the session is revoked on the server, so a copy of the cookie no longer works', async () => {
      const browser = new ConsoleClient(server.url);
      await browser.signIn(server.admin);
      const copy = new ConsoleClient(server.url);
      copy.sessionCookie = browser.sessionCookie;
      assert.equal((await copy.session()).status, 200);

      const withoutHeader = await browser.request('DELETE', '/console/api/session', { consoleHeader: false });
      assert.equal(withoutHeader.status, 403);
      assert.equal(withoutHeader.body.__type, 'AccessDeniedException');

      const signedOut = await browser.signOut();
      assert.equal(signedOut.status, 204);
      assert.match(signedOut.headers.getSetCookie()[0]!, /Max-Age=0/);
      assert.equal(browser.sessionCookie, undefined);
      const revoked = await copy.session();
      assert.equal(revoked.status, 401);
      assert.equal(revoked.body.__type, 'NotSignedIn');
    });

    it("ends a session when its access key is deactivated, and refuses the key's next sign-in", async () => {
      const key = await makeUser(server, 'dave');
      const browser = new ConsoleClient(server.url);
      assert.equal((await browser.signIn(key)).status, 200);
      await server.services.identities.setAccessKeyStatus(server.config.accountId, 'dave', key.accessKeyId, 'Inactive');
      const ended = await browser.session();
      assert.equal(ended.status, 401);
      assert.equal(ended.body.__type, 'NotSignedIn');
      assert.match(ended.body.message as string, /access key was deactivated or deleted/);
      assert.deepEqual((await new ConsoleClient(server.url).signIn(key)).body, INVALID_CREDENTIALS);
    });

    it('ends password sessions when the password changes, and when the user goes', async () => {
      await makeUser(server, 'erin');
      const { loginProfiles, identities } = server.services;
      const account = server.config.accountId;
      const first = new ConsoleClient(server.url);
      assert.equal((await first.signIn({ userName: 'erin', password: PASSWORD })).status, 200);
      await loginProfiles.update(account, 'erin', 'Another-Secret-9');
      assert.equal((await first.session()).body.__type, 'NotSignedIn');

      const second = new ConsoleClient(server.url);
      assert.equal((await second.signIn({ userName: 'erin', password: 'Another-Secret-9' })).status, 200);
      for (const key of await identities.listAccessKeys(account, 'erin')) await identities.deleteAccessKey(account, 'erin', key.id);
      await assert.rejects(identities.deletePrincipal('user', account, 'erin'), /must delete login profile first/);
      assert.equal((await second.session()).status, 200);
      await loginProfiles.delete(account, 'erin');
      await identities.deletePrincipal('user', account, 'erin');
      assert.equal((await second.session()).body.__type, 'NotSignedIn');
    });

    it("signs in with a role's temporary credentials only with their session token, until they expire", async () => {
      const { identities } = server.services;
      const account = server.config.accountId;
      const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }] };
      const role = await identities.createRole(account, 'viewer', JSON.stringify(trust));
      const { credentials } = await identities.assumeRole(role, 'console-test', 900);
      const browser = new ConsoleClient(server.url);
      assert.deepEqual((await browser.signIn({ accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey })).body, INVALID_CREDENTIALS);
      const signedIn = await browser.signIn(credentials);
      assert.equal(signedIn.status, 200, signedIn.text);
      assert.deepEqual(signedIn.body.principal, { arn: `arn:aws:sts::${account}:assumed-role/viewer/console-test`, type: 'role' });
      assert.equal(signedIn.body.expiresAt, credentials.expiration.toISOString());
      assert.ok(Number(cookieAttributes(signedIn.headers.getSetCookie()[0]!).get('max-age')) <= 900);
    });

    it('refuses a sign-in without the console header', async () => {
      const refused = await new ConsoleClient(server.url).request('POST', '/console/api/session', { body: server.admin, consoleHeader: false });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.__type, 'AccessDeniedException');
      assert.deepEqual(refused.headers.getSetCookie(), []);
    });
  });

  describe('ECR operations', () => {
    let narrow: ConsoleClient;

    before(async () => {
      // May describe the console/ repositories and nothing else.
      await makeUser(server, 'narrow', { Effect: 'Allow', Action: 'ecr:DescribeRepositories', Resource: `arn:aws:ecr:${server.config.region}:${server.config.accountId}:repository/console/*` });
      narrow = new ConsoleClient(server.url);
      assert.equal((await narrow.signIn({ userName: 'narrow', password: PASSWORD })).status, 200);
    });

    it('runs operations as the ECR API does, answering its wire JSON', async () => {
      const created = await admin.ecr<{ repository: Record<string, unknown> }>('CreateRepository', { repositoryName: 'console/app', imageScanningConfiguration: { scanOnPush: true } });
      assert.equal(created.status, 200, created.text);
      assert.equal(created.body.repository.repositoryName, 'console/app');
      assert.equal(typeof created.body.repository.createdAt, 'number', 'timestamps are epoch seconds, as on the wire');
      assert.equal(created.body.repository.repositoryUri, `${new URL(server.url).host}/console/app`);

      const viaConsole = await admin.ecr('DescribeRepositories', { repositoryNames: ['console/app'] });
      const signed = await ecrCall(server.url, server.admin, server.config.region, 'DescribeRepositories', { repositoryNames: ['console/app'] });
      assert.equal(viaConsole.status, 200);
      assert.deepEqual(viaConsole.body, signed.body);
    });

    it('validates input as the ECR API does', async () => {
      const invalid = await admin.ecr('CreateRepository', { repositoryName: 'Not-Lower-Case' });
      const signed = await ecrCall(server.url, server.admin, server.config.region, 'CreateRepository', { repositoryName: 'Not-Lower-Case' });
      assert.equal(invalid.status, 400);
      assert.equal(invalid.body.__type, 'InvalidParameterException');
      assert.deepEqual(invalid.body, signed.body);

      const unknown = await admin.ecr('DescribeEverything');
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.__type, 'UnknownOperationException');
    });

    it('acts as the signed-in principal: a denial says why', async () => {
      const denied = await narrow.ecr('CreateRepository', { repositoryName: 'console/narrow' });
      assert.equal(denied.status, 400);
      assert.equal(denied.body.__type, 'AccessDeniedException');
      assert.equal(
        denied.body.message,
        `User: arn:aws:iam::${server.config.accountId}:user/narrow is not authorized to perform: ecr:CreateRepository on resource: arn:aws:ecr:${server.config.region}:${server.config.accountId}:repository/console/narrow because no identity-based policy allows the ecr:CreateRepository action`,
      );
      await admin.ecr('CreateRepository', { repositoryName: 'other/hidden' });
      const listed = await narrow.ecr<{ repositories: Array<{ repositoryName: string }> }>('DescribeRepositories');
      assert.equal(listed.status, 200);
      assert.ok(listed.body.repositories.every((r) => r.repositoryName.startsWith('console/')));
      assert.ok(listed.body.repositories.some((r) => r.repositoryName === 'console/app'));
    });

    it('refuses changes without the console header', async () => {
      const refused = await admin.request('POST', '/console/api/ecr/CreateRepository', { body: { repositoryName: 'console/csrf' }, consoleHeader: false });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.__type, 'AccessDeniedException');
      assert.equal((await admin.ecr('DescribeRepositories', { repositoryNames: ['console/csrf'] })).body.__type, 'RepositoryNotFoundException');
    });

    it('needs a session', async () => {
      const anonymous = await new ConsoleClient(server.url).ecr('DescribeRepositories');
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.body.__type, 'NotSignedIn');
    });
  });

  describe('image detail', () => {
    it('shows an image: manifest, config, layers, size, and its referrers', async () => {
      await admin.ecr('CreateRepository', { repositoryName: 'console/images' });
      const image = await registry.oci.pushImage('console/images', 'v1', { layers: 2 });
      const signature = await registry.oci.pushImage('console/images', 'sig', { subject: image.descriptor, artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json' });

      const detail = await admin.get('/console/api/image', { repositoryName: 'console/images', imageTag: 'v1' });
      assert.equal(detail.status, 200, detail.text);
      assert.equal(detail.body.imageDigest, image.digest);
      assert.equal(detail.body.mediaType, OCI_MANIFEST);
      assert.deepEqual(detail.body.manifest, JSON.parse(image.bytes.toString()));
      assert.deepEqual(detail.body.config, { architecture: 'amd64', os: 'linux', seed: 'v1' });
      assert.deepEqual(
        detail.body.layers,
        image.layers.map(({ digest, mediaType, size }) => ({ digest, mediaType, size })),
      );
      assert.equal(detail.body.sizeInBytes, image.config.size + image.layers.reduce((sum, l) => sum + l.size, 0));
      assert.deepEqual(detail.body.platforms, []);
      assert.deepEqual(detail.body.referrers, [
        { digest: signature.digest, mediaType: OCI_MANIFEST, size: signature.bytes.length, artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json' },
      ]);
      const byDigest = await admin.get('/console/api/image', { repositoryName: 'console/images', imageDigest: image.digest });
      assert.deepEqual(byDigest.body, detail.body);
    });

    it("shows an index's platforms", async () => {
      const amd = await registry.oci.pushImage('console/images', 'amd64', { layers: 1 });
      const arm = await registry.oci.pushImage('console/images', 'arm64', { layers: 1 });
      const index = {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          { ...amd.descriptor, platform: { os: 'linux', architecture: 'amd64' } },
          { ...arm.descriptor, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        ],
      };
      await registry.oci.pushManifest('console/images', 'multi', index, OCI_INDEX);
      const detail = await admin.get('/console/api/image', { repositoryName: 'console/images', imageTag: 'multi' });
      assert.equal(detail.status, 200, detail.text);
      assert.equal(detail.body.mediaType, OCI_INDEX);
      assert.equal(detail.body.config, null);
      assert.deepEqual(detail.body.layers, []);
      assert.deepEqual(detail.body.platforms, [
        { ...amd.descriptor, platform: { os: 'linux', architecture: 'amd64' } },
        { ...arm.descriptor, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      ]);
    });

    it('answers as ECR does for a missing image, a bad digest, an archived image and a caller without access', async () => {
      const missing = await admin.get('/console/api/image', { repositoryName: 'console/images', imageTag: 'absent' });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.__type, 'ImageNotFoundException');
      const badDigest = await admin.get('/console/api/image', { repositoryName: 'console/images', imageDigest: 'sha256:nothex' });
      assert.equal(badDigest.body.__type, 'InvalidParameterException');
      const noRepository = await admin.get('/console/api/image', { repositoryName: 'console/absent', imageTag: 'v1' });
      assert.equal(noRepository.body.__type, 'RepositoryNotFoundException');

      await registry.oci.pushImage('console/images', 'old', { layers: 1 });
      const archived = await admin.ecr('UpdateImageStorageClass', { repositoryName: 'console/images', imageId: { imageTag: 'old' }, targetStorageClass: 'ARCHIVE' });
      assert.equal(archived.status, 200, archived.text);
      const refused = await admin.get('/console/api/image', { repositoryName: 'console/images', imageTag: 'old' });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.__type, 'ImageArchivedException');

      const narrow = new ConsoleClient(server.url);
      await narrow.signIn({ userName: 'narrow', password: PASSWORD });
      const denied = await narrow.get('/console/api/image', { repositoryName: 'console/images', imageTag: 'v1' });
      assert.equal(denied.body.__type, 'AccessDeniedException');
      assert.match(denied.body.message as string, /not authorized to perform: ecr:BatchGetImage on resource: .*repository\/console\/images because/);
    });
  });

  describe('SBOM download', () => {
    it('downloads the scanned inventory as CycloneDX or SPDX, and 404 before a scan', async () => {
      const layer = await layerOf({
        'etc/os-release': 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
        'var/lib/dpkg/status': 'Package: hello\nStatus: install ok installed\nVersion: 2.10-3\nArchitecture: amd64\n\n',
      });
      await admin.ecr('CreateRepository', { repositoryName: 'console/scanned' });
      const digest = await pushLayerImage(registry.oci, 'console/scanned', 'v1', layer);
      const before = await admin.get('/console/api/sbom', { repositoryName: 'console/scanned', imageDigest: digest });
      assert.equal(before.status, 404);
      assert.equal(before.body.__type, 'ScanNotFoundException');

      assert.equal((await admin.ecr('StartImageScan', { repositoryName: 'console/scanned', imageId: { imageDigest: digest } })).status, 200);
      await waitFor(
        'the scan',
        async () => (await admin.ecr<{ imageScanStatus?: { status: string } }>('DescribeImageScanFindings', { repositoryName: 'console/scanned', imageId: { imageDigest: digest } })).body.imageScanStatus?.status === 'COMPLETE',
        30_000,
        200,
      );

      const cyclonedx = await admin.get<{ bomFormat: string; components: Array<{ name: string; version: string }> }>('/console/api/sbom', { repositoryName: 'console/scanned', imageDigest: digest });
      assert.equal(cyclonedx.status, 200, cyclonedx.text);
      assert.equal(cyclonedx.headers.get('content-type'), 'application/vnd.cyclonedx+json; charset=utf-8');
      assert.equal(cyclonedx.headers.get('content-disposition'), `attachment; filename="console_scanned-${digest.slice(7, 19)}.cdx.json"`);
      assert.equal(cyclonedx.body.bomFormat, 'CycloneDX');
      assert.ok(cyclonedx.body.components.some((c) => c.name === 'hello' && c.version === '2.10-3'));

      const spdx = await admin.get<{ spdxVersion: string }>('/console/api/sbom', { repositoryName: 'console/scanned', imageTag: 'v1', format: 'spdx' });
      assert.equal(spdx.status, 200, spdx.text);
      assert.equal(spdx.headers.get('content-type'), 'application/spdx+json; charset=utf-8');
      assert.equal(spdx.body.spdxVersion, 'SPDX-2.3');

      const badFormat = await admin.get('/console/api/sbom', { repositoryName: 'console/scanned', imageDigest: digest, format: 'xml' });
      assert.equal(badFormat.body.__type, 'InvalidParameterException');
      const narrow = new ConsoleClient(server.url);
      await narrow.signIn({ userName: 'narrow', password: PASSWORD });
      assert.equal((await narrow.get('/console/api/sbom', { repositoryName: 'console/scanned', imageDigest: digest })).body.__type, 'AccessDeniedException');
    });
  });

  describe('storage', () => {
    it('reports storage per repository and in all, with its history, to a caller who may see it', async () => {
      await server.services.storageUsage.recordSample();
      const report = await admin.get<{
        pricePerGbMonth: number;
        registry: { bytes: number; images: number; monthlyCost: number };
        repositories: Array<{ repositoryName: string; bytes: number; images: number; monthlyCost: number }>;
        history: Array<{ at: string; bytes: number }>;
      }>('/console/api/storage');
      assert.equal(report.status, 200, report.text);
      const expected = await server.services.storageUsage.report();
      assert.equal(report.body.pricePerGbMonth, expected.pricePerGbMonth);
      assert.deepEqual(report.body.registry, {
        bytes: expected.totalBytes,
        images: expected.repositories.reduce((sum, r) => sum + r.imageCount, 0),
        monthlyCost: expected.estimatedMonthlyCost,
      });
      assert.deepEqual(
        report.body.repositories,
        expected.repositories.map((r) => ({ repositoryName: r.name, bytes: r.bytes, images: r.imageCount, monthlyCost: r.estimatedMonthlyCost })),
      );
      assert.ok(report.body.repositories.find((r) => r.repositoryName === 'console/images')!.bytes > 0);
      assert.ok(report.body.history.length >= 1);
      assert.equal(report.body.history.at(-1)!.bytes, expected.totalBytes);
    });

    it('shows a caller only the repositories it may describe, and no total without ecr:DescribeRegistry', async () => {
      const narrow = new ConsoleClient(server.url);
      await narrow.signIn({ userName: 'narrow', password: PASSWORD });
      const report = await narrow.get<{ registry: unknown; history: unknown; repositories: Array<{ repositoryName: string }> }>('/console/api/storage');
      assert.equal(report.status, 200, report.text);
      assert.equal(report.body.registry, undefined);
      assert.equal(report.body.history, undefined);
      assert.ok(report.body.repositories.length > 0);
      assert.ok(report.body.repositories.every((r) => r.repositoryName.startsWith('console/')));
    });
  });

  it('answers an unknown API path with 404', async () => {
    for (const path of ['/console/api/nothing', '/console/api']) {
      const missing = await admin.get(path);
      assert.equal(missing.status, 404, path);
      assert.equal(missing.body.__type, 'NotFoundException');
    }
  });
});

describe('console sessions that expire, and sign-in throttling', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ consoleSessionTtl: 1 });
  });
  after(() => server?.close());

  it('expires a session after consoleSessionTtl', async () => {
    const browser = new ConsoleClient(server.url);
    const signedIn = await browser.signIn(server.admin);
    assert.equal(cookieAttributes(signedIn.headers.getSetCookie()[0]!).get('max-age'), '1');
    assert.equal((await browser.session()).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const expired = await browser.session();
    assert.equal(expired.status, 401);
    assert.equal(expired.body.__type, 'SessionExpired');
  });

  it('refuses sign-ins from an address after ten failures in a minute, even right ones', async () => {
    const browser = new ConsoleClient(server.url);
    const wrong = { accessKeyId: server.admin.accessKeyId, secretAccessKey: 'wrong' };
    for (let i = 0; i < 10; i++) assert.equal((await browser.signIn(wrong)).status, 401);
    for (const credentials of [wrong, server.admin]) {
      const throttled = await browser.signIn(credentials);
      assert.equal(throttled.status, 429);
      assert.equal(throttled.body.__type, 'ThrottlingException');
      assert.ok(Number(throttled.headers.get('retry-after')) > 0);
    }
  });
});

describe('console over HTTPS', () => {
  it('marks the session cookie Secure', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-console-tls-'));
    try {
      try {
        execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
      } catch {
        t.skip('openssl is not installed');
        return;
      }
      const server = await startTestServer({ tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'key.pem') });
      try {
        const signedIn = await httpRequest(`${server.url}/console/api/session`, {
          method: 'POST',
          ca: readFileSync(join(dir, 'cert.pem')),
          headers: { 'content-type': 'application/json', 'x-berth-console': '1' },
          body: JSON.stringify(server.admin),
        });
        assert.equal(signedIn.status, 200, signedIn.text());
        const [setCookie] = signedIn.headers['set-cookie']!;
        assert.ok(cookieAttributes(setCookie!).has('secure'), setCookie);
      } finally {
        await server.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('console files', () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-console-web-'));
  const script = 'console.log("the console");\n'.repeat(50);
  const page = '<!doctype html><title>Berth console</title><script type="module" src="/console/assets/main-abc123.js"></script>\n';
  let server: TestServer;
  let app: FastifyInstance;
  let url: string;

  before(async () => {
    mkdirSync(join(root, 'web', 'assets'), { recursive: true });
    writeFileSync(join(root, 'web', 'index.html'), page);
    writeFileSync(join(root, 'web', 'build.json'), '{}');
    writeFileSync(join(root, 'web', 'assets', 'main-abc123.js'), script);
    writeFileSync(join(root, 'web', 'assets', 'main-abc123.js.gz'), gzipSync(script));
    writeFileSync(join(root, 'web', 'assets', 'main-abc123.js.br'), brotliCompressSync(script));
    writeFileSync(join(root, 'web', 'assets', 'style-def456.css'), 'body { margin: 0 }\n');
    writeFileSync(join(root, 'secret.txt'), 'not for the web');
    // The console plugin alone, over the built files of a test's making, beside a server's services.
    server = await startTestServer();
    app = Fastify();
    const { services } = server;
    app.register(consolePlugin({ ...services, sessions: services.consoleSessions, ecrHandlers: ecrHandlers(services), toolVersion: 'test', webRoot: join(root, 'web') }));
    app.register(consolePlugin({ ...services, sessions: services.consoleSessions, ecrHandlers: ecrHandlers(services), toolVersion: 'test', webRoot: join(root, 'absent') }), {
      prefix: '/unbuilt',
    });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await app?.close();
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves assets for good, precompressed when the browser takes it', async () => {
    const plain = await httpRequest(`${url}/console/assets/main-abc123.js`);
    assert.equal(plain.status, 200);
    assert.equal(plain.text(), script);
    assert.equal(plain.header('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(plain.header('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(plain.header('vary'), 'accept-encoding');
    assert.equal(plain.header('content-encoding'), undefined);

    const brotli = await httpRequest(`${url}/console/assets/main-abc123.js`, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(brotli.header('content-encoding'), 'br');
    assert.deepEqual(brotli.body, brotliCompressSync(script));
    const gzip = await httpRequest(`${url}/console/assets/main-abc123.js`, { headers: { 'accept-encoding': 'gzip, br;q=0' } });
    assert.equal(gzip.header('content-encoding'), 'gzip');
    assert.deepEqual(gzip.body, gzipSync(script));
    // Without a precompressed sibling, the file as it is.
    const css = await httpRequest(`${url}/console/assets/style-def456.css`, { headers: { 'accept-encoding': 'br' } });
    assert.equal(css.header('content-encoding'), undefined);
    assert.equal(css.header('content-type'), 'text/css; charset=utf-8');
  });

  it('answers 304 to a browser that has the file', async () => {
    const first = await httpRequest(`${url}/console/assets/main-abc123.js`, { headers: { 'accept-encoding': 'br' } });
    const etag = first.header('etag')!;
    assert.ok(etag);
    const again = await httpRequest(`${url}/console/assets/main-abc123.js`, { headers: { 'accept-encoding': 'br', 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    const otherEncoding = await httpRequest(`${url}/console/assets/main-abc123.js`, { headers: { 'accept-encoding': 'gzip', 'if-none-match': etag } });
    assert.equal(otherEncoding.status, 200, 'the gzip variant is another representation');
  });

  it('serves the page for every console URL, uncached and under a strict content security policy', async () => {
    for (const path of ['/console', '/console/', '/console/repositories/console%2Fapp/images', '/console/registry/settings']) {
      const served = await httpRequest(`${url}${path}`);
      assert.equal(served.status, 200, path);
      assert.equal(served.text(), page);
      assert.equal(served.header('content-type'), 'text/html; charset=utf-8');
      assert.equal(served.header('cache-control'), 'no-cache');
      const csp = served.header('content-security-policy')!;
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.equal(served.header('x-content-type-options'), 'nosniff');
      assert.equal(served.header('referrer-policy'), 'no-referrer');
    }
  });

  it('serves only files of the assets directory', async () => {
    for (const path of [
      '/console/assets/..%2Fsecret.txt',
      '/console/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/console/assets/.hidden',
      '/console/assets/main-abc123.js.br',
      '/console/assets/absent-000.js',
      '/console/assets/sub/main-abc123.js',
      '/console/assets/',
    ]) {
      const refused = await httpRequest(`${url}${path}`);
      assert.ok(refused.status === 404, `${path} -> ${refused.status}`);
      assert.doesNotMatch(refused.text(), /not for the web|console\.log/);
    }
  });

  it('answers 503 with what to do when the console is not built', async () => {
    const unbuilt = await httpRequest(`${url}/unbuilt/console`);
    assert.equal(unbuilt.status, 503);
    assert.match(unbuilt.text(), /npm run build/);
  });
});
