import type { Selectable } from 'kysely';
import { DomainError } from '../../domain/errors.js';
import type {
  AccessKeyRecord,
  AccessKeyStatus,
  IdentityMetadataOps,
  InlinePolicyRecord,
  PrincipalKind,
  PrincipalRecord,
} from '../../domain/ports/identity-metadata.js';
import { KyselyEcrOps } from './kysely-ecr-ops.js';
import type { AccessKeysTable, PrincipalsTable } from './schema.js';

const ACCESS_GENERATION = 'access-generation';

/** Principals, their inline policies and access keys, on either dialect. */
export class KyselyIdentityOps extends KyselyEcrOps implements IdentityMetadataOps {
  async createPrincipal(principal: PrincipalRecord): Promise<void> {
    const inserted = await this.db
      .insertInto('principals')
      .values({
        arn: principal.arn,
        account: principal.account,
        kind: principal.kind,
        name: principal.name,
        id: principal.id,
        path: principal.path,
        trust_policy: principal.trustPolicy,
        created_at: principal.createdAt.getTime(),
      })
      .onConflict((oc) => oc.doNothing())
      .returning('arn')
      .executeTakeFirst();
    if (inserted === undefined) {
      const what = principal.kind === 'user' ? 'User' : 'Role';
      throw new DomainError('ENTITY_ALREADY_EXISTS', `${what} with name ${principal.name} already exists.`, { name: principal.name });
    }
  }

  async getPrincipal(arn: string): Promise<PrincipalRecord | undefined> {
    const row = await this.db.selectFrom('principals').selectAll().where('arn', '=', arn).executeTakeFirst();
    return row && toPrincipal(row);
  }

  async listPrincipals(account: string, kind: PrincipalKind): Promise<PrincipalRecord[]> {
    const rows = await this.db.selectFrom('principals').selectAll().where('account', '=', account).where('kind', '=', kind).orderBy('name').execute();
    return rows.map(toPrincipal);
  }

  async deletePrincipal(arn: string): Promise<boolean> {
    return this.atomic(async (db) => {
      await db.deleteFrom('access_keys').where('principal_arn', '=', arn).execute();
      const result = await db.deleteFrom('principals').where('arn', '=', arn).executeTakeFirst();
      return result.numDeletedRows > 0n;
    });
  }

  async putInlinePolicy(principalArn: string, policy: InlinePolicyRecord): Promise<void> {
    await this.db
      .insertInto('inline_policies')
      .values({ principal_arn: principalArn, name: policy.name, document: policy.document })
      .onConflict((oc) => oc.columns(['principal_arn', 'name']).doUpdateSet({ document: policy.document }))
      .execute();
  }

  async getInlinePolicy(principalArn: string, name: string): Promise<InlinePolicyRecord | undefined> {
    return this.db
      .selectFrom('inline_policies')
      .select(['name', 'document'])
      .where('principal_arn', '=', principalArn)
      .where('name', '=', name)
      .executeTakeFirst();
  }

  async listInlinePolicies(principalArn: string): Promise<InlinePolicyRecord[]> {
    return this.db.selectFrom('inline_policies').select(['name', 'document']).where('principal_arn', '=', principalArn).orderBy('name').execute();
  }

  async deleteInlinePolicy(principalArn: string, name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('inline_policies').where('principal_arn', '=', principalArn).where('name', '=', name).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async createAccessKey(key: AccessKeyRecord): Promise<void> {
    await this.db
      .insertInto('access_keys')
      .values({
        id: key.id,
        secret: key.secret,
        principal_arn: key.principalArn,
        status: key.status,
        created_at: key.createdAt.getTime(),
        session_token: key.sessionToken,
        expires_at: key.expiresAt?.getTime() ?? null,
        session_arn: key.sessionArn,
      })
      .execute();
  }

  async getAccessKey(id: string): Promise<AccessKeyRecord | undefined> {
    const row = await this.db.selectFrom('access_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toAccessKey(row);
  }

  async listAccessKeys(principalArn: string): Promise<AccessKeyRecord[]> {
    const rows = await this.db
      .selectFrom('access_keys')
      .selectAll()
      .where('principal_arn', '=', principalArn)
      .where('session_token', 'is', null)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toAccessKey);
  }

  async setAccessKeyStatus(id: string, status: AccessKeyStatus): Promise<boolean> {
    const result = await this.db.updateTable('access_keys').set({ status }).where('id', '=', id).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async deleteAccessKey(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('access_keys').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async deleteExpiredSessions(at: Date): Promise<number> {
    const result = await this.db.deleteFrom('access_keys').where('expires_at', '<', at.getTime()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async getAccessGeneration(): Promise<number> {
    const row = await this.db.selectFrom('counters').select('value').where('name', '=', ACCESS_GENERATION).executeTakeFirst();
    return row?.value ?? 0;
  }

  async bumpAccessGeneration(): Promise<number> {
    const row = await this.db
      .insertInto('counters')
      .values({ name: ACCESS_GENERATION, value: 1 })
      .onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ value: eb(eb.ref('counters.value'), '+', 1) })))
      .returning('value')
      .executeTakeFirstOrThrow();
    return Number(row.value);
  }
}

function toPrincipal(row: Selectable<PrincipalsTable>): PrincipalRecord {
  return {
    arn: row.arn,
    account: row.account,
    kind: row.kind as PrincipalKind,
    name: row.name,
    id: row.id,
    path: row.path,
    trustPolicy: row.trust_policy,
    createdAt: new Date(row.created_at),
  };
}

function toAccessKey(row: Selectable<AccessKeysTable>): AccessKeyRecord {
  return {
    id: row.id,
    secret: row.secret,
    principalArn: row.principal_arn,
    status: row.status as AccessKeyStatus,
    createdAt: new Date(row.created_at),
    sessionToken: row.session_token,
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
    sessionArn: row.session_arn,
  };
}
