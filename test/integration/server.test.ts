import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startTestServer } from '../support/server.js';

describe('server process behaviour', () => {
  it('answers health and readiness, and echoes or assigns a request id', async () => {
    const server = await startTestServer();
    try {
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
      const given = await fetch(`${server.url}/v2/`, { headers: { 'x-request-id': 'trace-me-123' } });
      assert.equal(given.headers.get('x-request-id'), 'trace-me-123');
      const assigned = await fetch(`${server.url}/v2/`);
      assert.match(assigned.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(assigned.status, 401, 'the registry is private by default');
      assert.match(assigned.headers.get('www-authenticate') ?? '', /^Basic realm="http:\/\/127\.0\.0\.1:\d+\/",service="ecr\.amazonaws\.com"$/);
      assert.equal((await fetch(`${server.url}/v2/`, { headers: { authorization: server.registryAuthorization } })).status, 200);
    } finally {
      await server.close();
    }
  });

  it("creates the administrator's access key once, saved readable by its owner only", async () => {
    const server = await startTestServer({ adminAccessKeyId: 'AKIATESTADMIN0000001', adminSecretAccessKey: 'a-secret-of-forty-characters-0123456789' });
    try {
      const file = join(server.config.dataDir, 'admin-credentials.json');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { accessKeyId: 'AKIATESTADMIN0000001', secretAccessKey: 'a-secret-of-forty-characters-0123456789' });
      const restarted = await server.restart();
      assert.equal(restarted.admin.accessKeyId, 'AKIATESTADMIN0000001');
      assert.deepEqual(
        (await restarted.services.identities.listAccessKeys(server.config.accountId, 'admin')).map((k) => k.id),
        ['AKIATESTADMIN0000001'],
        'a restart makes no second key',
      );
      await restarted.close();
    } catch (err) {
      await server.close().catch(() => {});
      throw err;
    }
  });

  it('finishes an in-flight upload before shutting down', async () => {
    const server = await startTestServer({ createOnPush: true });
    try {
      const start = await fetch(`${server.url}/v2/shutdown/test/blobs/uploads/`, { method: 'POST', headers: { authorization: server.registryAuthorization } });
      const location = start.headers.get('location')!;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(new Uint8Array(1000));
          await gate;
          controller.enqueue(new Uint8Array(1000));
          controller.close();
        },
      });
      const patch = fetch(`${server.url}${location}`, { method: 'PATCH', body, duplex: 'half', headers: { authorization: server.registryAuthorization } } as RequestInit);
      await new Promise((resolve) => setTimeout(resolve, 100));
      let closed = false;
      const closing = server.server.close().then(() => (closed = true));
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(closed, false, 'the server waits for the in-flight request');
      release();
      const res = await patch;
      assert.equal(res.status, 202);
      assert.equal(res.headers.get('range'), '0-1999');
      await closing;
    } finally {
      await server.close().catch(() => {});
    }
  });

  it('serves HTTPS with the configured certificate', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    } catch {
      t.skip('openssl is not installed');
      return;
    }
    const server = await startTestServer({ tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'key.pem') });
    try {
      assert.match(server.url, /^https:/);
      const { port } = new URL(server.url);
      const status = await new Promise<number>((resolve, reject) => {
        httpsRequest({ host: '127.0.0.1', port, path: '/v2/', ca: readFileSync(join(dir, 'cert.pem')), headers: { authorization: server.registryAuthorization } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        })
          .on('error', reject)
          .end();
      });
      assert.equal(status, 200);
    } finally {
      await server.close();
    }
  });
});

describe('shutdown timeout', () => {
  it('cuts a stalled request once the timeout passes', async () => {
    const server = await startTestServer({ createOnPush: true, shutdownTimeout: 0.3 });
    const start = await fetch(`${server.url}/v2/shutdown/stalled/blobs/uploads/`, { method: 'POST', headers: { authorization: server.registryAuthorization } });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(1000)); // and never more
      },
    });
    const patch = fetch(`${server.url}${start.headers.get('location')}`, { method: 'PATCH', body, duplex: 'half', headers: { authorization: server.registryAuthorization } } as RequestInit).catch((err: Error) => err);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const began = Date.now();
    await server.close();
    assert.ok(Date.now() - began < 5000, `close took ${Date.now() - began} ms`);
    assert.ok((await patch) instanceof Error, 'the stalled client sees its connection closed');
  });
});
