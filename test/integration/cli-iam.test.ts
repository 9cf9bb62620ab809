import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { composeDomain, openConfiguredMetadata } from '../../src/app/compose.js';
import { ConfigSchema } from '../../src/app/config.js';
import { berthCommand } from '../support/berth-process.js';
import { run } from '../support/tools.js';

describe('berth iam', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-cli-iam-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  /** `berth iam <args>`, with `input` on standard input. */
  async function berthWithInput(input: string, ...args: string[]): Promise<{ code: number | null; json: Record<string, unknown> | undefined; stderr: string }> {
    const command = berthCommand()!;
    const result = await run(command.cmd, [...command.args, 'iam', ...args, '--data-dir', dataDir], { env: { ...process.env, BERTH_ACCOUNT_ID: '333333333333' }, input });
    return { code: result.code, json: result.stdout.trim() ? (JSON.parse(result.stdout) as Record<string, unknown>) : undefined, stderr: result.stderr };
  }

  const berth = (...args: string[]) => berthWithInput('', ...args);

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

  it('sets, changes and removes console passwords, read from standard input or generated', async () => {
    assert.equal((await berth('create-user', 'pat')).code, 0);
    const created = await berthWithInput('Correct-Horse-7\n', 'create-login-profile', 'pat', '--password-stdin');
    assert.equal(created.code, 0, created.stderr);
    assert.equal((created.json!.LoginProfile as Record<string, unknown>).UserName, 'pat');
    assert.equal(created.json!.Password, undefined, 'a password given is not printed');
    assert.match((await berthWithInput('Correct-Horse-7\n', 'create-login-profile', 'pat', '--password-stdin')).stderr, /Login Profile for user pat already exists/);
    const weak = await berthWithInput('short\n', 'update-login-profile', 'pat', '--password-stdin');
    assert.equal(weak.code, 2);
    assert.match(weak.stderr, /password policy/);
    assert.equal(await signsIn('pat', 'Correct-Horse-7'), true);

    const generated = await berth('update-login-profile', 'pat');
    assert.equal(generated.code, 0, generated.stderr);
    const password = generated.json!.Password as string;
    assert.equal(password.length, 20);
    assert.equal(await signsIn('pat', password), true);
    assert.equal(await signsIn('pat', 'Correct-Horse-7'), false);
    assert.equal(((await berth('get-login-profile', 'pat')).json!.LoginProfile as Record<string, unknown>).UserName, 'pat');

    const inUse = await berth('delete-user', 'pat');
    assert.equal(inUse.code, 2);
    assert.match(inUse.stderr, /must delete login profile first/);
    assert.equal((await berth('delete-login-profile', 'pat')).code, 0);
    assert.match((await berth('get-login-profile', 'pat')).stderr, /Login Profile for User pat cannot be found/);
    assert.equal((await berth('delete-user', 'pat')).code, 0);
  });

  /** Whether the password signs in as the user, checked against the data directory the CLI wrote. */
  async function signsIn(userName: string, password: string): Promise<boolean> {
    const config = ConfigSchema.parse({ dataDir, accountId: '333333333333' });
    const metadata = await openConfiguredMetadata(config);
    try {
      return (await composeDomain(config, metadata).loginProfiles.verify(config.accountId, userName, password)) !== undefined;
    } finally {
      await metadata.close();
    }
  }
});
