import type { FastifyBaseLogger } from 'fastify';
import type { Services } from './compose.js';
import type { Config } from './config.js';

/** The longest pause between two sweeps of abandoned uploads. */
const MAX_SWEEP_INTERVAL_MS = 3_600_000;

export interface BackgroundJobs {
  /** Stops scheduling and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/**
 * Periodic maintenance in the serving process: abandoned upload sessions (no bytes for
 * uploadIdleTimeout) are removed with their staged bytes. Every node may run it; the removal is
 * conditional on the session still being idle, so nodes do not step on each other or on a client.
 */
export function startBackgroundJobs(config: Config, services: Services, log: FastifyBaseLogger): BackgroundJobs {
  if (config.uploadIdleTimeout === 0) return { stop: async () => {} };
  const timeoutMs = config.uploadIdleTimeout * 1000;
  let running: Promise<void> = Promise.resolve();
  const sweep = () => {
    running = services.registry.blobs
      .removeAbandonedUploads(new Date(services.clock.now().getTime() - timeoutMs))
      .then((removed) => {
        if (removed > 0) log.info({ removed, uploadIdleTimeout: config.uploadIdleTimeout }, 'removed abandoned upload sessions');
      })
      .catch((err: unknown) => log.error({ err }, 'removing abandoned upload sessions failed'));
  };
  const timer = setInterval(sweep, Math.min(Math.max(timeoutMs / 4, 1000), MAX_SWEEP_INTERVAL_MS));
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
