import type { Clock } from '../ports/clock.js';
import type { MetadataOps, MetadataStore } from '../ports/metadata-store.js';

/**
 * The store's access generation as this process knows it. Every change to identities, keys or
 * policies bumps it in the store; caches keyed by it go stale at once for changes made here and
 * within `maxAgeMs` for changes made by another process (the `berth iam` CLI, another node).
 */
export class AccessGeneration {
  #known = -1;
  #checkedAt = -Infinity;
  #reading: Promise<number> | undefined;

  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    private readonly maxAgeMs = 1000,
  ) {}

  current(): number | Promise<number> {
    if (this.clock.now().getTime() - this.#checkedAt < this.maxAgeMs) return this.#known;
    this.#reading ??= this.metadata
      .getAccessGeneration()
      .then((generation) => {
        this.observe(generation);
        return this.#known;
      })
      .finally(() => {
        this.#reading = undefined;
      });
    return this.#reading;
  }

  /**
   * Runs a change to identities, policies or anything else access decisions read, in one transaction
   * with the generation bump: every cache goes stale with it, at once in this process.
   */
  async change<T>(fn: (tx: MetadataOps) => Promise<T>): Promise<T> {
    const [result, generation] = await this.metadata.transaction(async (tx) => [await fn(tx), await tx.bumpAccessGeneration()] as const);
    this.observe(generation);
    return result;
  }

  /** Records a generation this process just wrote (or read). */
  observe(generation: number): void {
    if (generation > this.#known) this.#known = generation;
    this.#checkedAt = this.clock.now().getTime();
  }
}

/** A bounded cache whose entries are valid only for the access generation they were loaded in. */
export class GenerationalCache<K, V> {
  readonly #entries = new Map<K, { generation: number; value: V }>();

  constructor(
    private readonly generation: AccessGeneration,
    private readonly maxEntries = 10_000,
  ) {}

  /**
   * The value for `key`, loaded when missing or stale; `cacheable` may decline to keep a loaded value.
   * A fresh hit is returned synchronously: the hot path (every registry request) creates no promise.
   */
  get(key: K, load: () => Promise<V>, cacheable: (value: V) => boolean = () => true): V | Promise<V> {
    const generation = this.generation.current();
    return typeof generation === 'number' ? this.lookup(key, generation, load, cacheable) : generation.then((known) => this.lookup(key, known, load, cacheable));
  }

  private lookup(key: K, generation: number, load: () => Promise<V>, cacheable: (value: V) => boolean): V | Promise<V> {
    const entry = this.#entries.get(key);
    if (entry && entry.generation === generation) return entry.value;
    return load().then((value) => {
      if (cacheable(value)) {
        if (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value as K);
        this.#entries.set(key, { generation, value });
      }
      return value;
    });
  }
}
