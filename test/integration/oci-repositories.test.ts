import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { OciClient } from '../support/oci-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    request({ hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject).end();
  });
}

describe('repositories are explicit, as in ECR', () => {
  let server: TestServer;
  let oci: OciClient;
  before(async () => {
    server = await startTestServer({ createOnPush: false });
    oci = new OciClient(server.url, server.registryAuthorization);
  });
  after(() => server?.close());

  it('refuses a push to a repository that does not exist, saying so', async () => {
    const res = await oci.request('POST', '/v2/team/app/blobs/uploads/');
    assert.equal(res.status, 404);
    const body = (await res.json()) as { errors: Array<{ code: string; message: string }> };
    assert.equal(body.errors[0]!.code, 'NAME_UNKNOWN');
    assert.match(body.errors[0]!.message, /"team\/app" does not exist/);
  });

  it('accepts the push once the repository is created', async () => {
    // The real CLI, in its own process, beside the running server.
    const created = spawnSync(join(root, 'bin/berth'), ['repo', 'create', 'team/app', '--data-dir', server.config.dataDir], { encoding: 'utf8' });
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stdout, /created repository team\/app/);
    const again = spawnSync(join(root, 'bin/berth'), ['repo', 'create', 'team/app', '--data-dir', server.config.dataDir], { encoding: 'utf8' });
    assert.equal(again.status, 2);
    assert.match(again.stderr, /already exists/);
    await oci.pushImage('team/app', 'v1');
    assert.equal((await oci.request('GET', '/v2/team/app/manifests/v1')).status, 200);
  });

  it('rejects invalid names, including path traversal, with NAME_INVALID', async () => {
    for (const name of ['UPPER/case', 'a', 'x/../../etc', 'x/./y', '..%2F..%2Fetc', 'a//b', 'trailing-/x', `${'a'.repeat(257)}`, 'sp%20ace']) {
      // Raw HTTP, so no client normalises the dot segments away before they reach the server.
      const res = await rawGet(server.url, `/v2/${name}/tags/list`);
      assert.equal(res.status, 400, name);
      assert.equal(JSON.parse(res.body).errors[0].code, 'NAME_INVALID', name);
    }
  });

  it('answers the base endpoint and 404 for unknown paths, with the API version header', async () => {
    const base = await oci.request('GET', '/v2/');
    assert.equal(base.status, 200);
    assert.equal(base.headers.get('docker-distribution-api-version'), 'registry/2.0');
    const unknown = await oci.request('GET', '/v2/team/app/nothing-here');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get('docker-distribution-api-version'), 'registry/2.0');
    const wrongMethod = await oci.request('PATCH', '/v2/team/app/manifests/v1');
    assert.equal(wrongMethod.status, 405);
  });
});
