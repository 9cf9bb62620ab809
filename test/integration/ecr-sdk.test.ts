/**
 * Every repository, image, layer, policy, tag, lifecycle-policy and creation-template operation of
 * the ECR API, driven over HTTP with the AWS SDK for JavaScript v3 (@aws-sdk/client-ecr): outputs,
 * the SDK's error classes, and its paginators.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, it } from 'node:test';
import {
  BatchCheckLayerAvailabilityCommand,
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  BatchGetRepositoryScanningConfigurationCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  CreateRepositoryCreationTemplateCommand,
  DeleteLifecyclePolicyCommand,
  DeleteRepositoryCommand,
  DeleteRepositoryCreationTemplateCommand,
  DeleteRepositoryPolicyCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  DescribeRepositoryCreationTemplatesCommand,
  ECRClient,
  EmptyUploadException,
  GetDownloadUrlForLayerCommand,
  GetLifecyclePolicyCommand,
  GetRepositoryPolicyCommand,
  ImageAlreadyExistsException,
  ImageDigestDoesNotMatchException,
  ImageNotFoundException,
  ImageTagAlreadyExistsException,
  InitiateLayerUploadCommand,
  InvalidLayerException,
  InvalidLayerPartException,
  InvalidParameterException,
  InvalidTagParameterException,
  LayerAlreadyExistsException,
  LayersNotFoundException,
  LifecyclePolicyNotFoundException,
  ListImageReferrersCommand,
  ListImagesCommand,
  ListTagsForResourceCommand,
  paginateDescribeImages,
  paginateDescribeRepositories,
  paginateListImages,
  PutImageCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
  RepositoryAlreadyExistsException,
  RepositoryNotEmptyException,
  RepositoryNotFoundException,
  RepositoryPolicyNotFoundException,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
  TemplateAlreadyExistsException,
  TemplateNotFoundException,
  TooManyTagsException,
  UntagResourceCommand,
  UpdateRepositoryCreationTemplateCommand,
  UploadLayerPartCommand,
  UploadNotFoundException,
  ECRServiceException,
} from '@aws-sdk/client-ecr';
import { OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, sha256 } from '../support/oci-client.js';
import { describeOnEveryStore, type TestServer } from '../support/server.js';

function ecrClient(server: TestServer, credentials: { accessKeyId: string; secretAccessKey: string } = server.admin): ECRClient {
  return new ECRClient({ endpoint: server.url, region: server.config.region, credentials, maxAttempts: 1 });
}

/** Uploads bytes as a layer with InitiateLayerUpload, UploadLayerPart (in parts of `partBytes`) and CompleteLayerUpload. */
async function uploadLayer(ecr: ECRClient, repositoryName: string, bytes: Uint8Array, partBytes = bytes.byteLength): Promise<string> {
  const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
  for (let first = 0; first < bytes.byteLength; first += partBytes) {
    const part = bytes.subarray(first, first + partBytes);
    await ecr.send(new UploadLayerPartCommand({ repositoryName, uploadId, partFirstByte: first, partLastByte: first + part.byteLength - 1, layerPartBlob: part }));
  }
  const { layerDigest } = await ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [sha256(bytes)] }));
  return layerDigest!;
}

interface PushedImage {
  digest: string;
  manifest: string;
  config: { digest: string; size: number };
  layer: { digest: string; size: number; bytes: Buffer };
}

/** An OCI image (a config and one layer) made of `seed`, uploaded with the layer operations and put with PutImage. */
async function putTestImage(ecr: ECRClient, repositoryName: string, seed: string, imageTag?: string, extra: object = {}): Promise<PushedImage> {
  const configBytes = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', seed }));
  const layerBytes = Buffer.concat([Buffer.from(`layer of ${seed}\n`), randomBytes(64)]);
  const config = { digest: await uploadLayer(ecr, repositoryName, configBytes), size: configBytes.byteLength };
  const layer = { digest: await uploadLayer(ecr, repositoryName, layerBytes), size: layerBytes.byteLength, bytes: layerBytes };
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, ...config },
    layers: [{ mediaType: OCI_LAYER, digest: layer.digest, size: layer.size }],
    ...extra,
  });
  const { image } = await ecr.send(new PutImageCommand({ repositoryName, imageManifest: manifest, ...(imageTag && { imageTag }) }));
  assert.equal(image?.imageId?.imageDigest, sha256(manifest));
  return { digest: sha256(manifest), manifest, config, layer };
}

/** An error ECR's model does not declare (AccessDeniedException and the protocol's own), which the SDK raises by name. */
function awsError(name: string): (err: unknown) => boolean {
  return (err) => err instanceof ECRServiceException && err.name === name;
}

async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(page);
  return all;
}

const policyAllowing = (principal: string, actions: string[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'grant', Effect: 'Allow', Principal: { AWS: principal }, Action: actions }] });

const LIFECYCLE_POLICY = JSON.stringify({
  rules: [{ rulePriority: 1, description: 'expire untagged images', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } }],
});

await describeOnEveryStore('ECR API through the AWS SDK for JavaScript', {}, (registry) => {
  let ecr: ECRClient;
  let account: string;
  let region: string;
  const arnOf = (name: string) => `arn:aws:ecr:${region}:${account}:repository/${name}`;
  before(() => {
    ecr = ecrClient(registry.server);
    account = registry.server.config.accountId;
    region = registry.server.config.region;
  });

  it('creates a repository with every setting and describes it as ECR does', async () => {
    const { repository } = await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: 'team/app',
        imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest*' }],
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'arn:aws:kms:us-east-1:123456789012:key/example' },
        tags: [{ Key: 'team', Value: 'blue' }],
      }),
    );
    assert.ok(repository);
    assert.equal(repository.repositoryArn, arnOf('team/app'));
    assert.equal(repository.registryId, account);
    assert.equal(repository.repositoryName, 'team/app');
    assert.equal(repository.repositoryUri, `${new URL(registry.server.url).host}/team/app`);
    assert.ok(repository.createdAt instanceof Date && Math.abs(repository.createdAt.getTime() - Date.now()) < 60_000);
    assert.equal(repository.imageTagMutability, 'IMMUTABLE_WITH_EXCLUSION');
    assert.deepEqual(repository.imageTagMutabilityExclusionFilters, [{ filterType: 'WILDCARD', filter: 'latest*' }]);
    assert.deepEqual(repository.imageScanningConfiguration, { scanOnPush: true });
    assert.deepEqual(repository.encryptionConfiguration, { encryptionType: 'KMS', kmsKey: 'arn:aws:kms:us-east-1:123456789012:key/example' });
    const { tags } = await ecr.send(new ListTagsForResourceCommand({ resourceArn: arnOf('team/app') }));
    assert.deepEqual(tags, [{ Key: 'team', Value: 'blue' }]);

    const { repositories } = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['team/app'] }));
    assert.deepEqual(repositories, [repository]);
    const { repository: plain } = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/plain' }));
    assert.equal(plain?.imageTagMutability, 'MUTABLE');
    assert.equal(plain?.imageTagMutabilityExclusionFilters, undefined);
    assert.deepEqual(plain?.imageScanningConfiguration, { scanOnPush: false });
    assert.deepEqual(plain?.encryptionConfiguration, { encryptionType: 'AES256' });

    await assert.rejects(ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/app' })), (err: unknown) => {
      assert.ok(err instanceof RepositoryAlreadyExistsException);
      assert.equal(err.message, `The repository with name 'team/app' already exists in the registry with id '${account}'`);
      return true;
    });
    await assert.rejects(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['team/app', 'team/absent'] })), RepositoryNotFoundException);
    await assert.rejects(ecr.send(new CreateRepositoryCommand({ repositoryName: 'Team/App' })), InvalidParameterException);
    await assert.rejects(ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/kms', encryptionConfiguration: { encryptionType: 'AES256', kmsKey: 'k' } })), InvalidParameterException);
  });

  it('pages DescribeRepositories with the SDK paginator', async () => {
    const names = ['paged/a', 'paged/b', 'paged/c', 'paged/d', 'paged/e'];
    for (const repositoryName of names) await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    const pages = await collect(paginateDescribeRepositories({ client: ecr, pageSize: 2 }, {}));
    assert.ok(pages.length >= 3);
    assert.ok(pages.slice(0, -1).every((page) => page.repositories?.length === 2 && page.nextToken));
    const listed = pages.flatMap((page) => page.repositories!.map((r) => r.repositoryName!));
    assert.deepEqual(listed, [...listed].sort());
    assert.equal(new Set(listed).size, listed.length);
    for (const name of names) assert.ok(listed.includes(name), name);
    await assert.rejects(ecr.send(new DescribeRepositoriesCommand({ nextToken: 'not-a-token' })), InvalidParameterException);
    await assert.rejects(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['paged/a'], maxResults: 5 })), InvalidParameterException);
  });

  it('changes tag mutability and scan on push, and holds immutable tags', async () => {
    const repositoryName = 'settings/app';
    await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    const mutability = await ecr.send(new PutImageTagMutabilityCommand({ repositoryName, imageTagMutability: 'IMMUTABLE' }));
    assert.deepEqual(
      { registryId: mutability.registryId, repositoryName: mutability.repositoryName, imageTagMutability: mutability.imageTagMutability, filters: mutability.imageTagMutabilityExclusionFilters },
      { registryId: account, repositoryName, imageTagMutability: 'IMMUTABLE', filters: undefined },
    );
    await putTestImage(ecr, repositoryName, 'first', 'v1');
    await assert.rejects(putTestImage(ecr, repositoryName, 'second', 'v1'), (err: unknown) => {
      assert.ok(err instanceof ImageTagAlreadyExistsException);
      assert.match(err.message, /The image tag 'v1' already exists in the 'settings\/app' repository and cannot be overwritten because the repository is immutable/);
      return true;
    });

    const excluded = await ecr.send(
      new PutImageTagMutabilityCommand({ repositoryName, imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'dev-*' }] }),
    );
    assert.deepEqual(excluded.imageTagMutabilityExclusionFilters, [{ filterType: 'WILDCARD', filter: 'dev-*' }]);
    await putTestImage(ecr, repositoryName, 'third', 'dev-1');
    await putTestImage(ecr, repositoryName, 'fourth', 'dev-1');
    await assert.rejects(ecr.send(new PutImageTagMutabilityCommand({ repositoryName, imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' })), InvalidParameterException);
    await assert.rejects(ecr.send(new PutImageTagMutabilityCommand({ repositoryName: 'settings/absent', imageTagMutability: 'MUTABLE' })), RepositoryNotFoundException);

    const scanning = await ecr.send(new PutImageScanningConfigurationCommand({ repositoryName, imageScanningConfiguration: { scanOnPush: true } }));
    assert.deepEqual(
      { registryId: scanning.registryId, repositoryName: scanning.repositoryName, imageScanningConfiguration: scanning.imageScanningConfiguration },
      { registryId: account, repositoryName, imageScanningConfiguration: { scanOnPush: true } },
    );
    const perRepository = await ecr.send(new BatchGetRepositoryScanningConfigurationCommand({ repositoryNames: [repositoryName, 'settings/absent'] }));
    assert.deepEqual(perRepository.scanningConfigurations, [
      { repositoryArn: `arn:aws:ecr:${region}:${account}:repository/${repositoryName}`, repositoryName, scanOnPush: true, scanFrequency: 'SCAN_ON_PUSH', appliedScanFilters: [] },
    ]);
    assert.deepEqual(perRepository.failures, [{ repositoryName: 'settings/absent', failureCode: 'REPOSITORY_NOT_FOUND', failureReason: 'REPOSITORY_NOT_FOUND' }]);
    const { repositories } = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] }));
    assert.equal(repositories?.[0]?.imageTagMutability, 'IMMUTABLE_WITH_EXCLUSION');
    assert.deepEqual(repositories?.[0]?.imageScanningConfiguration, { scanOnPush: true });
  });

  it('uploads layers in parts and reports upload errors as ECR does', async () => {
    const repositoryName = 'layers/app';
    await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    const bytes = randomBytes(100_000);
    const initiated = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
    assert.match(initiated.uploadId!, /^[0-9a-f-]{36}$/);
    assert.equal(initiated.partSize, 10 * 1024 * 1024);
    const uploadId = initiated.uploadId!;
    const first = await ecr.send(new UploadLayerPartCommand({ repositoryName, uploadId, partFirstByte: 0, partLastByte: 59_999, layerPartBlob: bytes.subarray(0, 60_000) }));
    assert.deepEqual(
      { registryId: first.registryId, repositoryName: first.repositoryName, uploadId: first.uploadId, lastByteReceived: first.lastByteReceived },
      { registryId: account, repositoryName, uploadId, lastByteReceived: 59_999 },
    );
    await assert.rejects(
      ecr.send(new UploadLayerPartCommand({ repositoryName, uploadId, partFirstByte: 70_000, partLastByte: 79_999, layerPartBlob: bytes.subarray(70_000, 80_000) })),
      (err: unknown) => {
        assert.ok(err instanceof InvalidLayerPartException);
        assert.equal(err.lastValidByteReceived, 59_999);
        assert.equal(err.uploadId, uploadId);
        return true;
      },
    );
    await ecr.send(new UploadLayerPartCommand({ repositoryName, uploadId, partFirstByte: 60_000, partLastByte: 99_999, layerPartBlob: bytes.subarray(60_000) }));
    await assert.rejects(ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [sha256('other bytes')] })), InvalidLayerException);
    const digest = await uploadLayer(ecr, repositoryName, bytes, 30_000);
    assert.equal(digest, sha256(bytes));
    const completedAgain = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
    await ecr.send(new UploadLayerPartCommand({ repositoryName, uploadId: completedAgain.uploadId, partFirstByte: 0, partLastByte: bytes.byteLength - 1, layerPartBlob: bytes }));
    await assert.rejects(ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId: completedAgain.uploadId, layerDigests: [digest] })), LayerAlreadyExistsException);

    const empty = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
    await assert.rejects(ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId: empty.uploadId, layerDigests: [digest] })), EmptyUploadException);
    await assert.rejects(
      ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId: '00000000-0000-4000-8000-000000000000', layerDigests: [digest] })),
      UploadNotFoundException,
    );
    await assert.rejects(ecr.send(new InitiateLayerUploadCommand({ repositoryName: 'layers/absent' })), RepositoryNotFoundException);

    const missing = sha256('not uploaded');
    const availability = await ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName, layerDigests: [digest, missing, 'not-a-digest'] }));
    assert.deepEqual(availability.layers, [{ layerDigest: digest, layerAvailability: 'AVAILABLE', layerSize: 100_000 }]);
    assert.deepEqual(
      availability.failures?.map((f) => [f.layerDigest, f.failureCode]),
      [
        [missing, 'MissingLayerDigest'],
        ['not-a-digest', 'InvalidLayerDigest'],
      ],
    );
  });

  it('hands out layer download URLs that fetch the bytes without credentials and refuse tampering', async () => {
    const repositoryName = 'download/app';
    await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    const image = await putTestImage(ecr, repositoryName, 'download', 'v1');
    const download = await ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName, layerDigest: image.layer.digest }));
    assert.equal(download.layerDigest, image.layer.digest);
    const downloadUrl = download.downloadUrl!;
    assert.ok(downloadUrl.startsWith(`${registry.server.url}/v2/${repositoryName}/blobs/${image.layer.digest}?download-token=`), downloadUrl);
    const fetched = await fetch(downloadUrl);
    assert.equal(fetched.status, 200);
    assert.deepEqual(Buffer.from(await fetched.arrayBuffer()), image.layer.bytes);

    const url = new URL(downloadUrl);
    const token = url.searchParams.get('download-token')!;
    const tampered = new URL(url);
    tampered.searchParams.set('download-token', `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`);
    const otherBlob = new URL(url);
    otherBlob.pathname = `/v2/${repositoryName}/blobs/${image.config.digest}`;
    const otherRepository = new URL(url);
    otherRepository.pathname = `/v2/download/other/blobs/${image.layer.digest}`;
    for (const refused of [tampered, otherBlob, otherRepository]) {
      const res = await fetch(refused);
      assert.ok(res.status === 401 || res.status === 403, `${refused.pathname}: ${res.status}`);
      await res.arrayBuffer();
    }
    await assert.rejects(ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName, layerDigest: sha256('absent') })), LayersNotFoundException);
    await assert.rejects(ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName, layerDigest: 'sha256:xyz' })), InvalidParameterException);
  });

  it('puts, lists, describes, gets and deletes images', async () => {
    const repositoryName = 'images/app';
    await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    const one = await putTestImage(ecr, repositoryName, 'one', 'v1');
    await ecr.send(new PutImageCommand({ repositoryName, imageManifest: one.manifest, imageTag: 'latest' }));
    const two = await putTestImage(ecr, repositoryName, 'two');
    await assert.rejects(ecr.send(new PutImageCommand({ repositoryName, imageManifest: one.manifest, imageTag: 'v1' })), ImageAlreadyExistsException);
    await assert.rejects(
      ecr.send(new PutImageCommand({ repositoryName, imageManifest: one.manifest, imageDigest: sha256('something else') })),
      ImageDigestDoesNotMatchException,
    );
    const orphan = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: one.config.digest, size: one.config.size },
      layers: [{ mediaType: OCI_LAYER, digest: sha256('never uploaded'), size: 14 }],
    });
    await assert.rejects(ecr.send(new PutImageCommand({ repositoryName, imageManifest: orphan, imageTag: 'orphan' })), LayersNotFoundException);
    await assert.rejects(ecr.send(new PutImageCommand({ repositoryName, imageManifest: '{"not":"a manifest"}', imageTag: 'bad' })), InvalidParameterException);
    const digestOnly = await ecr.send(new PutImageCommand({ repositoryName, imageManifest: two.manifest, imageDigest: two.digest }));
    assert.deepEqual(digestOnly.image, { registryId: account, repositoryName, imageId: { imageDigest: two.digest }, imageManifest: two.manifest, imageManifestMediaType: OCI_MANIFEST });

    const sortIds = (ids: { imageDigest?: string; imageTag?: string }[] | undefined) =>
      (ids ?? []).map((id) => `${id.imageDigest}:${id.imageTag ?? ''}`).sort();
    const all = await ecr.send(new ListImagesCommand({ repositoryName }));
    assert.deepEqual(sortIds(all.imageIds), sortIds([{ imageDigest: one.digest, imageTag: 'latest' }, { imageDigest: one.digest, imageTag: 'v1' }, { imageDigest: two.digest }]));
    const untagged = await ecr.send(new ListImagesCommand({ repositoryName, filter: { tagStatus: 'UNTAGGED' } }));
    assert.deepEqual(untagged.imageIds, [{ imageDigest: two.digest }]);
    const tagged = await ecr.send(new ListImagesCommand({ repositoryName, filter: { tagStatus: 'TAGGED' } }));
    assert.deepEqual(sortIds(tagged.imageIds), sortIds([{ imageDigest: one.digest, imageTag: 'latest' }, { imageDigest: one.digest, imageTag: 'v1' }]));
    assert.deepEqual((await ecr.send(new ListImagesCommand({ repositoryName, filter: { imageStatus: 'ARCHIVED' } }))).imageIds, []);

    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag: 'v1' }] }));
    assert.equal(imageDetails?.length, 1);
    const detail = imageDetails![0]!;
    assert.equal(detail.registryId, account);
    assert.equal(detail.repositoryName, repositoryName);
    assert.equal(detail.imageDigest, one.digest);
    assert.deepEqual([...(detail.imageTags ?? [])].sort(), ['latest', 'v1']);
    assert.equal(detail.imageSizeInBytes, one.config.size + one.layer.size);
    assert.ok(detail.imagePushedAt instanceof Date);
    assert.equal(detail.imageManifestMediaType, OCI_MANIFEST);
    assert.equal(detail.artifactMediaType, OCI_CONFIG);
    assert.equal(detail.imageStatus, 'ACTIVE');
    const untaggedDetails = await ecr.send(new DescribeImagesCommand({ repositoryName, filter: { tagStatus: 'UNTAGGED' } }));
    assert.deepEqual(untaggedDetails.imageDetails?.map((d) => d.imageDigest), [two.digest]);
    await assert.rejects(ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag: 'absent' }] })), (err: unknown) => {
      assert.ok(err instanceof ImageNotFoundException);
      assert.match(err.message, /The image with imageId \{imageDigest:'null', imageTag:'absent'\} does not exist within the repository with name 'images\/app'/);
      return true;
    });

    const got = await ecr.send(new BatchGetImageCommand({ repositoryName, imageIds: [{ imageTag: 'v1' }, { imageDigest: two.digest }, { imageTag: 'absent' }] }));
    assert.deepEqual(got.images, [
      { registryId: account, repositoryName, imageId: { imageDigest: one.digest, imageTag: 'v1' }, imageManifest: one.manifest, imageManifestMediaType: OCI_MANIFEST },
      { registryId: account, repositoryName, imageId: { imageDigest: two.digest }, imageManifest: two.manifest, imageManifestMediaType: OCI_MANIFEST },
    ]);
    assert.deepEqual(got.failures, [{ imageId: { imageTag: 'absent' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }]);
    const dockerOnly = await ecr.send(
      new BatchGetImageCommand({ repositoryName, imageIds: [{ imageTag: 'v1' }], acceptedMediaTypes: ['application/vnd.docker.distribution.manifest.v2+json'] }),
    );
    assert.deepEqual(dockerOnly.images, []);
    assert.equal(dockerOnly.failures?.[0]?.failureCode, 'ImageNotFound');

    const deleted = await ecr.send(new BatchDeleteImageCommand({ repositoryName, imageIds: [{ imageTag: 'latest' }, { imageDigest: two.digest }, { imageTag: 'absent' }] }));
    assert.deepEqual(deleted.imageIds, [{ imageDigest: one.digest, imageTag: 'latest' }, { imageDigest: two.digest }]);
    assert.deepEqual(deleted.failures?.map((f) => [f.imageId?.imageTag, f.failureCode]), [['absent', 'ImageNotFound']]);
    const left = await ecr.send(new ListImagesCommand({ repositoryName }));
    assert.deepEqual(left.imageIds, [{ imageDigest: one.digest, imageTag: 'v1' }]);
    await assert.rejects(ecr.send(new ListImagesCommand({ repositoryName: 'images/absent' })), RepositoryNotFoundException);
  });

  it('pages ListImages and DescribeImages with the SDK paginators', async () => {
    const repositoryName = 'images/paged';
    await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    const digests: string[] = [];
    for (let i = 0; i < 5; i++) digests.push((await putTestImage(ecr, repositoryName, `paged ${i}`, `t${i}`)).digest);
    const idPages = await collect(paginateListImages({ client: ecr, pageSize: 2 }, { repositoryName }));
    assert.ok(idPages.length >= 3);
    const listed = idPages.flatMap((page) => page.imageIds!.map((id) => id.imageDigest!));
    assert.deepEqual([...listed].sort(), [...digests].sort());
    const detailPages = await collect(paginateDescribeImages({ client: ecr, pageSize: 2 }, { repositoryName }));
    assert.ok(detailPages.length >= 3);
    const described = detailPages.flatMap((page) => page.imageDetails!.map((d) => d.imageDigest!));
    assert.deepEqual([...described].sort(), [...digests].sort());
    await assert.rejects(ecr.send(new ListImagesCommand({ repositoryName, maxResults: 1001 })), InvalidParameterException);
  });

  it('lists the referrers of an image', async () => {
    const repositoryName = 'images/referred';
    await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    const subject = await putTestImage(ecr, repositoryName, 'subject', 'v1');
    const subjectDescriptor = { mediaType: OCI_MANIFEST, digest: subject.digest, size: Buffer.byteLength(subject.manifest) };
    const signature = await putTestImage(ecr, repositoryName, 'signature', undefined, { artifactType: 'application/vnd.example.signature', subject: subjectDescriptor });
    const sbom = await putTestImage(ecr, repositoryName, 'sbom', undefined, {
      artifactType: 'application/spdx+json',
      subject: subjectDescriptor,
      annotations: { 'org.example.kind': 'sbom' },
    });
    const listed = await ecr.send(new ListImageReferrersCommand({ repositoryName, subjectId: { imageDigest: subject.digest } }));
    assert.deepEqual(
      listed.referrers?.map((r) => r.digest),
      [signature.digest, sbom.digest].sort(),
    );
    const sbomReferrer = listed.referrers?.find((r) => r.digest === sbom.digest);
    assert.deepEqual(sbomReferrer, {
      digest: sbom.digest,
      mediaType: OCI_MANIFEST,
      artifactType: 'application/spdx+json',
      size: Buffer.byteLength(sbom.manifest),
      annotations: { 'org.example.kind': 'sbom' },
      artifactStatus: 'ACTIVE',
    });
    const filtered = await ecr.send(
      new ListImageReferrersCommand({ repositoryName, subjectId: { imageDigest: subject.digest }, filter: { artifactTypes: ['application/spdx+json'] } }),
    );
    assert.deepEqual(filtered.referrers?.map((r) => r.digest), [sbom.digest]);
    const described = await ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageDigest: signature.digest }, { imageDigest: subject.digest }] }));
    const subjectOf = new Map(described.imageDetails?.map((d) => [d.imageDigest, d.subjectManifestDigest]));
    assert.equal(subjectOf.get(signature.digest), subject.digest, 'a referrer names its subject');
    assert.equal(subjectOf.get(subject.digest), undefined);
    const first = await ecr.send(new ListImageReferrersCommand({ repositoryName, subjectId: { imageDigest: subject.digest }, maxResults: 1 }));
    assert.equal(first.referrers?.length, 1);
    assert.ok(first.nextToken);
    const second = await ecr.send(new ListImageReferrersCommand({ repositoryName, subjectId: { imageDigest: subject.digest }, maxResults: 1, nextToken: first.nextToken }));
    assert.deepEqual([first.referrers![0]!.digest, second.referrers?.[0]?.digest], [signature.digest, sbom.digest].sort());
    assert.equal(second.nextToken, undefined);
    const none = await ecr.send(new ListImageReferrersCommand({ repositoryName, subjectId: { imageDigest: sha256('no such subject') } }));
    assert.deepEqual(none.referrers, []);
    await assert.rejects(ecr.send(new ListImageReferrersCommand({ repositoryName: 'images/absent', subjectId: { imageDigest: subject.digest } })), RepositoryNotFoundException);
  });

  it('sets, gets and deletes repository policies', async () => {
    const repositoryName = 'policy/app';
    await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    await assert.rejects(ecr.send(new GetRepositoryPolicyCommand({ repositoryName })), RepositoryPolicyNotFoundException);
    const policyText = policyAllowing(`arn:aws:iam::${account}:root`, ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']);
    const set = await ecr.send(new SetRepositoryPolicyCommand({ repositoryName, policyText }));
    assert.deepEqual({ registryId: set.registryId, repositoryName: set.repositoryName, policyText: set.policyText }, { registryId: account, repositoryName, policyText });
    const got = await ecr.send(new GetRepositoryPolicyCommand({ repositoryName }));
    assert.equal(got.policyText, policyText);
    await assert.rejects(ecr.send(new SetRepositoryPolicyCommand({ repositoryName, policyText: '{"Version": "2012-10-17", "Statement": [' })), (err: unknown) => {
      assert.ok(err instanceof InvalidParameterException);
      assert.match(err.message, /^Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided': .+/);
      return true;
    });
    const deleted = await ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName }));
    assert.equal(deleted.policyText, policyText);
    await assert.rejects(ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName })), RepositoryPolicyNotFoundException);
    await assert.rejects(ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'policy/absent', policyText })), RepositoryNotFoundException);
  });

  it('stores and returns lifecycle policies', async () => {
    const repositoryName = 'lifecycle/app';
    await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    await assert.rejects(ecr.send(new GetLifecyclePolicyCommand({ repositoryName })), LifecyclePolicyNotFoundException);
    const put = await ecr.send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText: LIFECYCLE_POLICY }));
    assert.deepEqual(
      { registryId: put.registryId, repositoryName: put.repositoryName, lifecyclePolicyText: put.lifecyclePolicyText },
      { registryId: account, repositoryName, lifecyclePolicyText: LIFECYCLE_POLICY },
    );
    const got = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName }));
    assert.equal(got.lifecyclePolicyText, LIFECYCLE_POLICY);
    assert.equal(got.lastEvaluatedAt, undefined);
    await assert.rejects(ecr.send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText: `{"rules": [${'x'.repeat(120)}` })), InvalidParameterException);
    await assert.rejects(ecr.send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText: '{"rules": []}' })), InvalidParameterException);
    const taggedWithoutTags = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 10 }, action: { type: 'expire' } }] });
    await assert.rejects(ecr.send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText: taggedWithoutTags })), (err: Error) => {
      assert.ok(err instanceof InvalidParameterException);
      assert.match(err.message, /^Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED\.?'/);
      return true;
    });
    const deleted = await ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName }));
    assert.equal(deleted.lifecyclePolicyText, LIFECYCLE_POLICY);
    await assert.rejects(ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName })), LifecyclePolicyNotFoundException);
  });

  it('tags and untags repositories by ARN', async () => {
    const repositoryName = 'tags/app';
    await ecr.send(new CreateRepositoryCommand({ repositoryName, tags: [{ Key: 'env', Value: 'dev' }] }));
    const resourceArn = arnOf(repositoryName);
    await ecr.send(new TagResourceCommand({ resourceArn, tags: [{ Key: 'env', Value: 'prod' }, { Key: 'owner', Value: 'team blue' }] }));
    const sortTags = (tags: { Key?: string }[] | undefined) => [...(tags ?? [])].sort((a, b) => (a.Key! < b.Key! ? -1 : 1));
    assert.deepEqual(sortTags((await ecr.send(new ListTagsForResourceCommand({ resourceArn }))).tags), [
      { Key: 'env', Value: 'prod' },
      { Key: 'owner', Value: 'team blue' },
    ]);
    await ecr.send(new UntagResourceCommand({ resourceArn, tagKeys: ['env', 'never-set'] }));
    assert.deepEqual((await ecr.send(new ListTagsForResourceCommand({ resourceArn }))).tags, [{ Key: 'owner', Value: 'team blue' }]);
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await assert.rejects(ecr.send(new TagResourceCommand({ resourceArn, tags: many })), TooManyTagsException);
    await assert.rejects(ecr.send(new TagResourceCommand({ resourceArn, tags: [{ Key: 'aws:reserved', Value: 'x' }] })), InvalidTagParameterException);
    await assert.rejects(ecr.send(new ListTagsForResourceCommand({ resourceArn: arnOf('tags/absent') })), RepositoryNotFoundException);
    await assert.rejects(ecr.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:s3:::bucket' })), InvalidParameterException);
    await assert.rejects(
      ecr.send(new ListTagsForResourceCommand({ resourceArn: `arn:aws:ecr:${region}:999999999999:repository/${repositoryName}` })),
      InvalidParameterException,
    );
  });

  it('creates, describes, updates and deletes repository creation templates, which create on push applies', async () => {
    const repositoryPolicy = policyAllowing(`arn:aws:iam::${account}:root`, ['ecr:BatchGetImage']);
    const created = await ecr.send(
      new CreateRepositoryCreationTemplateCommand({
        prefix: 'pushed',
        description: 'repositories created by pushes',
        appliedFor: ['CREATE_ON_PUSH'],
        imageTagMutability: 'IMMUTABLE',
        resourceTags: [{ Key: 'origin', Value: 'push' }],
        repositoryPolicy,
        lifecyclePolicy: LIFECYCLE_POLICY,
      }),
    );
    assert.equal(created.registryId, account);
    const template = created.repositoryCreationTemplate!;
    assert.equal(template.prefix, 'pushed');
    assert.equal(template.description, 'repositories created by pushes');
    assert.deepEqual(template.appliedFor, ['CREATE_ON_PUSH']);
    assert.equal(template.imageTagMutability, 'IMMUTABLE');
    assert.equal(template.imageTagMutabilityExclusionFilters, undefined);
    assert.deepEqual(template.encryptionConfiguration, { encryptionType: 'AES256' });
    assert.deepEqual(template.resourceTags, [{ Key: 'origin', Value: 'push' }]);
    assert.equal(template.repositoryPolicy, repositoryPolicy);
    assert.equal(template.lifecyclePolicy, LIFECYCLE_POLICY);
    assert.ok(template.createdAt instanceof Date && template.updatedAt instanceof Date);
    await assert.rejects(ecr.send(new CreateRepositoryCreationTemplateCommand({ prefix: 'pushed', appliedFor: ['CREATE_ON_PUSH'] })), TemplateAlreadyExistsException);
    await assert.rejects(
      ecr.send(new CreateRepositoryCreationTemplateCommand({ prefix: 'bad-policy', appliedFor: ['CREATE_ON_PUSH'], repositoryPolicy: '{"Statement": "nope"}' })),
      InvalidParameterException,
    );
    await assert.rejects(
      ecr.send(new CreateRepositoryCreationTemplateCommand({ prefix: 'bad-lifecycle', appliedFor: ['CREATE_ON_PUSH'], lifecyclePolicy: 'not json' })),
      InvalidParameterException,
    );

    const updated = await ecr.send(new UpdateRepositoryCreationTemplateCommand({ prefix: 'pushed', description: 'updated' }));
    assert.equal(updated.repositoryCreationTemplate?.description, 'updated');
    assert.equal(updated.repositoryCreationTemplate?.imageTagMutability, 'IMMUTABLE');
    // An empty text removes a setting; an absent one keeps it.
    await ecr.send(new CreateRepositoryCreationTemplateCommand({ prefix: 'cleared', appliedFor: ['CREATE_ON_PUSH'], description: 'gone soon', repositoryPolicy }));
    const cleared = await ecr.send(new UpdateRepositoryCreationTemplateCommand({ prefix: 'cleared', description: '', repositoryPolicy: '' }));
    assert.equal(cleared.repositoryCreationTemplate?.description, undefined);
    assert.equal(cleared.repositoryCreationTemplate?.repositoryPolicy, undefined);
    assert.deepEqual(cleared.repositoryCreationTemplate?.appliedFor, ['CREATE_ON_PUSH']);
    await ecr.send(new DeleteRepositoryCreationTemplateCommand({ prefix: 'cleared' }));
    await assert.rejects(ecr.send(new UpdateRepositoryCreationTemplateCommand({ prefix: 'absent', description: 'x' })), TemplateNotFoundException);
    await ecr.send(new CreateRepositoryCreationTemplateCommand({ prefix: 'ROOT', appliedFor: ['REPLICATION'] }));
    const described = await ecr.send(new DescribeRepositoryCreationTemplatesCommand({}));
    assert.deepEqual(described.repositoryCreationTemplates?.map((t) => t.prefix), ['ROOT', 'pushed']);
    const named = await ecr.send(new DescribeRepositoryCreationTemplatesCommand({ prefixes: ['pushed'] }));
    assert.deepEqual(named.repositoryCreationTemplates?.map((t) => t.description), ['updated']);
    await assert.rejects(ecr.send(new DescribeRepositoryCreationTemplatesCommand({ prefixes: ['absent'] })), TemplateNotFoundException);

    // A push to a missing repository under the prefix creates it with the template's settings, tags and policies.
    await registry.oci.pushImage('pushed/service', 'v1');
    const { repositories } = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['pushed/service'] }));
    assert.equal(repositories?.[0]?.imageTagMutability, 'IMMUTABLE');
    assert.deepEqual((await ecr.send(new ListTagsForResourceCommand({ resourceArn: arnOf('pushed/service') }))).tags, [{ Key: 'origin', Value: 'push' }]);
    assert.equal((await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'pushed/service' }))).policyText, repositoryPolicy);
    assert.equal((await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'pushed/service' }))).lifecyclePolicyText, LIFECYCLE_POLICY);

    const deleted = await ecr.send(new DeleteRepositoryCreationTemplateCommand({ prefix: 'pushed' }));
    assert.equal(deleted.repositoryCreationTemplate?.description, 'updated');
    await ecr.send(new DeleteRepositoryCreationTemplateCommand({ prefix: 'ROOT' }));
    await assert.rejects(ecr.send(new DeleteRepositoryCreationTemplateCommand({ prefix: 'pushed' })), TemplateNotFoundException);
    await assert.rejects(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['unprefixed/x'] })), RepositoryNotFoundException);
  });

  it('deletes repositories: empty ones, and ones with images only when forced', async () => {
    const repositoryName = 'delete/app';
    await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    await putTestImage(ecr, repositoryName, 'kept', 'v1');
    await assert.rejects(ecr.send(new DeleteRepositoryCommand({ repositoryName })), (err: unknown) => {
      assert.ok(err instanceof RepositoryNotEmptyException);
      assert.match(err.message, /cannot be deleted because it still contains images/);
      return true;
    });
    const { repository } = await ecr.send(new DeleteRepositoryCommand({ repositoryName, force: true }));
    assert.equal(repository?.repositoryName, repositoryName);
    assert.equal(repository?.repositoryArn, arnOf(repositoryName));
    await assert.rejects(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] })), RepositoryNotFoundException);
    await assert.rejects(ecr.send(new DeleteRepositoryCommand({ repositoryName })), RepositoryNotFoundException);
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'delete/empty' }));
    await ecr.send(new DeleteRepositoryCommand({ repositoryName: 'delete/empty' }));
  });

  it('authorises every operation, and applies policy and tag changes at once', async () => {
    const { identities } = registry.server.services;
    await identities.createUser(account, 'tagged-reader');
    await identities.putPolicy(
      'user',
      account,
      'tagged-reader',
      'read-blue',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['ecr:DescribeImages', 'ecr:ListImages'], Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'blue' } } }],
      }),
    );
    const reader = ecrClient(registry.server, await identities.createAccessKey(account, 'tagged-reader'));
    const repositoryName = 'access/app';
    await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    const resourceArn = arnOf(repositoryName);

    await assert.rejects(reader.send(new ListImagesCommand({ repositoryName })), (err: Error) => {
      assert.ok(awsError('AccessDeniedException')(err));
      assert.match(err.message, /is not authorized to perform: ecr:ListImages on resource: arn:aws:ecr:.*:repository\/access\/app/);
      return true;
    });
    await ecr.send(new TagResourceCommand({ resourceArn, tags: [{ Key: 'team', Value: 'blue' }] }));
    assert.deepEqual((await reader.send(new ListImagesCommand({ repositoryName }))).imageIds, []);
    await assert.rejects(reader.send(new InitiateLayerUploadCommand({ repositoryName })), awsError('AccessDeniedException'));
    await assert.rejects(reader.send(new CreateRepositoryCommand({ repositoryName: 'access/other' })), awsError('AccessDeniedException'));
    await ecr.send(new UntagResourceCommand({ resourceArn, tagKeys: ['team'] }));
    await assert.rejects(reader.send(new ListImagesCommand({ repositoryName })), awsError('AccessDeniedException'));

    const readerArn = `arn:aws:iam::${account}:user/tagged-reader`;
    await ecr.send(new SetRepositoryPolicyCommand({ repositoryName, policyText: policyAllowing(readerArn, ['ecr:ListImages']) }));
    assert.deepEqual((await reader.send(new ListImagesCommand({ repositoryName }))).imageIds, []);
    await ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName }));
    await assert.rejects(reader.send(new ListImagesCommand({ repositoryName })), awsError('AccessDeniedException'));

    // A repository deleted and made again does not keep the old one's policy.
    await ecr.send(new SetRepositoryPolicyCommand({ repositoryName, policyText: policyAllowing(readerArn, ['ecr:ListImages']) }));
    assert.deepEqual((await reader.send(new ListImagesCommand({ repositoryName }))).imageIds, []);
    await ecr.send(new DeleteRepositoryCommand({ repositoryName }));
    await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    await assert.rejects(reader.send(new ListImagesCommand({ repositoryName })), awsError('AccessDeniedException'));
  });
});
