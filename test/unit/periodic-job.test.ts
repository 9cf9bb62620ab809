import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPeriodicJob } from '../../src/app/periodic-job.js';

const quietLog = { error: () => {} };

/** `run` as a job named 'job' every 5 ms. */
const every5ms = (run: () => Promise<void>, log: Parameters<typeof startPeriodicJob>[1] = quietLog) => startPeriodicJob({ name: 'job', intervalMs: 5, run }, log);

describe('periodic jobs', () => {
  it('runs every interval, never two runs at once, even when a run outlasts the interval', async () => {
    let active = 0;
    let overlapped = false;
    let runs = 0;
    const job = every5ms(async () => {
      overlapped ||= active > 0;
      active++;
      await sleep(30);
      active--;
      runs++;
    });
    await sleep(200);
    await job.stop();
    assert.ok(runs >= 3, `ran ${runs} times`);
    assert.equal(overlapped, false);
  });

  it('logs a failed run and keeps the schedule', async () => {
    const logged: unknown[] = [];
    let runs = 0;
    const job = every5ms(
      async () => {
        runs++;
        throw new Error(`failure ${runs}`);
      },
      { error: (fields: unknown, message?: unknown) => void logged.push([fields, message]) },
    );
    await sleep(100);
    await job.stop();
    assert.ok(runs >= 2, `ran ${runs} times`);
    assert.deepEqual(logged[0], [{ err: new Error('failure 1'), job: 'job' }, 'job failed']);
  });

  it('waits for the run in progress when stopped, then runs no more', async () => {
    let started = 0;
    let finished = 0;
    const job = every5ms(async () => {
      started++;
      await sleep(50);
      finished++;
    });
    await sleep(20);
    assert.equal(started, 1);
    await job.stop();
    assert.equal(finished, 1, 'stop() resolved before the run ended');
    await sleep(30);
    assert.equal(started, 1);
  });

  it('stops before the first run without running', async () => {
    let runs = 0;
    const job = startPeriodicJob({ name: 'job', intervalMs: 10, run: async () => void runs++ }, quietLog);
    await job.stop();
    await sleep(30);
    assert.equal(runs, 0);
  });
});
