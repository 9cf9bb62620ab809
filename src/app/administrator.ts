import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDomainError } from '../domain/errors.js';
import type { Authenticator } from '../domain/identity/authenticator.js';
import type { Caller } from '../domain/identity/caller.js';
import type { Identities } from '../domain/identity/identities.js';
import type { Config } from './config.js';

export const ADMIN_USER = 'admin';
export const ADMIN_POLICY_NAME = 'AdministratorAccess';
const ADMIN_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
export const ADMIN_CREDENTIALS_FILE = 'admin-credentials.json';

export interface AdminCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * On first start: the `admin` IAM user with full access and its access key (BERTH_ADMIN_* or
 * generated), saved 0600 in the data directory. Later starts read the file back. Resolves with the
 * credentials and whether they were created now.
 */
export async function ensureAdministrator(config: Config, identities: Identities): Promise<{ credentials: AdminCredentials; created: boolean }> {
  const file = join(resolve(config.dataDir), ADMIN_CREDENTIALS_FILE);
  const given = config.adminAccessKeyId && config.adminSecretAccessKey ? { accessKeyId: config.adminAccessKeyId, secretAccessKey: config.adminSecretAccessKey } : undefined;
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as AdminCredentials;
    if (!given || given.accessKeyId === saved.accessKeyId) return { credentials: saved, created: false };
  }
  try {
    await identities.createUser(config.accountId, ADMIN_USER);
    await identities.putPolicy('user', config.accountId, ADMIN_USER, ADMIN_POLICY_NAME, ADMIN_POLICY);
  } catch (err) {
    // Another node (or an earlier start whose file was lost) made the user: add the key to it.
    if (!isDomainError(err, 'ENTITY_ALREADY_EXISTS')) throw err;
  }
  let credentials: AdminCredentials;
  try {
    credentials = await identities.createAccessKey(config.accountId, ADMIN_USER, given);
  } catch (err) {
    // The given key is already the admin's (a restart with the same BERTH_ADMIN_* and no file).
    if (!given || !isDomainError(err, 'ENTITY_ALREADY_EXISTS')) throw err;
    credentials = given;
  }
  writeFileSync(file, `${JSON.stringify({ accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey }, null, 2)}\n`, { mode: 0o600 });
  return { credentials, created: true };
}

/** The administrator as a caller: who requests act as when authentication is off. */
export async function administratorCaller(authenticator: Authenticator, credentials: AdminCredentials): Promise<Caller> {
  const key = await authenticator.credentials(credentials.accessKeyId);
  if (!key) throw new Error(`the administrator's access key ${credentials.accessKeyId} is not active`);
  return key.caller;
}
