/**
 * The single executables of `npm run build:sea`, run as users run them: with
 * no `node` on PATH, against local fakes on 127.0.0.1 (an echo source and a
 * dyndns2 server). linux-x64 runs natively; linux-arm64 under
 * qemu-aarch64-static with the arm64 C libraries that
 * scripts/container/sea-base.sh writes to .cache/sea/rootfs-arm64.
 * `npm run test:sea` builds them and the libraries first.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { arch } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDyndns2, type FakeDyndns2 } from '../fakes/dyndns2.js';
import { startEcho, type EchoServer } from '../fakes/echo.js';
import { tempDir, type CliResult } from '../helpers/cli.js';
import { freePort } from '../helpers/port.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SEA = join(ROOT, 'dist/sea');
const ARM64_ROOT = join(ROOT, '.cache/sea/rootfs-arm64');
const QEMU = '/usr/bin/qemu-aarch64-static';
const ADDRESS = '81.2.69.160'; // data only: the echo fake answers it
const PASS = 'sea-test-pass-3b7d21';
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface Target {
  name: string;
  /** How to start the executable: itself, or under the emulator. */
  command: (file: string) => [string, string[]];
  /** How long one command may take (the emulator starts Node.js in seconds, not milliseconds). */
  timeoutMs: number;
}

const TARGETS: Target[] = [
  { name: 'linux-x64', command: (file) => [file, []], timeoutMs: 30_000 },
  { name: 'linux-arm64', command: (file) => [QEMU, ['-L', ARM64_ROOT, file]], timeoutMs: 180_000 },
];

/** The environment of a user without Node.js: PATH holds an empty folder only. */
function bareEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  const path = join(dir, 'bin');
  mkdirSync(path, { recursive: true });
  return { PATH: path, HOME: join(dir, 'home'), LANG: 'C', LOG_FORMAT: 'json', ...extra };
}

function start(target: Target, args: string[], cwd: string, env: Record<string, string>) {
  const [file, pre] = target.command(join(SEA, `ddnsd-${target.name}`));
  return spawn(file, [...pre, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

function run(target: Target, args: string[], cwd: string, env: Record<string, string>): Promise<CliResult> {
  return new Promise((done, reject) => {
    const child = start(target, args, cwd, env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), target.timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

it('SHA256SUMS lists both executables with their hashes', () => {
  const sums = readFileSync(join(SEA, 'SHA256SUMS'), 'utf8').trim().split('\n');
  expect(sums.map((l) => l.split('  ')[1]).sort()).toEqual(['ddnsd-linux-arm64', 'ddnsd-linux-x64']);
  for (const line of sums) {
    const [hash, name] = line.split('  ') as [string, string];
    expect(
      createHash('sha256')
        .update(readFileSync(join(SEA, name)))
        .digest('hex'),
    ).toBe(hash);
  }
});

describe.each(TARGETS)('the single executable $name', (target) => {
  const canRun = target.name === 'linux-x64' ? arch() === 'x64' : existsSync(QEMU) && existsSync(join(ARM64_ROOT, 'lib/aarch64-linux-gnu/libc.so.6'));
  let echo: EchoServer;
  let dyn: FakeDyndns2;
  let dir: string;
  let config: string;
  let port: number;

  beforeAll(async () => {
    if (!canRun)
      throw new Error(
        `cannot run ${target.name} here: needs ${target.name === 'linux-x64' ? 'an x64 machine' : `${QEMU} (Debian's qemu-user-static) and ${ARM64_ROOT} (npm run test:sea makes it)`}`,
      );
    echo = await startEcho(ADDRESS);
    dyn = await startDyndns2({ username: 'sea-user', password: PASS, hosts: ['a.example.net', 'b.example.net'] });
    dir = tempDir();
    port = await freePort();
    config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      `interval: 1h\ndetect:\n  ipv4: [${echo.url}/]\n  agree: 1\nserver:\n  listen: 127.0.0.1:${port}\nproviders:\n  - type: dyndns2\n    endpoint: ${dyn.url}\n    username: sea-user\n    password: ${PASS}\n    hosts: [a.example.net, b.example.net]\n`,
    );
  });
  afterAll(async () => {
    await Promise.all([echo?.close(), dyn?.close()]);
  });

  it('answers --version with no node on PATH', async () => {
    const out = await run(target, ['--version'], dir, bareEnv(dir));
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(`${VERSION}\n`);
  });

  it('checks a config', async () => {
    const out = await run(target, ['check', '-c', config], dir, bareEnv(dir));
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toContain('the config is valid');
    expect(out.stdout + out.stderr).not.toContain(PASS);
  });

  it('runs once against the fake: one update for both hosts, then a code cache in the user cache folder', async () => {
    const env = bareEnv(dir, { DDNSD_STATE: join(dir, `state-once-${target.name}.json`) });
    const before = dyn.updates().length;
    const out = await run(target, ['once', '-c', config], dir, env);
    expect(out.code, out.stderr).toBe(0);
    expect(dyn.updates().length - before).toBe(1);
    expect(dyn.records.get('a.example.net')?.ipv4).toBe(ADDRESS);
    expect(readdirSync(join(dir, 'home/.cache/ddnsd'))).toContainEqual(expect.stringMatching(/^once-.*\.v8cache$/));
  });

  it('runs the daemon with the status page answering, and stops on SIGTERM', async () => {
    const child = start(target, ['run', '-c', config], dir, bareEnv(dir, { DDNSD_STATE: join(dir, `state-run-${target.name}.json`) }));
    let log = '';
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    try {
      let health: number | undefined;
      for (let i = 0; i < target.timeoutMs / 250 && health !== 200; i++) {
        health = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
          (r) => r.status,
          () => undefined,
        );
        if (health !== 200) await new Promise((r) => setTimeout(r, 250));
      }
      expect(health, log).toBe(200);
      const status = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as { ipv4: string | null };
      expect(status.ipv4).toBe(ADDRESS);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
