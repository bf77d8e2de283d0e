/**
 * No permanent stop on a guess: an answer ddnsd cannot read pauses a host
 * for a growing while, "Update now" retries it at once, and the url
 * provider's token stays out of every output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Status } from '../../src/status.js';
import { startDuckDns } from '../fakes/duckdns.js';
import { startEcho, type EchoServer } from '../fakes/echo.js';
import { startUrlService } from '../fakes/url.js';
import { fakeClock } from '../helpers/clock.js';
import { testRuntime } from '../helpers/runtime.js';
import { until } from '../helpers/wait.js';
import { observeDaemon } from './daemon.js';
import { record } from './report.js';

const V4 = '81.2.69.160';
const DUCK_TOKEN = 'faults-policy-duck-6c2e91';
const SERVER_TOKEN = 'faults-policy-server-3b7d40';
const PATH_TOKEN = 'faultspathtoken8e21c7a4';
const QUERY_TOKEN = 'faultsquerytoken5f09b3d6';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
// DuckDNS documents only OK and KO (https://www.duckdns.org/spec.jsp): anything else is ddnsd's guess.
const GARBAGE = '<html>captive portal</html>';

describe('no permanent stop on a guess', () => {
  let echo: EchoServer;
  beforeAll(async () => {
    echo = await startEcho(V4);
  });
  afterAll(async () => {
    await echo.close();
  });

  it('an unknown answer pauses the host 1 h, then 2 h, then 4 h, never for good (on an injected clock)', async () => {
    const duck = await startDuckDns({ token: DUCK_TOKEN, domains: ['office'] });
    const clock = fakeClock();
    const rt = await testRuntime(
      `detect:\n  ipv4: [${echo.url}/]\n  agree: 1\nproviders:\n  - type: duckdns\n    token: ${DUCK_TOKEN}\n    endpoint: ${duck.url}\n    hosts: [office]\n`,
      clock,
    );
    try {
      // The four requests of the first 8 hours get it; the service answers again after.
      duck.failNext(4, 200, {}, GARBAGE);
      const outputs: string[] = [];
      const requestsAt: string[] = [];
      const cycle = async () => {
        const before = duck.requests.length;
        const report = await rt.run();
        outputs.push(JSON.stringify(report), JSON.stringify(rt.status()));
        if (duck.requests.length > before) requestsAt.push(`${(clock.now() - start) / HOUR} h`);
        return rt.status().hosts[0];
      };
      const start = clock.now();
      await cycle();
      // Every 5 minutes for 8 hours: requests only when each pause is over.
      for (let t = 0; t < 8 * 12; t++) {
        clock.advance(5 * MINUTE);
        const host = await cycle();
        expect(host?.status).toBe('failing');
      }
      expect(requestsAt).toEqual(['0 h', '1 h', '3 h', '7 h']);
      const host = rt.status().hosts[0];
      expect(Date.parse(host?.nextAttempt ?? '') - clock.now()).toBe(15 * HOUR - 8 * HOUR);
      // The service answers again: the next try after the pause succeeds.
      clock.advance(7 * HOUR);
      expect((await cycle())?.status).toBe('ok');
      outputs.push(...rt.logs);
      record({
        area: 'Providers',
        fault: 'duckdns: an answer it does not document, every time, for 15 hours (injected clock, a cycle every 5 minutes)',
        expected: 'paused 1 h, 2 h, 4 h, 8 h (doubling, at most 24 h), never needs attention; ok once the service answers again',
        observed: `requests at ${requestsAt.join(', ')}, then 15 h; failing (never needs-attention) until then, ok after`,
        requests: `provider ${duck.requests.length} in 15 h`,
        outputs,
        secrets: [DUCK_TOKEN],
      });
    } finally {
      await rt.close();
      await duck.close();
    }
  });

  it('"Update now" retries a host paused after an unknown answer, and names the host that needs attention', async () => {
    const duck = await startDuckDns({ token: DUCK_TOKEN, domains: ['office'] });
    const other = await startDuckDns({ token: 'faults-policy-right-lab-1f', domains: ['lab'] });
    duck.failNext(1, 200, {}, GARBAGE);
    let answer: { notRetried: { host: string; reason: string; message: string }[] } | undefined;
    try {
      const observed = await observeDaemon(
        `interval: 1h\ndetect:\n  ipv4: [${echo.url}/]\n  agree: 1\nserver:\n  listen: 127.0.0.1:0\n  token: \${SERVER_TOKEN}\nproviders:\n` +
          `  - type: duckdns\n    token: \${DUCK_TOKEN}\n    endpoint: ${duck.url}\n    hosts: [office]\n` +
          `  - type: duckdns\n    token: \${WRONG_TOKEN}\n    endpoint: ${other.url}\n    hosts: [lab]\n`,
        {
          env: { SERVER_TOKEN, DUCK_TOKEN, WRONG_TOKEN: 'faults-policy-wrong-lab-9a' },
          during: async (url, _cli, outputs) => {
            const res = await fetch(`${url}/api/update`, { method: 'POST', headers: { authorization: `Bearer ${SERVER_TOKEN}` } });
            const text = await res.text();
            outputs.push(text);
            expect(res.status).toBe(202);
            answer = JSON.parse(text) as typeof answer;
            await until(
              async () => {
                const body = await (await fetch(`${url}/api/status`)).text();
                outputs.push(body);
                return (JSON.parse(body) as Status).hosts[0]?.status === 'ok';
              },
              15_000,
              'office to be retried',
            );
          },
        },
      );
      expect(observed.status.hosts.map((h) => h.status)).toEqual(['ok', 'needs-attention']);
      expect(answer?.notRetried).toEqual([expect.objectContaining({ host: 'lab.duckdns.org', reason: 'needs-attention' })]);
      expect(duck.updates()).toHaveLength(2);
      expect(other.requests).toHaveLength(1);
      record({
        area: 'Status server',
        fault: '"Update now" while one host is paused after an unknown answer and another needs attention (a wrong token)',
        expected: 'the paused host is sent at once; the answer names the other as not retried: needs attention',
        observed: `paused host ${observed.status.hosts[0]?.status} after the press; notRetried: ${answer?.notRetried.map((h) => `${h.host} (${h.reason})`).join(', ')}`,
        requests: `paused host ${duck.updates().length} (1 + the retry), needs-attention host ${other.requests.length}`,
        outputs: observed.outputs,
        secrets: [DUCK_TOKEN, SERVER_TOKEN, 'faults-policy-wrong-lab-9a'],
      });
    } finally {
      await Promise.all([duck.close(), other.close()]);
    }
  });

  it("the url provider's token, in the path or the query, appears in no output, even when the service echoes the request", async () => {
    const inPath = await startUrlService({ token: PATH_TOKEN, hosts: ['office.example.org'], echoErrors: true });
    const inQuery = await startUrlService({ token: QUERY_TOKEN, hosts: ['lab.example.org'], tokenIn: 'query', echoErrors: true });
    const patterns = { success: '^good ', unchanged: '^nochg ', auth: '^badauth$' };
    const entries = [
      { type: 'url', url: `${inPath.url}/update/${PATH_TOKEN}?host={host}&ip={ip}`, ...patterns, hosts: ['office.example.org', 'ghost.example.org'] },
      { type: 'url', url: `${inQuery.url}/update?token=${QUERY_TOKEN}&host={host}&ip={ip}`, ...patterns, hosts: ['lab.example.org', 'phantom.example.org'] },
    ];
    try {
      const observed = await observeDaemon(stringify({ interval: '1h', detect: { ipv4: [`${echo.url}/`], agree: 1 }, server: { listen: '127.0.0.1:0' }, providers: entries }), {
        env: { LOG_LEVEL: 'debug' },
        during: async (url, _cli, outputs) => {
          outputs.push(await (await fetch(`${url}/`)).text());
        },
      });
      const outputs = [...observed.outputs, readFileSync(join(observed.dir, 'data/state.json'), 'utf8')];
      const failing = observed.status.hosts.filter((h) => h.status === 'failing');
      expect(failing.map((h) => h.host).sort()).toEqual(['ghost.example.org', 'phantom.example.org']);
      for (const h of failing) expect(h.lastError).toContain('[redacted]');
      record({
        area: 'Providers',
        fault: 'url: the token in the path of one entry and in the query of another; the service echoes the request URL in its error answers',
        expected: 'the token in no log line, /api/status, page, /healthz or state file; messages name only the origin',
        observed: `echoed answers shown as "${failing[0]?.lastError ?? ''}"`,
        requests: `path-token service ${inPath.requests.length}, query-token service ${inQuery.requests.length}`,
        outputs,
        secrets: [PATH_TOKEN, QUERY_TOKEN],
      });
    } finally {
      await Promise.all([inPath.close(), inQuery.close()]);
    }
  });
});
