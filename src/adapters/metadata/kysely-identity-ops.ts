import type { Selectable } from 'kysely';
import { DomainError } from '../../domain/errors.js';
import type {
  AccessKeyRecord,
  AccessKeyStatus,
  ConsoleSessionRecord,
  IdentityMetadataOps,
  InlinePolicyRecord,
  LoginProfileRecord,
  PrincipalKind,
  PrincipalRecord,
} from '../../domain/ports/identity-metadata.js';
import { KyselyEcrOps } from './kysely-ecr-ops.js';
import type { AccessKeysTable, ConsoleSessionsTable, LoginProfilesTable, PrincipalsTable } from './schema.js';

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
      await db.deleteFrom('console_sessions').where('principal_arn', '=', arn).execute();
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

  async createLoginProfile(profile: LoginProfileRecord): Promise<void> {
    const inserted = await this.db
      .insertInto('login_profiles')
      .values({ user_arn: profile.userArn, password_hash: profile.passwordHash, created_at: profile.createdAt.getTime(), updated_at: profile.updatedAt.getTime() })
      .onConflict((oc) => oc.doNothing())
      .returning('user_arn')
      .executeTakeFirst();
    if (inserted === undefined) {
      const name = profile.userArn.slice(profile.userArn.lastIndexOf('/') + 1);
      throw new DomainError('ENTITY_ALREADY_EXISTS', `Login Profile for user ${name} already exists.`, { name });
    }
  }

  async getLoginProfile(userArn: string): Promise<LoginProfileRecord | undefined> {
    const row = await this.db.selectFrom('login_profiles').selectAll().where('user_arn', '=', userArn).executeTakeFirst();
    return row && toLoginProfile(row);
  }

  async updateLoginProfile(userArn: string, passwordHash: string, at: Date): Promise<boolean> {
    const result = await this.db.updateTable('login_profiles').set({ password_hash: passwordHash, updated_at: at.getTime() }).where('user_arn', '=', userArn).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async deleteLoginProfile(userArn: string): Promise<boolean> {
    const result = await this.db.deleteFrom('login_profiles').where('user_arn', '=', userArn).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async createConsoleSession(session: ConsoleSessionRecord): Promise<void> {
    await this.db
      .insertInto('console_sessions')
      .values({
        id_hash: session.idHash,
        principal_arn: session.principalArn,
        access_key_id: session.accessKeyId,
        password_fingerprint: session.passwordFingerprint,
        created_at: session.createdAt.getTime(),
        expires_at: session.expiresAt.getTime(),
      })
      .execute();
  }

  async getConsoleSession(idHash: string): Promise<ConsoleSessionRecord | undefined> {
    const row = await this.db.selectFrom('console_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    return row && toConsoleSession(row);
  }

  async deleteConsoleSession(idHash: string): Promise<boolean> {
    const result = await this.db.deleteFrom('console_sessions').where('id_hash', '=', idHash).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async deleteExpiredConsoleSessions(at: Date): Promise<number> {
    const result = await this.db.deleteFrom('console_sessions').where('expires_at', '<', at.getTime()).executeTakeFirst();
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

function toLoginProfile(row: Selectable<LoginProfilesTable>): LoginProfileRecord {
  return { userArn: row.user_arn, passwordHash: row.password_hash, createdAt: new Date(row.created_at), updatedAt: new Date(row.updated_at) };
}

function toConsoleSession(row: Selectable<ConsoleSessionsTable>): ConsoleSessionRecord {
  return {
    idHash: row.id_hash,
    principalArn: row.principal_arn,
    accessKeyId: row.access_key_id,
    passwordFingerprint: row.password_fingerprint,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
  };
}
