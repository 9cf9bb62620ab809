import { Kysely } from 'kysely';
import type { MetadataStore } from '../../domain/ports/metadata-store.js';
import { KyselyMetadataStore } from './kysely-metadata-store.js';
import { migrateToLatest } from './migrations/index.js';
import { postgresDialect } from './postgres/open.js';
import type { Database } from './schema.js';
import { sqliteDialect } from './sqlite/open.js';
import { TransactionScope } from './transaction-scope.js';

export type MetadataStoreConfig = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** Connects to the configured database and migrates it to the latest schema. */
export async function openMetadataStore(config: MetadataStoreConfig): Promise<MetadataStore> {
  const scope = new TransactionScope();
  const dialect = config.kind === 'sqlite' ? sqliteDialect(config.path) : postgresDialect(config.url);
  const db = new Kysely<Database>({ dialect: scope.guard(dialect) });
  try {
    await migrateToLatest(db as Kysely<unknown>, config.kind);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return new KyselyMetadataStore(db, scope);
}
