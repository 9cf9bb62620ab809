/**
 * Crash safety: the server is a real process killed with SIGKILL in the middle of a large chunked
 * blob upload and in the middle of a manifest PUT, then restarted on the same data dir.
 *
 * After each restart: every image committed before is served byte for byte; the interrupted blob
 * is not visible (404); the interrupted upload either resumes from the offset the server reports
 * (GET upload status -> Range) and completes with the right digest, or is gone (404) and a new
 * upload succeeds; the half-sent manifest does not exist and the tag it aimed at is unchanged.
 *
 * The client keeps the registry password it got before the first kill, as docker keeps its login:
 * a password must outlive restarts.
 *
 * BERTH_E2E_FAULT_MIB sets the size of the interrupted blob (default 256 MiB, 8 MiB chunks).
 */
import assert from 'node:assert/strict';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { describeResponse, sleep, sha256 } from '../support/tools.js';
import { skipReason, startRegistry, type RegistryUnderTest } from './harness.js';
import { MANIFEST_ACCEPT, makeImage, withQuery, type Image, type OciClient } from './oci.js';

const MiB = 1024 * 1024;
const TOTAL = Number(process.env.BERTH_E2E_FAULT_MIB ?? 256) * MiB;
const CHUNK = 8 * MiB;

/** A reproducible byte stream: AES-128-CTR keystream, so any range can be made again after a crash. */
class Pattern {
  private readonly key = createHash('sha256').update(`berth-e2e-${randomBytes(8).toString('hex')}`).digest().subarray(0, 16);

  bytes(offset: number, length: number): Buffer {
    const iv = Buffer.alloc(16);
    iv.writeBigUInt64BE(BigInt(Math.floor(offset / 16)), 8);
    const skip = offset % 16;
    const cipher = createCipheriv('aes-128-ctr', this.key, iv);
    return cipher.update(Buffer.alloc(skip + length)).subarray(skip);
  }

  digest(total: number): string {
    const hash = createHash('sha256');
    for (let offset = 0; offset < total; offset += CHUNK) hash.update(this.bytes(offset, Math.min(CHUNK, total - offset)));
    return `sha256:${hash.digest('hex')}`;
  }
}

interface Committed {
  tag: string;
  image: Image;
}

describe('kill -9', { skip: skipReason() }, () => {
  let registry: RegistryUnderTest;
  let client: OciClient;
  const repo = 'e2e/fault';
  const committed: Committed[] = [];

  /** Uploads in PATCH chunks; returns the Location to use next. */
  async function patch(location: string, start: number, data: Buffer): Promise<{ location: string; end: number }> {
    const res = await client.request('PATCH', location, {
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${start}-${start + data.length - 1}`, 'Content-Length': data.length },
      body: data,
      timeoutMs: 120_000,
    });
    if (res.status !== 202) throw new Error(`PATCH chunk at ${start}:\n${describeResponse('PATCH', location, res)}`);
    const next = res.header('location');
    const range = /^(?:bytes=)?0-(\d+)$/.exec(res.header('range') ?? '');
    assert.ok(next, `PATCH response has no Location:\n${describeResponse('PATCH', location, res)}`);
    assert.ok(range, `PATCH response Range should be 0-<last byte>:\n${describeResponse('PATCH', location, res)}`);
    assert.equal(Number(range[1]), start + data.length - 1, 'Range after PATCH');
    return { location: client.url(next), end: Number(range[1]) };
  }

  async function openUpload(): Promise<string> {
    const res = await client.expect('POST', `/v2/${repo}/blobs/uploads/`, [202]);
    return client.url(res.header('location')!);
  }

  /** Every committed image: manifest by tag and by digest, and every blob, byte for byte. */
  async function verifyCommitted(): Promise<void> {
    for (const { tag, image } of committed) {
      for (const reference of [tag, image.manifest.descriptor.digest]) {
        const m = await client.expect('GET', `/v2/${repo}/manifests/${reference}`, [200], { headers: { Accept: MANIFEST_ACCEPT } });
        assert.equal(m.header('docker-content-digest'), image.manifest.descriptor.digest, `manifest ${reference}`);
        assert.ok(m.body.equals(image.manifest.data), `manifest ${reference}: bytes differ after restart`);
      }
      for (const blob of image.blobs) {
        const got = await client.hash(`/v2/${repo}/blobs/${blob.descriptor.digest}`);
        assert.equal(got.status, 200, `blob ${blob.descriptor.digest} after restart`);
        assert.equal(got.digest, blob.descriptor.digest, `blob ${blob.descriptor.digest}: bytes differ after restart`);
        assert.equal(got.length, blob.descriptor.size);
      }
    }
    const tags = await client.expect('GET', `/v2/${repo}/tags/list`, [200]);
    assert.deepEqual([...tags.json<{ tags: string[] }>().tags].sort(), committed.map((c) => c.tag).sort(), 'tags after restart');
  }

  async function restart(t: { diagnostic(message: string): void }, what: string): Promise<void> {
    const status = await registry.kill9();
    assert.equal(status.signal, 'SIGKILL', `the server should have died of SIGKILL ${what}, got ${JSON.stringify(status)}`);
    registry = await registry.restart();
    client = await registry.client();
    t.diagnostic(`killed -9 ${what}; restarted as pid ${registry.pid}`);
  }

  before(async () => {
    registry = await startRegistry();
    client = await registry.client();
    await registry.createRepository(repo);
    // v1: small blobs pushed whole, plus a 12 MiB layer pushed in 4 MiB PATCH chunks.
    const image = makeImage({ architecture: 'amd64', files: [{ name: 'a.txt', content: 'committed\n' }, { name: 'big.bin', content: randomBytes(12 * MiB) }] });
    await client.pushBlob(repo, image.config.data);
    const layer = image.layers[0]!.data;
    let location = await openUpload();
    for (let offset = 0; offset < layer.length; offset += 4 * MiB) {
      location = (await patch(location, offset, layer.subarray(offset, offset + 4 * MiB))).location;
    }
    await client.expect('PUT', withQuery(location, { digest: sha256(layer) }), [201], { headers: { 'Content-Length': 0 } });
    await client.pushManifest(repo, 'v1', image.manifest);
    committed.push({ tag: 'v1', image });
    await verifyCommitted();
  });

  after(async () => {
    await registry?.cleanup();
  });

  /**
   * Uploads `total` bytes in CHUNK PATCHes, kills the server after `killAfterChunks` acknowledged
   * chunks (with half of the next chunk in flight when `inFlight`), restarts it and checks.
   */
  async function interruptedUpload(t: { diagnostic(message: string): void }, total: number, killAfterChunks: number, inFlight: boolean): Promise<void> {
    const pattern = new Pattern();
    const digest = pattern.digest(total);

    let location = await openUpload();
    let acknowledged = 0;
    for (let i = 0; i < killAfterChunks; i++) {
      const data = pattern.bytes(acknowledged, CHUNK);
      location = (await patch(location, acknowledged, data)).location;
      acknowledged += data.length;
    }

    let sent = acknowledged;
    let request: http.ClientRequest | undefined;
    let requestOutcome: Promise<string> | undefined;
    if (inFlight) {
      // Start the next chunk, send half of it, and kill the server while it waits for the rest.
      const partial = pattern.bytes(acknowledged, CHUNK);
      request = http.request(new URL(location), {
        method: 'PATCH',
        agent: false,
        headers: { ...client.authHeaders, 'Content-Type': 'application/octet-stream', 'Content-Range': `${acknowledged}-${acknowledged + CHUNK - 1}`, 'Content-Length': CHUNK },
      });
      const r = request;
      requestOutcome = new Promise<string>((resolve) => {
        r.on('error', (e) => resolve(`error ${(e as NodeJS.ErrnoException).code ?? e.message}`));
        r.on('response', (res) => resolve(`response ${res.statusCode}`));
      });
      await new Promise<void>((resolve) => r.write(partial.subarray(0, CHUNK / 2), () => resolve()));
      await sleep(500);
      sent += CHUNK / 2;
    }
    await restart(t, `after ${acknowledged / MiB} MiB acknowledged${inFlight ? ` and ${CHUNK / 2 / MiB} MiB more in flight` : ', between chunks'}`);
    if (requestOutcome) t.diagnostic(`in-flight PATCH ended with: ${await requestOutcome}`);
    request?.destroy();

    await verifyCommitted();
    for (const method of ['HEAD', 'GET']) {
      const res = await client.request(method, `/v2/${repo}/blobs/${digest}`);
      assert.equal(res.status, 404, `the interrupted blob must not be visible:\n${describeResponse(method, `/v2/${repo}/blobs/${digest}`, res)}`);
    }

    const status = await client.request('GET', location);
    let offset: number;
    if (status.status === 404) {
      t.diagnostic(`upload session gone after restart (${status.text().trim().slice(0, 200)}); starting over`);
      location = await openUpload();
      offset = 0;
    } else {
      assert.equal(status.status, 204, `GET upload status after restart:\n${describeResponse('GET', location, status)}`);
      const range = /^(?:bytes=)?0-(\d+)$/.exec(status.header('range') ?? '');
      assert.ok(range, `upload status needs Range: 0-<last byte>:\n${describeResponse('GET', location, status)}`);
      offset = Number(range[1]) + 1;
      assert.ok(offset >= acknowledged, `the server acknowledged ${acknowledged} bytes (202) but reports only ${offset} after restart`);
      assert.ok(offset <= sent, `the server reports ${offset} bytes but only ${sent} were sent`);
      location = client.url(status.header('location') ?? location);
      t.diagnostic(`resuming at ${offset} (${(offset / MiB).toFixed(2)} MiB) of ${total / MiB} MiB`);
    }
    while (offset < total) {
      const data = pattern.bytes(offset, Math.min(CHUNK, total - offset));
      location = (await patch(location, offset, data)).location;
      offset += data.length;
    }
    const done = await client.expect('PUT', withQuery(location, { digest }), [201], { headers: { 'Content-Length': 0 } });
    assert.equal(done.header('docker-content-digest'), digest);

    const head = await client.expect('HEAD', `/v2/${repo}/blobs/${digest}`, [200]);
    assert.equal(Number(head.header('content-length')), total);
    const got = await client.hash(`/v2/${repo}/blobs/${digest}`);
    assert.equal(got.status, 200);
    assert.equal(got.length, total);
    assert.equal(got.digest, digest, 'the completed blob has the right bytes');
  }

  it(`mid-PATCH of a ${TOTAL / MiB} MiB chunked upload: committed data intact, no partial blob, upload resumes or restarts`, async (t) => {
    await interruptedUpload(t, TOTAL, Math.max(1, Math.floor(TOTAL / CHUNK / 2.5)), true);
  });

  it('between two PATCHes of a chunked upload: same checks, with no bytes in flight', async (t) => {
    await interruptedUpload(t, 64 * MiB, 3, false);
  });

  it('mid-body of a monolithic blob PUT: the blob is not visible and can be pushed again', async (t) => {
    const data = randomBytes(32 * MiB);
    const digest = sha256(data);
    const location = await openUpload();
    const request = http.request(new URL(withQuery(location, { digest })), {
      method: 'PUT',
      agent: false,
      headers: { ...client.authHeaders, 'Content-Type': 'application/octet-stream', 'Content-Length': data.length },
    });
    request.on('error', () => {});
    await new Promise<void>((resolve) => request.write(data.subarray(0, 20 * MiB), () => resolve()));
    await sleep(500);
    await restart(t, 'with 20 of 32 MiB of a monolithic PUT sent');
    request.destroy();

    await verifyCommitted();
    for (const method of ['HEAD', 'GET']) {
      const res = await client.request(method, `/v2/${repo}/blobs/${digest}`);
      assert.equal(res.status, 404, `the interrupted blob must not be visible:\n${describeResponse(method, 'blob', res)}`);
    }
    await client.pushBlob(repo, data);
    const got = await client.hash(`/v2/${repo}/blobs/${digest}`);
    assert.deepEqual([got.status, got.length, got.digest], [200, data.length, digest]);
  });

  it('during a manifest PUT: the tag keeps its old manifest and the partial one does not exist', async (t) => {
    const next = makeImage({ architecture: 'amd64', files: [{ name: 'a.txt', content: `next ${randomBytes(4).toString('hex')}\n` }] });
    for (const blob of next.blobs) await client.pushBlob(repo, blob.data);
    const body = next.manifest.data;

    // Re-point the existing tag v1, sending only half of the manifest before the kill.
    const inFlight = http.request(new URL(client.url(`/v2/${repo}/manifests/v1`)), {
      method: 'PUT',
      agent: false,
      headers: { ...client.authHeaders, 'Content-Type': next.manifest.descriptor.mediaType, 'Content-Length': body.length },
    });
    inFlight.on('error', () => {});
    await new Promise<void>((resolve) => inFlight.write(body.subarray(0, Math.floor(body.length / 2)), () => resolve()));
    await sleep(500);
    await restart(t, 'with half a manifest body sent');
    inFlight.destroy();

    await verifyCommitted();
    const partial = await client.request('GET', `/v2/${repo}/manifests/${next.manifest.descriptor.digest}`, { headers: { Accept: MANIFEST_ACCEPT } });
    assert.equal(partial.status, 404, `the half-sent manifest must not exist:\n${describeResponse('GET', 'manifest', partial)}`);

    // And the restarted server still takes the whole manifest.
    await client.pushManifest(repo, 'v2', next.manifest);
    committed.push({ tag: 'v2', image: next });
    await verifyCommitted();
  });

  it('SIGTERM: the server exits cleanly and a restart serves everything committed', async (t) => {
    const status = await registry.stop();
    t.diagnostic(`exit after SIGTERM: ${JSON.stringify(status)}`);
    if (registry.kind === 'berth') assert.deepEqual(status, { code: 0, signal: null }, `graceful shutdown should exit 0\n${registry.logTail(20)}`);
    registry = await registry.restart();
    client = await registry.client();
    await verifyCommitted();
  });

  it('SIGTERM with a stalled upload in flight: the server still exits within 30 s', async (t) => {
    const location = await openUpload();
    const request = http.request(new URL(location), {
      method: 'PATCH',
      agent: false,
      headers: { ...client.authHeaders, 'Content-Type': 'application/octet-stream', 'Content-Range': `0-${CHUNK - 1}`, 'Content-Length': CHUNK },
    });
    const outcome = new Promise<string>((resolve) => {
      request.on('error', (e) => resolve(`error ${(e as NodeJS.ErrnoException).code ?? e.message}`));
      request.on('response', (res) => resolve(`response ${res.statusCode}`));
    });
    await new Promise<void>((resolve) => request.write(Buffer.alloc(CHUNK / 2), () => resolve()));
    await sleep(300);
    const started = Date.now();
    let status;
    try {
      // A client that stops sending must not hold a shutdown (a deploy, a node drain) hostage.
      status = await registry.stop(30_000);
    } finally {
      request.destroy();
    }
    t.diagnostic(`exited ${JSON.stringify(status)} ${Date.now() - started} ms after SIGTERM; stalled client saw: ${await outcome}`);
    registry = await registry.restart();
    client = await registry.client();
    await verifyCommitted();
  });
});
