import type { Kysely, Migration } from 'kysely';
import type { DialectDdl } from './dialect-ddl.js';

/**
 * Console passwords and console sessions. A login profile is an IAM user's password (a scrypt hash),
 * removed with the user. A console session is a row per signed-in browser, keyed by a hash of its
 * cookie, so any node accepts it and signing out revokes it everywhere.
 */
export function loginProfilesAndConsoleSessions({ key }: DialectDdl): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('login_profiles')
        .addColumn('user_arn', key, (c) => c.primaryKey().references('principals.arn').onDelete('cascade'))
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      // principal_arn is not a foreign key: the account root signs in with its access key and has no principals row.
      await db.schema
        .createTable('console_sessions')
        .addColumn('id_hash', key, (c) => c.primaryKey())
        .addColumn('principal_arn', key, (c) => c.notNull())
        .addColumn('access_key_id', key)
        .addColumn('password_fingerprint', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      // Dropping expired sessions, and a principal's sessions with it.
      await db.schema.createIndex('console_sessions_expires').on('console_sessions').column('expires_at').execute();
      await db.schema.createIndex('console_sessions_principal').on('console_sessions').column('principal_arn').execute();
    },
  };
}
