import type { Clock } from '../ports/clock.js';
import type { MetadataStore } from '../ports/metadata-store.js';

interface Pull {
  repositoryId: number;
  digest: string;
  at: Date;
}

/** How long a recorded pull may wait in memory before it is written. */
export const PULL_FLUSH_DELAY_MS = 5000;

/**
 * Last-pull times (ECR's lastRecordedPullTime) without a write per pull: pulls are kept in memory,
 * one per manifest, and written together a few seconds after the first of a batch, and on close.
 * ECR itself records pull times only approximately; a crash loses at most the last few seconds.
 */
export class PullRecorder {
  private pending = new Map<string, Pull>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    private readonly flushDelayMs = PULL_FLUSH_DELAY_MS,
    /** Principals whose pulls are not recorded (ECR's pull time update exclusions). */
    private readonly excluded: (principalArn: string) => boolean | Promise<boolean> = () => false,
  ) {}

  /** Records a pull, unless `pullerArn` (the IAM user or role that pulled) is excluded. */
  record(repositoryId: number, digest: string, pullerArn?: string): void {
    const at = this.clock.now();
    const excluded = pullerArn === undefined ? false : this.excluded(pullerArn);
    if (excluded instanceof Promise) {
      excluded.then((skip) => skip || this.add({ repositoryId, digest, at })).catch(() => this.add({ repositoryId, digest, at }));
    } else if (!excluded) {
      this.add({ repositoryId, digest, at });
    }
  }

  private add(pull: Pull): void {
    const key = `${pull.repositoryId} ${pull.digest}`;
    const known = this.pending.get(key);
    if (!known || known.at < pull.at) this.pending.set(key, pull);
    this.schedule();
  }

  /** Writes the pulls recorded so far. When the write fails they stay pending for the next flush, and it rejects. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.metadata.recordPulls([...batch.values()]);
    } catch (err) {
      // A pull recorded since is newer than the one that failed to be written.
      for (const [key, pull] of batch) if (!this.pending.has(key)) this.pending.set(key, pull);
      throw err;
    }
  }

  /** Stops the timer and writes what is pending: call before closing the metadata store. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Nobody awaits a timed flush. A failed one keeps its pulls pending: the next pull schedules
      // another attempt, and close() makes a last one (retrying on a timer here could outlive the store).
      this.flush().catch(() => {});
    }, this.flushDelayMs);
    // Pending pull times never keep the process alive; close() writes them.
    this.timer.unref();
  }
}
