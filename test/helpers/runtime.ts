/** An in-process ddnsd runtime (no CLI, no listening server) over a config written to a temp folder, with a fake clock, instant retries and captured logs. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from './config.js';
import { PROVIDERS } from './providers.js';
import type { AnyProviderDefinition } from '../../providers/kit/index.js';
import { createLogger, createRedactor } from '../../src/base/log.js';
import { createRuntime, type Runtime } from '../../src/main.js';
import { fakeClock, type FakeClock } from './clock.js';
import { tempDir } from './cli.js';

export const INSTANT_RETRY = { retries: 2, minTimeoutMs: 0, maxTimeoutMs: 0, maxWaitMs: 60_000 };

export interface TestRuntime extends Runtime {
  dir: string;
  /** Every log line written so far. */
  logs: string[];
  /** Runs one cycle to the end. */
  run(): ReturnType<Runtime['cycle']>;
}

let cycleId = 0;

export async function testRuntime(
  yaml: string,
  clock: FakeClock,
  options: { dir?: string; env?: Record<string, string>; providers?: readonly AnyProviderDefinition[] } = {},
): Promise<TestRuntime> {
  const dir = options.dir ?? tempDir();
  writeFileSync(join(dir, 'config.yaml'), yaml);
  const config = loadConfig({ providers: options.providers ?? PROVIDERS, env: options.env ?? {}, cwd: dir });
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

/** The same runtime with its own fake clock, as the provider tests use it. */
export async function startRuntime(
  yaml: string,
  env: Record<string, string> = {},
): Promise<{ runtime: TestRuntime; clock: FakeClock; logs: string[]; dir: string; cycle: TestRuntime['run'] }> {
  const clock = fakeClock();
  const runtime = await testRuntime(yaml, clock, { env });
  return { runtime, clock, logs: runtime.logs, dir: runtime.dir, cycle: runtime.run };
}
