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

export interface ManualClock extends Clock {
  /** Moves time forward and wakes the sleeps that are due. */
  advance(ms: number): void;
  /** How many sleeps are waiting. */
  sleeping(): number;
}

/** A clock whose sleeps wait until the test moves time past their end: scheduling without waiting. */
export function manualClock(start = 0): ManualClock {
  let t = start;
  const sleepers: { until: number; resolve: () => void }[] = [];
  return {
    now: () => t,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        sleepers.push({ until: t + ms, resolve });
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      }),
    advance(ms) {
      t += ms;
      for (const s of sleepers.splice(0)) {
        if (s.until <= t) s.resolve();
        else sleepers.push(s);
      }
    },
    sleeping: () => sleepers.length,
  };
}
