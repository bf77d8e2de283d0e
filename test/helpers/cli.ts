/**
 * Runs the compiled `ddnsd` (dist/, built by `npm test`) as a child process, bounded in time:
 * the tsc build (dist/src/bin.js), or with DDNSD_TEST_BUNDLE=1 the bundle users run
 * (dist/bundle/bin.cjs; `npm run test:bundle`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

export function runCli(args: string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ddnsd ${args.join(' ')} did not finish within ${options.timeoutMs ?? 15000} ms\n${stderr}`));
    }, options.timeoutMs ?? 15000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

export interface RunningCli {
  stderr(): string;
  stdout(): string;
  /** Resolves with the first match of `pattern` in stderr, bounded by `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  kill(signal: NodeJS.Signals): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a long-running `ddnsd` (e.g. `run`); the test must stop it. `wrap`: a command that runs node (a sandbox). */
export function startCli(args: string[], options: { cwd: string; env?: Record<string, string>; wrap?: string[] }): RunningCli {
  const [command, ...before] = [...(options.wrap ?? []), process.execPath, BIN, ...args] as [string, ...string[]];
  const child = spawn(command, before, { cwd: options.cwd, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolvePromise) =>
    child.on('close', (code, signal) => resolvePromise({ code, signal })),
  );
  return {
    stderr: () => err,
    stdout: () => out,
    kill: (signal) => child.kill(signal),
    exited,
    async waitFor(pattern, timeoutMs = 10_000) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const m = err.match(pattern);
        if (m) return m;
        if (child.exitCode !== null || performance.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error(`ddnsd never printed ${pattern}:\n${err}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
