/**
 * The ECR workflow end to end with the real aws CLI and docker, as ECR's own getting-started guide
 * runs it: create an immutable repository with scan on push, `aws ecr get-login-password | docker
 * login`, build, tag and push two tags, see a different image refused under an existing tag, describe
 * and list the images, delete a tag, delete the repository. Around it: `aws sts get-caller-identity`
 * through --endpoint-url and AWS_ENDPOINT_URL, a private /v2/, docker login with wrong credentials,
 * and an IAM user whose registry password dies with its deactivated access key.
 *
 * The server runs with a non-default account id and region, so the ARNs and URIs prove they are used.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestCredentials } from '../support/aws-request.js';
import type { BerthProcess } from '../support/berth-process.js';
import { describeRun, dockerWorks, httpRequest, removeDir, runOk, tempDir } from '../support/tools.js';
import { skipReason, startRegistry, targetKind, type RegistryUnderTest } from './harness.js';
import { DockerCli, pushedDigest, writeBuildContext, type BuildContext } from './local-images.js';
import { MANIFEST_ACCEPT, makeImage, type OciClient } from './oci.js';

const skip =
  skipReason('docker') ??
  (targetKind !== 'berth' ? `the ECR API is Berth's (BERTH_E2E_TARGET=${targetKind})` : dockerWorks() ? undefined : 'docker daemon not reachable (run .ci/e2e-setup.sh)');

const ACCOUNT = '123456789012';
const REGION = 'eu-west-2';

interface Repository {
  registryId: string;
  repositoryName: string;
  repositoryArn: string;
  repositoryUri: string;
  imageTagMutability: string;
  imageScanningConfiguration: { scanOnPush: boolean };
}

interface ImageId {
  imageDigest?: string;
  imageTag?: string;
}

interface ImageDetail {
  registryId: string;
  repositoryName: string;
  imageDigest: string;
  imageTags?: string[];
  imageSizeInBytes: number;
  /** Epoch seconds as sent (the CLI's default timestamp format), or ISO 8601 when configured so. */
  imagePushedAt: number | string;
  imageManifestMediaType: string;
}

function epochMs(timestamp: number | string): number {
  return typeof timestamp === 'number' ? timestamp * 1000 : Date.parse(timestamp);
}

/** Image ids in a stable order, for comparing lists. */
function sortedIds(ids: readonly ImageId[]): ImageId[] {
  const key = (i: ImageId) => `${i.imageDigest ?? ''} ${i.imageTag ?? ''}`;
  return [...ids].sort((a, b) => key(a).localeCompare(key(b)));
}

describe('ECR workflow: aws CLI and docker', { skip }, () => {
  let work: string;
  let registry: RegistryUnderTest;
  let berth: BerthProcess;
  let client: OciClient;
  let docker: DockerCli;
  let context: BuildContext;
  const id = randomBytes(4).toString('hex');
  const repo = `e2e/workflow-${id}`;
  const localTag = `berth-e2e/workflow:${id}`;
  const toRemove: string[] = [localTag];
  let uri: string;
  let digest: string;
  let pushStarted: number;

  /** `aws <args>` against the server (as the administrator unless told), its JSON output parsed. */
  async function aws<T>(args: readonly string[], credentials?: TestCredentials): Promise<T> {
    return JSON.parse(await berth.awsOk(args, { credentials })) as T;
  }

  /** `aws <args>`, expected to fail with this AWS error code. */
  async function awsFails(args: readonly string[], code: string, credentials?: TestCredentials): Promise<void> {
    const result = await berth.aws(args, { credentials });
    assert.notEqual(result.code, 0, `expected ${code}:\n${describeRun(result)}`);
    assert.match(result.stderr, new RegExp(`\\(${code}\\)`), describeRun(result));
  }

  before(async () => {
    work = tempDir('ecr-workflow');
    registry = await startRegistry({ accountId: ACCOUNT, region: REGION });
    assert.ok(registry.berth, 'the ECR workflow needs Berth');
    berth = registry.berth;
    client = await registry.client();
    docker = new DockerCli(path.join(work, 'docker-config'));
    context = writeBuildContext(path.join(work, 'ctx'), `workflow-${id}`);
    await docker.ok(['build', '-q', '-t', localTag, context.dir]);
  });

  after(async () => {
    await docker?.run(['rmi', '-f', ...toRemove]);
    await registry?.cleanup();
    if (work) removeDir(work);
  });

  it('is private: GET /v2/ without credentials answers 401 with a Basic challenge', async () => {
    const res = await httpRequest(`${registry.url}/v2/`);
    assert.equal(res.status, 401);
    assert.match(res.header('www-authenticate') ?? '', /^Basic realm="[^"]+"/, 'docker needs a Basic challenge to send its login');
  });

  it('aws sts get-caller-identity prints the account id, through --endpoint-url and through AWS_ENDPOINT_URL', async () => {
    const args = ['sts', 'get-caller-identity', '--query', 'Account', '--output', 'text'];
    assert.equal((await berth.awsOk(args)).trim(), ACCOUNT);
    const viaEnv = await runOk('aws', args, { env: { ...berth.awsEnv(), AWS_ENDPOINT_URL: berth.url } });
    assert.equal(viaEnv.stdout.trim(), ACCOUNT);
    const identity = await aws<{ Account: string; Arn: string }>(['sts', 'get-caller-identity']);
    assert.match(identity.Arn, new RegExp(`^arn:aws:iam::${ACCOUNT}:user/`), 'the administrator is an IAM user of the account');
  });

  it('aws ecr create-repository makes an immutable repository that scans on push', async () => {
    const { repository } = await aws<{ repository: Repository }>([
      'ecr', 'create-repository', '--repository-name', repo,
      '--image-tag-mutability', 'IMMUTABLE', '--image-scanning-configuration', 'scanOnPush=true',
    ]);
    assert.equal(repository.repositoryName, repo);
    assert.equal(repository.repositoryUri, `${registry.host}/${repo}`);
    assert.equal(repository.repositoryArn, `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${repo}`);
    assert.equal(repository.registryId, ACCOUNT);
    assert.equal(repository.imageTagMutability, 'IMMUTABLE');
    assert.equal(repository.imageScanningConfiguration.scanOnPush, true);
    uri = repository.repositoryUri;

    const described = await aws<{ repositories: Repository[] }>(['ecr', 'describe-repositories', '--repository-names', repo]);
    assert.deepEqual(described.repositories, [repository]);
  });

  it('aws ecr get-login-password | docker login --username AWS --password-stdin', async () => {
    const login = await runOk('bash', ['-o', 'pipefail', '-c', 'aws ecr get-login-password --endpoint-url "$ENDPOINT" | docker login --username AWS --password-stdin "$REGISTRY"'], {
      env: { ...berth.awsEnv(), DOCKER_CONFIG: docker.env.DOCKER_CONFIG, ENDPOINT: berth.url, REGISTRY: registry.host },
    });
    assert.match(login.stdout, /Login Succeeded/, describeRun(login));
  });

  it('docker tags the built image twice and pushes both tags', async () => {
    pushStarted = Date.now();
    const digests: string[] = [];
    for (const tag of ['v1', 'v2']) {
      await docker.ok(['tag', localTag, `${uri}:${tag}`]);
      toRemove.push(`${uri}:${tag}`);
      digests.push(pushedDigest(await docker.ok(['push', `${uri}:${tag}`])));
    }
    assert.equal(digests[0], digests[1], 'both tags name the same manifest');
    digest = digests[0]!;
  });

  it('refuses a different image under an existing tag: the repository is immutable', async (t) => {
    const other = writeBuildContext(path.join(work, 'ctx-other'), `workflow-other-${id}`);
    const ref = `${uri}:v1`;
    await docker.ok(['build', '-q', '-t', ref, other.dir]);
    const refused = await docker.run(['push', ref]);
    assert.notEqual(refused.code, 0, `overwriting an immutable tag succeeded:\n${describeRun(refused)}`);
    const message = `The image tag 'v1' already exists in the '${repo}' repository and cannot be overwritten because the repository is immutable.`;
    assert.ok(`${refused.stdout}\n${refused.stderr}`.includes(message), `docker should show ECR's message "${message}":\n${describeRun(refused)}`);
    t.diagnostic(`refused: ${(refused.stderr || refused.stdout).trim().split('\n').pop()}`);

    const head = await client.expect('HEAD', `/v2/${repo}/manifests/v1`, [200], { headers: { Accept: MANIFEST_ACCEPT } });
    assert.equal(head.header('docker-content-digest'), digest, 'v1 still names the first image');
  });

  it('aws ecr describe-images reports the pushed image: digest, tags, size, push time, manifest media type', async (t) => {
    const { imageDetails } = await aws<{ imageDetails: ImageDetail[] }>(['ecr', 'describe-images', '--repository-name', repo]);
    assert.equal(imageDetails.length, 1, `one image (the refused push left none): ${JSON.stringify(imageDetails)}`);
    const detail = imageDetails[0]!;
    assert.equal(detail.registryId, ACCOUNT);
    assert.equal(detail.repositoryName, repo);
    assert.equal(detail.imageDigest, digest);
    assert.deepEqual([...(detail.imageTags ?? [])].sort(), ['v1', 'v2']);
    assert.equal(detail.imageManifestMediaType, 'application/vnd.docker.distribution.manifest.v2+json', 'docker pushes Docker v2 schema 2 manifests');

    const pushedAt = epochMs(detail.imagePushedAt);
    assert.ok(pushedAt >= pushStarted - 5_000 && pushedAt <= Date.now() + 5_000, `imagePushedAt ${detail.imagePushedAt} is not the time of the push`);

    // The compressed size in the registry: the layers (ECR's documentation leaves open whether the
    // small config blob counts, so either is accepted).
    const manifest = (await client.expect('GET', `/v2/${repo}/manifests/${digest}`, [200], { headers: { Accept: MANIFEST_ACCEPT } })).json<{
      config: { size: number };
      layers: Array<{ size: number }>;
    }>();
    const layerBytes = manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
    assert.ok(
      detail.imageSizeInBytes === layerBytes || detail.imageSizeInBytes === layerBytes + manifest.config.size,
      `imageSizeInBytes ${detail.imageSizeInBytes}: expected the layers' ${layerBytes} bytes, or ${layerBytes + manifest.config.size} with the config`,
    );
    t.diagnostic(`${digest}: ${detail.imageSizeInBytes} bytes (layers ${layerBytes}, config ${manifest.config.size})`);

    const byTag = await aws<{ imageDetails: ImageDetail[] }>(['ecr', 'describe-images', '--repository-name', repo, '--image-ids', 'imageTag=v2']);
    assert.deepEqual(byTag.imageDetails, imageDetails);
  });

  it('aws ecr list-images --filter tagStatus=UNTAGGED lists only an image pushed by digest', async () => {
    const untagged = makeImage({ architecture: 'amd64', files: [{ name: 'untagged.txt', content: `untagged ${id}\n` }] });
    const untaggedDigest = untagged.manifest.descriptor.digest;
    await client.pushImage(repo, untaggedDigest, untagged);

    const onlyUntagged = await aws<{ imageIds: ImageId[] }>(['ecr', 'list-images', '--repository-name', repo, '--filter', 'tagStatus=UNTAGGED']);
    assert.deepEqual(onlyUntagged.imageIds, [{ imageDigest: untaggedDigest }]);
    const tagged = await aws<{ imageIds: ImageId[] }>(['ecr', 'list-images', '--repository-name', repo, '--filter', 'tagStatus=TAGGED']);
    assert.deepEqual(sortedIds(tagged.imageIds), [{ imageDigest: digest, imageTag: 'v1' }, { imageDigest: digest, imageTag: 'v2' }]);
  });

  it('aws ecr batch-delete-image --image-ids imageTag=v1 removes that tag, and the image still pulls by v2', async () => {
    const deleted = await aws<{ imageIds: ImageId[]; failures: Array<{ imageId: ImageId; failureCode: string }> }>([
      'ecr', 'batch-delete-image', '--repository-name', repo, '--image-ids', 'imageTag=v1', `imageTag=missing-${id}`,
    ]);
    assert.deepEqual(deleted.imageIds, [{ imageDigest: digest, imageTag: 'v1' }]);
    assert.deepEqual(
      deleted.failures.map((f) => [f.imageId.imageTag, f.failureCode]),
      [[`missing-${id}`, 'ImageNotFound']],
    );

    const tagged = await aws<{ imageIds: ImageId[] }>(['ecr', 'list-images', '--repository-name', repo, '--filter', 'tagStatus=TAGGED']);
    assert.deepEqual(tagged.imageIds, [{ imageDigest: digest, imageTag: 'v2' }]);
    await client.expect('GET', `/v2/${repo}/manifests/v1`, [404], { headers: { Accept: MANIFEST_ACCEPT } });

    const imageId = (await docker.ok(['image', 'inspect', '--format', '{{.Id}}', localTag])).trim();
    await docker.ok(['rmi', '-f', imageId]);
    await docker.ok(['pull', `${uri}:v2`]);
    assert.equal((await docker.ok(['image', 'inspect', '--format', '{{.Id}}', `${uri}:v2`])).trim(), imageId);
    if (context.runnable) assert.equal(await docker.ok(['run', '--rm', '--network', 'none', `${uri}:v2`]), context.files['/data/one.txt']);
  });

  it('aws ecr delete-repository refuses a repository with images, and deletes it with --force', async () => {
    await awsFails(['ecr', 'delete-repository', '--repository-name', repo], 'RepositoryNotEmptyException');
    const { repository } = await aws<{ repository: Repository }>(['ecr', 'delete-repository', '--repository-name', repo, '--force']);
    assert.equal(repository.repositoryName, repo);
    assert.equal(repository.repositoryArn, `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${repo}`);
    await awsFails(['ecr', 'describe-repositories', '--repository-names', repo], 'RepositoryNotFoundException');
    const pull = await docker.run(['pull', `${uri}:v2`]);
    assert.notEqual(pull.code, 0, `pulled from a deleted repository:\n${describeRun(pull)}`);
  });

  it('docker login fails with a wrong password, a tampered one, or a user other than AWS', async () => {
    const outsider = new DockerCli(path.join(work, 'docker-outsider'));
    const password = await berth.registryPassword();
    const tampered = `${password.slice(0, -2)}${password.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const [username, secret] of [['AWS', 'not-a-registry-password'], ['AWS', tampered], ['admin', password]] as const) {
      const login = await outsider.run(['login', '--username', username, '--password-stdin', registry.host], { input: secret });
      assert.notEqual(login.code, 0, `docker login as ${username} with a bad password succeeded:\n${describeRun(login)}`);
    }
  });

  it("a user's registry password stops working once the user's access key is deactivated", async (t) => {
    const userName = `e2e-puller-${id}`;
    const { User } = await aws<{ User: { UserName: string; Arn: string } }>(['iam', 'create-user', '--user-name', userName]);
    assert.equal(User.Arn, `arn:aws:iam::${ACCOUNT}:user/${userName}`);
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] });
    await berth.awsOk(['iam', 'put-user-policy', '--user-name', userName, '--policy-name', 'ecr-all', '--policy-document', policy]);
    const { AccessKey } = await aws<{ AccessKey: { AccessKeyId: string; SecretAccessKey: string; Status: string } }>(['iam', 'create-access-key', '--user-name', userName]);
    assert.equal(AccessKey.Status, 'Active');
    const user: TestCredentials = { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
    assert.equal((await aws<{ Arn: string }>(['sts', 'get-caller-identity'], user)).Arn, User.Arn);

    // The user pushes and pulls with its own login.
    const userRepo = `e2e/keys-${id}`;
    await registry.createRepository(userRepo);
    const ref = `${registry.host}/${userRepo}:v1`;
    const userDocker = new DockerCli(path.join(work, 'docker-user'));
    await userDocker.ok(['login', '--username', 'AWS', '--password-stdin', registry.host], { input: await berth.registryPassword(user) });
    await userDocker.ok(['build', '-q', '-t', ref, context.dir]);
    toRemove.push(ref);
    await userDocker.ok(['push', ref]);
    await userDocker.ok(['rmi', ref]);
    await userDocker.ok(['pull', ref]);

    await berth.awsOk(['iam', 'update-access-key', '--user-name', userName, '--access-key-id', user.accessKeyId, '--status', 'Inactive']);
    const { AccessKeyMetadata } = await aws<{ AccessKeyMetadata: Array<{ AccessKeyId: string; Status: string }> }>(['iam', 'list-access-keys', '--user-name', userName]);
    assert.deepEqual(AccessKeyMetadata.map((k) => [k.AccessKeyId, k.Status]), [[user.accessKeyId, 'Inactive']]);

    await userDocker.ok(['rmi', ref]);
    const pull = await userDocker.run(['pull', ref]);
    assert.notEqual(pull.code, 0, `pulled with the password of a deactivated key:\n${describeRun(pull)}`);
    t.diagnostic(`refused: ${(pull.stderr || pull.stdout).trim().split('\n').pop()}`);
    const relogin = await berth.aws(['ecr', 'get-login-password'], { credentials: user });
    assert.notEqual(relogin.code, 0, `a deactivated key got a new registry password:\n${describeRun(relogin)}`);
  });
});
