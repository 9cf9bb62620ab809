import type { Kysely } from 'kysely';
import type { MetadataOps, MetadataStore } from '../../domain/ports/metadata-store.js';
import { KyselyMetadataOps } from './kysely-metadata-ops.js';
import type { Database } from './schema.js';
import type { TransactionScope } from './transaction-scope.js';

/** The metadata store over a Kysely database of either dialect; owns its connections. */
export class KyselyMetadataStore extends KyselyMetadataOps implements MetadataStore {
  readonly #scope: TransactionScope;

  /** `db` must have been built on `scope.guard(dialect)`. */
  constructor(db: Kysely<Database>, scope: TransactionScope) {
    super(db);
    this.#scope = scope;
  }

  async transaction<T>(fn: (tx: MetadataOps) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => this.#scope.run(() => fn(new KyselyMetadataOps(trx))));
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
