import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMetadataStore } from '../../src/adapters/metadata/index.js';
import { FsObjectStore } from '../../src/adapters/object-store/fs/fs-object-store.js';
import type { MetadataStore } from '../../src/domain/ports/metadata-store.js';
import { Registry } from '../../src/domain/registry/registry.js';
import { createPostgresDatabase } from './postgres.js';
import { TestClock } from './test-clock.js';

export const CORE_REGISTRY_ID = '123456789012';

/** The registry core on a real metadata store and an fs object store in a temp dir, with time moved by the test. */
export interface CoreFixture<Objects extends FsObjectStore = FsObjectStore> {
  dir: string;
  registry: Registry;
  metadata: MetadataStore;
  objects: Objects;
  clock: TestClock;
  /** Closes everything and removes the data. */
  close(): Promise<void>;
}

export async function openCoreFixture<Objects extends FsObjectStore = FsObjectStore>(
  store: 'sqlite' | 'postgres',
  options: { createOnPush?: boolean; objects?: (root: string) => Objects } = {},
): Promise<CoreFixture<Objects>> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-core-'));
  const database = store === 'postgres' ? await createPostgresDatabase() : undefined;
  const metadata = await openMetadataStore(database ? { kind: 'postgres', url: database.url } : { kind: 'sqlite', path: join(dir, 'berth.db') });
  const root = join(dir, 'storage');
  const objects = options.objects ? options.objects(root) : (new FsObjectStore(root) as Objects);
  const clock = new TestClock();
  const registry = new Registry({ metadata, objects, clock, registryId: CORE_REGISTRY_ID, createOnPush: options.createOnPush ?? false });
  return {
    dir,
    registry,
    metadata,
    objects,
    clock,
    async close() {
      await registry.close();
      await metadata.close();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
