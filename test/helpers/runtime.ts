/** Builds a runtime (no CLI, no listening server) from a YAML config, with a fake clock and captured logs. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { createLogger, createRedactor } from '../../src/log.js';
import { createRuntime, type Runtime } from '../../src/main.js';
import { fakeClock, type FakeClock } from './clock.js';
import { tempDir } from './cli.js';

export interface TestRuntime {
  runtime: Runtime;
  clock: FakeClock;
  /** Every log line written so far. */
  logs: string[];
  dir: string;
  /** Runs one cycle. */
  cycle(): ReturnType<Runtime['cycle']>;
}

let cycles = 0;

export async function startRuntime(yaml: string, env: Record<string, string> = {}): Promise<TestRuntime> {
  const dir = tempDir();
  writeFileSync(join(dir, 'config.yaml'), yaml);
  const config = loadConfig({ path: join(dir, 'config.yaml'), env, cwd: dir });
  const logs: string[] = [];
  const redactor = createRedactor();
  const log = createLogger({ format: 'json', level: 'debug', redactor, write: (line) => logs.push(line) });
  const clock = fakeClock();
  const runtime = await createRuntime(config, {
    log,
    redactor,
    clock,
    retry: { retries: 2, minTimeoutMs: 0, maxTimeoutMs: 0, maxWaitMs: 60_000 },
  });
  return { runtime, clock, logs, dir, cycle: () => runtime.cycle(++cycles, new AbortController().signal) };
}
