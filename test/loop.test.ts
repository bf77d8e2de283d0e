import { describe, expect, it } from 'vitest';
import type { CycleReport } from '../src/cycle/index.js';
import { createLoop } from '../src/loop.js';
import { silentLogger } from '../src/log.js';
import { manualClock } from './helpers/clock.js';

const report = (id: number): CycleReport => ({ id, startedAt: 0, finishedAt: 0, detections: [], hosts: [], ok: true });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('the loop', () => {
  it('runs a cycle at start and then one interval after each', async () => {
    const manual = manualClock();
    const ran: number[] = [];
    const loop = createLoop({ intervalMs: 1000, clock: manual, log: silentLogger, run: async (id) => (ran.push(id), report(id)) });
    loop.start();
    await tick();
    expect(ran).toEqual([1]);
    expect(loop.nextCheck()).toBe(1000);
    manual.advance(999);
    await tick();
    expect(ran).toEqual([1]);
    manual.advance(1);
    await tick();
    expect(ran).toEqual([1, 2]);
    await loop.stop(1000);
  });

  it('joins the cycle in flight instead of starting another', async () => {
    const manual = manualClock();
    let release: () => void = () => {};
    let calls = 0;
    const loop = createLoop({
      intervalMs: 1000,
      clock: manual,
      log: silentLogger,
      run: (id) => {
        calls += 1;
        return new Promise<CycleReport>((resolve) => (release = () => resolve(report(id))));
      },
    });
    const a = loop.runNow();
    const b = loop.runNow();
    expect(b.id).toBe(a.id);
    release();
    await a.done;
    expect(calls).toBe(1);
    expect(loop.runNow().id).toBe(a.id + 1);
  });

  it('aborts a hanging cycle on stop and returns within the grace period', async () => {
    const manual = manualClock();
    let aborted = false;
    const loop = createLoop({
      intervalMs: 1000,
      clock: manual,
      log: silentLogger,
      run: (_id, signal) =>
        new Promise<CycleReport>((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(signal.reason);
          });
        }),
    });
    loop.start();
    await tick();
    const started = performance.now();
    await loop.stop(5000);
    expect(aborted).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('keeps going after a cycle throws', async () => {
    const manual = manualClock();
    const ran: number[] = [];
    const loop = createLoop({
      intervalMs: 10,
      clock: manual,
      log: silentLogger,
      run: async (id) => {
        ran.push(id);
        if (id === 1) throw new Error('boom');
        return report(id);
      },
    });
    loop.start();
    await tick();
    manual.advance(10);
    await tick();
    expect(ran).toEqual([1, 2]);
    await loop.stop(100);
  });
});
