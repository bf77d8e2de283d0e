/**
 * Runs the compiled `ddnsd` (dist/, built by `npm test`) as a child process, bounded in time:
 * the tsc build (dist/src/bin.js), or with DDNSD_TEST_BUNDLE=1 the bundle users run
 * (dist/bundle/bin.cjs; `npm run test:bundle`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BIN = resolve(import.meta.dirname, process.env.DDNSD_TEST_BUNDLE === '1' ? '../../dist/bundle/bin.cjs' : '../../dist/src/bin.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'ddnsd-test-'));
}

export function writeConfig(dir: string, yaml: string): string {
  const file = join(dir, 'config.yaml');
  writeFileSync(file, yaml);
  return file;
}

/** Environment for the child: no inherited DDNSD_* or LOG_* settings, JSON logs. */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('DDNSD_') && !k.startsWith('LOG_')) env[k] = v;
  }
  return { ...env, LOG_FORMAT: 'json', ...extra };
}

/**
 * How many ddnsd children one test file runs at once. A file that starts more
 * (it.concurrent, a loop of daemons) queues them here, so a busy machine is
 * not asked to start a dozen Node processes at the same moment; the time a
 * child waits for its turn never counts against its own bound.
 */
const SLOTS = Number(process.env.DDNSD_TEST_CHILDREN) || Math.max(2, availableParallelism());
let busy = 0;
const queue: (() => void)[] = [];

async function slot(): Promise<() => void> {
  if (busy >= SLOTS) await new Promise<void>((resolve) => queue.push(resolve));
  busy += 1;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    busy -= 1;
    queue.shift()?.();
  };
}

/**
 * A bound for things a child does on a busy machine: far above what they take
 * (a start-up is under a second when the machine is idle), so only a hang
 * trips it. Tests wait on the child's own signals (its exit, its "Status page
 * on" line), never on a short deadline.
 */
export const CHILD_BOUND_MS = 120_000;

/** What `ddnsd run` prints once its status server listens. */
const READY = /Status page on /;

function spawnCli(args: string[], options: { cwd: string; env?: Record<string, string>; wrap?: string[] }): ChildProcess {
  const [command, ...rest] = [...(options.wrap ?? []), process.execPath, BIN, ...args] as [string, ...string[]];
  return spawn(command, rest, { cwd: options.cwd, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function runCli(args: string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<CliResult> {
  const release = await slot();
  try {
    return await new Promise((resolvePromise, reject) => {
      const child = spawnCli(args, options);
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const bound = options.timeoutMs ?? CHILD_BOUND_MS;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`ddnsd ${args.join(' ')} did not finish within ${bound} ms\n${stderr}`));
      }, bound);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolvePromise({ code, signal, stdout, stderr });
      });
    });
  } finally {
    release();
  }
}

export interface RunningCli {
  stderr(): string;
  stdout(): string;
  /** Resolves with the first match of `pattern` in stderr; fails at once if ddnsd exits first, else after `timeoutMs` (a hang). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  kill(signal: NodeJS.Signals): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a long-running `ddnsd` (e.g. `run`) once a slot is free; the test must stop it. `wrap`: a command that runs node (a sandbox). */
export function startCli(args: string[], options: { cwd: string; env?: Record<string, string>; wrap?: string[] }): RunningCli {
  let out = '';
  let err = '';
  let killedWith: NodeJS.Signals | undefined;
  let exitCode: number | null | undefined;
  const started = slot().then((release) => {
    const child = spawnCli(args, options);
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    // The slot bounds start-ups, the busy part: it is free again once ddnsd serves (or exits), so a
    // running daemon never keeps another child of its test from starting.
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (READY.test(err)) release();
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolvePromise) =>
      child.on('close', (code, signal) => {
        exitCode = code;
        release();
        resolvePromise({ code, signal });
      }),
    );
    if (killedWith) child.kill(killedWith);
    return { child, exited };
  });
  return {
    stderr: () => err,
    stdout: () => out,
    kill: (signal) => {
      killedWith ??= signal;
      void started.then(({ child }) => child.kill(signal));
    },
    exited: started.then(({ exited }) => exited),
    async waitFor(pattern, timeoutMs = CHILD_BOUND_MS) {
      const { child } = await started;
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const m = err.match(pattern);
        if (m) return m;
        if (exitCode !== undefined || child.exitCode !== null || performance.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error(`ddnsd never printed ${pattern}${exitCode !== undefined || child.exitCode !== null ? ' (it exited)' : ` within ${timeoutMs} ms`}:\n${err}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
