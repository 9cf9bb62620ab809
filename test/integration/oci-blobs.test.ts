import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { ociErrorCode, sha256 } from '../support/oci-client.js';
import { describeOnEveryStore } from '../support/server.js';

await describeOnEveryStore('OCI blobs', { createOnPush: true }, (registry) => {
  it('serves byte ranges', async () => {
    const data = randomBytes(10_000);
    const blob = await registry.oci.pushBlob('blob/range', data);
    const cases: Array<[string, number, number]> = [
      ['bytes=0-0', 0, 0],
      ['bytes=100-199', 100, 199],
      ['bytes=9000-', 9000, 9999],
      ['bytes=-10', 9990, 9999],
      ['bytes=9990-20000', 9990, 9999],
    ];
    for (const [range, start, end] of cases) {
      const res = await registry.oci.request('GET', `/v2/blob/range/blobs/${blob.digest}`, { headers: { range } });
      assert.equal(res.status, 206, range);
      assert.equal(res.headers.get('content-range'), `bytes ${start}-${end}/10000`);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), data.subarray(start, end + 1), range);
    }
    const unsatisfiable = await registry.oci.request('GET', `/v2/blob/range/blobs/${blob.digest}`, { headers: { range: 'bytes=10000-' } });
    assert.equal(unsatisfiable.status, 416);
    assert.equal(unsatisfiable.headers.get('content-range'), 'bytes */10000');
  });

  it('answers BLOB_UNKNOWN for unknown blobs', async () => {
    await registry.oci.pushBlob('blob/unknown', 'x');
    const res = await registry.oci.request('GET', `/v2/blob/unknown/blobs/${sha256('absent')}`);
    assert.equal(res.status, 404);
    assert.equal(await ociErrorCode(res), 'BLOB_UNKNOWN');
    assert.equal((await registry.oci.request('HEAD', `/v2/blob/unknown/blobs/${sha256('absent')}`)).status, 404);
  });

  it('mounts a blob from another repository it names, and starts an upload when it names none', async () => {
    const blob = await registry.oci.pushBlob('blob/source', randomBytes(2048));
    assert.equal((await registry.oci.request('HEAD', `/v2/blob/target/blobs/${blob.digest}`)).status, 404);
    const mounted = await registry.oci.request('POST', `/v2/blob/target/blobs/uploads/?mount=${blob.digest}&from=blob/source`);
    assert.equal(mounted.status, 201);
    assert.equal(mounted.headers.get('location'), `/v2/blob/target/blobs/${blob.digest}`);
    assert.equal(mounted.headers.get('docker-content-digest'), blob.digest);
    assert.equal((await registry.oci.request('HEAD', `/v2/blob/target/blobs/${blob.digest}`)).status, 200);
    // Without `from` there is no repository whose pull permission could be checked: no mount.
    const withoutFrom = await registry.oci.request('POST', `/v2/blob/target2/blobs/uploads/?mount=${blob.digest}`);
    assert.equal(withoutFrom.status, 202);
  });

  it('falls back to a new upload session when a mount is not possible', async () => {
    const res = await registry.oci.request('POST', `/v2/blob/target3/blobs/uploads/?mount=${sha256('not anywhere')}&from=blob/source`);
    assert.equal(res.status, 202);
    assert.match(res.headers.get('location')!, /\/v2\/blob\/target3\/blobs\/uploads\//);
  });

  it('deletes a blob from a repository without touching other repositories', async () => {
    const blob = await registry.oci.pushBlob('blob/del-a', 'shared bytes');
    await registry.oci.pushBlob('blob/del-b', 'shared bytes');
    assert.equal((await registry.oci.request('DELETE', `/v2/blob/del-a/blobs/${blob.digest}`)).status, 202);
    assert.equal((await registry.oci.request('HEAD', `/v2/blob/del-a/blobs/${blob.digest}`)).status, 404);
    assert.equal((await registry.oci.request('GET', `/v2/blob/del-b/blobs/${blob.digest}`)).status, 200);
    assert.equal((await registry.oci.request('DELETE', `/v2/blob/del-a/blobs/${blob.digest}`)).status, 404);
  });

  it('commits nothing when a request body stops early', async () => {
    const data = randomBytes(1_000_000);
    const digest = sha256(data);
    const { request } = await import('node:http');
    await new Promise<void>((resolve) => {
      const url = new URL(`${registry.server.url}/v2/blob/truncated/blobs/uploads/?digest=${digest}`);
      const req = request(url, { method: 'POST', headers: { 'content-length': String(data.length) } });
      req.on('error', () => resolve());
      req.on('response', () => resolve());
      req.write(data.subarray(0, 400_000), () => setTimeout(() => req.destroy(), 50));
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await registry.oci.request('HEAD', `/v2/blob/truncated/blobs/${digest}`)).status, 404);
  });
});
