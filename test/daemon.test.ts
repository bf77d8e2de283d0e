import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDuckDns, type FakeDuckDns } from './fakes/duckdns.js';
import { startEcho, type EchoServer } from './fakes/echo.js';
import { startFake, type FakeServer } from './fakes/server.js';
import { startCli, tempDir, writeConfig, type RunningCli } from './helpers/cli.js';
import { until } from './helpers/wait.js';

const TOKEN = 'daemon-token-c0ffee42';

async function timed<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

describe('ddnsd run', () => {
  let echo: EchoServer;
  let duck: FakeDuckDns;
  let hanging: FakeServer;
  let running: RunningCli | undefined;

  beforeEach(async () => {
    echo = await startEcho('81.2.69.160');
    duck = await startDuckDns({ token: TOKEN, domains: ['office'] });
    hanging = await startFake(() => new Promise<void>(() => {}));
  });
  afterEach(async () => {
    running?.kill('SIGKILL');
    await Promise.all([echo.close(), duck.close(), hanging.close()]);
  });

  const start = (endpoint: string) => {
    const dir = tempDir();
    writeConfig(
      dir,
      `interval: 1h\ndetect:\n  ipv4: [${echo.url}/]\n  agree: 1\nserver:\n  listen: 127.0.0.1:0\nproviders:\n  - type: duckdns\n    token: \${DUCK_TOKEN}\n    endpoint: ${endpoint}\n    hosts: [office]\n`,
    );
    running = startCli(['run'], { cwd: dir, env: { DUCK_TOKEN: TOKEN } });
    return { dir, cli: running };
  };

  it('updates, serves its status, and stops cleanly on SIGTERM', async () => {
    const { dir, cli } = start(duck.url);
    const [, url] = await cli.waitFor(/Status page on (http:\/\/127\.0\.0\.1:\d+)\//);
    await until(
      async () => {
        const res = await fetch(`${url}/api/status`);
        const body = (await res.json()) as { hosts: { status: string }[] };
        return body.hosts[0]?.status === 'ok';
      },
      10_000,
      'the host to be ok',
    );
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(duck.updates()).toHaveLength(1);

    cli.kill('SIGTERM');
    const exit = await timed(cli.exited, 10_000, 'stopping');
    expect(exit.code).toBe(0);
    const state = JSON.parse(readFileSync(join(dir, 'data/state.json'), 'utf8')) as { hosts: Record<string, { address?: string }> };
    expect(state.hosts['duckdns office.duckdns.org ipv4']?.address).toBe('81.2.69.160');
    expect(cli.stderr()).not.toContain(TOKEN);
    for (const line of cli.stderr().trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('exits 0 within 10 s on SIGTERM while a provider hangs', async () => {
    const { dir, cli } = start(hanging.url);
    await cli.waitFor(/Status page on/);
    await until(() => hanging.requests.length === 1, 10_000, 'the provider request');
    const stopped = performance.now();
    cli.kill('SIGTERM');
    const exit = await timed(cli.exited, 10_000, 'stopping');
    expect(exit.code).toBe(0);
    expect(performance.now() - stopped).toBeLessThan(10_000);
    expect(existsSync(join(dir, 'data/state.json'))).toBe(true);
  });

  it('"Update now" retries a host paused by an answer it could not read, and names the host that needs attention as not retried', async () => {
    const wrong = await startDuckDns({ token: 'the-right-lab-token-77', domains: ['lab'] });
    try {
      // An answer DuckDNS does not document (https://www.duckdns.org/spec.jsp: OK or KO): ddnsd only guesses at it.
      duck.failNext(1, 200, {}, '<html>captive portal</html>');
      const dir = tempDir();
      writeConfig(
        dir,
        `interval: 1h\ndetect:\n  ipv4: [${echo.url}/]\n  agree: 1\nserver:\n  listen: 127.0.0.1:0\n  token: \${SERVER_TOKEN}\nproviders:\n` +
          `  - type: duckdns\n    token: \${DUCK_TOKEN}\n    endpoint: ${duck.url}\n    hosts: [office]\n` +
          `  - type: duckdns\n    token: wrong-lab-token-1234\n    endpoint: ${wrong.url}\n    hosts: [lab]\n`,
      );
      running = startCli(['run'], { cwd: dir, env: { DUCK_TOKEN: TOKEN, SERVER_TOKEN: 'update-now-token-5a1c' } });
      const [, url] = await running.waitFor(/Status page on (http:\/\/127\.0\.0\.1:\d+)\//);
      const hosts = async () => ((await (await fetch(`${url}/api/status`)).json()) as { hosts: { host: string; status: string; nextAttempt: string | null }[] }).hosts;
      await until(async () => (await hosts()).every((h) => h.status !== 'pending'), 10_000, 'the first cycle');
      const before = await hosts();
      expect(before.map((h) => h.status)).toEqual(['failing', 'needs-attention']);
      // Paused for an hour, and /api/status says until when.
      expect(Date.parse(before[0]?.nextAttempt ?? '') - Date.now()).toBeGreaterThan(59 * 60_000);
      expect([duck.requests.length, wrong.requests.length]).toEqual([1, 1]);

      const res = await fetch(`${url}/api/update`, { method: 'POST', headers: { authorization: 'Bearer update-now-token-5a1c' } });
      expect(res.status).toBe(202);
      const answer = (await res.json()) as { notRetried: { host: string; reason: string; message: string }[] };
      expect(answer.notRetried).toEqual([
        expect.objectContaining({ host: 'lab.duckdns.org', reason: 'needs-attention', message: expect.stringContaining('fix its provider entry in the config') }),
      ]);
      await until(async () => (await hosts())[0]?.status === 'ok', 10_000, 'office to be updated');
      expect(duck.updates()).toHaveLength(2);
      expect(wrong.requests).toHaveLength(1);
    } finally {
      await wrong.close();
    }
  });

  it('says so and exits 1 when the port is taken', async () => {
    const dir = tempDir();
    const port = new URL(duck.url).port;
    writeConfig(dir, `detect:\n  ipv4: [${echo.url}/]\nserver:\n  listen: 127.0.0.1:${port}\n`);
    running = startCli(['run'], { cwd: dir });
    const exit = await timed(running.exited, 10_000, 'failing to start');
    expect(exit.code).toBe(1);
    expect(running.stderr()).toContain('the port is in use by another program; set server.listen');
  });
});
