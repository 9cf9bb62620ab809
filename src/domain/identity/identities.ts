import { DomainError } from '../errors.js';
import { assumedRoleArn, roleArn, rootArn, userArn } from '../model/arn.js';
import type { Clock } from '../ports/clock.js';
import type { AccessKeyRecord, AccessKeyStatus, InlinePolicyRecord, PrincipalKind, PrincipalRecord } from '../ports/identity-metadata.js';
import type { MetadataOps, MetadataStore } from '../ports/metadata-store.js';
import { parsePolicyDocument } from '../policy/index.js';
import type { AccessGeneration } from './access-generation.js';
import { newAccessKeyId, newSecretAccessKey, newSessionToken, newUniqueId } from './credentials.js';

/** IAM's limits that Berth enforces as AWS does. */
export const ACCESS_KEYS_PER_USER = 2;
const NAME_PATTERN = /^[\w+=,.@-]+$/;
const PATH_PATTERN = /^\/(?:[\x21-\x7e]+\/)?$/;
const DEFAULT_MAX_SESSION_SECONDS = 3600;

export interface NewCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export interface AssumedRole {
  credentials: Required<NewCredentials>;
  assumedRoleArn: string;
  assumedRoleId: string;
}

/** Users, roles, their inline policies and access keys, in any account; every change bumps the access generation. */
export class Identities {
  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    private readonly generation: AccessGeneration,
  ) {}

  // Users and roles

  async createUser(account: string, name: string, path = '/'): Promise<PrincipalRecord> {
    const user = this.newPrincipal('user', account, checkName(name, 'userName', 64), checkPath(path), null);
    await this.generation.change((tx) => tx.createPrincipal(user));
    return user;
  }

  async createRole(account: string, name: string, trustPolicy: string, path = '/'): Promise<PrincipalRecord> {
    parsePolicyDocument(trustPolicy, 'trust');
    const role = this.newPrincipal('role', account, checkName(name, 'roleName', 64), checkPath(path), trustPolicy);
    await this.generation.change((tx) => tx.createPrincipal(role));
    return role;
  }

  async getPrincipal(kind: PrincipalKind, account: string, name: string): Promise<PrincipalRecord> {
    const principal = await this.findPrincipal(kind, account, name);
    if (!principal) throw noSuchEntity(kind, name);
    return principal;
  }

  async listPrincipals(kind: PrincipalKind, account: string): Promise<PrincipalRecord[]> {
    return this.metadata.listPrincipals(account, kind);
  }

  /** As IAM: a user with keys, a login profile or policies, or a role with policies, cannot be deleted until they are. */
  async deletePrincipal(kind: PrincipalKind, account: string, name: string): Promise<void> {
    await this.generation.change(async (tx) => {
      const principal = await this.findPrincipal(kind, account, name, tx);
      if (!principal) throw noSuchEntity(kind, name);
      if (kind === 'user' && (await tx.listAccessKeys(principal.arn)).length > 0) {
        throw new DomainError('ENTITY_IN_USE', 'Cannot delete entity, must delete access keys first.');
      }
      if (kind === 'user' && (await tx.getLoginProfile(principal.arn))) {
        throw new DomainError('ENTITY_IN_USE', 'Cannot delete entity, must delete login profile first.');
      }
      if ((await tx.listInlinePolicies(principal.arn)).length > 0) {
        throw new DomainError('ENTITY_IN_USE', 'Cannot delete entity, must delete policies first.');
      }
      await tx.deletePrincipal(principal.arn);
    });
  }

  // Inline policies

  async putPolicy(kind: PrincipalKind, account: string, name: string, policyName: string, document: string): Promise<void> {
    checkName(policyName, 'policyName', 128);
    parsePolicyDocument(document, 'identity');
    await this.generation.change(async (tx) => {
      const principal = await this.findPrincipal(kind, account, name, tx);
      if (!principal) throw noSuchEntity(kind, name);
      await tx.putInlinePolicy(principal.arn, { name: policyName, document });
    });
  }

  async getPolicy(kind: PrincipalKind, account: string, name: string, policyName: string): Promise<InlinePolicyRecord> {
    const principal = await this.getPrincipal(kind, account, name);
    const policy = await this.metadata.getInlinePolicy(principal.arn, policyName);
    if (!policy) throw new DomainError('ENTITY_NOT_FOUND', `The ${kind} policy with name ${policyName} cannot be found.`);
    return policy;
  }

  async listPolicies(kind: PrincipalKind, account: string, name: string): Promise<string[]> {
    const principal = await this.getPrincipal(kind, account, name);
    return (await this.metadata.listInlinePolicies(principal.arn)).map((p) => p.name);
  }

  async deletePolicy(kind: PrincipalKind, account: string, name: string, policyName: string): Promise<void> {
    await this.generation.change(async (tx) => {
      const principal = await this.findPrincipal(kind, account, name, tx);
      if (!principal) throw noSuchEntity(kind, name);
      if (!(await tx.deleteInlinePolicy(principal.arn, policyName))) {
        throw new DomainError('ENTITY_NOT_FOUND', `The ${kind} policy with name ${policyName} cannot be found.`);
      }
    });
  }

  // Access keys

  /** A long-term key for a user, or for the account root when `userName` is undefined. */
  async createAccessKey(account: string, userName: string | undefined, given?: { accessKeyId: string; secretAccessKey: string }): Promise<NewCredentials> {
    return this.generation.change(async (tx) => {
      const principalArn = userName === undefined ? rootArn(account) : (await this.findPrincipal('user', account, userName, tx))?.arn;
      if (!principalArn) throw noSuchEntity('user', userName!);
      if ((await tx.listAccessKeys(principalArn)).length >= ACCESS_KEYS_PER_USER) {
        throw new DomainError('LIMIT_EXCEEDED', `Cannot exceed quota for AccessKeysPerUser: ${ACCESS_KEYS_PER_USER}`);
      }
      const key: AccessKeyRecord = {
        id: given?.accessKeyId ?? newAccessKeyId('long-term'),
        secret: given?.secretAccessKey ?? newSecretAccessKey(),
        principalArn,
        status: 'Active',
        createdAt: this.clock.now(),
        sessionToken: null,
        expiresAt: null,
        sessionArn: null,
      };
      if (await tx.getAccessKey(key.id)) throw new DomainError('ENTITY_ALREADY_EXISTS', `The access key ${key.id} already exists.`);
      await tx.createAccessKey(key);
      return { accessKeyId: key.id, secretAccessKey: key.secret };
    });
  }

  async listAccessKeys(account: string, userName: string | undefined): Promise<AccessKeyRecord[]> {
    const principalArn = userName === undefined ? rootArn(account) : (await this.getPrincipal('user', account, userName)).arn;
    return this.metadata.listAccessKeys(principalArn);
  }

  async setAccessKeyStatus(account: string, userName: string | undefined, accessKeyId: string, status: AccessKeyStatus): Promise<void> {
    await this.generation.change(async (tx) => {
      await this.ownedKey(tx, account, userName, accessKeyId);
      await tx.setAccessKeyStatus(accessKeyId, status);
    });
  }

  async deleteAccessKey(account: string, userName: string | undefined, accessKeyId: string): Promise<void> {
    await this.generation.change(async (tx) => {
      await this.ownedKey(tx, account, userName, accessKeyId);
      await tx.deleteAccessKey(accessKeyId);
    });
  }

  /**
   * Temporary credentials for a role. The caller decides beforehand whether `principal` may assume it
   * (trust policy and identity policies); this checks the parameters and issues the session.
   */
  async assumeRole(role: PrincipalRecord, sessionName: string, durationSeconds = DEFAULT_MAX_SESSION_SECONDS): Promise<AssumedRole> {
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      throw new DomainError('INVALID_PARAMETER', `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`);
    }
    if (!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > DEFAULT_MAX_SESSION_SECONDS) {
      throw new DomainError('INVALID_PARAMETER', `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`);
    }
    const now = this.clock.now();
    const key: AccessKeyRecord = {
      id: newAccessKeyId('temporary'),
      secret: newSecretAccessKey(),
      principalArn: role.arn,
      status: 'Active',
      createdAt: now,
      sessionToken: newSessionToken(),
      expiresAt: new Date(now.getTime() + durationSeconds * 1000),
      sessionArn: assumedRoleArn(role.account, role.name, sessionName),
    };
    await this.metadata.createAccessKey(key);
    // Expired sessions are useless: drop them as new ones are made, so the table stays small.
    await this.metadata.deleteExpiredSessions(now);
    return {
      credentials: { accessKeyId: key.id, secretAccessKey: key.secret, sessionToken: key.sessionToken!, expiration: key.expiresAt! },
      assumedRoleArn: key.sessionArn!,
      assumedRoleId: `${role.id}:${sessionName}`,
    };
  }

  async findRoleByArn(arn: string): Promise<PrincipalRecord | undefined> {
    const principal = await this.metadata.getPrincipal(arn);
    return principal?.kind === 'role' ? principal : undefined;
  }

  private async ownedKey(tx: MetadataOps, account: string, userName: string | undefined, accessKeyId: string): Promise<AccessKeyRecord> {
    const principalArn = userName === undefined ? rootArn(account) : (await this.findPrincipal('user', account, userName, tx))?.arn;
    if (!principalArn) throw noSuchEntity('user', userName!);
    const key = await tx.getAccessKey(accessKeyId);
    if (!key || key.principalArn !== principalArn || key.sessionToken !== null) {
      throw new DomainError('ENTITY_NOT_FOUND', `The Access Key with id ${accessKeyId} cannot be found.`);
    }
    return key;
  }

  private async findPrincipal(kind: PrincipalKind, account: string, name: string, tx: MetadataOps = this.metadata): Promise<PrincipalRecord | undefined> {
    // Names are unique per account and kind whatever the path; the ARN carries the path, so look the name up.
    const all = await tx.listPrincipals(account, kind);
    return all.find((p) => p.name === name);
  }

  private newPrincipal(kind: PrincipalKind, account: string, name: string, path: string, trustPolicy: string | null): PrincipalRecord {
    return {
      arn: kind === 'user' ? userArn(account, name, path) : roleArn(account, name, path),
      account,
      kind,
      name,
      id: newUniqueId(kind === 'user' ? 'AIDA' : 'AROA'),
      path,
      trustPolicy,
      createdAt: this.clock.now(),
    };
  }
}

function checkName(name: string, member: string, max: number): string {
  if (name.length < 1 || name.length > max || !NAME_PATTERN.test(name)) {
    throw new DomainError(
      'INVALID_PARAMETER',
      `1 validation error detected: Value '${name.slice(0, 200)}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+ and have length between 1 and ${max}`,
    );
  }
  return name;
}

function checkPath(path: string): string {
  if (path.length > 512 || !PATH_PATTERN.test(path)) {
    throw new DomainError('INVALID_PARAMETER', `The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.`);
  }
  return path;
}

function noSuchEntity(kind: PrincipalKind, name: string): DomainError {
  return new DomainError('ENTITY_NOT_FOUND', `The ${kind} with name ${name} cannot be found.`, { name });
}
