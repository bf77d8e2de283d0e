import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateSchema } from '../../src/state.js';
import type { Status } from '../../src/status.js';
import { startDuckDns, type FakeDuckDns } from '../fakes/duckdns.js';
import { startEcho, type EchoServer } from '../fakes/echo.js';
import { startFake } from '../fakes/server.js';
import { runCli, startCli, tempDir, writeConfig } from '../helpers/cli.js';
import { canMount, mountTmpfs } from '../helpers/tmpfs.js';
import { until } from '../helpers/wait.js';
import { observeDaemon } from './daemon.js';
import { record } from './report.js';

const TOKEN = 'faults-process-token-e3b0';
const ADDRESSES = ['81.2.69.160', '81.2.69.161', '81.2.69.162'];

const config = (echo: EchoServer, endpoint: string, extra = '') =>
  `interval: 1s\ndetect:\n  ipv4: [${echo.url}/]\n  agree: 1\nserver:\n  listen: 127.0.0.1:0\n${extra}providers:\n  - type: duckdns\n    token: ${TOKEN}\n    endpoint: ${endpoint}\n    hosts: [office, lab]\n    timeout: 1s\n`;

describe('process faults', () => {
  let echo: EchoServer;
  let duck: FakeDuckDns;
  beforeAll(async () => {
    echo = await startEcho(ADDRESSES[0] as string);
    duck = await startDuckDns({ token: TOKEN, domains: ['office', 'lab'] });
  });
  afterAll(async () => {
    await Promise.all([echo.close(), duck.close()]);
  });

  it('SIGKILL at random points of a cycle never leaves a broken state file, and a restart converges', async () => {
    const dir = tempDir();
    writeConfig(dir, config(echo, duck.url).replace('interval: 1s', 'interval: 1h'));
    const statePath = join(dir, 'data/state.json');
    const outputs: string[] = [];
    const redundant: number[] = [];
    const iterations = 8;
    for (let i = 0; i < iterations; i++) {
      echo.answer = ADDRESSES[i % ADDRESSES.length] as string;
      const cli = startCli(['run'], { cwd: dir });
      // Start-up takes a few hundred ms; the cycle, its requests and its state writes fall in this window.
      const delay = 150 + Math.floor(Math.random() * 600);
      await new Promise((r) => setTimeout(r, delay));
      cli.kill('SIGKILL');
      await cli.exited;
      outputs.push(cli.stdout(), cli.stderr());
      let confirmed = false;
      if (existsSync(statePath)) {
        const parsed = stateSchema.safeParse(JSON.parse(readFileSync(statePath, 'utf8')));
        expect(parsed.success, `state after a kill at ${delay} ms`).toBe(true);
        const hosts = parsed.data?.hosts ?? {};
        confirmed = ['office', 'lab'].every((h) => hosts[`duckdns ${h}.duckdns.org ipv4`]?.address === echo.answer);
      }
      const first = duck.updates().length;
      const restart = await runCli(['once'], { cwd: dir });
      outputs.push(restart.stdout, restart.stderr);
      expect(restart.code).toBe(0);
      const afterRestart = duck.updates().length - first;
      // Exactly what the saved state calls for: nothing when it holds the confirmation, one update when it does not.
      expect(afterRestart).toBe(confirmed ? 0 : 1);
      const again = await runCli(['once'], { cwd: dir });
      outputs.push(again.stdout, again.stderr);
      expect(duck.updates().length - first - afterRestart).toBe(0);
      redundant.push(afterRestart);
    }
    expect(readdirSync(join(dir, 'data')).filter((f) => f.endsWith('.tmp')).length).toBeLessThanOrEqual(1);
    record({
      area: 'Process',
      fault: `SIGKILL at a random point of a cycle, ${iterations} times`,
      expected: 'the state file is always the last good one; the restart converges, a second run sends nothing',
      observed: `state valid after every kill; updates sent by the restart: ${redundant.join(', ')} (each exactly what the saved state called for: 0 where the killed run had saved the confirmation); second runs: 0`,
      requests: `provider ${duck.updates().length} in all`,
      outputs,
      secrets: [TOKEN],
    });
  }, 90_000);

  it('SIGTERM during a hanging provider call exits 0 within 10 s', async () => {
    const hanging = await startFake(() => new Promise<void>(() => {}));
    const dir = tempDir();
    writeConfig(dir, config(echo, hanging.url).replace('timeout: 1s', 'timeout: 60s'));
    const cli = startCli(['run'], { cwd: dir });
    await until(() => hanging.requests.length > 0, 10_000, 'the provider request');
    const started = performance.now();
    cli.kill('SIGTERM');
    const exit = await cli.exited;
    const took = performance.now() - started;
    await hanging.close();
    expect(exit.code).toBe(0);
    expect(took).toBeLessThan(10_000);
    record({
      area: 'Process',
      fault: 'SIGTERM while a provider call hangs',
      expected: 'exit 0 within 10 s',
      observed: `exit ${exit.code} after ${Math.round(took)} ms`,
      requests: `provider ${hanging.requests.length}`,
      outputs: [cli.stdout(), cli.stderr()],
      secrets: [TOKEN],
    });
  });

  it('a corrupted state file is moved aside with a warning and the cycle goes on', async () => {
    const dir = tempDir();
    writeConfig(dir, config(echo, duck.url));
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data/state.json'), '{"version":1,"hosts":{"duckdns office');
    const before = duck.updates().length;
    const result = await runCli(['once'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('The state file could not be used (it is not valid JSON); moved it to');
    expect(readdirSync(join(dir, 'data')).some((f) => f.startsWith('state.json.corrupt-'))).toBe(true);
    expect(stateSchema.safeParse(JSON.parse(readFileSync(join(dir, 'data/state.json'), 'utf8'))).success).toBe(true);
    record({
      area: 'Process',
      fault: 'a corrupted state file',
      expected: 'moved aside with a warning; the cycle continues',
      observed: `exit ${result.code}; warning logged; state.json.corrupt-… kept; a fresh state written`,
      requests: `provider ${duck.updates().length - before}`,
      outputs: [result.stdout, result.stderr],
      secrets: [TOKEN],
    });
  });

  for (const [kind, prepare, recover] of [
    ['read-only', (mount: string) => execFileSync('mount', ['-o', 'remount,ro', mount]), (mount: string) => execFileSync('mount', ['-o', 'remount,rw', mount])],
    ['full', (mount: string) => writeFileSync(join(mount, 'filler'), Buffer.alloc(64 * 1024)), (mount: string) => rmSync(join(mount, 'filler'))],
  ] as const) {
    it.skipIf(!canMount)(`a ${kind} state folder: a clear error, the loop goes on and the write succeeds once it can`, async () => {
      const dir = tempDir();
      const mount = join(dir, 'state');
      mkdirSync(mount);
      expect(mountTmpfs(mount, '64k')).toBe(true);
      try {
        try {
          prepare(mount);
        } catch (error) {
          // A filler may hit the limit itself: the folder is then full, as wanted.
          if (!(error as { code?: string }).code?.includes('ENOSPC')) throw error;
        }
        let problem = '';
        let recovered = false;
        const before = duck.updates().length;
        const observed = await observeDaemon(config(echo, duck.url, 'state: ./state/state.json\n'), {
          dir,
          settled: (s: Status) => s.stateError !== null && s.hosts.every((h) => h.status === 'ok'),
          during: async (url, _cli, outputs) => {
            const status = (await (await fetch(`${url}/api/status`)).json()) as Status;
            problem = status.stateError ?? '';
            const health = await fetch(`${url}/healthz`);
            outputs.push(await health.text());
            expect(health.status).toBe(503);
            recover(mount);
            await until(
              async () => {
                const text = await (await fetch(`${url}/api/status`)).text();
                outputs.push(text);
                return (JSON.parse(text) as Status).stateError === null;
              },
              10_000,
              'the state write to succeed again',
            );
            recovered = true;
          },
        });
        expect(problem).toContain('cannot write the state file');
        expect(problem).toContain(kind === 'read-only' ? 'EROFS' : 'ENOSPC');
        expect(observed.outputs.join('\n')).toContain('cannot write the state file');
        expect(recovered).toBe(true);
        expect(stateSchema.safeParse(JSON.parse(readFileSync(join(mount, 'state.json'), 'utf8'))).success).toBe(true);
        expect(duck.updates().length - before).toBe(1);
        expect(observed.exitCode).toBe(0);
        record({
          area: 'Process',
          fault: `a ${kind} state folder`,
          expected: 'a clear error on /api/status and in the log; the loop keeps running and retries the write',
          observed: `"${problem.replace(dir, '…')}"; /healthz 503; written once the folder allowed it; no redundant update`,
          requests: `provider ${duck.updates().length - before}`,
          outputs: observed.outputs,
          secrets: [TOKEN],
        });
      } finally {
        execFileSync('umount', ['-l', mount]);
      }
    });
  }
});
