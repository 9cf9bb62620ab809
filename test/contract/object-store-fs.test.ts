import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { FsObjectStore } from '../../src/adapters/object-store/fs/fs-object-store.js';
import { objectStoreContract } from './object-store.contract.js';

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'berth-fs-store-'));
}

objectStoreContract('fs', async () => {
  const dir = await tempDir();
  // A root that does not exist yet: the driver creates it on demand.
  return { store: new FsObjectStore(path.join(dir, 'root')), dispose: () => rm(dir, { recursive: true, force: true }) };
});

it('fs: keeps every file under the root and prunes emptied directories below its top level', async () => {
  const dir = await tempDir();
  try {
    const store = new FsObjectStore(path.join(dir, 'root'));
    await assert.rejects(store.append('../escape', 0, (async function* () {})()));
    await store.append('a/b/c', 0, (async function* () {})());
    assert.deepEqual(await readdir(dir), ['root']);
    await store.delete('a/b/c');
    assert.deepEqual(await readdir(path.join(dir, 'root')), ['a']);
    assert.deepEqual(await readdir(path.join(dir, 'root', 'a')), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
