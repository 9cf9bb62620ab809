/**
 * ECR's archive storage class end to end over HTTP: a lifecycle transition archives an image (its
 * bytes move to the archive prefix, a layer an active image shares stays), pulls of it fail on the
 * OCI and ECR surfaces, UpdateImageStorageClass restores it (and archives on demand), and pushing
 * it again restores it too. With the AWS SDK for JavaScript, raw OCI requests as docker makes them,
 * and the aws CLI.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import {
  BatchCheckLayerAvailabilityCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  ECRServiceException,
  GetDownloadUrlForLayerCommand,
  ImageNotFoundException,
  ImageStorageClassUpdateNotSupportedException,
  InvalidParameterException,
  ListImageReferrersCommand,
  ListImagesCommand,
  PutLifecyclePolicyCommand,
  RepositoryNotFoundException,
  UpdateImageStorageClassCommand,
} from '@aws-sdk/client-ecr';
import { aws, awsCliUnavailable } from '../support/aws-cli.js';
import { type Descriptor, OCI_CONFIG, OCI_INDEX, OCI_LAYER, OCI_MANIFEST, OciClient, sha256 } from '../support/oci-client.js';
import { describeOnEveryStore, startTestServer, type TestServer } from '../support/server.js';
import { describeRun, run, sleep } from '../support/tools.js';

/** What docker sends when it pulls a manifest. */
const DOCKER_ACCEPT = [OCI_MANIFEST, OCI_INDEX, 'application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.docker.distribution.manifest.list.v2+json'].join(', ');

/** Archives every old-* image but the newest. */
const ARCHIVE_OLD = JSON.stringify({
  rules: [
    {
      rulePriority: 1,
      description: 'archive old-* images but the newest',
      selection: { tagStatus: 'tagged', tagPrefixList: ['old'], countType: 'imageCountMoreThan', countNumber: 1 },
      action: { type: 'transition', targetStorageClass: 'archive' },
    },
  ],
});

interface PushedImage {
  tag: string;
  digest: string;
  manifest: Buffer;
  /** The config, then the layers. */
  blobs: (Descriptor & { content: string })[];
}

/** Pushes an image of a config and the given layers as docker does: the blobs the registry lacks (HEAD 404), then the manifest. */
async function pushImage(oci: OciClient, name: string, tag: string, layers: string[]): Promise<PushedImage> {
  const contents = [JSON.stringify({ architecture: 'amd64', os: 'linux', tag }), ...layers];
  const blobs = contents.map((content, i) => ({ mediaType: i === 0 ? OCI_CONFIG : OCI_LAYER, digest: sha256(content), size: Buffer.byteLength(content), content }));
  const { digest, bytes } = await pushAgain(oci, name, { tag, digest: '', manifest: Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: descriptor(blobs[0]!), layers: blobs.slice(1).map(descriptor) })), blobs });
  return { tag, digest, manifest: bytes, blobs };
}

/** Pushes the image as docker does; resolves with the pushed manifest and the blobs it had to upload. */
async function pushAgain(oci: OciClient, name: string, image: PushedImage): Promise<{ digest: string; bytes: Buffer; uploaded: string[] }> {
  const uploaded: string[] = [];
  for (const blob of image.blobs) {
    if ((await oci.request('HEAD', `/v2/${name}/blobs/${blob.digest}`)).status === 200) continue;
    await oci.pushBlob(name, blob.content, blob.mediaType);
    uploaded.push(blob.digest);
  }
  return { ...(await oci.pushManifest(name, image.tag, image.manifest.toString())), uploaded };
}

function descriptor({ mediaType, digest, size }: Descriptor): Descriptor {
  return { mediaType, digest, size };
}

/** Where the fs object store of the server keeps a key. */
function storedAt(server: TestServer, key: string): boolean {
  return existsSync(join(server.config.dataDir, 'storage', key));
}

const standardKey = (digest: string) => `blobs/sha256/${digest.slice(7, 9)}/${digest.slice(7)}`;
const archiveKey = (digest: string) => `archive/${standardKey(digest)}`;

function ecrError(name: string): (err: unknown) => boolean {
  return (err) => err instanceof ECRServiceException && err.name === name && err.$metadata.httpStatusCode === 400;
}

await describeOnEveryStore('ECR archive storage class', {}, (registry) => {
  let ecr: ECRClient;
  let archived: PushedImage;
  let kept: PushedImage;
  let sharer: PushedImage;
  const app = 'archive/app';
  const other = 'archive/other';
  const sharedLayer = 'a base layer two images share';

  const details = async (filter?: { imageStatus: 'ACTIVE' | 'ARCHIVED' | 'ACTIVATING' | 'ANY' }) =>
    (await ecr.send(new DescribeImagesCommand({ repositoryName: app, ...(filter && { filter }) }))).imageDetails ?? [];
  const statusOf = async (digest: string) => (await ecr.send(new DescribeImagesCommand({ repositoryName: app, imageIds: [{ imageDigest: digest }] }))).imageDetails?.[0];
  const get = (path: string, method = 'GET') => registry.oci.request(method, path, { headers: { accept: DOCKER_ACCEPT } });

  before(async () => {
    ecr = new ECRClient({ endpoint: registry.server.url, region: registry.server.config.region, credentials: registry.server.admin, maxAttempts: 1 });
    await ecr.send(new CreateRepositoryCommand({ repositoryName: app }));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: other }));
    archived = await pushImage(registry.oci, app, 'old-1', [sharedLayer, 'a layer only the archived image has']);
    // The rule keeps the youngest by push time: a later millisecond.
    await sleep(5);
    kept = await pushImage(registry.oci, app, 'old-2', ['a layer of the kept image']);
    sharer = await pushImage(registry.oci, other, 'v1', [sharedLayer, 'a layer of the other repository']);
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: app, lifecyclePolicyText: ARCHIVE_OLD }));
  });

  it('archives an image by a lifecycle transition: DescribeImages shows it ARCHIVED, ListImages lists it on request', async () => {
    const entries = await registry.server.services.registry.lifecycleRuns.run({ dryRun: false, repositoryName: app });
    assert.deepEqual(
      entries.map((e) => ({ digest: e.digest, action: e.action, applied: e.applied })),
      [{ digest: archived.digest, action: 'TRANSITION', applied: true }],
    );

    assert.deepEqual((await details()).map((d) => d.imageDigest), [kept.digest], 'only ACTIVE images unless asked');
    const [detail] = await details({ imageStatus: 'ARCHIVED' });
    assert.equal(detail?.imageDigest, archived.digest);
    assert.equal(detail?.imageStatus, 'ARCHIVED');
    assert.ok(detail?.lastArchivedAt instanceof Date && Math.abs(detail.lastArchivedAt.getTime() - Date.now()) < 60_000);
    assert.equal(detail?.lastActivatedAt, undefined);
    assert.equal((await statusOf(kept.digest))?.imageStatus, 'ACTIVE');
    assert.equal((await statusOf(archived.digest))?.imageStatus, 'ARCHIVED', 'an image asked for by id is described whatever its status');
    assert.equal((await details({ imageStatus: 'ANY' })).length, 2);
    assert.deepEqual(await details({ imageStatus: 'ACTIVATING' }), []);

    const listed = async (imageStatus?: 'ARCHIVED') => (await ecr.send(new ListImagesCommand({ repositoryName: app, ...(imageStatus && { filter: { imageStatus } }) }))).imageIds;
    assert.deepEqual(await listed(), [{ imageDigest: kept.digest, imageTag: 'old-2' }]);
    assert.deepEqual(await listed('ARCHIVED'), [{ imageDigest: archived.digest, imageTag: 'old-1' }]);

    const [event] = await registry.server.services.metadata.listAuditEvents({ repositoryName: app });
    assert.equal(event?.action, 'lifecycle.transition');
    assert.equal(event?.imageDigest, archived.digest);
  });

  it('moves the bytes only the archived image uses to the archive prefix, and leaves a shared layer in place', () => {
    const [config, shared, own] = archived.blobs;
    for (const blob of [config!, own!]) {
      assert.ok(storedAt(registry.server, archiveKey(blob.digest)), `${blob.digest} is in the archive`);
      assert.ok(!storedAt(registry.server, standardKey(blob.digest)), `${blob.digest} left standard storage`);
    }
    assert.ok(storedAt(registry.server, standardKey(shared!.digest)));
    assert.ok(!storedAt(registry.server, archiveKey(shared!.digest)));
  });

  it('refuses pulls of the archived image with 404 and a message that says how to restore it, as docker shows it', async () => {
    for (const reference of ['old-1', archived.digest]) {
      const res = await get(`/v2/${app}/manifests/${reference}`);
      assert.equal(res.status, 404);
      const { errors } = (await res.json()) as { errors: { code: string; message: string }[] };
      assert.equal(errors[0]?.code, 'MANIFEST_UNKNOWN');
      assert.match(errors[0]!.message, /is archived; restore it with UpdateImageStorageClass .*update-image-storage-class .*or push it again/);
      assert.equal((await get(`/v2/${app}/manifests/${reference}`, 'HEAD')).status, 404);
    }
    const [config, shared, own] = archived.blobs;
    for (const blob of [config!, own!]) {
      const res = await get(`/v2/${app}/blobs/${blob.digest}`);
      assert.equal(res.status, 404);
      assert.match(((await res.json()) as { errors: { message: string }[] }).errors[0]!.message, /archived/);
      assert.equal((await get(`/v2/${app}/blobs/${blob.digest}`, 'HEAD')).status, 404, 'so a push uploads it again');
    }
    const sharedRes = await get(`/v2/${app}/blobs/${shared!.digest}`);
    assert.equal(sharedRes.status, 200, 'a layer an active image shares stays pullable');
    assert.equal(sha256(Buffer.from(await sharedRes.arrayBuffer())), shared!.digest);
    assert.equal((await get(`/v2/${app}/manifests/old-2`)).status, 200);
    for (const blob of sharer.blobs) assert.equal((await get(`/v2/${other}/blobs/${blob.digest}`)).status, 200);
  });

  it('refuses them on the ECR API: BatchGetImage fails the image, GetDownloadUrlForLayer throws ImageArchivedException', async () => {
    const got = await ecr.send(new BatchGetImageCommand({ repositoryName: app, imageIds: [{ imageTag: 'old-1' }, { imageTag: 'old-2' }] }));
    assert.deepEqual(got.images?.map((i) => i.imageId?.imageTag), ['old-2']);
    assert.equal(got.failures?.length, 1);
    assert.deepEqual(got.failures?.[0]?.imageId, { imageTag: 'old-1' });
    assert.equal(got.failures?.[0]?.failureCode, 'ImageNotFound');
    assert.match(got.failures?.[0]?.failureReason ?? '', /archived/);

    const own = archived.blobs[2]!;
    await assert.rejects(ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: app, layerDigest: own.digest })), ecrError('ImageArchivedException'));
    const { layers } = await ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: app, layerDigests: [own.digest, archived.blobs[1]!.digest] }));
    assert.deepEqual(
      layers?.map((l) => [l.layerDigest, l.layerAvailability]),
      [
        [own.digest, 'ARCHIVED'],
        [archived.blobs[1]!.digest, 'AVAILABLE'],
      ],
    );
  });

  it('restores the image with UpdateImageStorageClass, and it pulls again byte for byte', async () => {
    const restored = await ecr.send(new UpdateImageStorageClassCommand({ repositoryName: app, imageId: { imageTag: 'old-1' }, targetStorageClass: 'STANDARD' }));
    assert.deepEqual(
      { registryId: restored.registryId, repositoryName: restored.repositoryName, imageId: restored.imageId, imageStatus: restored.imageStatus },
      { registryId: registry.server.config.accountId, repositoryName: app, imageId: { imageDigest: archived.digest, imageTag: 'old-1' }, imageStatus: 'ACTIVE' },
    );
    const detail = await statusOf(archived.digest);
    assert.equal(detail?.imageStatus, 'ACTIVE');
    assert.ok(detail?.lastActivatedAt instanceof Date && detail.lastArchivedAt instanceof Date && detail.lastActivatedAt >= detail.lastArchivedAt);

    const manifest = await get(`/v2/${app}/manifests/old-1`);
    assert.equal(manifest.status, 200);
    assert.deepEqual(Buffer.from(await manifest.arrayBuffer()), archived.manifest);
    for (const blob of archived.blobs) {
      const res = await get(`/v2/${app}/blobs/${blob.digest}`);
      assert.equal(res.status, 200);
      assert.equal(sha256(Buffer.from(await res.arrayBuffer())), blob.digest);
      assert.ok(storedAt(registry.server, standardKey(blob.digest)) && !storedAt(registry.server, archiveKey(blob.digest)), 'back in standard storage only');
    }
    const { downloadUrl } = await ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: app, layerDigest: archived.blobs[2]!.digest }));
    assert.ok(downloadUrl);
  });

  it('archives on demand, with an index and the images only it lists, and restores them together', async () => {
    const image = await pushImage(registry.oci, app, 'platform', ['a platform layer']);
    const { digest: index } = await registry.oci.pushManifest(app, 'multi', { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: image.digest, size: image.manifest.length, platform: { architecture: 'amd64', os: 'linux' } }] }, OCI_INDEX);
    const update = (imageId: { imageDigest?: string; imageTag?: string }, targetStorageClass: 'STANDARD' | 'ARCHIVE') =>
      ecr.send(new UpdateImageStorageClassCommand({ repositoryName: app, imageId, targetStorageClass }));

    await assert.rejects(update({ imageDigest: image.digest }, 'ARCHIVE'), (err) => err instanceof ImageStorageClassUpdateNotSupportedException && /listed by the image index/.test(err.message));
    assert.equal((await update({ imageTag: 'multi' }, 'ARCHIVE')).imageStatus, 'ARCHIVED');
    assert.equal((await statusOf(image.digest))?.imageStatus, 'ARCHIVED', 'the index took its image along');
    assert.equal((await update({ imageTag: 'multi' }, 'ARCHIVE')).imageStatus, 'ARCHIVED', 'asking again changes nothing');
    assert.equal((await get(`/v2/${app}/manifests/multi`)).status, 404);

    assert.equal((await update({ imageDigest: index }, 'STANDARD')).imageStatus, 'ACTIVE');
    assert.equal((await statusOf(image.digest))?.imageStatus, 'ACTIVE');
    assert.equal((await get(`/v2/${app}/manifests/multi`)).status, 200);
    assert.equal((await get(`/v2/${app}/manifests/${image.digest}`)).status, 200);
    assert.equal((await get(`/v2/${app}/blobs/${image.blobs[1]!.digest}`)).status, 200);

    // A referrer archived on its own: ListImageReferrers lists it only when asked for archived artifacts.
    const empty = await registry.oci.pushBlob(app, '{}', 'application/vnd.oci.empty.v1+json');
    const signature = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: 'application/vnd.example.signature', config: empty, layers: [], subject: { mediaType: OCI_MANIFEST, digest: image.digest, size: image.manifest.length } });
    await registry.oci.pushManifest(app, sha256(signature), signature);
    await update({ imageDigest: sha256(signature) }, 'ARCHIVE');
    const referrers = async (artifactStatus?: 'ARCHIVED' | 'ANY') =>
      (await ecr.send(new ListImageReferrersCommand({ repositoryName: app, subjectId: { imageDigest: image.digest }, ...(artifactStatus && { filter: { artifactStatus } }) }))).referrers?.map((r) => [r.digest, r.artifactStatus]);
    assert.deepEqual(await referrers(), []);
    assert.deepEqual(await referrers('ARCHIVED'), [[sha256(signature), 'ARCHIVED']]);
    assert.deepEqual(await referrers('ANY'), [[sha256(signature), 'ARCHIVED']]);
  });

  it('validates UpdateImageStorageClass as ECR does', async () => {
    const update = (input: { repositoryName?: string; imageId?: object; targetStorageClass?: string }) =>
      ecr.send(new UpdateImageStorageClassCommand({ repositoryName: app, imageId: { imageTag: 'old-2' }, targetStorageClass: 'ARCHIVE', ...input } as never));
    await assert.rejects(update({ imageId: { imageTag: 'no-such-tag' } }), ImageNotFoundException);
    await assert.rejects(update({ imageId: { imageDigest: sha256('no such image') } }), ImageNotFoundException);
    await assert.rejects(update({ repositoryName: 'archive/none' }), RepositoryNotFoundException);
    await assert.rejects(update({ imageId: {} }), InvalidParameterException);
    await assert.rejects(update({ targetStorageClass: 'GLACIER' }), (err) => err instanceof ECRServiceException && /targetStorageClass/.test(err.message));
    assert.equal((await statusOf(kept.digest))?.imageStatus, 'ACTIVE', 'nothing archived by a refused call');
  });

  it('is authorised as the IAM action ecr:UpdateImageStorageClass', async () => {
    const { identities } = registry.server.services;
    const account = registry.server.config.accountId;
    const clientOf = async (userName: string, actions: string[]) => {
      await identities.createUser(account, userName);
      await identities.putPolicy('user', account, userName, 'ecr', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] }));
      const { accessKeyId, secretAccessKey } = await identities.createAccessKey(account, userName);
      return new ECRClient({ endpoint: registry.server.url, region: registry.server.config.region, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
    };
    const reader = await clientOf('archive-reader', ['ecr:DescribeImages', 'ecr:BatchGetImage']);
    const archivist = await clientOf('archivist', ['ecr:UpdateImageStorageClass']);
    const update = (client: ECRClient, targetStorageClass: 'STANDARD' | 'ARCHIVE') =>
      client.send(new UpdateImageStorageClassCommand({ repositoryName: app, imageId: { imageTag: 'old-2' }, targetStorageClass }));

    await assert.rejects(update(reader, 'ARCHIVE'), (err) => ecrError('AccessDeniedException')(err) && /not authorized to perform: ecr:UpdateImageStorageClass on resource: .*repository\/archive\/app/.test((err as Error).message));
    assert.equal((await update(archivist, 'ARCHIVE')).imageStatus, 'ARCHIVED');
    assert.equal((await update(archivist, 'STANDARD')).imageStatus, 'ACTIVE');
  });

  it('restores an archived image that is pushed again, as docker pushes: what the registry lacks is uploaded', async () => {
    await ecr.send(new UpdateImageStorageClassCommand({ repositoryName: app, imageId: { imageTag: 'old-2' }, targetStorageClass: 'ARCHIVE' }));
    const pushed = await pushAgain(registry.oci, app, kept);
    assert.deepEqual(pushed.uploaded, kept.blobs.map((blob) => blob.digest), 'the archived blobs looked absent');
    assert.equal(pushed.digest, kept.digest);

    assert.equal((await statusOf(kept.digest))?.imageStatus, 'ACTIVE');
    for (const blob of kept.blobs) {
      const res = await get(`/v2/${app}/blobs/${blob.digest}`);
      assert.equal(res.status, 200);
      assert.equal(sha256(Buffer.from(await res.arrayBuffer())), blob.digest);
      assert.ok(!storedAt(registry.server, archiveKey(blob.digest)), 'the archived copy went');
    }
  });
});

const cliUnavailable = awsCliUnavailable();

describe('UpdateImageStorageClass through the aws CLI', { ...(cliUnavailable && { skip: cliUnavailable }) }, () => {
  it('archives and restores an image', async (t) => {
    const server = await startTestServer();
    try {
      const ecr = (...args: string[]) => aws(server.url, server.admin, server.config.region, ['ecr', ...args]);
      const help = await run('aws', ['ecr', 'update-image-storage-class', 'help'], { env: { ...process.env, AWS_PAGER: '', PAGER: 'cat' } });
      if (!help.stdout.includes('target-storage-class')) {
        t.skip('this aws CLI does not know update-image-storage-class');
        return;
      }
      assert.equal((await ecr('create-repository', '--repository-name', 'cli/app')).code, 0);
      const image = await pushImage(new OciClient(server.url, server.registryAuthorization), 'cli/app', 'v1', ['a layer']);
      for (const [target, status] of [
        ['ARCHIVE', 'ARCHIVED'],
        ['STANDARD', 'ACTIVE'],
      ] as const) {
        const result = await ecr('update-image-storage-class', '--repository-name', 'cli/app', '--image-id', 'imageTag=v1', '--target-storage-class', target);
        assert.equal(result.code, 0, describeRun(result));
        assert.deepEqual(JSON.parse(result.stdout), { registryId: server.config.accountId, repositoryName: 'cli/app', imageId: { imageDigest: image.digest, imageTag: 'v1' }, imageStatus: status });
      }
      const missing = await ecr('update-image-storage-class', '--repository-name', 'cli/app', '--image-id', 'imageTag=v2', '--target-storage-class', 'ARCHIVE');
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /ImageNotFoundException/);
    } finally {
      await server.close();
    }
  });
});
