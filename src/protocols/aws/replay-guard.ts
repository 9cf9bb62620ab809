import { DomainError } from '../../domain/errors.js';

/**
 * Refuses a signed request presented a second time while its signature is still within its validity
 * window. Memory is bounded: a signature is forgotten once it has expired (it would be refused as
 * expired anyway), and past `maxEntries` the oldest is forgotten first, which only narrows the protection.
 *
 * One guard protects one process; nodes behind a load balancer each see only their own share of requests.
 * Beware: botocore (the AWS CLI, boto3) does not sign its per-call amz-sdk-invocation-id, so two identical
 * calls it makes within one second carry the same signature and the second is refused; the JS SDK signs
 * it. A presigned URL is by design reusable until it expires, so guarding one makes it single-use.
 */
export class ReplayGuard {
  /** Signature -> the last instant it is accepted (epoch ms), in the order first seen. */
  readonly #seen = new Map<string, number>();

  constructor(readonly maxEntries = 1_000_000) {}

  /** Remembers a verified signature through `expiresAt`; throws SIGNATURE_INVALID if it is already remembered. */
  admit(signature: string, expiresAt: Date, now: Date): void {
    const nowMs = now.getTime();
    this.#forgetExpired(nowMs);
    const seenUntil = this.#seen.get(signature);
    if (seenUntil !== undefined && seenUntil >= nowMs) {
      throw new DomainError('SIGNATURE_INVALID', 'This signed request was already used; sign each request anew.');
    }
    this.#seen.delete(signature);
    while (this.#seen.size >= this.maxEntries) this.#forgetOldest();
    // A copy: the signature may be a slice that keeps the whole Authorization header alive (about 3x the memory).
    this.#seen.set(Buffer.from(signature, 'utf8').toString('utf8'), expiresAt.getTime());
  }

  get size(): number {
    return this.#seen.size;
  }

  /**
   * Entries arrive roughly in expiry order (each expires a fixed window after its signing time), so
   * sweeping from the oldest until the first live one is amortised O(1) and leaves few dead ones behind.
   */
  #forgetExpired(nowMs: number): void {
    for (const [signature, expiresAt] of this.#seen) {
      if (expiresAt >= nowMs) return;
      this.#seen.delete(signature);
    }
  }

  #forgetOldest(): void {
    const oldest = this.#seen.keys().next();
    if (!oldest.done) this.#seen.delete(oldest.value);
  }
}
