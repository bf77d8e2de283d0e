import { runInNewContext, Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createEvents, type CycleReport } from '../src/cycle/index.js';
import { createLoop } from '../src/loop.js';
import { createLogger, createRedactor } from '../src/base/log.js';
import { STATUS_JS } from '../src/server/assets.js';
import { bearerMatches } from '../src/server/api.js';
import { buildServer, CONTENT_SECURITY_POLICY, type ServerDeps } from '../src/server/index.js';
import { createMetrics } from '../src/server/metrics.js';
import { createRenderer } from '../src/server/render.js';
import type { Status } from '../src/status.js';
import { fakeClock } from './helpers/clock.js';
import { NOW, sampleStatus } from './helpers/status.js';

const TOKEN = 'page-token-5b1d0e77-secret';

const healthy = (): Status => {
  const s = sampleStatus();
  s.hosts = s.hosts.filter((h) => h.status === 'ok');
  s.lan.change = null;
  return s;
};

function app(extra: Partial<ServerDeps> = {}) {
  return buildServer({ status: sampleStatus, now: () => NOW, ...extra });
}

const silent = createLogger({ format: 'json', level: 'error', redactor: createRedactor(), write: () => {} });

describe('GET / (the status page)', () => {
  it('renders one row per host and family with the status in words, the LAN warning and the history', async () => {
    const res = await app().inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = res.body;
    expect(html.match(/<tr data-host=/g)).toHaveLength(3);
    expect(html).toMatch(/data-host="myoffice.duckdns.org" data-family="ipv4" data-status="ok"[\s\S]*?✓<\/span> OK/);
    expect(html).toMatch(/data-host="portal.duckdns.org" data-family="ipv6" data-status="failing"[\s\S]*?Failing[\s\S]*?trying again <time[^>]*>in 2 min/);
    expect(html).toMatch(/data-status="needs-attention"[\s\S]*?Needs attention[\s\S]*?the token is wrong; fix its provider entry/);
    // The provider's words are shown as text, never as markup.
    expect(html).toContain('HTTP 503 &lt;b&gt;overloaded&lt;/b&gt;');
    expect(html).not.toContain('<b>overloaded');
    expect(html).toMatch(/A LAN address of this machine changed[\s\S]*192\.168\.1\.20[\s\S]*is gone, now <code>192\.168\.1\.37[\s\S]*static internal address/);
    expect(html).toContain('<code>81.2.69.161</code> → <code>81.2.69.160</code>');
    expect(html).toMatch(/Last checked <time datetime="2026-11-29T08:08:00.000Z"[^>]*>2 min ago<\/time> · next check <time[^>]*>in 3 min/);
    expect(html).toContain('<script src="/assets/status.js" defer></script>');
    expect(html).not.toMatch(/<script>|<style>| style=| on[a-z]+=/);
    expect(html).not.toContain('update-form');
    expect(html).toContain('<body data-refresh-ms="5000">');
  });

  it('refreshes as often as ?refresh= asks, within 1 to 300 seconds', async () => {
    const a = app();
    expect((await a.inject('/?refresh=2')).body).toContain('<body data-refresh-ms="2000">');
    for (const bad of ['0', '301', '1.5', 'x', '%22%3E']) expect((await a.inject(`/?refresh=${bad}`)).body).toContain('<body data-refresh-ms="5000">');
  });

  it('says when a failing host is tried next: in how long, and at what time', async () => {
    const html = (await app().inject('/')).body;
    expect(html).toMatch(/overloaded&lt;\/b&gt;; trying again <time datetime="2026-11-29T08:12:00.000Z"[^>]*>in 2 min<\/time> \(2026-11-29 08:12 UTC\)/);
  });

  it('says "at the next check" rather than a time in the past', async () => {
    const html = (await app({ now: () => NOW + 3600_000 }).inject('/')).body;
    expect(html).toContain('overloaded&lt;/b&gt;; trying again at the next check');
    expect(html).toContain('next check due now');
  });

  it('says everything is fine in words when it is, and shows "Update now" only with a token', async () => {
    const res = await app({ status: healthy, token: TOKEN, runNow: () => ({ id: 1, joined: false, done: Promise.resolve() }) }).inject('/');
    expect(res.body).toContain('Every host points at the current address.');
    expect(res.body).not.toContain('role="alert"');
    expect(res.body).toContain('<form id="update-form"');
    expect(res.body).not.toContain(TOKEN);
  });

  it('serves its script and style sheet as same-origin files, the script valid JavaScript', async () => {
    const a = app();
    const js = await a.inject('/assets/status.js');
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(() => new Script(js.body)).not.toThrow();
    expect(js.body).toBe(STATUS_JS);
    const css = await a.inject('/assets/status.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.body).toContain('prefers-color-scheme: dark');
  });

  it('renders in the browser with the same code: the renderer source works in an empty context', () => {
    const render = runInNewContext(`(${createRenderer.toString()})()`, {}) as ReturnType<typeof createRenderer>;
    const status = sampleStatus();
    expect(render.main(status, NOW)).toBe(createRenderer().main(status, NOW));
  });
});

describe('the JSON API', () => {
  it('GET /api/status answers the snapshot with lan and history', async () => {
    const res = await app().inject('/api/status');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json() as Status;
    expect(body).toEqual(sampleStatus());
    expect(body.lan.addresses[0]?.address).toBe('192.168.1.37');
    expect(body.history).toHaveLength(2);
  });

  it('GET /healthz answers 200 when healthy and 503 with the reasons otherwise', async () => {
    const ok = await app({ status: healthy }).inject('/healthz');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ ok: true, reasons: [] });
    const bad = await app().inject('/healthz');
    expect(bad.statusCode).toBe(503);
    expect(bad.json().reasons).toEqual([
      'portal.duckdns.org ipv6: failing: DuckDNS: HTTP 503 <b>overloaded</b>',
      'lab.duckdns.org ipv4: needs-attention: DuckDNS answered KO: the token is wrong',
    ]);
  });

  it('HEAD works wherever GET does', async () => {
    const res = await app().inject({ method: 'HEAD', url: '/api/status' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
  });
});

describe('POST /api/update', () => {
  /** A real loop whose cycles end only when the test says so. */
  function loopApp(token: string | undefined) {
    const finish: ((r: CycleReport) => void)[] = [];
    let runs = 0;
    let running: number | undefined;
    const loop = createLoop({
      intervalMs: 60_000,
      clock: fakeClock(),
      log: silent,
      run: (id) => {
        runs += 1;
        running = id;
        return new Promise<CycleReport>((resolve) =>
          finish.push((r) => {
            running = undefined;
            resolve(r);
          }),
        );
      },
    });
    const server = app({
      token,
      runNow() {
        const joined = running !== undefined;
        const c = loop.runNow();
        return { id: c.id, joined, done: c.done };
      },
    });
    const report = (id: number): CycleReport => ({ id, startedAt: NOW, finishedAt: NOW, detections: [], hosts: [], ok: true });
    return { server, finish, runs: () => runs, report };
  }
  const post = (a: ReturnType<typeof app>, authorization?: string, extra: Record<string, unknown> = {}) =>
    a.inject({ method: 'POST', url: '/api/update', headers: authorization ? { authorization } : {}, ...extra });

  it('answers 404 when no token is configured, and says how to turn it on', async () => {
    const { server, runs } = loopApp(undefined);
    const res = await post(server, `Bearer ${TOKEN}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toContain('set server.token');
    expect(runs()).toBe(0);
  });

  it('answers 401 without the token, with a wrong one, another scheme or a longer one; starts nothing', async () => {
    const { server, runs } = loopApp(TOKEN);
    for (const header of [undefined, 'Bearer nope-nope-nope', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, TOKEN, 'Bearer ']) {
      const res = await post(server, header);
      expect(res.statusCode, String(header)).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="ddnsd"');
      expect(res.body).not.toContain(TOKEN);
    }
    expect(runs()).toBe(0);
  });

  it('answers 202 with the cycle id; a second request while it runs joins it; the next one starts a new cycle', async () => {
    const { server, finish, runs, report } = loopApp(TOKEN);
    const first = await post(server, `Bearer ${TOKEN}`);
    expect(first.statusCode).toBe(202);
    expect(first.json()).toEqual({ id: 1, joined: false, notRetried: [] });
    const second = await post(server, `bearer  ${TOKEN}`);
    expect(second.statusCode).toBe(202);
    expect(second.json()).toEqual({ id: 1, joined: true, notRetried: [] });
    expect(runs()).toBe(1);
    finish[0]?.(report(1));
    await new Promise((r) => setImmediate(r));
    const third = await post(server, `Bearer ${TOKEN}`);
    expect(third.json()).toEqual({ id: 2, joined: false, notRetried: [] });
    expect(runs()).toBe(2);
  });

  it('refuses oversized and malformed bodies with 4xx and keeps serving', async () => {
    const { server, runs } = loopApp(TOKEN);
    const big = 'x'.repeat(64 * 1024);
    // Without the token the body is never read.
    expect((await post(server, undefined, { payload: big, headers: { 'content-type': 'application/json' } })).statusCode).toBe(401);
    const auth = { authorization: `Bearer ${TOKEN}` };
    const oversized = await post(server, undefined, { payload: `{"a":"${big}"}`, headers: { ...auth, 'content-type': 'application/json' } });
    expect(oversized.statusCode).toBe(413);
    const malformed = await post(server, undefined, { payload: '{"a":', headers: { ...auth, 'content-type': 'application/json' } });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toHaveProperty('error');
    const strange = await post(server, undefined, { payload: 'a=b', headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' } });
    expect(strange.statusCode).toBe(415);
    expect(runs()).toBe(0);
    expect((await server.inject('/api/status')).statusCode).toBe(200);
  });

  it('compares tokens in full', () => {
    expect(bearerMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`Bearer ${TOKEN} `, TOKEN)).toBe(true);
    expect(bearerMatches(`Bearer ${TOKEN.toUpperCase()}`, TOKEN)).toBe(false);
    expect(bearerMatches(undefined, TOKEN)).toBe(false);
  });
});

describe('GET /metrics', () => {
  const report: CycleReport = {
    id: 1,
    startedAt: NOW,
    finishedAt: NOW + 1500,
    detections: [
      { family: 'ipv4', address: '81.2.69.160', agreeing: [], answers: [] } as unknown as CycleReport['detections'][number],
      { family: 'ipv6', address: undefined, error: 'IPv6 sources disagree', agreeing: [], answers: [] } as unknown as CycleReport['detections'][number],
    ],
    hosts: [
      { provider: 'duckdns', host: 'myoffice.duckdns.org', family: 'ipv4', action: 'updated', address: '81.2.69.160' },
      { provider: 'duckdns', host: 'portal.duckdns.org', family: 'ipv4', action: 'current', address: '81.2.69.160' },
      { provider: 'duckdns', host: 'lab.duckdns.org', family: 'ipv4', action: 'needs-attention', message: 'KO' },
    ],
    ok: false,
  };

  it('serves Prometheus text: detections, updates by provider and result, last update, addresses, cycle duration, process metrics', async () => {
    const events = createEvents();
    const metrics = createMetrics(sampleStatus, events);
    // Two cycles as the cycle tells them: the host that needs attention is told once, when it got there.
    for (const hosts of [report.hosts, report.hosts.slice(2)]) {
      for (const d of report.detections) {
        events.emit(
          d.address
            ? { type: 'detected', family: d.family, address: d.address, sources: [], at: NOW }
            : { type: 'detection-failed', family: d.family, error: d.error ?? '', at: NOW },
        );
      }
      if (hosts.length === 3) {
        events.emit({ type: 'host-updated', provider: 'duckdns', host: 'myoffice.duckdns.org', family: 'ipv4', address: '81.2.69.160', outcome: 'updated', at: NOW });
        events.emit({ type: 'host-needs-attention', provider: 'duckdns', host: 'lab.duckdns.org', family: 'ipv4', kind: 'auth', message: 'KO', entry: 0, at: NOW });
      }
      events.emit({ type: 'cycle-finished', report: { ...report, hosts }, at: NOW });
    }
    const res = await app({ metrics }).inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(text).toMatch(/^ddnsd_detections_total\{family="ipv4",result="success"\} 2$/m);
    expect(text).toMatch(/^ddnsd_detections_total\{family="ipv6",result="failure"\} 2$/m);
    expect(text).toMatch(/^ddnsd_updates_total\{provider="duckdns",result="updated"\} 1$/m);
    expect(text).toMatch(/^ddnsd_updates_total\{provider="duckdns",result="needs-attention"\} 1$/m);
    expect(text).not.toMatch(/result="current"/);
    expect(text).toMatch(
      new RegExp(`^ddnsd_last_update_timestamp_seconds\\{provider="duckdns",host="myoffice.duckdns.org",family="ipv4"\\} ${Date.parse('2026-11-29T08:00:00Z') / 1000}$`, 'm'),
    );
    expect(text).not.toMatch(/last_update_timestamp_seconds\{[^}]*portal/);
    expect(text).toMatch(/^ddnsd_address_info\{family="ipv4",address="81.2.69.160"\} 1$/m);
    expect(text).toMatch(/^ddnsd_address_info\{family="ipv6",address="2a02:8010:1::1"\} 1$/m);
    expect(text).toMatch(/^ddnsd_cycle_duration_seconds_bucket\{le="2.5"\} 2$/m);
    expect(text).toMatch(/^ddnsd_cycle_duration_seconds_count 2$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes /m);
  });

  it('keeps each app in its own registry', async () => {
    const a = app();
    const b = app();
    expect((await a.inject('/metrics')).statusCode).toBe(200);
    expect((await b.inject('/metrics')).body).toMatch(/^ddnsd_cycle_duration_seconds_count 0$/m);
  });
});

describe('security headers, CORS and unknown paths', () => {
  it('sends the CSP and nosniff on every answer, and never CORS headers', async () => {
    const a = app({ token: TOKEN, runNow: () => ({ id: 1, joined: false, done: Promise.resolve() }) });
    const origin = { origin: 'http://elsewhere.example' };
    const answers = await Promise.all([
      a.inject({ url: '/', headers: origin }),
      a.inject({ url: '/api/status', headers: origin }),
      a.inject({ url: '/healthz', headers: origin }),
      a.inject({ url: '/metrics', headers: origin }),
      a.inject({ url: '/assets/status.js', headers: origin }),
      a.inject({ url: '/nope', headers: origin }),
      a.inject({ method: 'OPTIONS', url: '/api/update', headers: { ...origin, 'access-control-request-method': 'POST' } }),
      a.inject({ method: 'POST', url: '/api/update', headers: origin }),
    ]);
    for (const res of answers) {
      expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(answers[6]?.statusCode).toBe(404);
  });

  it('answers unknown paths and methods with 404 JSON', async () => {
    for (const [method, url] of [
      ['GET', '/nope?x=1'],
      ['DELETE', '/api/status'],
      ['GET', '/api/update'],
      ['POST', '/'],
    ] as const) {
      const res = await app().inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json()).toEqual({ error: 'not found', path: url.split('?')[0] });
    }
  });

  it('answers a URL that cannot be decoded with 400 JSON and the same headers', async () => {
    const res = await app().inject('/%E0%A4%A');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/^bad request: /);
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers 500 without details when building the status throws', async () => {
    const res = await app({
      status: () => {
        throw new Error('secret detail');
      },
    }).inject('/api/status');
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'internal error' });
  });
});

describe('the server builds without a schema compiler', () => {
  it('never loads ajv or fast-json-stringify: a route that declared a schema would be refused as the server gets ready', async () => {
    const server = app();
    server.post('/with-a-schema', { schema: { body: { type: 'object' } } }, async () => ({}));
    await expect(server.ready()).rejects.toThrow(/declare no schema/);
    const plain = app();
    await plain.ready();
    expect((await plain.inject({ method: 'GET', url: '/api/status' })).statusCode).toBe(200);
    await Promise.allSettled([server.close(), plain.close()]);
  });
});
