import { DomainError } from '../errors.js';
import { rootArn } from '../model/arn.js';
import type { Clock } from '../ports/clock.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import { type AccessGeneration, GenerationalCache } from './access-generation.js';
import { type Caller, CONSOLE_PASSWORD_KEY, userCaller } from './caller.js';
import type { SignedTokens } from './signed-tokens.js';

/** ECR's registry credentials last 12 hours. */
export const REGISTRY_TOKEN_HOURS = 12;
const REGISTRY_TOKEN = 'registry';
const VERIFIED_TOKENS_KEPT = 10_000;

export interface KeyCredentials {
  secretAccessKey: string;
  sessionToken?: string;
  /** When temporary credentials stop working. */
  expiresAt?: Date;
  caller: Caller;
}

/** Resolves access keys and registry tokens to callers; lookups are cached per access generation. */
export class Authenticator {
  readonly #keys: GenerationalCache<string, KeyCredentials | 'expired' | undefined>;
  /** Registry tokens whose MAC has been checked; whether their key is still active is asked on every use. */
  readonly #verifiedTokens = new Map<string, { accessKeyId: string; expiresAt: number }>();

  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    generation: AccessGeneration,
    private readonly tokens: SignedTokens,
  ) {
    this.#keys = new GenerationalCache(generation);
  }

  /**
   * The secret and caller of an active access key, for signature checks; undefined when the key is
   * unknown or inactive (AWS does not tell the two apart). Expired session keys throw CREDENTIALS_EXPIRED.
   */
  credentials(accessKeyId: string): KeyCredentials | undefined | Promise<KeyCredentials | undefined> {
    const found = this.#keys.get(accessKeyId, () => this.load(accessKeyId));
    return found instanceof Promise ? found.then((loaded) => this.usable(loaded)) : this.usable(found);
  }

  /** Checked on every use: a cached session outlives its expiry otherwise. */
  private usable(found: KeyCredentials | 'expired' | undefined): KeyCredentials | undefined {
    if (found === 'expired' || (found?.expiresAt && found.expiresAt.getTime() <= this.clock.now().getTime())) throw expired();
    return found;
  }

  /** A registry password (docker login) for the caller's key, valid 12 hours or until its session ends. */
  async issueRegistryToken(caller: Caller): Promise<{ token: string; expiresAt: Date }> {
    if (caller.accessKeyId === CONSOLE_PASSWORD_KEY) {
      throw new DomainError('DENIED', 'Registry credentials are made from an access key, and a console password session has none: run aws ecr get-login-password with an access key.');
    }
    const key = await this.credentials(caller.accessKeyId);
    if (!key) throw new DomainError('CREDENTIALS_UNKNOWN', 'The security token included in the request is invalid.');
    const now = this.clock.now().getTime();
    const until = Math.min(now + REGISTRY_TOKEN_HOURS * 3600_000, key.expiresAt?.getTime() ?? Infinity);
    const expiresAt = new Date(Math.floor(until / 1000) * 1000);
    return { token: await this.tokens.sign(REGISTRY_TOKEN, { k: caller.accessKeyId }, expiresAt), expiresAt };
  }

  /** The caller a registry password stands for; stops working when it expires or its key is deactivated or deleted. */
  callerForRegistryToken(token: string): Caller | Promise<Caller> {
    const verified = this.#verifiedTokens.get(token);
    return verified ? this.callerOfToken(token, verified) : this.verifyRegistryToken(token).then((checked) => this.callerOfToken(token, checked));
  }

  private callerOfToken(token: string, verified: { accessKeyId: string; expiresAt: number }): Caller | Promise<Caller> {
    if (verified.expiresAt <= this.clock.now().getTime()) {
      this.#verifiedTokens.delete(token);
      throw new DomainError('CREDENTIALS_EXPIRED', 'Your authorization token has expired. Reauthenticate and try again.');
    }
    const key = this.credentials(verified.accessKeyId);
    return key instanceof Promise ? key.then(callerOfActiveKey) : callerOfActiveKey(key);
  }

  /** Checks a token's MAC once; then it is remembered (bounded), so the hot path skips the HMAC and the parsing. */
  private async verifyRegistryToken(token: string): Promise<{ accessKeyId: string; expiresAt: number }> {
    const payload = await this.tokens.verify(REGISTRY_TOKEN, token);
    if (payload === 'expired') throw new DomainError('CREDENTIALS_EXPIRED', 'Your authorization token has expired. Reauthenticate and try again.');
    if (!payload || typeof payload.k !== 'string' || typeof payload.e !== 'number') {
      throw new DomainError('UNAUTHORIZED', 'Your authorization token is invalid. Reauthenticate and try again.');
    }
    const verified = { accessKeyId: payload.k, expiresAt: payload.e };
    if (this.#verifiedTokens.size >= VERIFIED_TOKENS_KEPT) this.#verifiedTokens.delete(this.#verifiedTokens.keys().next().value as string);
    this.#verifiedTokens.set(token, verified);
    return verified;
  }

  private async load(accessKeyId: string): Promise<KeyCredentials | 'expired' | undefined> {
    const key = await this.metadata.getAccessKey(accessKeyId);
    if (!key || key.status !== 'Active') return undefined;
    if (key.expiresAt && key.expiresAt.getTime() <= this.clock.now().getTime()) return 'expired';
    const caller = await this.callerOf(key.principalArn, key.id, key.sessionArn);
    if (!caller) return undefined;
    return {
      secretAccessKey: key.secret,
      ...(key.sessionToken !== null && { sessionToken: key.sessionToken }),
      ...(key.expiresAt && { expiresAt: key.expiresAt }),
      caller,
    };
  }

  private async callerOf(principalArn: string, accessKeyId: string, sessionArn: string | null): Promise<Caller | undefined> {
    const rootMatch = /^arn:aws:iam::(\d{12}):root$/.exec(principalArn);
    if (rootMatch) {
      const account = rootMatch[1]!;
      return { arn: rootArn(account), account, kind: 'root', userId: account, policySubjectArn: principalArn, accessKeyId };
    }
    const principal = await this.metadata.getPrincipal(principalArn);
    if (!principal) return undefined;
    if (principal.kind === 'user') return userCaller(principal, accessKeyId);
    if (!sessionArn) return undefined;
    const sessionName = sessionArn.slice(sessionArn.lastIndexOf('/') + 1);
    return { arn: sessionArn, account: principal.account, kind: 'assumed-role', userId: `${principal.id}:${sessionName}`, policySubjectArn: principal.arn, accessKeyId };
  }
}

function callerOfActiveKey(key: KeyCredentials | undefined): Caller {
  if (!key) throw new DomainError('UNAUTHORIZED', 'Your authorization token is no longer valid: its access key was deactivated or deleted. Reauthenticate and try again.');
  return key.caller;
}

function expired(): DomainError {
  return new DomainError('CREDENTIALS_EXPIRED', 'The security token included in the request is expired');
}
