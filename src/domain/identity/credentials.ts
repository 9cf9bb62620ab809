import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** Identifiers and secrets shaped like AWS's, from the operating system's CSPRNG. */

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomBase32(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE32[randomInt(BASE32.length)];
  return out;
}

/** AKIA… for long-term keys, ASIA… for temporary credentials: 20 characters, as AWS's. */
export function newAccessKeyId(kind: 'long-term' | 'temporary'): string {
  return (kind === 'long-term' ? 'AKIA' : 'ASIA') + randomBase32(16);
}

/** 40 characters of base64 (240 bits), as AWS's secret access keys. */
export function newSecretAccessKey(): string {
  return randomBytes(30).toString('base64');
}

/** AIDA… (users) or AROA… (roles): 21 characters, as AWS's unique ids. */
export function newUniqueId(prefix: 'AIDA' | 'AROA'): string {
  return prefix + randomBase32(17);
}

export function newSessionToken(): string {
  return randomBytes(96).toString('base64');
}

export function newSigningKey(): string {
  return randomBytes(32).toString('hex');
}

/** A console session's cookie value: 256 bits, URL-safe. */
export function newConsoleSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Compares two secrets in time that depends on neither (they are hashed to one length first). */
export function secretsEqual(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}
