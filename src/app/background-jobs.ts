import type { FastifyBaseLogger } from 'fastify';
import { importStaleSources } from '../domain/scanning/vulndb/stale-sources.js';
import type { Services } from './compose.js';
import type { Config } from './config.js';
import { type PeriodicJob, startPeriodicJob } from './periodic-job.js';

/** The longest pause between two sweeps of abandoned uploads. */
const MAX_SWEEP_INTERVAL_MS = 3_600_000;

export interface BackgroundJobs {
  /** Stops scheduling and waits for the runs in progress. */
  stop(): Promise<void>;
}

/** A job for the configuration, or undefined when the configuration turns it off. */
type JobFactory = (config: Config, services: Services, log: FastifyBaseLogger) => PeriodicJob | undefined;

/**
 * Abandoned upload sessions (no bytes for uploadIdleTimeout) are removed with their staged bytes.
 * Every node may run it; the removal is conditional on the session still being idle, so nodes do
 * not step on each other or on a client.
 */
const abandonedUploadSweep: JobFactory = (config, services, log) => {
  if (config.uploadIdleTimeout === 0) return undefined;
  const timeoutMs = config.uploadIdleTimeout * 1000;
  return {
    name: 'removing abandoned upload sessions',
    intervalMs: Math.min(Math.max(timeoutMs / 4, 1000), MAX_SWEEP_INTERVAL_MS),
    async run() {
      const removed = await services.registry.blobs.removeAbandonedUploads(new Date(services.clock.now().getTime() - timeoutMs));
      if (removed > 0) log.info({ removed, uploadIdleTimeout: config.uploadIdleTimeout }, 'removed abandoned upload sessions');
    },
  };
};

/**
 * Every repository's lifecycle policy, applied every lifecycleInterval. Every node may run it:
 * each image is deleted in its own transaction, so when two nodes act on the same image one
 * deletes it and the other finds it gone and skips it.
 */
const lifecycleRun: JobFactory = (config, services, log) => {
  if (config.lifecycleInterval === 0) return undefined;
  return {
    name: 'applying lifecycle policies',
    intervalMs: config.lifecycleInterval * 1000,
    async run() {
      const started = Date.now();
      const entries = await services.registry.lifecycleRuns.run({ dryRun: false });
      const applied = (action: string) => entries.filter((entry) => entry.applied && entry.action === action).length;
      const skipped = entries.filter((entry) => !entry.applied).length;
      log.info({ expired: applied('EXPIRE'), transitioned: applied('TRANSITION'), skipped, ms: Date.now() - started }, 'applied lifecycle policies');
    },
  };
};

/**
 * Garbage collection every gcInterval. Every node may run it: reviews are claimed with a lease,
 * and each deletion is rechecked in its own transaction.
 */
const garbageCollection: JobFactory = (config, services, log) => {
  if (config.gcInterval === 0) return undefined;
  return {
    name: 'collecting garbage',
    intervalMs: config.gcInterval * 1000,
    async run() {
      const report = await services.gc.collect();
      if (report.linksRemoved > 0 || report.blobsDeleted > 0) log.info(report, 'collected garbage');
    },
  };
};

/**
 * A sample of storage accounting every storageSampleInterval, for charts over time. Every node may
 * take them: samples of different nodes only make the series denser, and two at the same
 * millisecond are one.
 */
const storageSampling: JobFactory = (config, services) => {
  if (config.storageSampleInterval === 0) return undefined;
  return {
    name: 'sampling storage usage',
    intervalMs: config.storageSampleInterval * 1000,
    async run() {
      await services.storageUsage.recordSample();
    },
  };
};

/** How often the vulnerability database updater looks for sources due an import. */
const VULNDB_CHECK_INTERVAL_MS = 600_000;

/**
 * Each of vulndbSources imported again once vulndbUpdateInterval has passed since its last import
 * (or never was). Every node may run it: when imports are due is read from the shared database,
 * and two nodes importing at once write the same records.
 */
const vulndbUpdates: JobFactory = (config, services, log) => {
  if (config.vulndbSources.length === 0 || config.vulndbUpdateInterval === 0) return undefined;
  const maxAgeMs = config.vulndbUpdateInterval * 1000;
  return {
    name: 'updating the vulnerability database',
    intervalMs: Math.min(maxAgeMs, VULNDB_CHECK_INTERVAL_MS),
    async run() {
      for (const update of await importStaleSources(config.vulndbSources, services.metadata, maxAgeMs, services.clock)) {
        if ('error' in update) {
          log.error({ err: update.error, location: update.location }, 'importing a vulnerability source failed');
        } else {
          const { problems, ...report } = update.report;
          log.info({ ...report, invalidExamples: problems.slice(0, 3) }, 'imported a vulnerability source');
        }
      }
    },
  };
};

/**
 * Requested image scans, one at a time, each in its own worker thread; then continuous scanning's
 * re-matching when the vulnerability database changed. Every node may run it: a scan is claimed
 * with a lease.
 */
const imageScanning: JobFactory = (config, services, log) => {
  if (config.scanInterval === 0) return undefined;
  return {
    name: 'scanning images',
    intervalMs: config.scanInterval * 1000,
    async run() {
      const scanned = await services.scanRunner.drain();
      if (scanned > 0) log.info({ scanned }, 'scanned images');
      const rematched = await services.continuousScanning.rematch();
      if (rematched.images > 0) log.info(rematched, 'matched scanned images against the updated vulnerability database');
    },
  };
};

const JOBS: readonly JobFactory[] = [abandonedUploadSweep, lifecycleRun, garbageCollection, storageSampling, vulndbUpdates, imageScanning];

/** Periodic maintenance in the serving process, each job on its own schedule. */
export function startBackgroundJobs(config: Config, services: Services, log: FastifyBaseLogger): BackgroundJobs {
  const running = JOBS.flatMap((factory) => {
    const job = factory(config, services, log);
    return job ? [startPeriodicJob(job, log)] : [];
  });
  return {
    async stop() {
      await Promise.all(running.map((job) => job.stop()));
    },
  };
}
