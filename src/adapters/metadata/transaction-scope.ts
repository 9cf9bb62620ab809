import { AsyncLocalStorage } from 'node:async_hooks';
import type { DatabaseConnection, Dialect } from 'kysely';

/**
 * Marks the async context of a store's transaction callback. Using the store itself (rather
 * than the handle passed to the callback) from there is a bug: on SQLite's single connection it
 * would wait for ever, and on PostgreSQL it would silently run outside the transaction. The
 * guarded dialect refuses it on both, so such code fails the same way everywhere.
 */
export class TransactionScope {
  readonly #context = new AsyncLocalStorage<{ open: boolean }>();

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const marker = { open: true };
    try {
      return await this.#context.run(marker, fn);
    } finally {
      // Work the callback left running may outlive the transaction; it is free to use the store.
      marker.open = false;
    }
  }

  /** `dialect`, refusing to hand out a connection inside a transaction callback of this scope. */
  guard(dialect: Dialect): Dialect {
    return {
      createAdapter: () => dialect.createAdapter(),
      createQueryCompiler: () => dialect.createQueryCompiler(),
      createIntrospector: (db) => dialect.createIntrospector(db),
      createDriver: () => {
        const driver = dialect.createDriver();
        // A transaction holds its connection for its whole callback, so only queries that do
        // not go through the transaction handle acquire one while the callback runs.
        const acquire = driver.acquireConnection.bind(driver);
        driver.acquireConnection = async (): Promise<DatabaseConnection> => {
          if (this.#context.getStore()?.open === true) {
            throw new Error(
              'metadata store used directly inside its own transaction: use the handle passed to the transaction callback',
            );
          }
          return acquire();
        };
        return driver;
      },
    };
  }
}
