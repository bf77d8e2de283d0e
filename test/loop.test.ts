import { describe, expect, it } from 'vitest';
import type { CycleReport } from '../src/cycle/index.js';
import { createLoop } from '../src/loop.js';
import { join } from 'node:path';
import { silentLogger, createLogger, createRedactor } from '../src/base/log.js';
import { loadConfig } from './helpers/config.js';
import { startDaemon } from '../src/main.js';
import { startEcho } from './fakes/echo.js';
import { tempDir, writeConfig } from './helpers/cli.js';
import { manualClock } from './helpers/clock.js';
import { until } from './helpers/wait.js';

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

  it("knows the next check before the cycle's result is told, so the status never shows none after a cycle", async () => {
    const manual = manualClock();
    const seen: (number | undefined)[] = [];
    // The cycle tells its result (state, cycle-finished) after `ended`: anyone reading then sees the next time.
    const loop: ReturnType<typeof createLoop> = createLoop({
      intervalMs: 1000,
      clock: manual,
      log: silentLogger,
      run: async (id, _signal, _force, ended) => {
        manual.advance(250);
        ended();
        seen.push(loop.nextCheck());
        return report(id);
      },
    });
    loop.start();
    await tick();
    expect(seen).toEqual([1250]);
    expect(loop.nextCheck()).toBe(1250);
    // The next cycle is one interval after the end, not after the start.
    manual.advance(999);
    await tick();
    expect(seen).toHaveLength(1);
    manual.advance(1);
    await tick();
    expect(seen).toEqual([1250, 2500]);
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

  it('runs a forced cycle ("Update now") right after an unforced one in flight, never beside it', async () => {
    const manual = manualClock();
    const releases: (() => void)[] = [];
    const runs: { id: number; force: boolean }[] = [];
    let inFlight = 0;
    let most = 0;
    const loop = createLoop({
      intervalMs: 1000,
      clock: manual,
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
    expect(runs).toEqual([
      { id: plain.id, force: false },
      { id: forced.id, force: true },
    ]);
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

describe("the daemon's next check", () => {
  it('is in the status when cycle-finished is told (injected clock)', async () => {
    const echo = await startEcho('81.2.69.160');
    const dir = tempDir();
    writeConfig(dir, `interval: 5m\nstate: ./state.json\ndetect:\n  ipv4: [${echo.url}/]\nserver:\n  listen: 127.0.0.1:0\n`);
    const config = loadConfig({ providers: [], path: join(dir, 'config.yaml'), env: {}, cwd: dir });
    const clock = manualClock(Date.parse('2026-12-01T10:00:00Z'));
    const redactor = createRedactor();
    const daemon = await startDaemon(config, { log: createLogger({ format: 'json', level: 'error', redactor, write: () => {} }), redactor, lan: () => [], clock });
    try {
      await daemon.loop.runNow().done;
      const seen: (string | null)[] = [];
      daemon.runtime.events.on('cycle-finished', () => seen.push(daemon.runtime.status(daemon.loop.nextCheck()).nextCheck));
      clock.advance(5 * 60_000);
      await until(() => seen.length === 1, 5000, 'the second cycle');
      expect(seen).toEqual([new Date(clock.now() + 5 * 60_000).toISOString()]);
    } finally {
      await daemon.stop();
      await echo.close();
    }
  });
});
