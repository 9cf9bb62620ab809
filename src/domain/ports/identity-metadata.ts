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

export interface IdentityMetadataOps {
  /** Rejects with ENTITY_ALREADY_EXISTS when the account has a principal of that kind and name. */
  createPrincipal(principal: PrincipalRecord): Promise<void>;
  getPrincipal(arn: string): Promise<PrincipalRecord | undefined>;
  listPrincipals(account: string, kind: PrincipalKind): Promise<PrincipalRecord[]>;
  /** Removes the principal with its inline policies and keys. */
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

  /** A counter every identity or policy change bumps, so other processes know their caches are stale. */
  getAccessGeneration(): Promise<number>;
  bumpAccessGeneration(): Promise<number>;
}
