import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openMetadataStore } from '../../src/adapters/metadata/index.js';
import { composeDomain } from '../../src/app/compose.js';
import { ConfigSchema } from '../../src/app/config.js';
import type { Caller } from '../../src/domain/identity/caller.js';
import type { AccessRequest } from '../../src/domain/policy/access-control.js';
import type { MetadataStore } from '../../src/domain/ports/metadata-store.js';

describe('access control caching', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-access-'));
  let metadata: MetadataStore;
  let now = new Date('2026-11-23T12:00:00Z');
  const clock = { now: () => now };
  let domain: ReturnType<typeof composeDomain>;
  const account = '444444444444';

  before(async () => {
    metadata = await openMetadataStore({ kind: 'sqlite', path: join(dir, 'berth.db') });
    domain = composeDomain(ConfigSchema.parse({ dataDir: dir, accountId: account }), metadata, clock);
  });
  after(async () => {
    await metadata.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function callerWith(name: string, policy: object): Promise<Caller> {
    await domain.identities.createUser(account, name);
    await domain.identities.putPolicy('user', account, name, 'p', JSON.stringify(policy));
    const key = await domain.identities.createAccessKey(account, name);
    return (await domain.authenticator.credentials(key.accessKeyId))!.caller;
  }

  const pull = (caller: Caller): AccessRequest => ({ caller, action: 'ecr:BatchGetImage', resource: { kind: 'repository', name: 'team/app' }, sourceIp: '127.0.0.1', secureTransport: false });

  it('never serves a cached decision for a policy that reads the clock', async () => {
    const caller = await callerWith('until-noon', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': '2026-11-23T12:30:00Z' } } }],
    });
    assert.equal(await domain.access.isAllowed(pull(caller)), true);
    now = new Date('2026-11-23T12:31:00Z');
    assert.equal(await domain.access.isAllowed(pull(caller)), false);
  });

  it('serves repeated decisions from the cache until an identity or policy change', async () => {
    const caller = await callerWith('puller', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: '*' }] });
    assert.equal(await domain.access.isAllowed(pull(caller)), true);
    assert.equal(await domain.access.isAllowed({ ...pull(caller), sourceIp: '10.0.0.1' }), true);
    await domain.identities.putPolicy('user', account, 'puller', 'p', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'ecr:*', Resource: '*' }] }));
    assert.equal(await domain.access.isAllowed(pull(caller)), false, 'the change applies to the next decision');
  });
});
