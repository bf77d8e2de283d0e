/** A clock whose sleeps return at once and move its time forward: retries and backoff without waiting. */
import type { Clock } from '../../src/base/clock.js';

export interface FakeClock extends Clock {
  advance(ms: number): void;
  slept: number[];
}

export function fakeClock(start = Date.parse('2026-11-29T08:00:00Z')): FakeClock {
  let t = start;
  const slept: number[] = [];
  return {
    now: () => t,
    slept,
    advance(ms) {
      t += ms;
    },
    async sleep(ms, signal) {
      if (signal?.aborted) throw signal.reason;
      slept.push(ms);
      t += ms;
    },
  };
}
