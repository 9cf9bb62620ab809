import { createHash, randomBytes, randomInt, scrypt, type ScryptOptions, timingSafeEqual } from 'node:crypto';
import { DomainError, isDomainError } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { LoginProfileRecord, PrincipalRecord } from '../ports/identity-metadata.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import type { AccessGeneration } from './access-generation.js';
import type { Identities } from './identities.js';

/** IAM's default password policy: 8 to 128 characters, three of the four kinds of character. */
const PASSWORD_LENGTH = { min: 8, max: 128 };
const CHARACTER_KINDS = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/];
const KINDS_REQUIRED = 3;

/**
 * scrypt at N=2^15, r=8, p=1: 32 MiB and about 0.1 s per hash, so a stolen database is slow to guess
 * from and a sign-in is still quick. The parameters are stored with each hash, so they can be raised
 * later without invalidating passwords set before.
 */
const SCRYPT_COST = { N: 2 ** 15, r: 8, p: 1 };
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const SCRYPT_MAX_MEMORY = 64 * 1024 * 1024;
const GENERATED_PASSWORD_LENGTH = 20;
const GENERATED_PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!@#$%^&*()_+-=[]{}|';

/** A login profile as IAM's GetLoginProfile shows it. */
export interface LoginProfile {
  userName: string;
  createDate: Date;
}

/** The user a password signed in as, and which password it was. */
export interface PasswordSignIn {
  user: PrincipalRecord;
  passwordFingerprint: string;
}

/**
 * IAM users' console passwords (IAM's login profiles), in any account: set, changed and removed as
 * `aws iam create-login-profile` etc. do, and checked when someone signs in to the console. Only a
 * salted scrypt hash is stored; checks compare in constant time and take as long for an unknown user.
 */
export class LoginProfiles {
  /** A hash of no one's password, checked against when there is no profile, so a miss takes as long as a wrong password. */
  #decoy: Promise<string> | undefined;

  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    private readonly generation: AccessGeneration,
    private readonly identities: Identities,
  ) {}

  async create(account: string, userName: string, password: string): Promise<LoginProfile> {
    const user = await this.identities.getPrincipal('user', account, userName);
    const passwordHash = await hashPassword(checkPasswordPolicy(password));
    const now = this.clock.now();
    await this.generation.change((tx) => tx.createLoginProfile({ userArn: user.arn, passwordHash, createdAt: now, updatedAt: now }));
    return { userName: user.name, createDate: now };
  }

  async get(account: string, userName: string): Promise<LoginProfile> {
    const user = await this.identities.getPrincipal('user', account, userName);
    const profile = await this.metadata.getLoginProfile(user.arn);
    if (!profile) throw noLoginProfile(userName);
    return { userName: user.name, createDate: profile.createdAt };
  }

  /** A new password ends the console sessions signed in with the old one. */
  async update(account: string, userName: string, password: string): Promise<void> {
    const user = await this.identities.getPrincipal('user', account, userName);
    const passwordHash = await hashPassword(checkPasswordPolicy(password));
    const updated = await this.generation.change((tx) => tx.updateLoginProfile(user.arn, passwordHash, this.clock.now()));
    if (!updated) throw noLoginProfile(userName);
  }

  async delete(account: string, userName: string): Promise<void> {
    const user = await this.identities.getPrincipal('user', account, userName);
    if (!(await this.generation.change((tx) => tx.deleteLoginProfile(user.arn)))) throw noLoginProfile(userName);
  }

  /** The user of `account` whose console password this is; undefined for a wrong password, an unknown user or one without a password. */
  async verify(account: string, userName: string, password: string): Promise<PasswordSignIn | undefined> {
    // No password longer than the policy allows was ever set: skip the hashing of long input.
    if ([...password].length > PASSWORD_LENGTH.max) return undefined;
    const user = await this.identities.getPrincipal('user', account, userName).catch((err: unknown) => {
      if (isDomainError(err, 'ENTITY_NOT_FOUND')) return undefined;
      throw err;
    });
    const profile = user && (await this.metadata.getLoginProfile(user.arn));
    this.#decoy ??= hashPassword(randomBytes(SALT_BYTES).toString('hex'));
    const matches = await passwordMatches(password, profile?.passwordHash ?? (await this.#decoy));
    return user && profile && matches ? { user, passwordFingerprint: passwordFingerprint(profile) } : undefined;
  }

  /** The user while their password is still the one a sign-in used; undefined once it was changed or removed, or the user deleted. */
  async userWithPassword(userArn: string, fingerprint: string): Promise<PrincipalRecord | undefined> {
    const [user, profile] = await Promise.all([this.metadata.getPrincipal(userArn), this.metadata.getLoginProfile(userArn)]);
    return user && profile && passwordFingerprint(profile) === fingerprint ? user : undefined;
  }
}

/** A random password that meets the policy, for `berth iam create-login-profile` without one given. */
export function generatePassword(): string {
  for (;;) {
    let password = '';
    for (let i = 0; i < GENERATED_PASSWORD_LENGTH; i++) password += GENERATED_PASSWORD_ALPHABET[randomInt(GENERATED_PASSWORD_ALPHABET.length)];
    if (meetsPasswordPolicy(password)) return password;
  }
}

function meetsPasswordPolicy(password: string): boolean {
  const length = [...password].length;
  return length >= PASSWORD_LENGTH.min && length <= PASSWORD_LENGTH.max && CHARACTER_KINDS.filter((kind) => kind.test(password)).length >= KINDS_REQUIRED;
}

function checkPasswordPolicy(password: string): string {
  if (!meetsPasswordPolicy(password)) {
    throw new DomainError(
      'INVALID_PARAMETER',
      `Password does not conform to the account password policy: it must be ${PASSWORD_LENGTH.min} to ${PASSWORD_LENGTH.max} characters long ` +
        'and contain at least three of uppercase letters, lowercase letters, digits and symbols.',
      { awsType: 'PasswordPolicyViolation' },
    );
  }
  return password;
}

/** Names the password a profile has now (not its hash), so a session can tell when it was changed. */
function passwordFingerprint(profile: LoginProfileRecord): string {
  return createHash('sha256').update(profile.passwordHash).digest('hex').slice(0, 32);
}

/** `scrypt$<N>$<r>$<p>$<salt>$<hash>`, base64 salt and hash. */
async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, HASH_BYTES, SCRYPT_COST);
  return ['scrypt', SCRYPT_COST.N, SCRYPT_COST.r, SCRYPT_COST.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

async function passwordMatches(password: string, encoded: string): Promise<boolean> {
  const [scheme, N, r, p, salt, hash] = encoded.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) throw new Error('a stored password hash is not in the scrypt format');
  const expected = Buffer.from(hash, 'base64');
  const actual = await derive(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(N), r: Number(r), p: Number(p) });
  return timingSafeEqual(actual, expected);
}

function derive(password: string, salt: Buffer, length: number, cost: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, { ...cost, maxmem: SCRYPT_MAX_MEMORY }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function noLoginProfile(userName: string): DomainError {
  return new DomainError('ENTITY_NOT_FOUND', `Login Profile for User ${userName} cannot be found.`, { name: userName });
}
