import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildServer } from '../src/server/index.js';
import { startDuckDns, type FakeDuckDns } from './fakes/duckdns.js';
import { startEcho, type EchoServer } from './fakes/echo.js';
import { fakeClock } from './helpers/clock.js';
import { testRuntime, type TestRuntime } from './helpers/runtime.js';

const SECRET = 'health-secret-token-91c2';

describe('status and health endpoints', () => {
  let echo: EchoServer;
  let duck: FakeDuckDns;
  let runtime: TestRuntime;

  beforeEach(async () => {
    echo = await startEcho('81.2.69.160');
    duck = await startDuckDns({ token: SECRET, domains: ['office'] });
    runtime = await testRuntime(
      `detect:\n  ipv4: [${echo.url}/]\n  agree: 1\nserver:\n  token: server-${SECRET}\nproviders:\n  - type: duckdns\n    token: ${SECRET}\n    endpoint: ${duck.url}\n    hosts: [office]\n`,
      fakeClock(),
    );
  });
  afterEach(async () => {
    await runtime.close();
    await Promise.all([echo.close(), duck.close()]);
  });

  it('is unhealthy before the first check, healthy after a good cycle, unhealthy while a host fails', async () => {
    const app = buildServer({ status: () => runtime.status() });
    const before = await app.inject({ method: 'GET', url: '/healthz' });
    expect(before.statusCode).toBe(503);
    expect(before.json<{ reasons: string[] }>().reasons[0]).toContain('not checked yet');

    await runtime.run();
    const healthy = await app.inject({ method: 'GET', url: '/healthz' });
    expect(healthy.statusCode).toBe(200);
    expect(healthy.json()).toEqual({ ok: true, reasons: [] });

    const status = await app.inject({ method: 'GET', url: '/api/status' });
    expect(status.statusCode).toBe(200);
    const body = status.json<{ ipv4: string; hosts: { host: string; status: string; address: string }[] }>();
    expect(body.ipv4).toBe('81.2.69.160');
    expect(body.hosts).toEqual([expect.objectContaining({ host: 'office.duckdns.org', status: 'ok', address: '81.2.69.160' })]);
    expect(status.headers['x-content-type-options']).toBe('nosniff');

    echo.answer = '81.2.69.161';
    duck.failNext(3, 502);
    await runtime.run();
    const failing = await app.inject({ method: 'GET', url: '/healthz' });
    expect(failing.statusCode).toBe(503);
    expect(failing.body).toContain('office.duckdns.org ipv4: failing');

    for (const res of [before, healthy, status, failing]) {
      expect(res.body + JSON.stringify(res.headers)).not.toContain(SECRET);
    }
  });

  it('answers unknown paths with JSON 404', async () => {
    const app = buildServer({ status: () => runtime.status() });
    const res = await app.inject({ method: 'GET', url: '/nope?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'not found', path: '/nope' });
  });
});
