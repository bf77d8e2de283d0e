import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS } from '../../src/base/v8.js';
import { record } from './report.js';

interface Sample {
  cycle: number;
  rss: number;
  heap: number;
  fds: number;
  state: number;
}
interface Figures {
  cycles: number;
  ms: number;
  samples: Sample[];
  providerRequests: number;
  outcomes: Record<string, number>;
  history: number;
  gc: boolean;
}

const CYCLES = 10_000;
/** The address changes every 50 cycles in the driver. */
const CHANGES = CYCLES / 50;

function runDriver(): Promise<{ figures: Figures; stderr: string }> {
  return new Promise((resolve, reject) => {
    // With the V8 flags ddnsd's container and services start node with.
    const child = spawn(process.execPath, ['--expose-gc', ...NODE_FLAGS, join(import.meta.dirname, 'longrun-driver.mjs')], {
      env: { ...process.env, CYCLES: String(CYCLES) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`the long-run driver exited ${code}:\n${err}`));
      else resolve({ figures: JSON.parse(out) as Figures, stderr: err });
    });
  });
}

describe('the long run', () => {
  it(`${CYCLES} cycles against flapping fakes: memory, descriptors and the state file stay bounded`, async () => {
    const { figures, stderr } = await runDriver();
    expect(figures.gc).toBe(true);
    expect(figures.cycles).toBe(CYCLES);
    expect(figures.samples).toHaveLength(20);
    // RSS moves a few percent either way from one sample to the next (allocator, GC timing): growth is
    // judged on medians, the samples of the first stretch after warm-up against those of the last.
    // Warm-up is the first 30%: the address history fills to its cap of 50 by cycle 2,500.
    const early = figures.samples.filter((s) => s.cycle > CYCLES * 0.3 && s.cycle <= CYCLES * 0.55);
    const late = figures.samples.filter((s) => s.cycle > CYCLES * 0.75);
    const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
    const rss = { early: median(early.map((s) => s.rss)), late: median(late.map((s) => s.rss)) };
    const heap = { early: median(early.map((s) => s.heap)), late: median(late.map((s) => s.heap)) };
    const end = figures.samples.at(-1) as Sample;
    const warm = early[0] as Sample;
    expect(rss.late).toBeLessThan(rss.early * 1.1);
    expect(heap.late).toBeLessThan(heap.early * 1.1);
    if (process.platform === 'linux') expect(end.fds).toBeLessThanOrEqual(warm.fds);
    expect(figures.history).toBe(50);
    expect(end.state).toBeLessThan(16 * 1024);
    // The fakes flapped: addresses changed, detection failed now and then, the provider refused some.
    expect(figures.outcomes.updated).toBeGreaterThan(0);
    expect(figures.outcomes.skipped).toBeGreaterThan(0);
    expect(figures.providerRequests).toBeGreaterThanOrEqual(CHANGES);
    expect(figures.providerRequests).toBeLessThan(CHANGES * 1.5);
    const mib = (b: number): string => `${(b / 1048576).toFixed(1)} MiB`;
    record({
      area: 'Long run',
      fault: `${CYCLES} cycles on an injected clock, node started with the flags of the container and services; the address flaps every 50 cycles, the source answers garbage every 9th, the provider 503s every 4th request`,
      expected: 'RSS growth under 10%, no descriptor growth, the state file bounded',
      observed: `median RSS ${mib(rss.early)} early, ${mib(rss.late)} late (${(((rss.late - rss.early) / rss.early) * 100).toFixed(1)}%; samples ranged ${mib(Math.min(...figures.samples.map((s) => s.rss)))}–${mib(Math.max(...figures.samples.map((s) => s.rss)))}); heap ${mib(heap.early)} → ${mib(heap.late)}; descriptors ${warm.fds} → ${end.fds}; state file ${end.state} bytes, history ${figures.history} (capped); ${Math.round(figures.ms / 1000)} s`,
      requests: `provider ${figures.providerRequests} for ${CHANGES} address changes`,
      outputs: [stderr],
      secrets: ['longrun-token-6a0f3e'],
    });
  }, 180_000);
});
