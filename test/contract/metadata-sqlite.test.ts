import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { openMetadataStore } from '../../src/adapters/metadata/index.js';
import { metadataStoreContract, type MetadataStoreFixture } from './metadata-store.contract.js';
import { vulnerabilityMetadataContract } from './vulnerability-metadata.contract.js';

const root = mkdtempSync(join(tmpdir(), 'berth-metadata-'));
after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
const newPath = (): string => join(root, `${++n}`, 'metadata.db');

const openSqlite = async (): Promise<MetadataStoreFixture> => {
  const store = await openMetadataStore({ kind: 'sqlite', path: newPath() });
  return { store, dispose: () => store.close() };
};

metadataStoreContract('SQLite', openSqlite);
vulnerabilityMetadataContract('SQLite', openSqlite);

describe('SQLite metadata store shared with another process', () => {
  it('makes the other process wait for an open transaction, not fail', async () => {
    const path = newPath();
    const store = await openMetadataStore({ kind: 'sqlite', path });
    const moduleUrl = new URL('../../src/adapters/metadata/index.js', import.meta.url).href;
    // Like `berth repo create` while the server runs: read, then write, in a transaction.
    const script = `
      const { openMetadataStore } = await import(${JSON.stringify(moduleUrl)});
      const store = await openMetadataStore({ kind: 'sqlite', path: ${JSON.stringify(path)} });
      await store.transaction(async (tx) => {
        if (!(await tx.getRepository('from-cli'))) await tx.createRepository({ name: 'from-cli', createdAt: new Date() });
      });
      await store.close();
    `;
    let other: Promise<unknown> | undefined;
    await store.transaction(async (tx) => {
      await tx.getRepository('from-server');
      await tx.createRepository({ name: 'from-server', createdAt: new Date() });
      other = promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
      // Hold the write lock while the other process starts and tries to write.
      await sleep(500);
    });
    await other;
    assert.deepEqual(await store.listRepositories({}), ['from-cli', 'from-server']);
    await store.close();
  });

  it("waits for another process's write lock without holding up the event loop", async () => {
    const path = newPath();
    const store = await openMetadataStore({ kind: 'sqlite', path });
    await store.createRepository({ name: 'first', createdAt: new Date() });
    const moduleUrl = new URL('../../src/adapters/metadata/index.js', import.meta.url).href;
    // Another process (berth gc, say) holds the write lock for 600 ms.
    const script = `
      const { openMetadataStore } = await import(${JSON.stringify(moduleUrl)});
      const store = await openMetadataStore({ kind: 'sqlite', path: ${JSON.stringify(path)} });
      await store.transaction(async (tx) => {
        await tx.createRepository({ name: 'from-other', createdAt: new Date() });
        process.stdout.write('locked\\n');
        await new Promise((resolve) => setTimeout(resolve, 600));
      });
      await store.close();
    `;
    const other = execFile(process.execPath, ['--input-type=module', '-e', script]);
    const exited = new Promise((resolve) => other.on('exit', resolve));
    await new Promise<void>((resolve) => other.stdout!.on('data', () => resolve()));
    let longestGap = 0;
    let last = Date.now();
    const ticker = setInterval(() => {
      longestGap = Math.max(longestGap, Date.now() - last);
      last = Date.now();
    }, 5);
    try {
      await store.createRepository({ name: 'waited', createdAt: new Date() });
    } finally {
      clearInterval(ticker);
    }
    await exited;
    assert.deepEqual(await store.listRepositories({}), ['first', 'from-other', 'waited']);
    assert.ok(longestGap < 200, `the event loop stood still for ${longestGap} ms`);
    await store.close();
  });
});
