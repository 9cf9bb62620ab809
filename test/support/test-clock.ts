import type { Clock } from '../../src/domain/ports/clock.js';

/** Time that moves only when a test moves it. */
export class TestClock implements Clock {
  private time = Date.parse('2025-03-04T05:06:07.000Z');
  now(): Date {
    return new Date(this.time);
  }
  advance(ms: number): void {
    this.time += ms;
  }
}
