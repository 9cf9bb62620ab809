import { createHash } from 'node:crypto';
import { DomainError, isDomainError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { ConsoleSessionRecord } from '../ports/identity-metadata.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import type { Authenticator, KeyCredentials } from './authenticator.js';
import { type Caller, CONSOLE_PASSWORD_KEY, userCaller } from './caller.js';
import { newConsoleSessionToken, newSecretAccessKey, secretsEqual } from './credentials.js';
import type { LoginProfiles } from './login-profiles.js';

/** What one signs in to the console with: an access key pair (with its session token, for temporary credentials), or a user's password. */
export type ConsoleCredentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | { userName: string; password: string };

/** A live console session: who it acts as, and until when. */
export interface ConsoleSession {
  caller: Caller;
  expiresAt: Date;
}

/** Expired sessions stay a day, so a browser coming back is told its session expired rather than that it never signed in. */
const EXPIRED_SESSIONS_KEPT_MS = 86_400_000;

/**
 * Console sessions: signing in with an access key or a password opens one for a fixed lifetime (no
 * longer than temporary credentials last), stored as a row keyed by a hash of its cookie so any node
 * accepts it and signing out ends it everywhere. Each use checks the credentials again: a deleted user,
 * a deactivated or deleted key or a changed password ends the session.
 */
export class ConsoleSessions {
  /** A secret no key has, compared against when the key is unknown, so a miss takes as long as a wrong secret. */
  readonly #decoySecret = newSecretAccessKey();

  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    private readonly authenticator: Authenticator,
    private readonly loginProfiles: LoginProfiles,
    /** Passwords sign in as users of this account (the registry's). */
    private readonly account: string,
    private readonly lifetimeSeconds: number,
  ) {}

  /** Opens a session; CREDENTIALS_UNKNOWN, the same whatever was wrong, when the credentials are not valid. */
  async signIn(credentials: ConsoleCredentials): Promise<{ token: string; session: ConsoleSession }> {
    const signedIn = 'password' in credentials ? await this.byPassword(credentials.userName, credentials.password) : await this.byAccessKey(credentials);
    if (!signedIn) throw new DomainError('CREDENTIALS_UNKNOWN', 'The access key or password is not valid');
    const now = this.clock.now().getTime();
    const expiresAt = new Date(Math.min(now + this.lifetimeSeconds * 1000, signedIn.credentialsExpireAt?.getTime() ?? Infinity));
    const token = newConsoleSessionToken();
    await this.metadata.createConsoleSession({ ...signedIn.record, idHash: idHashOf(token), createdAt: new Date(now), expiresAt });
    await this.metadata.deleteExpiredConsoleSessions(new Date(now - EXPIRED_SESSIONS_KEPT_MS));
    return { token, session: { caller: signedIn.caller, expiresAt } };
  }

  /** The session a cookie names: UNAUTHORIZED when there is none (or it ended), CREDENTIALS_EXPIRED when it expired. */
  async resolve(token: string): Promise<ConsoleSession> {
    const record = await this.metadata.getConsoleSession(idHashOf(token));
    if (!record) throw new DomainError('UNAUTHORIZED', 'You are not signed in to the console.');
    if (record.expiresAt.getTime() <= this.clock.now().getTime()) throw new DomainError('CREDENTIALS_EXPIRED', 'Your console session has expired. Sign in again.');
    const caller = await this.currentCaller(record);
    if (!caller) {
      await this.metadata.deleteConsoleSession(record.idHash);
      const what = record.accessKeyId === null ? 'its password was changed or removed, or the user deleted' : 'its access key was deactivated or deleted';
      throw new DomainError('UNAUTHORIZED', `Your console session has ended: ${what}. Sign in again.`);
    }
    return { caller, expiresAt: record.expiresAt };
  }

  /** Ends the session a cookie names, if there is one. */
  async signOut(token: string): Promise<void> {
    await this.metadata.deleteConsoleSession(idHashOf(token));
  }

  private async byAccessKey(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): Promise<SignedIn | undefined> {
    const key = await this.activeKey(credentials.accessKeyId);
    const secretMatches = secretsEqual(credentials.secretAccessKey, key?.secretAccessKey ?? this.#decoySecret);
    // Temporary credentials are whole only with their session token; long-term keys have none.
    const tokenMatches =
      key?.sessionToken === undefined ? !credentials.sessionToken : credentials.sessionToken !== undefined && secretsEqual(credentials.sessionToken, key.sessionToken);
    if (!key || !secretMatches || !tokenMatches) return undefined;
    return {
      caller: key.caller,
      record: { principalArn: key.caller.policySubjectArn, accessKeyId: credentials.accessKeyId, passwordFingerprint: null },
      ...(key.expiresAt && { credentialsExpireAt: key.expiresAt }),
    };
  }

  private async byPassword(userName: string, password: string): Promise<SignedIn | undefined> {
    const verified = await this.loginProfiles.verify(this.account, userName, password);
    if (!verified) return undefined;
    return {
      caller: userCaller(verified.user, CONSOLE_PASSWORD_KEY),
      record: { principalArn: verified.user.arn, accessKeyId: null, passwordFingerprint: verified.passwordFingerprint },
    };
  }

  /** Who the session acts as now, if its credentials still hold. */
  private async currentCaller(record: ConsoleSessionRecord): Promise<Caller | undefined> {
    if (record.accessKeyId !== null) return (await this.activeKey(record.accessKeyId))?.caller;
    const user = record.passwordFingerprint === null ? undefined : await this.loginProfiles.userWithPassword(record.principalArn, record.passwordFingerprint);
    return user && userCaller(user, CONSOLE_PASSWORD_KEY);
  }

  /** An active key, unexpired; undefined otherwise. */
  private async activeKey(accessKeyId: string): Promise<KeyCredentials | undefined> {
    try {
      return await this.authenticator.credentials(accessKeyId);
    } catch (err) {
      if (isDomainError(err, 'CREDENTIALS_EXPIRED')) return undefined;
      throw err;
    }
  }
}

interface SignedIn {
  caller: Caller;
  record: Pick<ConsoleSessionRecord, 'principalArn' | 'accessKeyId' | 'passwordFingerprint'>;
  credentialsExpireAt?: Date;
}

/** The store keeps only a hash of the cookie: reading the database does not let anyone sign in. */
function idHashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
