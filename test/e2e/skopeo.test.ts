/**
 * skopeo: a two-platform OCI image index (built by hand as an OCI layout) copied into the registry
 * with --all and back out to another OCI layout, digests preserved; and copies between the registry
 * under test and a running CNCF reference registry, both directions. skopeo logs in to the registry
 * under test with --creds / --src-creds / --dest-creds.
 */
import assert from 'node:assert/strict';
import { randomBytes, createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dockerWorks, removeDir, runOk, tempDir, which } from '../support/tools.js';
import { DockerCli } from './local-images.js';
import { credsArgs, skipReason, startDistribution, startRegistry, type RegistryUnderTest } from './harness.js';
import { MT, makeImage, makeIndex, writeOciLayout, type Blob, type Image, type OciClient } from './oci.js';

const plain = ['--insecure-policy'];

function skopeo(args: readonly string[]) {
  return runOk('skopeo', [...plain, ...args], { timeoutMs: 180_000 });
}

function layoutBlob(dir: string, digest: string): Buffer {
  return readFileSync(path.join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)));
}

describe('skopeo', { skip: skipReason('skopeo') }, () => {
  let work: string;
  let registry: RegistryUnderTest;
  let client: OciClient;
  let images: Image[];
  let index: Blob;
  /** skopeo's credentials options for the registry under test: --creds, --src-creds, --dest-creds. */
  let creds: { creds: string[]; src: string[]; dest: string[] };
  const id = randomBytes(4).toString('hex');

  before(async () => {
    work = tempDir('skopeo');
    registry = await startRegistry();
    client = await registry.client();
    creds = { creds: await credsArgs(registry, '--creds'), src: await credsArgs(registry, '--src-creds'), dest: await credsArgs(registry, '--dest-creds') };
    images = ['amd64', 'arm64'].map((architecture) =>
      makeImage({ architecture, files: [{ name: 'etc/platform', content: `${architecture} ${id}\n` }, { name: 'data/random.bin', content: randomBytes(64 * 1024) }] }),
    );
    index = makeIndex(images, { 'org.opencontainers.image.description': `berth e2e ${id}` });
    writeOciLayout(path.join(work, 'src'), [...images.flatMap((i) => i.blobs), ...images.map((i) => i.manifest)], [{ name: 'v1', blob: index }]);
  });

  after(async () => {
    await registry?.cleanup();
    if (work) removeDir(work);
  });

  it('copies a two-platform OCI index in with --all and back out to an OCI layout, byte for byte', async (t) => {
    const repo = 'e2e/multi-arch';
    await registry.createRepository(repo);
    const dest = `docker://${registry.host}/${repo}:v1`;
    await skopeo(['copy', '--all', '--preserve-digests', '--dest-tls-verify=false', ...creds.dest, `oci:${path.join(work, 'src')}:v1`, dest]);

    // Over the wire: the index and each platform's manifest are served with their exact bytes.
    const got = await client.expect('GET', `/v2/${repo}/manifests/v1`, [200], { headers: { Accept: MT.ociIndex } });
    assert.equal(got.header('content-type'), MT.ociIndex);
    assert.equal(got.header('docker-content-digest'), index.descriptor.digest);
    assert.ok(got.body.equals(index.data), 'index bytes unchanged');
    for (const image of images) {
      const m = await client.expect('GET', `/v2/${repo}/manifests/${image.manifest.descriptor.digest}`, [200], { headers: { Accept: MT.ociManifest } });
      assert.ok(m.body.equals(image.manifest.data), `${image.manifest.descriptor.platform?.architecture} manifest bytes unchanged`);
      for (const blob of image.blobs) {
        const head = await client.expect('HEAD', `/v2/${repo}/blobs/${blob.descriptor.digest}`, [200]);
        assert.equal(Number(head.header('content-length')), blob.descriptor.size);
      }
    }
    const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', ...creds.creds, dest]);
    assert.equal(raw.stdout, index.data.toString('utf8'));

    const out = path.join(work, 'out');
    await skopeo(['copy', '--all', '--preserve-digests', '--src-tls-verify=false', ...creds.src, dest, `oci:${out}:v1`]);
    const outIndex = JSON.parse(readFileSync(path.join(out, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
    assert.equal(outIndex.manifests[0]?.digest, index.descriptor.digest, 'the copied-out layout names the same index digest');
    for (const blob of [index, ...images.flatMap((i) => [i.manifest, ...i.blobs])]) {
      const file = path.join(out, 'blobs', 'sha256', blob.descriptor.digest.slice('sha256:'.length));
      assert.ok(existsSync(file), `missing ${blob.descriptor.digest} in the copied-out layout`);
      const data = layoutBlob(out, blob.descriptor.digest);
      assert.equal(`sha256:${createHash('sha256').update(data).digest('hex')}`, blob.descriptor.digest);
    }
    t.diagnostic(`index ${index.descriptor.digest} round-tripped with ${images.length} platforms`);
  });

  it('copies between the registry and a CNCF reference registry, both directions', async (t) => {
    if (!which('docker-registry')) return t.skip('docker-registry (CNCF reference registry) is not installed');
    const reference = await startDistribution();
    try {
      // Registry under test -> reference.
      const repo = 'e2e/mirror-src';
      await registry.createRepository(repo);
      await skopeo(['copy', '--all', '--preserve-digests', '--dest-tls-verify=false', ...creds.dest, `oci:${path.join(work, 'src')}:v1`, `docker://${registry.host}/${repo}:v1`]);
      await skopeo(['copy', '--all', '--preserve-digests', '--src-tls-verify=false', '--dest-tls-verify=false', ...creds.src,
        `docker://${registry.host}/${repo}:v1`, `docker://${reference.host}/mirror/from-berth:v1`]);
      const onReference = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${reference.host}/mirror/from-berth:v1`]);
      assert.equal(onReference.stdout, index.data.toString('utf8'), 'the reference registry got the same index bytes');

      // Reference -> registry under test: a single-platform image first pushed to the reference.
      const solo = images[0]!;
      const refClient = await reference.client();
      await refClient.pushImage('mirror/solo', 'v1', solo);
      const back = 'e2e/from-reference';
      await registry.createRepository(back);
      await skopeo(['copy', '--all', '--preserve-digests', '--src-tls-verify=false', '--dest-tls-verify=false', ...creds.dest,
        `docker://${reference.host}/mirror/solo:v1`, `docker://${registry.host}/${back}:v1`]);
      const m = await client.expect('GET', `/v2/${back}/manifests/v1`, [200], { headers: { Accept: MT.ociManifest } });
      assert.equal(m.header('docker-content-digest'), solo.manifest.descriptor.digest);
      assert.ok(m.body.equals(solo.manifest.data));
      for (const blob of solo.blobs) {
        const b = await client.expect('GET', `/v2/${back}/blobs/${blob.descriptor.digest}`, [200]);
        assert.ok(b.body.equals(blob.data), `blob ${blob.descriptor.digest} bytes`);
      }
    } finally {
      await reference.cleanup();
    }
  });

  it('lists many tags (skopeo list-tags, and ?n= pages linked by Link headers)', async (t) => {
    const repo = 'e2e/many-tags';
    await registry.createRepository(repo);
    const image = images[0]!;
    for (const blob of image.blobs) await client.pushBlob(repo, blob.data);
    const tags = Array.from({ length: 45 }, (_, i) => `t${String(i).padStart(3, '0')}`).concat(['latest', 'v1.0.0', 'V2', 'a_b-c.d']);
    for (const tag of tags) await client.pushManifest(repo, tag, image.manifest);
    const expected = [...tags].sort();

    const listed = JSON.parse((await skopeo(['list-tags', '--tls-verify=false', ...creds.creds, `docker://${registry.host}/${repo}`])).stdout) as { Tags: string[] };
    assert.deepEqual([...listed.Tags].sort(), expected);
    if (!registry.caps.tagPagination) return t.skip(`${registry.kind} ignores ?n= on tags/list`);

    const seen: string[] = [];
    let next: string | undefined = `/v2/${repo}/tags/list?n=10`;
    for (let page = 0; next && page < 20; page++) {
      const res = await client.expect('GET', next, [200]);
      const body = res.json<{ name: string; tags: string[] }>();
      assert.equal(body.name, repo);
      assert.ok(body.tags.length <= 10, `page ${page} has ${body.tags.length} tags for n=10`);
      seen.push(...body.tags);
      const link = res.header('link');
      next = link ? /<([^>]+)>;\s*rel="?next"?/.exec(link)?.[1] : undefined;
      if (link) assert.ok(next, `Link header without rel="next": ${link}`);
    }
    assert.deepEqual(seen, expected, 'pages in lexical order, every tag once');
  });

  it('serves the OCI index to docker, which pulls its platform and checks the layer', async (t) => {
    if (!dockerWorks()) return t.skip('docker daemon not reachable');
    const repo = 'e2e/oci-for-docker';
    await registry.createRepository(repo);
    const ref = `${registry.host}/${repo}:v1`;
    await skopeo(['copy', '--all', '--preserve-digests', '--dest-tls-verify=false', ...creds.dest, `oci:${path.join(work, 'src')}:v1`, `docker://${ref}`]);
    const docker = new DockerCli(path.join(work, 'docker-config'));
    await docker.login(registry);
    const arch = (await docker.ok(['version', '--format', '{{.Server.Arch}}'])).trim();
    const image = images.find((i) => i.manifest.descriptor.platform?.architecture === arch);
    if (!image) return t.skip(`no fixture for the daemon's architecture ${arch}`);
    try {
      await docker.ok(['pull', ref]);
      const inspected = JSON.parse(await docker.ok(['image', 'inspect', ref])) as Array<{
        Id: string;
        RepoDigests: string[];
        RootFS: { Layers: string[] };
      }>;
      assert.equal(inspected[0]?.Id, image.config.descriptor.digest, 'image id is the config digest of the platform entry');
      assert.deepEqual(inspected[0]?.RepoDigests, [`${registry.host}/${repo}@${index.descriptor.digest}`]);
      const config = JSON.parse(image.config.data.toString('utf8')) as { rootfs: { diff_ids: string[] } };
      assert.deepEqual(inspected[0]?.RootFS.Layers, config.rootfs.diff_ids);
    } finally {
      await docker.run(['rmi', '-f', ref]);
    }
  });
});
