import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROVIDER_CONCURRENCY, retryDelay, SERVER_TROUBLE_PAUSE_MS } from '../src/cycle/index.js';
import { DdnsError } from '../src/base/errors.js';
import { startDuckDns, type FakeDuckDns } from './fakes/duckdns.js';
import { startEcho, type EchoServer } from './fakes/echo.js';
import { fakeClock, type FakeClock } from './helpers/clock.js';
import { until } from './helpers/wait.js';
import { startFake } from './fakes/server.js';
import { testRuntime, type TestRuntime } from './helpers/runtime.js';

const V4 = '81.2.69.160';
const V4_NEW = '81.2.69.161';
const V6 = '2a02:8010:1::1';
const TOKEN = 'cycle-token-5e1f0b7d';

describe('a cycle against DuckDNS', () => {
  let echo: EchoServer;
  let echo6: EchoServer;
  let duck: FakeDuckDns;
  let clock: FakeClock;
  const runtimes: TestRuntime[] = [];

  beforeEach(async () => {
    echo = await startEcho(V4);
    echo6 = await startEcho(V6, '::1');
    duck = await startDuckDns({ token: TOKEN, domains: ['office', 'lab'] });
    clock = fakeClock();
  });
  afterEach(async () => {
    await Promise.all(runtimes.splice(0).map((r) => r.close()));
    await Promise.all([echo.close(), echo6.close(), duck.close()]);
  });

  const config = (extra = '', token = TOKEN, detect = `  ipv4: [${echo.url}/]\n`) => `refresh: 25d
detect:
${detect}  agree: 1
  timeout: 1s
providers:
  - type: duckdns
    token: ${token}
    endpoint: ${duck.url}
    hosts: [office, lab]
${extra}`;

  const runtime = async (yaml: string, dir?: string): Promise<TestRuntime> => {
    const r = await testRuntime(yaml, clock, dir ? { dir } : {});
    runtimes.push(r);
    return r;
  };

  it('tells what happened as events: a change, updates, a failure told once per cycle, a recovery, needs attention once', async () => {
    const rt = await runtime(config());
    const seen: string[] = [];
    rt.events.onAny((e) => {
      if (e.type !== 'cycle-finished' && e.type !== 'detected') seen.push(`${e.type}${'host' in e ? ` ${e.host}` : ''}`);
    });
    await rt.run();
    expect(seen.splice(0)).toEqual(['address-changed', 'host-updated office.duckdns.org', 'host-updated lab.duckdns.org']);
    echo.answer = V4_NEW;
    duck.failNext(3, 503);
    await rt.run();
    expect(seen.splice(0).sort()).toEqual(['address-changed', 'host-failed lab.duckdns.org', 'host-failed office.duckdns.org']);
    clock.advance(60 * 60_000);
    await rt.run();
    expect(seen.splice(0)).toEqual(expect.arrayContaining(['host-recovered office.duckdns.org', 'host-recovered lab.duckdns.org']));

    const wrong = await runtime(config('', 'wrong-token-0000'));
    const told: string[] = [];
    wrong.events.on('host-needs-attention', (e) => told.push(e.host));
    await wrong.run();
    await wrong.run();
    expect(told.sort()).toEqual(['lab.duckdns.org', 'office.duckdns.org']);
  });

  it('sends both hosts in one request, then nothing while the address holds, even after a restart', async () => {
    const first = await runtime(config());
    const report = await first.run();
    expect(report.ok).toBe(true);
    expect(duck.updates()).toHaveLength(1);
    expect(report.hosts.map((h) => h.action)).toEqual(['updated', 'updated']);
    expect(first.status().hosts.map((h) => h.status)).toEqual(['ok', 'ok']);

    clock.advance(5 * 60_000);
    expect((await first.run()).hosts.map((h) => h.action)).toEqual(['current', 'current']);
    expect(duck.updates()).toHaveLength(1);

    const restarted = await runtime(config(), first.dir);
    const afterRestart = await restarted.run();
    expect(afterRestart.hosts.map((h) => h.action)).toEqual(['current', 'current']);
    expect(duck.updates()).toHaveLength(1);

    echo.answer = V4_NEW;
    await restarted.run();
    expect(duck.updates()).toHaveLength(2);
    expect(duck.records.get('lab')?.ipv4).toBe(V4_NEW);
  });

  it('re-sends an unchanged address once refresh has elapsed', async () => {
    const r = await runtime(config());
    await r.run();
    clock.advance(25 * 86_400_000 - 1000);
    await r.run();
    expect(duck.updates()).toHaveLength(1);
    clock.advance(1000);
    const report = await r.run();
    expect(duck.updates()).toHaveLength(2);
    expect(report.hosts.map((h) => h.action)).toEqual(['unchanged', 'unchanged']);
  });

  it('retries transient failures within the cycle', async () => {
    duck.failNext(2, 503);
    const r = await runtime(config());
    const report = await r.run();
    expect(duck.requests).toHaveLength(3);
    expect(report.ok).toBe(true);
  });

  it('backs off after the retries are spent, then tries again', async () => {
    duck.failNext(3, 500);
    const r = await runtime(config());
    const report = await r.run();
    expect(duck.requests).toHaveLength(3);
    expect(report.hosts.map((h) => h.action)).toEqual(['failed', 'failed']);
    const status = r.status();
    expect(status.hosts.map((h) => h.status)).toEqual(['failing', 'failing']);
    expect(status.hosts[0]?.lastError).toContain('server error (HTTP 500)');
    expect(status.hosts[0]?.lastError).not.toContain(TOKEN);

    expect((await r.run()).hosts.map((h) => h.action)).toEqual(['paused', 'paused']);
    expect(duck.requests).toHaveLength(3);

    clock.advance(60_000);
    expect((await r.run()).ok).toBe(true);
    expect(duck.requests).toHaveLength(4);
  });

  it('retries a host paused after a server error at once with force, and says so in the paused message', async () => {
    duck.failNext(3, 500);
    const r = await runtime(config());
    await r.run();
    expect(duck.requests).toHaveLength(3);
    const paused = await r.run();
    expect(paused.hosts.map((h) => h.action)).toEqual(['paused', 'paused']);
    expect(paused.hosts[0]?.message).toMatch(/next try in .*; run ddnsd once --force to try now$/);
    expect(duck.requests).toHaveLength(3);
    const forced = await r.cycle(99, new AbortController().signal, false, true);
    expect(forced.hosts.map((h) => h.action)).toEqual(['updated', 'updated']);
    expect(duck.requests).toHaveLength(4);
  });

  it('never forces past a rate limit or a wrong credential', async () => {
    duck.failNext(1, 429, { 'retry-after': '3600' });
    const r = await runtime(config());
    await r.run();
    const forced = await r.cycle(99, new AbortController().signal, false, true);
    expect(forced.hosts[0]?.action).toBe('paused');
    expect(forced.hosts[0]?.message).not.toContain('--force');
    expect(duck.requests).toHaveLength(1);

    const bad = await runtime(config('', 'wrong-token-000'));
    await bad.run();
    const before = duck.requests.length;
    const again = await bad.cycle(99, new AbortController().signal, false, true);
    expect(again.hosts.map((h) => h.action)).toEqual(['needs-attention', 'needs-attention']);
    expect(duck.requests).toHaveLength(before);
  });

  it('waits out a short Retry-After on the injected clock', async () => {
    duck.failNext(1, 429, { 'retry-after': '7' });
    const r = await runtime(config());
    expect((await r.run()).ok).toBe(true);
    expect(duck.requests).toHaveLength(2);
    expect(clock.slept).toContain(7000);
  });

  it('pauses a host for a long Retry-After instead of waiting in the cycle', async () => {
    duck.failNext(1, 429, { 'retry-after': new Date(clock.now() + 3_600_000).toUTCString() });
    const r = await runtime(config());
    await r.run();
    expect(duck.requests).toHaveLength(1);
    clock.advance(3_000_000);
    expect((await r.run()).hosts[0]?.action).toBe('paused');
    clock.advance(600_000);
    expect((await r.run()).ok).toBe(true);
    expect(duck.requests).toHaveLength(2);
  });

  it('stops on a fatal answer and sends nothing until the entry changes', async () => {
    const dir = (await runtime(config('', 'wrong-token-000'))).dir;
    const bad = runtimes[0] as TestRuntime;
    const report = await bad.run();
    expect(duck.requests).toHaveLength(1);
    expect(report.hosts.map((h) => h.action)).toEqual(['needs-attention', 'needs-attention']);
    expect(bad.status().hosts[0]?.status).toBe('needs-attention');
    expect(bad.status().hosts[0]?.lastError).toContain('KO');

    for (let i = 0; i < 3; i++) {
      clock.advance(86_400_000);
      await bad.run();
    }
    expect(duck.requests).toHaveLength(1);
    // Logged once per host as an error, then quietly.
    expect(bad.logs.filter((l) => l.includes('"level":"error"') && l.includes('KO'))).toHaveLength(2);

    const fixed = await runtime(config(), dir);
    expect((await fixed.run()).ok).toBe(true);
    expect(duck.requests).toHaveLength(2);
  });

  it('records an answer it cannot understand without retrying it in the cycle', async () => {
    duck.failNext(1, 200, {}, '<html>captive portal</html>');
    const r = await runtime(config());
    const report = await r.run();
    expect(duck.requests).toHaveLength(1);
    expect(report.hosts[0]?.action).toBe('failed');
    expect(report.hosts[0]?.message).toContain('unexpected answer');
  });

  it('sends nothing when detection fails, and says why', async () => {
    echo.answer = '10.0.0.1';
    const r = await runtime(config());
    const report = await r.run();
    expect(duck.requests).toHaveLength(0);
    expect(report.ok).toBe(false);
    expect(report.hosts.map((h) => h.action)).toEqual(['skipped', 'skipped']);
    expect(report.hosts[0]?.message).toContain('private');
  });

  it('updates A and AAAA together, and keeps the other family when one fails', async () => {
    const dual = config('', TOKEN, `  ipv4: [${echo.url}/]\n  ipv6: ["${echo6.url}/"]\n`);
    const r = await runtime(dual);
    expect((await r.run()).ok).toBe(true);
    const q = duck.updates()[0]?.url.searchParams;
    expect([q?.get('ip'), q?.get('ipv6')]).toEqual([V4, V6]);
    expect(r.status().hosts.map((h) => `${h.host} ${h.family} ${h.status}`)).toEqual([
      'office.duckdns.org ipv4 ok',
      'office.duckdns.org ipv6 ok',
      'lab.duckdns.org ipv4 ok',
      'lab.duckdns.org ipv6 ok',
    ]);

    echo6.answer = 'garbage';
    echo.answer = V4_NEW;
    const report = await r.run();
    expect(duck.updates()).toHaveLength(2);
    const q2 = duck.updates()[1]?.url.searchParams;
    expect([q2?.get('ip'), q2?.get('ipv6')]).toEqual([V4_NEW, null]);
    expect(report.hosts.filter((h) => h.family === 'ipv6').map((h) => h.action)).toEqual(['skipped', 'skipped']);
    expect(duck.records.get('office')).toEqual({ ipv4: V4_NEW, ipv6: V6 });
  });

  it('forgets hosts that were removed from the config', async () => {
    const first = await runtime(config());
    await first.run();
    const smaller = await runtime(config().replace('hosts: [office, lab]', 'hosts: [office]'), first.dir);
    await smaller.run();
    const saved = JSON.parse(readFileSync(join(first.dir, 'data/state.json'), 'utf8')) as { hosts: Record<string, unknown> };
    expect(Object.keys(saved.hosts)).toEqual(['duckdns office.duckdns.org ipv4']);
    expect(duck.updates()).toHaveLength(1);
  });

  it('honours ipv6: false for an entry', async () => {
    const r = await runtime(config('    ipv6: false\n', TOKEN, `  ipv4: [${echo.url}/]\n  ipv6: ["${echo6.url}/"]\n`));
    await r.run();
    expect(duck.updates()[0]?.url.searchParams.has('ipv6')).toBe(false);
    expect(r.status().hosts.every((h) => h.family === 'ipv4')).toBe(true);
  });

  it('records the address history, capped at 50', async () => {
    const r = await runtime(config());
    for (let i = 0; i < 55; i++) {
      echo.answer = `81.2.70.${i + 1}`;
      await r.run();
    }
    const saved = JSON.parse(readFileSync(join(r.dir, 'data/state.json'), 'utf8')) as { history: { to: string }[] };
    expect(saved.history).toHaveLength(50);
    expect(saved.history.at(-1)?.to).toBe('81.2.70.55');
    expect(r.status().history[0]?.to).toBe('81.2.70.55');
    expect(duck.updates()).toHaveLength(55);
  });

  it('leaves state alone when stopped while a request is in flight', async () => {
    const hanging = await startFake(() => new Promise<void>(() => {}));
    const r = await runtime(config().replace(duck.url, hanging.url));
    const stop = new AbortController();
    const pending = r.cycle(99, stop.signal);
    await until(() => hanging.requests.length === 1);
    stop.abort();
    const report = await pending;
    await hanging.close();
    expect(report.ok).toBe(false);
    expect(report.hosts.map((h) => h.action)).toEqual(['cancelled', 'cancelled']);
    expect(r.state.hosts['duckdns office.duckdns.org ipv4']?.failures).toBe(0);
    expect(r.state.hosts['duckdns office.duckdns.org ipv4']?.address).toBeUndefined();
  });
});

describe('retry delays by failure kind', () => {
  it('pauses provider trouble for at least 30 minutes', () => {
    expect(retryDelay(new DdnsError('server', '911'), 1)).toBe(SERVER_TROUBLE_PAUSE_MS);
    expect(retryDelay(new DdnsError('server', '911', { retryAfterMs: 7_200_000 }), 1)).toBe(7_200_000);
  });
  it('grows transient backoff and caps it', () => {
    expect([1, 2, 3, 10].map((n) => retryDelay(new DdnsError('transient', 'x'), n))).toEqual([60_000, 120_000, 240_000, 1_800_000]);
  });
  it('uses Retry-After for rate limiting', () => {
    expect(retryDelay(new DdnsError('rate-limited', 'x', { retryAfterMs: 9000 }), 1)).toBe(9000);
  });
});

describe('a cycle with many entries of one provider', () => {
  it(`sends at most ${PROVIDER_CONCURRENCY} entries' requests to one provider at once, and every entry still gets its one request`, async () => {
    const echo = await startEcho(V4);
    const domains = Array.from({ length: 10 }, (_, i) => `site${i}`);
    // A little latency, so requests would overlap if they were not bounded.
    const duck = await startDuckDns({ token: TOKEN, domains, latencyMs: 15 });
    const entries = domains.map((d) => `  - type: duckdns\n    token: ${TOKEN}\n    endpoint: ${duck.url}\n    hosts: [${d}]\n`).join('');
    const r = await testRuntime(`detect:\n  ipv4: [${echo.url}/]\n  agree: 1\nproviders:\n${entries}`, fakeClock());
    try {
      const report = await r.run();
      expect(report.ok).toBe(true);
      expect(duck.updates()).toHaveLength(10);
      expect(duck.maxInFlight()).toBe(PROVIDER_CONCURRENCY);
    } finally {
      await r.close();
      await Promise.all([echo.close(), duck.close()]);
    }
  });
});
