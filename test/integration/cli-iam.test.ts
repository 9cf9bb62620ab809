import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { berthCommand } from '../support/berth-process.js';
import { run } from '../support/tools.js';

describe('berth iam', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-cli-iam-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  async function berth(...args: string[]): Promise<{ code: number | null; json: Record<string, unknown> | undefined; stderr: string }> {
    const command = berthCommand()!;
    const result = await run(command.cmd, [...command.args, 'iam', ...args, '--data-dir', dataDir], { env: { ...process.env, BERTH_ACCOUNT_ID: '333333333333' } });
    return { code: result.code, json: result.stdout.trim() ? (JSON.parse(result.stdout) as Record<string, unknown>) : undefined, stderr: result.stderr };
  }

  it('manages users, keys, roles and policies in the data directory, as JSON', async () => {
    const user = await berth('create-user', 'alice');
    assert.equal((user.json!.User as Record<string, string>).Arn, 'arn:aws:iam::333333333333:user/alice');
    const key = (await berth('create-access-key', 'alice')).json!.AccessKey as Record<string, string>;
    assert.match(key.AccessKeyId!, /^AKIA/);
    const policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:BatchGetImage","Resource":"*"}]}';
    assert.equal((await berth('put-user-policy', 'alice', 'pull', policy)).code, 0);
    assert.deepEqual((await berth('get-user-policy', 'alice', 'pull')).json!.PolicyDocument, JSON.parse(policy));
    const bad = await berth('put-user-policy', 'alice', 'bad', '{"Statement":{}}');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Invalid policy document/);
    const trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333333333333:user/alice"},"Action":"sts:AssumeRole"}]}';
    assert.equal((await berth('create-role', 'puller', trust)).code, 0);
    assert.deepEqual(((await berth('list-roles')).json!.Roles as Record<string, string>[]).map((r) => r.RoleName), ['puller']);
    assert.equal((await berth('update-access-key', 'alice', key.AccessKeyId!, 'Inactive')).code, 0);
    assert.equal(((await berth('list-access-keys', 'alice')).json!.AccessKeyMetadata as Record<string, string>[])[0]!.Status, 'Inactive');
    assert.equal((await berth('delete-user', 'alice')).code, 2, 'keys and policies go first');
    assert.equal((await berth('delete-access-key', 'alice', key.AccessKeyId!)).code, 0);
    assert.equal((await berth('delete-user-policy', 'alice', 'pull')).code, 0);
    assert.equal((await berth('delete-user', 'alice')).code, 0);
    assert.deepEqual((await berth('list-users')).json, { Users: [] });
  });
});
