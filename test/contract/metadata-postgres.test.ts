import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openMetadataStore } from '../../src/adapters/metadata/index.js';
import { createPostgresDatabase, postgresUnavailable, withPostgresDatabase } from '../support/postgres.js';
import { manifest, metadataStoreContract, type MetadataStoreFixture } from './metadata-store.contract.js';
import { vulnerabilityMetadataContract } from './vulnerability-metadata.contract.js';

const unavailable = await postgresUnavailable();
const skip = unavailable && `PostgreSQL not available: ${unavailable}`;

const openPostgres = async (): Promise<MetadataStoreFixture> => {
  const database = await createPostgresDatabase();
  assert.ok(database);
  const store = await openMetadataStore({ kind: 'postgres', url: database.url });
  return {
    store,
    dispose: async () => {
      await store.close();
      await database.drop();
    },
  };
};

metadataStoreContract('PostgreSQL', openPostgres, { skip });
vulnerabilityMetadataContract('PostgreSQL', openPostgres, { skip });

describe('PostgreSQL metadata store shared by several nodes', { skip }, () => {
  it('migrates once when nodes start together, then moves a tag consistently across them', async () => {
    await withPostgresDatabase(async (url) => {
      const nodes = await Promise.all([1, 2, 3].map(() => openMetadataStore({ kind: 'postgres', url })));
      try {
        const [first] = nodes as [(typeof nodes)[0]];
        const id = (await first.createRepository({ name: 'shared', createdAt: new Date() })).id;
        const manifests = Array.from({ length: 9 }, (_, i) => manifest(id, `{"n":${i}}`));
        for (const m of manifests) await first.putManifest(m);
        const digests = manifests.map((m) => m.digest);
        const previous = await Promise.all(
          digests.map((digest, i) => (nodes[i % nodes.length] ?? first).putTag(id, 'latest', digest, new Date())),
        );
        const replaced = previous.filter((p): p is string => p !== undefined);
        assert.equal(new Set(replaced).size, digests.length - 1);
        const current = await first.getTag(id, 'latest');
        assert.ok(current && !replaced.includes(current));
      } finally {
        await Promise.all(nodes.map((node) => node.close()));
      }
    });
  });
});
