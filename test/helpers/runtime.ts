/** An in-process ddnsd runtime over a config written to a temp folder, with a fake clock and instant retries. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { createLogger, createRedactor } from '../../src/log.js';
import { createRuntime, type Runtime } from '../../src/main.js';
import type { FakeClock } from './clock.js';
import { tempDir } from './cli.js';

export const INSTANT_RETRY = { retries: 2, minTimeoutMs: 0, maxTimeoutMs: 0, maxWaitMs: 60_000 };

export interface TestRuntime extends Runtime {
  dir: string;
  logs: string[];
  /** Runs one cycle to the end. */
  run(): ReturnType<Runtime['cycle']>;
}

let cycleId = 0;

export async function testRuntime(yaml: string, clock: FakeClock, options: { dir?: string; env?: Record<string, string> } = {}): Promise<TestRuntime> {
  const dir = options.dir ?? tempDir();
  writeFileSync(join(dir, 'config.yaml'), yaml);
  const config = loadConfig({ env: options.env ?? {}, cwd: dir });
  const logs: string[] = [];
  const redactor = createRedactor();
  const log = createLogger({ format: 'json', level: 'debug', redactor, write: (l) => logs.push(l) });
  const runtime = await createRuntime(config, { log, redactor, clock, retry: INSTANT_RETRY });
  return Object.assign(runtime, {
    dir,
    logs,
    run: () => runtime.cycle(++cycleId, new AbortController().signal),
  });
}
