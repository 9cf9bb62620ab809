import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, envNameOf, loadConfig } from '../../src/app/config.js';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({ env: {} });
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.port, 5000);
    assert.equal(config.dataDir, './data');
    assert.equal(config.createOnPush, false);
    assert.equal(config.databaseUrl, undefined);
  });

  it('takes the file, then BERTH_* variables, then flags, each overriding the one before', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-config-'));
    const file = join(dir, 'berth.json');
    writeFileSync(file, JSON.stringify({ port: 6000, host: '127.0.0.1', dataDir: '/from/file', createOnPush: true }));
    const config = loadConfig({ file, env: { BERTH_PORT: '7000', BERTH_DATA_DIR: '/from/env' }, flags: { port: '8000' } });
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.dataDir, '/from/env');
    assert.equal(config.port, 8000);
    assert.equal(config.createOnPush, true);
    assert.equal(loadConfig({ env: { BERTH_CREATE_ON_PUSH: 'true' } }).createOnPush, true);
    assert.equal(loadConfig({ env: { BERTH_CONFIG: file } }).port, 6000);
  });

  it('names the setting and where it came from when it is wrong', () => {
    assert.throws(() => loadConfig({ env: { BERTH_PORT: 'eighty' } }), (err: Error) => err instanceof ConfigError && /port/.test(err.message) && /BERTH_PORT/.test(err.message));
    assert.throws(() => loadConfig({ env: {}, flags: { tlsCert: '/x.pem' } }), /tlsCert and tlsKey go together/);
    assert.throws(() => loadConfig({ env: { BERTH_DATABASE_URL: 'mysql://x' } }), /postgres/);
    assert.throws(() => loadConfig({ env: { BERTH_LOG_LEVEL: 'loud' } }), /logLevel/);
  });

  it('rejects unknown keys and unreadable files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-config-'));
    const file = join(dir, 'berth.json');
    writeFileSync(file, JSON.stringify({ prot: 5000 }));
    assert.throws(() => loadConfig({ file, env: {} }), /prot/);
    writeFileSync(file, '{ not json');
    assert.throws(() => loadConfig({ file, env: {} }), /not valid JSON/);
    assert.throws(() => loadConfig({ file: join(dir, 'missing.json'), env: {} }), /cannot read config file/);
  });

  it('takes the archive prefix only as a relative directory beside blobs/ and uploads/', () => {
    assert.equal(loadConfig({ env: {} }).archivePrefix, 'archive/');
    assert.equal(loadConfig({ env: { BERTH_ARCHIVE_PREFIX: 'cold/tier-2/' } }).archivePrefix, 'cold/tier-2/');
    for (const wrong of ['archive', '/archive/', '../archive/', 'a/../b/', './archive/', 'blobs/archive/', 'uploads/']) {
      assert.throws(() => loadConfig({ env: { BERTH_ARCHIVE_PREFIX: wrong } }), (err: Error) => err instanceof ConfigError && /archivePrefix/.test(err.message), wrong);
    }
  });

  it('derives environment names from the schema keys', () => {
    assert.equal(envNameOf('dataDir'), 'BERTH_DATA_DIR');
    assert.equal(envNameOf('createOnPush'), 'BERTH_CREATE_ON_PUSH');
  });
});
