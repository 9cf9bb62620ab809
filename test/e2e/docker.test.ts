/**
 * The docker CLI (through a real dockerd) against the registry under test, over plain HTTP on
 * loopback (docker treats 127.0.0.0/8 as an insecure registry), logged in with `docker login`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { describeRun, dockerWorks, removeDir, tempDir } from '../support/tools.js';
import { skipReason, startRegistry, type RegistryUnderTest } from './harness.js';
import { MANIFEST_ACCEPT, MT, type OciClient } from './oci.js';
import { DockerCli, pushedDigest, writeBuildContext, type BuildContext } from './local-images.js';

const skip = skipReason('docker') ?? (dockerWorks() ? undefined : 'docker daemon not reachable (run .ci/e2e-setup.sh)');

describe('docker push/pull', { skip }, () => {
  let registry: RegistryUnderTest;
  let client: OciClient;
  let work: string;
  let context: BuildContext;
  let docker: DockerCli;
  const id = randomBytes(4).toString('hex');
  const localTag = `berth-e2e/docker-app:${id}`;
  const toRemove: string[] = [localTag];

  before(async () => {
    work = tempDir('docker');
    registry = await startRegistry();
    client = await registry.client();
    docker = new DockerCli(path.join(work, 'docker-config'));
    await docker.login(registry);
    context = writeBuildContext(path.join(work, 'ctx'), `docker-${id}`);
    await docker.ok(['build', '-q', '-t', localTag, context.dir]);
  });

  after(async () => {
    if (toRemove.length) await docker?.run(['rmi', '-f', ...toRemove]);
    await registry?.cleanup();
    if (work) removeDir(work);
  });

  it('pushes a multi-layer image with two tags, pulls it back after rmi, and runs it', async (t) => {
    const repo = 'e2e/docker-app';
    await registry.createRepository(repo);
    const ref = `${registry.host}/${repo}`;
    const imageId = (await docker.ok(['image', 'inspect', '--format', '{{.Id}}', localTag])).trim();
    const layers = JSON.parse(await docker.ok(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', localTag])) as string[];
    assert.ok(layers.length >= 2, `expected a multi-layer image, got ${layers.length} layers`);

    const digests: string[] = [];
    for (const tag of ['v1', 'v2']) {
      await docker.ok(['tag', localTag, `${ref}:${tag}`]);
      toRemove.push(`${ref}:${tag}`);
      digests.push(pushedDigest(await docker.ok(['push', `${ref}:${tag}`])));
    }
    assert.equal(digests[0], digests[1], 'both tags name the same manifest');
    const digest = digests[0]!;
    t.diagnostic(`pushed ${ref}:v1 and :v2 as ${digest} (${layers.length} layers)`);

    // The registry agrees, over the wire.
    const head = await client.request('HEAD', `/v2/${repo}/manifests/v1`, { headers: { Accept: MANIFEST_ACCEPT } });
    assert.equal(head.status, 200, `HEAD manifest v1 -> ${head.status}`);
    assert.equal(head.header('docker-content-digest'), digest);
    const tags = await client.expect('GET', `/v2/${repo}/tags/list`, [200]);
    assert.deepEqual([...tags.json<{ tags: string[] }>().tags].sort(), ['v1', 'v2']);

    // Forget the image locally, then pull it back.
    await docker.ok(['rmi', '-f', imageId]);
    const gone = await docker.run(['image', 'inspect', imageId]);
    assert.notEqual(gone.code, 0, 'image still present after rmi');

    await docker.ok(['pull', `${ref}:v1`]);
    await docker.ok(['pull', `${ref}@${digest}`]);
    toRemove.push(`${ref}@${digest}`);
    const pulledId = (await docker.ok(['image', 'inspect', '--format', '{{.Id}}', `${ref}:v1`])).trim();
    assert.equal(pulledId, imageId, 'the pulled image has the same config digest (image id) as the one built');
    const repoDigests = JSON.parse(await docker.ok(['image', 'inspect', '--format', '{{json .RepoDigests}}', `${ref}:v1`])) as string[];
    assert.ok(repoDigests.includes(`${ref}@${digest}`), `RepoDigests ${JSON.stringify(repoDigests)} lacks ${ref}@${digest}`);

    if (context.runnable) {
      const out = await docker.ok(['run', '--rm', '--network', 'none', `${ref}:v1`]);
      assert.equal(out, context.files['/data/one.txt']);
      const two = await docker.ok(['run', '--rm', '--network', 'none', `${ref}@${digest}`, '/bin/busybox', 'cat', '/data/two.txt']);
      assert.equal(two, context.files['/data/two.txt']);
    } else {
      t.diagnostic('no static busybox: compared digests only, did not run a container');
    }
  });

  it('refuses a push to a repository that does not exist, and accepts it after `aws ecr create-repository`', async (t) => {
    if (!registry.caps.explicitRepositories) {
      t.skip(`${registry.kind} creates repositories on push`);
      return;
    }
    const repo = `e2e/not-created-${id}`;
    const ref = `${registry.host}/${repo}:v1`;
    // The first test removes the local image; build it again (cheap) so this test stands alone.
    await docker.ok(['build', '-q', '-t', localTag, context.dir]);
    await docker.ok(['tag', localTag, ref]);
    toRemove.push(ref);

    const refused = await docker.run(['push', ref]);
    assert.notEqual(refused.code, 0, `push to a missing repository succeeded:\n${describeRun(refused)}`);
    assert.match(`${refused.stdout}\n${refused.stderr}`, /does not exist/i, `the error should say the repository does not exist:\n${describeRun(refused)}`);
    t.diagnostic(`refused as expected: ${(refused.stderr || refused.stdout).trim().split('\n').pop()}`);

    await registry.createRepository(repo);
    const digest = pushedDigest(await docker.ok(['push', ref]));
    const head = await client.request('HEAD', `/v2/${repo}/manifests/v1`, { headers: { Accept: MANIFEST_ACCEPT } });
    assert.equal(head.status, 200);
    assert.equal(head.header('docker-content-digest'), digest);
  });

  it('pushes the same layers to a second repository (cross-repository mount) and pulls from there', async () => {
    const source = 'e2e/mount-source';
    const mirror = 'e2e/mount-target';
    await registry.createRepository(source);
    await registry.createRepository(mirror);
    // Push to `source` first: dockerd then remembers where the layers are and mounts them.
    const sourceRef = `${registry.host}/${source}:v1`;
    await docker.ok(['build', '-q', '-t', sourceRef, context.dir]);
    toRemove.push(sourceRef);
    await docker.ok(['push', sourceRef]);
    const ref = `${registry.host}/${mirror}:v1`;
    await docker.ok(['tag', sourceRef, ref]);
    toRemove.push(ref);
    const digest = pushedDigest(await docker.ok(['push', ref]));
    const manifest = (await client.expect('GET', `/v2/${mirror}/manifests/${digest}`, [200], { headers: { Accept: MANIFEST_ACCEPT } })).json<{
      config: { digest: string; size: number };
      layers: Array<{ digest: string; size: number }>;
    }>();
    for (const blob of [manifest.config, ...manifest.layers]) {
      const head = await client.expect('HEAD', `/v2/${mirror}/blobs/${blob.digest}`, [200]);
      assert.equal(Number(head.header('content-length')), blob.size, `${blob.digest} in ${mirror}`);
    }
    const imageId = (await docker.ok(['image', 'inspect', '--format', '{{.Id}}', ref])).trim();
    await docker.ok(['rmi', '-f', imageId]);
    await docker.ok(['pull', ref]);
    assert.equal((await docker.ok(['image', 'inspect', '--format', '{{.Id}}', ref])).trim(), imageId);
  });

  it('pushes a Docker manifest list with `docker manifest` and pulls the matching platform', async () => {
    const repo = 'e2e/docker-list';
    await registry.createRepository(repo);
    const ref = `${registry.host}/${repo}`;
    const ids: Record<string, string> = {};
    const digests: Record<string, string> = {};
    for (const arch of ['amd64', 'arm64']) {
      const ctx = writeBuildContext(path.join(work, `ctx-${arch}`), `list-${arch}-${id}`);
      await docker.ok(['build', '-q', '-t', `${ref}:${arch}`, ctx.dir]);
      toRemove.push(`${ref}:${arch}`);
      ids[arch] = (await docker.ok(['image', 'inspect', '--format', '{{.Id}}', `${ref}:${arch}`])).trim();
      digests[arch] = pushedDigest(await docker.ok(['push', `${ref}:${arch}`]));
    }
    await docker.ok(['manifest', 'create', '--insecure', `${ref}:multi`, `${ref}:amd64`, `${ref}:arm64`]);
    await docker.ok(['manifest', 'annotate', '--arch', 'arm64', '--os', 'linux', `${ref}:multi`, `${ref}:arm64`]);
    const pushed = (await docker.ok(['manifest', 'push', '--insecure', '--purge', `${ref}:multi`])).trim();
    const listDigest = /sha256:[a-f0-9]{64}/.exec(pushed)?.[0];
    assert.ok(listDigest, `docker manifest push printed no digest: ${pushed}`);

    const got = await client.expect('GET', `/v2/${repo}/manifests/multi`, [200], { headers: { Accept: MANIFEST_ACCEPT } });
    assert.equal(got.header('content-type'), MT.dockerList);
    assert.equal(got.header('docker-content-digest'), listDigest);
    const list = got.json<{ manifests: Array<{ digest: string; platform: { architecture: string } }> }>();
    assert.deepEqual(
      Object.fromEntries(list.manifests.map((m) => [m.platform.architecture, m.digest])),
      digests,
    );

    await docker.ok(['rmi', '-f', ids.amd64!, ids.arm64!]);
    await docker.ok(['pull', `${ref}:multi`]);
    toRemove.push(`${ref}:multi`);
    const arch = (await docker.ok(['version', '--format', '{{.Server.Arch}}'])).trim();
    if (arch in ids) assert.equal((await docker.ok(['image', 'inspect', '--format', '{{.Id}}', `${ref}:multi`])).trim(), ids[arch], `pulled the ${arch} entry`);
  });
});
