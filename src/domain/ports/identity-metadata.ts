/** Identities: IAM users and roles of any account, their inline policies and access keys. */

export type PrincipalKind = 'user' | 'role';

export interface PrincipalRecord {
  arn: string;
  account: string;
  kind: PrincipalKind;
  name: string;
  /** AIDA… for users, AROA… for roles. */
  id: string;
  path: string;
  /** A role's trust policy text; null for users. */
  trustPolicy: string | null;
  createdAt: Date;
}

export type AccessKeyStatus = 'Active' | 'Inactive';

export interface AccessKeyRecord {
  id: string;
  secret: string;
  /** The IAM user or role the key acts as; for the account root, arn:aws:iam::<account>:root. */
  principalArn: string;
  status: AccessKeyStatus;
  createdAt: Date;
  /** Temporary credentials (AssumeRole) carry a session token, an expiry and the assumed-role ARN. */
  sessionToken: string | null;
  expiresAt: Date | null;
  sessionArn: string | null;
}

export interface InlinePolicyRecord {
  name: string;
  document: string;
}

/** An IAM user's console password. */
export interface LoginProfileRecord {
  userArn: string;
  /** The password's hash, parameters and salt in one string; never the password. */
  passwordHash: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A signed-in console browser. */
export interface ConsoleSessionRecord {
  /** SHA-256 (hex) of the session's cookie value. */
  idHash: string;
  /** The principal behind the credentials it signed in with (the account root's ARN for its keys). */
  principalArn: string;
  /** The access key it signed in with, or null for a password. */
  accessKeyId: string | null;
  /** Which password it signed in with, or null for an access key. */
  passwordFingerprint: string | null;
  createdAt: Date;
  expiresAt: Date;
}

export interface IdentityMetadataOps {
  /** Rejects with ENTITY_ALREADY_EXISTS when the account has a principal of that kind and name. */
  createPrincipal(principal: PrincipalRecord): Promise<void>;
  getPrincipal(arn: string): Promise<PrincipalRecord | undefined>;
  listPrincipals(account: string, kind: PrincipalKind): Promise<PrincipalRecord[]>;
  /** Removes the principal with its inline policies, keys, login profile and console sessions. */
  deletePrincipal(arn: string): Promise<boolean>;

  putInlinePolicy(principalArn: string, policy: InlinePolicyRecord): Promise<void>;
  getInlinePolicy(principalArn: string, name: string): Promise<InlinePolicyRecord | undefined>;
  listInlinePolicies(principalArn: string): Promise<InlinePolicyRecord[]>;
  deleteInlinePolicy(principalArn: string, name: string): Promise<boolean>;

  createAccessKey(key: AccessKeyRecord): Promise<void>;
  getAccessKey(id: string): Promise<AccessKeyRecord | undefined>;
  /** Long-term keys of a principal (not session credentials), oldest first. */
  listAccessKeys(principalArn: string): Promise<AccessKeyRecord[]>;
  setAccessKeyStatus(id: string, status: AccessKeyStatus): Promise<boolean>;
  deleteAccessKey(id: string): Promise<boolean>;
  /** Drops session credentials that expired before `at`. */
  deleteExpiredSessions(at: Date): Promise<number>;

  /** Rejects with ENTITY_ALREADY_EXISTS when the user has one. The user must exist. */
  createLoginProfile(profile: LoginProfileRecord): Promise<void>;
  getLoginProfile(userArn: string): Promise<LoginProfileRecord | undefined>;
  /** Resolves false (changing nothing) when the user has no login profile. */
  updateLoginProfile(userArn: string, passwordHash: string, at: Date): Promise<boolean>;
  deleteLoginProfile(userArn: string): Promise<boolean>;

  createConsoleSession(session: ConsoleSessionRecord): Promise<void>;
  getConsoleSession(idHash: string): Promise<ConsoleSessionRecord | undefined>;
  deleteConsoleSession(idHash: string): Promise<boolean>;
  /** Drops sessions that expired before `at`. */
  deleteExpiredConsoleSessions(at: Date): Promise<number>;

  /** A counter every identity or policy change bumps, so other processes know their caches are stale. */
  getAccessGeneration(): Promise<number>;
  bumpAccessGeneration(): Promise<number>;
}
