import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST, ociErrorCode, sha256 } from '../support/oci-client.js';
import { describeOnEveryStore } from '../support/server.js';

await describeOnEveryStore('OCI manifests', { createOnPush: true }, (registry) => {
  it('serves a manifest by tag and by digest, byte for byte, with its media type', async () => {
    const image = await registry.oci.pushImage('man/basic', 'v1');
    assert.equal(image.response.headers.get('docker-content-digest'), image.digest);
    assert.equal(image.response.headers.get('location'), `/v2/man/basic/manifests/${image.digest}`);
    for (const ref of ['v1', image.digest]) {
      const get = await registry.oci.request('GET', `/v2/man/basic/manifests/${ref}`, { headers: { accept: OCI_MANIFEST } });
      assert.equal(get.status, 200);
      assert.equal(get.headers.get('content-type'), OCI_MANIFEST);
      assert.equal(get.headers.get('docker-content-digest'), image.digest);
      assert.deepEqual(Buffer.from(await get.arrayBuffer()), image.bytes);
      const head = await registry.oci.request('HEAD', `/v2/man/basic/manifests/${ref}`);
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-length'), String(image.bytes.length));
      assert.equal(head.headers.get('docker-content-digest'), image.digest);
    }
  });

  it('keeps the exact bytes of a manifest with unusual formatting', async () => {
    const config = await registry.oci.pushBlob('man/bytes', '{}', 'application/vnd.oci.image.config.v1+json');
    const text = `{\n  "schemaVersion": 2,   "mediaType": "${OCI_MANIFEST}",\n "config": ${JSON.stringify(config)}, "layers": [] }\n\n`;
    const pushed = await registry.oci.pushManifest('man/bytes', 'pretty', text);
    const get = await registry.oci.request('GET', `/v2/man/bytes/manifests/${pushed.digest}`);
    assert.equal(await get.text(), text);
  });

  it('accepts Docker schema 2 manifests and manifest lists, and OCI indexes', async () => {
    const config = await registry.oci.pushBlob('man/docker', '{"os":"linux"}', 'application/vnd.docker.container.image.v1+json');
    const layer = await registry.oci.pushBlob('man/docker', 'layer', 'application/vnd.docker.image.rootfs.diff.tar.gzip');
    const child = await registry.oci.pushManifest('man/docker', 'amd64', { schemaVersion: 2, mediaType: DOCKER_MANIFEST, config, layers: [layer] }, DOCKER_MANIFEST);
    const entry = { mediaType: DOCKER_MANIFEST, digest: child.digest, size: child.bytes.length, platform: { architecture: 'amd64', os: 'linux' } };
    const list = await registry.oci.pushManifest('man/docker', 'multi', { schemaVersion: 2, mediaType: DOCKER_LIST, manifests: [entry] }, DOCKER_LIST);
    const index = await registry.oci.pushManifest('man/docker', 'oci-index', { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ ...entry }] }, OCI_INDEX);
    assert.equal((await registry.oci.request('GET', `/v2/man/docker/manifests/multi`)).headers.get('content-type'), DOCKER_LIST);
    assert.equal((await registry.oci.request('GET', `/v2/man/docker/manifests/${index.digest}`)).headers.get('content-type'), OCI_INDEX);
    assert.notEqual(list.digest, index.digest);
  });

  it('rejects a manifest whose blobs or child manifests are not in the repository', async () => {
    const config = await registry.oci.pushBlob('man/missing', '{}');
    const absent = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256('never pushed'), size: 12 };
    const res = await registry.oci.request('PUT', '/v2/man/missing/manifests/v1', {
      headers: { 'content-type': OCI_MANIFEST },
      body: JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [absent] }),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { errors: Array<{ code: string; detail: { digest: string } }> };
    assert.equal(body.errors[0]!.code, 'MANIFEST_BLOB_UNKNOWN');
    assert.equal(body.errors[0]!.detail.digest, absent.digest);
    const index = await registry.oci.request('PUT', '/v2/man/missing/manifests/idx', {
      headers: { 'content-type': OCI_INDEX },
      body: JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: sha256('no such manifest'), size: 10 }] }),
    });
    assert.equal(await ociErrorCode(index), 'MANIFEST_BLOB_UNKNOWN');
    assert.equal((await registry.oci.request('GET', '/v2/man/missing/manifests/v1')).status, 404);
  });

  it('does not let a manifest reference a blob that lives only in another repository', async () => {
    const config = await registry.oci.pushBlob('man/elsewhere', '{"x":1}');
    const res = await registry.oci.request('PUT', '/v2/man/here/manifests/v1', {
      headers: { 'content-type': OCI_MANIFEST },
      body: JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [] }),
    });
    assert.equal(await ociErrorCode(res), 'MANIFEST_BLOB_UNKNOWN');
  });

  it('rejects malformed manifests with MANIFEST_INVALID', async () => {
    const config = await registry.oci.pushBlob('man/invalid', '{}');
    const cases: Array<[string, string]> = [
      ['not json', 'definitely { not json'],
      ['array', '[]'],
      ['schema 1', JSON.stringify({ schemaVersion: 1, name: 'x', tag: 'y', fsLayers: [] })],
      ['no layers', JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config })],
      ['bad descriptor', JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { ...config, size: -1 }, layers: [] })],
      ['bad digest', JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { ...config, digest: 'sha256:xyz' }, layers: [] })],
      ['type mismatch', JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] })],
    ];
    for (const [label, body] of cases) {
      const res = await registry.oci.request('PUT', '/v2/man/invalid/manifests/bad', { headers: { 'content-type': OCI_MANIFEST }, body });
      assert.equal(res.status, 400, label);
      assert.equal(await ociErrorCode(res), 'MANIFEST_INVALID', label);
    }
  });

  it('rejects a manifest over 4 MiB with 413', async () => {
    const huge = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, annotations: { pad: 'x'.repeat(4 * 1024 * 1024) } });
    const res = await registry.oci.request('PUT', '/v2/man/huge/manifests/v1', { headers: { 'content-type': OCI_MANIFEST }, body: huge });
    assert.equal(res.status, 413);
    assert.equal(await ociErrorCode(res), 'MANIFEST_INVALID');
  });

  it('rejects a push by digest whose payload has another digest', async () => {
    const image = await registry.oci.pushImage('man/digest', 'v1');
    const res = await registry.oci.request('PUT', `/v2/man/digest/manifests/${sha256('other')}`, { headers: { 'content-type': OCI_MANIFEST }, body: image.bytes });
    assert.equal(res.status, 400);
    assert.equal(await ociErrorCode(res), 'DIGEST_INVALID');
    const ok = await registry.oci.request('PUT', `/v2/man/digest/manifests/${image.digest}`, { headers: { 'content-type': OCI_MANIFEST }, body: image.bytes });
    assert.equal(ok.status, 201);
  });

  it('rejects invalid tags', async () => {
    for (const tag of ['-leading-dash', '.dot', 'x'.repeat(301), 'bad%2Ftag']) {
      const res = await registry.oci.request('GET', `/v2/man/basic/manifests/${tag}`);
      assert.equal(res.status, 400, tag);
      assert.equal(await ociErrorCode(res), 'TAG_INVALID');
    }
  });

  it('moves a tag, deletes a tag, and deletes a manifest by digest with its tags', async () => {
    const first = await registry.oci.pushImage('man/delete', 'latest', { seed: 'one' });
    const second = await registry.oci.pushImage('man/delete', 'latest', { seed: 'two' });
    await registry.oci.pushManifest('man/delete', 'stable', second.bytes.toString());
    assert.equal((await registry.oci.request('HEAD', '/v2/man/delete/manifests/latest')).headers.get('docker-content-digest'), second.digest);
    assert.equal((await registry.oci.request('GET', `/v2/man/delete/manifests/${first.digest}`)).status, 200, 'untagged manifests stay by digest');
    assert.equal((await registry.oci.request('DELETE', '/v2/man/delete/manifests/stable')).status, 202);
    assert.equal((await registry.oci.request('GET', '/v2/man/delete/manifests/stable')).status, 404);
    assert.equal((await registry.oci.request('GET', '/v2/man/delete/manifests/latest')).status, 200);
    assert.equal((await registry.oci.request('DELETE', `/v2/man/delete/manifests/${second.digest}`)).status, 202);
    const gone = await registry.oci.request('GET', '/v2/man/delete/manifests/latest');
    assert.equal(gone.status, 404);
    assert.equal(await ociErrorCode(gone), 'MANIFEST_UNKNOWN');
    assert.equal((await registry.oci.request('DELETE', `/v2/man/delete/manifests/${second.digest}`)).status, 404);
  });
});
