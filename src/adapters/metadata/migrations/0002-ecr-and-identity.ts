import type { Kysely, Migration } from 'kysely';
import type { DialectDdl } from './dialect-ddl.js';

/**
 * The ECR control plane's state (repository settings, documents and resource tags, registry
 * documents, creation templates, last pull times) and identities (principals, inline policies,
 * access keys, the access generation counter).
 */
export function ecrAndIdentity({ key }: DialectDdl): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // JSON text of RepositorySettings; '{}' means the defaults.
      await db.schema.alterTable('repositories').addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}')).execute();
      await db.schema.alterTable('manifests').addColumn('last_pulled_at', 'bigint').execute();

      await db.schema
        .createTable('repository_documents')
        .addColumn('repository_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('kind', key, (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('repository_documents_pk', ['repository_id', 'kind'])
        .execute();

      await db.schema
        .createTable('repository_tags')
        .addColumn('repository_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('key', key, (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('repository_tags_pk', ['repository_id', 'key'])
        .execute();

      await db.schema
        .createTable('registry_documents')
        .addColumn('kind', key, (c) => c.primaryKey())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('creation_templates')
        .addColumn('prefix', key, (c) => c.primaryKey())
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('principals')
        .addColumn('arn', key, (c) => c.primaryKey())
        .addColumn('account', key, (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', key, (c) => c.notNull())
        .addColumn('id', key, (c) => c.notNull().unique())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('trust_policy', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('principals_account_kind_name', ['account', 'kind', 'name'])
        .execute();

      await db.schema
        .createTable('inline_policies')
        .addColumn('principal_arn', key, (c) => c.notNull().references('principals.arn').onDelete('cascade'))
        .addColumn('name', key, (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('inline_policies_pk', ['principal_arn', 'name'])
        .execute();

      // principal_arn is not a foreign key: the account root has keys but no principals row.
      await db.schema
        .createTable('access_keys')
        .addColumn('id', key, (c) => c.primaryKey())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('principal_arn', key, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('session_token', 'text')
        .addColumn('expires_at', 'bigint')
        .addColumn('session_arn', 'text')
        .execute();
      await db.schema.createIndex('access_keys_principal').on('access_keys').column('principal_arn').execute();

      await db.schema
        .createTable('counters')
        .addColumn('name', key, (c) => c.primaryKey())
        .addColumn('value', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
