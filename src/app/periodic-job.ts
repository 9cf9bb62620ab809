import type { FastifyBaseLogger } from 'fastify';

/** Maintenance a serving process repeats on its own. */
export interface PeriodicJob {
  /** For logs: what failed. */
  name: string;
  /** Pause between the end of one run and the start of the next. */
  intervalMs: number;
  run(): Promise<void>;
}

export interface RunningJob {
  /** Stops scheduling runs and waits for one in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `job` every `intervalMs`, first one interval after start. The next run is scheduled only
 * when one ends, so a run that takes longer than the interval never overlaps the next. A failed
 * run is logged and the schedule goes on.
 */
export function startPeriodicJob(job: PeriodicJob, log: Pick<FastifyBaseLogger, 'error'>): RunningJob {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout;
  const scheduleNext = () => {
    timer = setTimeout(() => {
      running = job
        .run()
        .catch((err: unknown) => log.error({ err, job: job.name }, `${job.name} failed`))
        .then(() => {
          if (!stopped) scheduleNext();
        });
    }, job.intervalMs);
    // A pending run must not keep a process alive that has nothing else to do.
    timer.unref();
  };
  scheduleNext();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
