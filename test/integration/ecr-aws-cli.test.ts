/**
 * The real `aws` CLI against the ECR API, with --endpoint-url and with AWS_ENDPOINT_URL, and no
 * configuration from the machine: registry login, repositories, image listing and deletion, policies,
 * retagging with put-image, and error exits. (CLI v1 has no `aws ecr wait image-exists` waiter.)
 * The wire is the same whatever the metadata store, so this runs on SQLite only.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type {
  BatchDeleteImageResponse,
  BatchGetImageResponse,
  CreateRepositoryResponse,
  DeleteRepositoryResponse,
  DescribeImagesResponse,
  DescribeRepositoriesResponse,
  GetDownloadUrlForLayerResponse,
  GetLifecyclePolicyResponse,
  GetRepositoryPolicyResponse,
  ListImagesResponse,
  PutImageResponse,
} from '@aws-sdk/client-ecr';
import { aws, awsCliUnavailable, awsEnv } from '../support/aws-cli.js';
import { OCI_MANIFEST, OciClient } from '../support/oci-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { describeRun, removeDir, type RunResult, run, tempDir } from '../support/tools.js';

const unavailable = awsCliUnavailable();

describe('ECR API through the aws CLI', { ...(unavailable && { skip: unavailable }) }, () => {
  let server: TestServer;
  let dir: string;
  before(async () => {
    server = await startTestServer();
    dir = tempDir('ecr-cli');
  });
  after(async () => {
    await server?.close();
    if (dir) removeDir(dir);
  });

  /** `aws ecr <args>` with --endpoint-url; the parsed JSON output (timestamps stay strings, unread here). */
  async function ecr<Output extends object = object>(...args: string[]): Promise<Output> {
    const result = await aws(server.url, server.admin, server.config.region, ['ecr', ...args]);
    assert.equal(result.code, 0, describeRun(result));
    return (result.stdout.trim() ? JSON.parse(result.stdout) : {}) as Output;
  }

  /** `aws ecr <args>` expected to fail with the named AWS error. */
  async function ecrFails(errorCode: string, ...args: string[]): Promise<RunResult> {
    const result = await aws(server.url, server.admin, server.config.region, ['ecr', ...args]);
    assert.notEqual(result.code, 0, describeRun(result));
    assert.match(result.stderr, new RegExp(`\\(${errorCode}\\)`), describeRun(result));
    return result;
  }

  function file(name: string, text: string): string {
    const target = path.join(dir, name);
    writeFileSync(target, text);
    return `file://${target}`;
  }

  it('logs in with get-login-password and manages a repository end to end', async () => {
    const login = await aws(server.url, server.admin, server.config.region, ['ecr', 'get-login-password']);
    assert.equal(login.code, 0, describeRun(login));
    const registryAuthorization = `Basic ${Buffer.from(`AWS:${login.stdout.trim()}`).toString('base64')}`;
    const oci = new OciClient(server.url, registryAuthorization);
    assert.equal((await oci.request('GET', '/v2/')).status, 200);

    const { repository } = await ecr<CreateRepositoryResponse>('create-repository', '--repository-name', 'cli/app', '--image-scanning-configuration', 'scanOnPush=true', '--tags', 'Key=team,Value=blue');
    assert.equal(repository?.repositoryUri, `${new URL(server.url).host}/cli/app`);
    assert.deepEqual(repository?.imageScanningConfiguration, { scanOnPush: true });
    await ecr('create-repository', '--repository-name', 'cli/other');
    await ecrFails('RepositoryAlreadyExistsException', 'create-repository', '--repository-name', 'cli/app');
    await ecrFails('InvalidParameterException', 'create-repository', '--repository-name', 'CLI/Upper');

    // docker push's part, with the password the CLI printed; v2 moves to a new image, leaving the first untagged.
    const first = await oci.pushImage('cli/app', 'v2', { seed: 'first' });
    const current = await oci.pushImage('cli/app', 'v1', { seed: 'current' });
    await oci.pushImage('cli/app', 'v2', { seed: 'current' });

    // AWS_ENDPOINT_URL instead of --endpoint-url; the CLI follows nextToken through pages of one.
    const described = await run('aws', ['ecr', 'describe-repositories', '--page-size', '1', '--output', 'json'], {
      env: awsEnv(server.admin, server.config.region, { AWS_ENDPOINT_URL: server.url }),
      timeoutMs: 60_000,
    });
    assert.equal(described.code, 0, describeRun(described));
    const { repositories } = JSON.parse(described.stdout) as DescribeRepositoriesResponse;
    assert.deepEqual(repositories?.map((r) => r.repositoryName).sort(), ['cli/app', 'cli/other']);
    await ecrFails('RepositoryNotFoundException', 'describe-repositories', '--repository-names', 'cli/absent');

    const untagged = await ecr<ListImagesResponse>('list-images', '--repository-name', 'cli/app', '--filter', 'tagStatus=UNTAGGED');
    assert.deepEqual(untagged.imageIds, [{ imageDigest: first.digest }]);
    const { imageDetails } = await ecr<DescribeImagesResponse>('describe-images', '--repository-name', 'cli/app', '--image-ids', 'imageTag=v1');
    assert.equal(imageDetails?.[0]?.imageDigest, current.digest);
    assert.deepEqual([...(imageDetails?.[0]?.imageTags ?? [])].sort(), ['v1', 'v2']);

    // Retagging as AWS documents it: batch-get-image's manifest back through put-image under a new tag.
    const { images } = await ecr<BatchGetImageResponse>('batch-get-image', '--repository-name', 'cli/app', '--image-ids', 'imageTag=v1');
    const manifest = images?.[0]?.imageManifest ?? '';
    assert.equal(manifest, current.bytes.toString());
    const retagged = await ecr<PutImageResponse>('put-image', '--repository-name', 'cli/app', '--image-tag', 'stable', '--image-manifest', file('manifest.json', manifest));
    assert.deepEqual(retagged.image?.imageId, { imageDigest: current.digest, imageTag: 'stable' });
    assert.equal(retagged.image?.imageManifestMediaType, OCI_MANIFEST);

    const download = await ecr<GetDownloadUrlForLayerResponse>('get-download-url-for-layer', '--repository-name', 'cli/app', '--layer-digest', current.layers[0]!.digest);
    const layer = await fetch(download.downloadUrl!);
    assert.equal(layer.status, 200);
    assert.equal(await layer.text(), 'layer 0 of current');

    const policyText = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${server.config.accountId}:root` }, Action: 'ecr:BatchGetImage' }] });
    await ecr('set-repository-policy', '--repository-name', 'cli/app', '--policy-text', file('policy.json', policyText));
    assert.equal((await ecr<GetRepositoryPolicyResponse>('get-repository-policy', '--repository-name', 'cli/app')).policyText, policyText);
    await ecrFails('InvalidParameterException', 'set-repository-policy', '--repository-name', 'cli/app', '--policy-text', '{"Statement":');
    const lifecycle = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 5 }, action: { type: 'expire' } }] });
    await ecr('put-lifecycle-policy', '--repository-name', 'cli/app', '--lifecycle-policy-text', file('lifecycle.json', lifecycle));
    assert.equal((await ecr<GetLifecyclePolicyResponse>('get-lifecycle-policy', '--repository-name', 'cli/app')).lifecyclePolicyText, lifecycle);

    const deleted = await ecr<BatchDeleteImageResponse>('batch-delete-image', '--repository-name', 'cli/app', '--image-ids', `imageDigest=${first.digest}`, 'imageTag=absent');
    assert.deepEqual(deleted.imageIds, [{ imageDigest: first.digest }]);
    assert.equal(deleted.failures?.[0]?.failureCode, 'ImageNotFound');
    assert.deepEqual((await ecr<ListImagesResponse>('list-images', '--repository-name', 'cli/app', '--filter', 'tagStatus=UNTAGGED')).imageIds, []);

    await ecrFails('RepositoryNotEmptyException', 'delete-repository', '--repository-name', 'cli/app');
    const removed = await ecr<DeleteRepositoryResponse>('delete-repository', '--repository-name', 'cli/app', '--force');
    assert.equal(removed.repository?.repositoryName, 'cli/app');
    await ecrFails('RepositoryNotFoundException', 'list-images', '--repository-name', 'cli/app');
  });
});
