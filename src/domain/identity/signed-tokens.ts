import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EcrMetadataOps } from '../ports/ecr-metadata.js';
import type { Clock } from '../ports/clock.js';
import { newSigningKey } from './credentials.js';

const SIGNING_KEY_DOCUMENT = 'token-signing-key';

/**
 * Self-contained tokens (registry passwords, layer download URLs): a JSON payload with an expiry,
 * MACed with a key every node shares through the metadata store, so any node verifies any token.
 */
export class SignedTokens {
  #key: Promise<Buffer> | undefined;

  constructor(
    private readonly metadata: Pick<EcrMetadataOps, 'putRegistryDocumentIfAbsent'>,
    private readonly clock: Clock,
  ) {}

  private key(): Promise<Buffer> {
    this.#key ??= this.metadata
      .putRegistryDocumentIfAbsent(SIGNING_KEY_DOCUMENT, newSigningKey(), this.clock.now())
      .then((hex) => Buffer.from(hex, 'hex'));
    return this.#key;
  }

  async sign(purpose: string, payload: Record<string, unknown>, expiresAt: Date): Promise<string> {
    const body = Buffer.from(JSON.stringify({ ...payload, p: purpose, e: expiresAt.getTime() })).toString('base64url');
    return `${body}.${mac(await this.key(), body)}`;
  }

  /** The payload of a token made by `sign` for `purpose`: undefined when forged or malformed, 'expired' when past its expiry. */
  async verify(purpose: string, token: string): Promise<Record<string, unknown> | 'expired' | undefined> {
    const dot = token.indexOf('.');
    if (dot <= 0 || token.length > 4096) return undefined;
    const body = token.slice(0, dot);
    const expected = Buffer.from(mac(await this.key(), body));
    const given = Buffer.from(token.slice(dot + 1));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    if (payload.p !== purpose || typeof payload.e !== 'number') return undefined;
    return payload.e <= this.clock.now().getTime() ? 'expired' : payload;
  }
}

function mac(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}
