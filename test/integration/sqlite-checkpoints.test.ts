/**
 * SQLite's WAL is copied back into the database file by the checkpointer thread on its timer,
 * not by the commits themselves (they run with wal_autocheckpoint = 0), and closing the store
 * stops the thread and leaves no WAL behind.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openMetadataStore } from '../../src/adapters/metadata/index.js';

it('checkpoints the WAL on a timer in its own thread, and removes it on close', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-checkpoints-'));
  const path = join(dir, 'berth.db');
  try {
    const store = await openMetadataStore({ kind: 'sqlite', path });
    await sleep(1500);
    const before = statSync(path).size;
    const now = new Date();
    for (let i = 0; i < 200; i++) await store.createRepository({ name: `checkpoint/repository-${i}`, createdAt: now });
    assert.ok(statSync(`${path}-wal`).size > 0, 'commits go to the WAL');
    // Pages reach the database file without any commit or close doing it.
    for (let waited = 0; statSync(path).size <= before && waited < 5000; waited += 100) await sleep(100);
    assert.ok(statSync(path).size > before, 'the checkpointer copied the WAL into the database file');
    await store.close();
    assert.equal(existsSync(`${path}-wal`), false, 'the last connection to close checkpoints and removes the WAL');
    const reopened = await openMetadataStore({ kind: 'sqlite', path });
    assert.equal((await reopened.listRepositories({})).length, 200);
    await reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
