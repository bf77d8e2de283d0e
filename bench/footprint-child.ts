/**
 * Run by the benchmark as `node --expose-gc dist/bench/footprint-child.js
 * CONFIG SOURCE_URL CYCLES`: starts the ddnsd daemon (runtime, loop and status
 * server, with the V8 settings, as `ddnsd run` does, logs discarded), then runs CYCLES cycles
 * with no change and CYCLES cycles with a change each, and prints one JSON
 * line with memory, file descriptors and CPU time at each step.
 */
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { systemClock, type Clock } from '../src/base/clock.js';
import type { CycleReport } from '../src/cycle/index.js';

export interface Sample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  fds: number;
}

export interface FootprintResult {
  start: Sample;
  noChangeHalf: Sample;
  noChange: Sample;
  changeHalf: Sample;
  change: Sample;
  /** CPU milliseconds (user + system) per cycle. */
  cpuPerNoChangeMs: number;
  cpuPerChangeMs: number;
  wallPerNoChangeMs: number;
  wallPerChangeMs: number;
  /** Cycles that did not do what the phase expects (should be 0). */
  unexpected: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

function sample(): Sample {
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, fds: readdirSync('/proc/self/fd').length };
}

async function main(): Promise<void> {
  const [configPath = '', sourceUrl = '', cyclesText = '1000'] = process.argv.slice(2);
  const cycles = Number(cyclesText);
  if (!gc) throw new Error('run with --expose-gc');
  const [{ loadConfigFor }, { loadProviders }, { createLogger, createRedactor }, { startDaemon }] = await Promise.all([
    import('../src/config/load.js'),
    import('../providers/registry.js'),
    import('../src/base/log.js'),
    import('../src/main.js'),
  ]);
  const config = await loadConfigFor({ path: configPath, env: {}, cwd: dirname(configPath) }, loadProviders);
  const redactor = createRedactor();
  const log = createLogger({ format: 'json', level: 'info', redactor, write: () => undefined });
  // The daemon's clock moves one second per cycle: the cycles run back to back,
  // but a provider's request budget (Cloudflare's 1,200 requests in 5 minutes)
  // sees them spaced as a daemon's cycles are, not thousands within seconds.
  let skewMs = 0;
  const clock: Clock = { now: () => systemClock.now() + skewMs, sleep: systemClock.sleep };
  const daemon = await startDaemon(config, { log, redactor, clock });
  let unexpected = 0;
  const check = (report: CycleReport, want: 'current' | 'updated'): void => {
    if (!report.ok || report.hosts.some((h) => h.action !== want)) unexpected += 1;
  };
  // The first cycle started with the daemon: join it.
  await daemon.loop.runNow().done;
  const start = sample();

  const phase = async (want: 'current' | 'updated'): Promise<{ half: Sample; end: Sample; cpuMs: number; wallMs: number }> => {
    let half = start;
    let cpu = 0;
    let wall = 0;
    for (let i = 0; i < cycles; i++) {
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      check(await daemon.loop.runNow().done, want);
      skewMs += 1000;
      const c = process.cpuUsage(c0);
      cpu += (c.user + c.system) / 1000;
      wall += performance.now() - w0;
      if (i === Math.floor(cycles / 2) - 1) half = sample();
    }
    return { half, end: sample(), cpuMs: cpu / cycles, wallMs: wall / cycles };
  };

  const same = await phase('current');
  await fetch(`${sourceUrl}/mode/flip`);
  const changed = await phase('updated');
  await fetch(`${sourceUrl}/mode/same`);
  await daemon.stop();
  const result: FootprintResult = {
    start,
    noChangeHalf: same.half,
    noChange: same.end,
    changeHalf: changed.half,
    change: changed.end,
    cpuPerNoChangeMs: same.cpuMs,
    cpuPerChangeMs: changed.cpuMs,
    wallPerNoChangeMs: same.wallMs,
    wallPerChangeMs: changed.wallMs,
    unexpected,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
