import type { Clock } from '../../domain/ports/clock.js';

/** Failed sign-ins one address may make per window before it must wait. */
const FAILURES_ALLOWED = 10;
const WINDOW_MS = 60_000;
/** Addresses remembered at most; past it, those whose window has ended are forgotten. */
const ADDRESSES_KEPT = 10_000;

/**
 * A mild brake on guessing console passwords and secrets: after FAILURES_ALLOWED failed sign-ins from
 * one address within a minute, that address may not try again until the minute is over. Per node, in
 * memory: behind several nodes a guesser gets that many tries per node.
 */
export class SignInThrottle {
  readonly #failures = new Map<string, { since: number; count: number }>();

  constructor(private readonly clock: Clock) {}

  /** Milliseconds until `address` may try again; 0 when it may now. */
  waitFor(address: string): number {
    const entry = this.#failures.get(address);
    if (!entry || entry.count < FAILURES_ALLOWED) return 0;
    return Math.max(0, entry.since + WINDOW_MS - this.clock.now().getTime());
  }

  recordFailure(address: string): void {
    const now = this.clock.now().getTime();
    const entry = this.#failures.get(address);
    if (entry && now - entry.since < WINDOW_MS) {
      entry.count++;
      return;
    }
    if (this.#failures.size >= ADDRESSES_KEPT) this.forgetEnded(now);
    this.#failures.set(address, { since: now, count: 1 });
  }

  private forgetEnded(now: number): void {
    for (const [address, entry] of this.#failures) if (now - entry.since >= WINDOW_MS) this.#failures.delete(address);
    // Every window still running: forget the oldest rather than grow without bound.
    if (this.#failures.size >= ADDRESSES_KEPT) this.#failures.delete(this.#failures.keys().next().value as string);
  }
}
