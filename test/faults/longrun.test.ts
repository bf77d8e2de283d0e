import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { record } from './report.js';

interface Sample {
  rss: number;
  heap: number;
  fds: number;
  state: number;
}
interface Figures {
  cycles: number;
  ms: number;
  warm: Sample;
  end: Sample;
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
    const child = spawn(process.execPath, ['--expose-gc', join(import.meta.dirname, 'longrun-driver.mjs')], {
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
    const { warm, end } = figures;
    expect(figures.gc).toBe(true);
    expect(figures.cycles).toBe(CYCLES);
    expect(end.rss).toBeLessThan(warm.rss * 1.1);
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
      fault: `${CYCLES} cycles on an injected clock; the address flaps every 50 cycles, the source answers garbage every 9th, the provider 503s every 4th request`,
      expected: 'RSS growth under 10%, no descriptor growth, the state file bounded',
      observed: `RSS ${mib(warm.rss)} after ${CYCLES / 10} cycles, ${mib(end.rss)} at the end (${(((end.rss - warm.rss) / warm.rss) * 100).toFixed(1)}%); heap ${mib(warm.heap)} → ${mib(end.heap)}; descriptors ${warm.fds} → ${end.fds}; state file ${end.state} bytes, history ${figures.history} (capped); ${Math.round(figures.ms / 1000)} s`,
      requests: `provider ${figures.providerRequests} for ${CHANGES} address changes`,
      outputs: [stderr],
      secrets: ['longrun-token-6a0f3e'],
    });
  }, 180_000);
});
