import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OciClient } from '../support/oci-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/tools.js';

describe('background jobs of a serving registry', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ uploadIdleTimeout: 1, lifecycleInterval: 1 });
  });
  after(() => server?.close());

  it('sweep abandoned uploads on their own schedule beside the lifecycle runs', async () => {
    await server.services.registry.repositories.create('bg/up');
    const oci = new OciClient(server.url, server.registryAuthorization);
    const location = (await oci.request('POST', '/v2/bg/up/blobs/uploads/')).headers.get('location')!;
    await oci.request('PATCH', location, { headers: { 'content-range': '0-999' }, body: randomBytes(1000) });
    const staged = join(server.config.dataDir, 'storage', 'uploads', location.split('/').pop()!.split('?')[0]!);
    assert.ok(existsSync(staged));
    await waitFor('the sweep to remove the idle upload', async () => !existsSync(staged), 10_000);
  });
});
