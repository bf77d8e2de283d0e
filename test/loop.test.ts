import { describe, expect, it } from 'vitest';
import type { CycleReport } from '../src/cycle/index.js';
import { createLoop } from '../src/loop.js';
import { silentLogger } from '../src/base/log.js';
import type { Clock } from '../src/base/clock.js';
import { until } from './helpers/wait.js';

/** A clock whose sleeps wait until the test releases them. */
function manualClock() {
  let t = 0;
  const sleepers: { until: number; resolve: () => void }[] = [];
  const clock: Clock = {
    now: () => t,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const entry = { until: t + ms, resolve };
        sleepers.push(entry);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      }),
  };
  return {
    clock,
    sleepers,
    advance(ms: number) {
      t += ms;
      for (const s of sleepers.splice(0)) if (s.until <= t) s.resolve();
        else sleepers.push(s);
    },
  };
}

const report = (id: number): CycleReport => ({ id, startedAt: 0, finishedAt: 0, detections: [], hosts: [], ok: true });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('the loop', () => {
  it('runs a cycle at start and then one interval after each', async () => {
    const manual = manualClock();
    const ran: number[] = [];
    const loop = createLoop({ intervalMs: 1000, clock: manual.clock, log: silentLogger, run: async (id) => (ran.push(id), report(id)) });
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
      clock: manual.clock,
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

  it('runs a forced cycle ("Update now") right after an unforced one in flight, never beside it', async () => {
    const manual = manualClock();
    const releases: (() => void)[] = [];
    const runs: { id: number; force: boolean }[] = [];
    let inFlight = 0;
    let most = 0;
    const loop = createLoop({
      intervalMs: 1000,
      clock: manual.clock,
      log: silentLogger,
      run: (id, _signal, force) => {
        runs.push({ id, force });
        most = Math.max(most, ++inFlight);
        return new Promise<CycleReport>((resolve) => releases.push(() => (inFlight--, resolve(report(id)))));
      },
    });
    const plain = loop.runNow();
    const forced = loop.runNow({ force: true });
    const again = loop.runNow({ force: true });
    expect(forced.id).toBe(plain.id + 1);
    expect([forced.joined, again.joined, again.id]).toEqual([false, true, forced.id]);
    releases.shift()?.();
    await plain.done;
    await until(() => releases.length === 1, 1000, 'the forced cycle');
    expect(runs).toEqual([{ id: plain.id, force: false }, { id: forced.id, force: true }]);
    // An unforced request while the forced cycle runs joins it.
    expect(loop.runNow()).toMatchObject({ id: forced.id, joined: true });
    releases.shift()?.();
    expect((await forced.done).id).toBe(forced.id);
    expect(most).toBe(1);
  });

  it('aborts a hanging cycle on stop and returns within the grace period', async () => {
    const manual = manualClock();
    let aborted = false;
    const loop = createLoop({
      intervalMs: 1000,
      clock: manual.clock,
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
      clock: manual.clock,
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
