import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openMetadataStore } from '../adapters/metadata/index.js';
import { FsObjectStore } from '../adapters/object-store/fs/fs-object-store.js';
import { systemClock } from '../domain/ports/clock.js';
import type { MetadataStore } from '../domain/ports/metadata-store.js';
import { Registry } from '../domain/registry/registry.js';
import type { Config } from './config.js';

export interface Services {
  metadata: MetadataStore;
  registry: Registry;
  close(): Promise<void>;
}

/** The metadata store the configuration names: PostgreSQL when databaseUrl is set, else SQLite in the data directory. */
export async function openConfiguredMetadata(config: Pick<Config, 'dataDir' | 'databaseUrl'>): Promise<MetadataStore> {
  if (config.databaseUrl) return openMetadataStore({ kind: 'postgres', url: config.databaseUrl });
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  return openMetadataStore({ kind: 'sqlite', path: join(dataDir, 'berth.db') });
}

/** Config -> adapters -> domain services. The only place that knows all three layers. */
export async function composeServices(config: Config): Promise<Services> {
  const metadata = await openConfiguredMetadata(config);
  const objects = new FsObjectStore(join(resolve(config.dataDir), 'storage'));
  const registry = new Registry({ metadata, objects, clock: systemClock, registryId: config.accountId, createOnPush: config.createOnPush });
  const close = async () => {
    await registry.close();
    await metadata.close();
  };
  return { metadata, registry, close };
}
