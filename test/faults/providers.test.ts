import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDuckDns, type FakeDuckDns } from '../fakes/duckdns.js';
import { startEcho, type EchoServer } from '../fakes/echo.js';
import type { Misbehaviour } from '../fakes/faulty.js';
import { observeDaemon } from './daemon.js';
import { record } from './report.js';

const V4 = '81.2.69.160';
const TOKEN = 'faults-duck-token-a9e2';
const OTHER_TOKEN = 'faults-other-token-77c1';

interface Scenario {
  fault: string;
  inject: [count: number, m: Misbehaviour][];
  /** A wrong token instead of a misbehaviour. */
  token?: string;
  expected: string;
  status: 'ok' | 'failing' | 'needs-attention';
  requests: number;
  message?: string;
}

const answer = (status: number, body: string, headers: Record<string, string> = {}): Misbehaviour => ({ kind: 'answer', status, body, headers });

const scenarios: Scenario[] = [
  { fault: 'DuckDNS: a burst of two 503s', inject: [[2, answer(503, 'busy')]], expected: 'retried within the cycle, then ok', status: 'ok', requests: 3 },
  {
    fault: 'DuckDNS: 5xx beyond the retries',
    inject: [[Infinity, answer(500, 'down')]],
    expected: '3 attempts, then failing with a backoff',
    status: 'failing',
    requests: 3,
    message: 'server error (HTTP 500)',
  },
  { fault: 'DuckDNS: 429 with Retry-After in seconds', inject: [[1, answer(429, 'slow down', { 'retry-after': '1' })]], expected: 'waits 1 s, then ok', status: 'ok', requests: 2 },
  {
    fault: 'DuckDNS: 429 with Retry-After as an HTTP date',
    inject: [[1, answer(429, 'slow down', { 'retry-after': new Date(Date.now() + 2000).toUTCString() })]],
    expected: 'waits until the date, then ok',
    status: 'ok',
    requests: 2,
  },
  { fault: 'DuckDNS: 429 without Retry-After', inject: [[1, answer(429, 'slow down')]], expected: 'backs off, then ok', status: 'ok', requests: 2 },
  {
    fault: 'DuckDNS: 429 with Retry-After of an hour',
    inject: [[Infinity, answer(429, 'slow down', { 'retry-after': '3600' })]],
    expected: 'no retry within the cycle; paused for the hour',
    status: 'failing',
    requests: 1,
    message: 'rate limited (HTTP 429)',
  },
  { fault: 'DuckDNS: connection reset mid-response', inject: [[1, { kind: 'reset-mid-response', partial: 'OK\n81' }]], expected: 'retried, then ok', status: 'ok', requests: 2 },
  {
    fault: 'DuckDNS: connection reset every time',
    inject: [[Infinity, { kind: 'reset' }]],
    expected: '3 attempts, then failing',
    status: 'failing',
    requests: 3,
    message: 'the connection closed before the answer was complete',
  },
  {
    fault: 'DuckDNS: never answers',
    inject: [[Infinity, { kind: 'hang' }]],
    expected: '3 attempts bounded by the 1s timeout, then failing',
    status: 'failing',
    requests: 3,
    message: 'no complete answer within 1s',
  },
  {
    fault: 'DuckDNS: KO (wrong token)',
    inject: [],
    token: 'wrong-token-for-faults',
    expected: 'one request, no retry, needs attention',
    status: 'needs-attention',
    requests: 1,
    message: 'DuckDNS answered KO',
  },
  {
    fault: 'DuckDNS: an HTML page instead of OK/KO',
    inject: [[Infinity, answer(200, '<html>captive portal</html>')]],
    expected: 'one request, failing as an answer it cannot understand',
    status: 'failing',
    requests: 1,
    message: 'unexpected answer',
  },
  {
    fault: 'DuckDNS: an empty answer',
    inject: [[Infinity, answer(200, '')]],
    expected: 'one request, failing as an answer it cannot understand',
    status: 'failing',
    requests: 1,
    message: 'unexpected answer',
  },
];

describe('faulty providers, with a healthy provider beside them', () => {
  let echo: EchoServer;
  beforeAll(async () => {
    echo = await startEcho(V4);
  });
  afterAll(async () => {
    await echo.close();
  });

  it.concurrent.each(scenarios.map((s) => [s.fault, s] as const))('%s', async (_name, s) => {
    const faulty = await startDuckDns({ token: TOKEN, domains: ['office'] });
    const healthy = await startDuckDns({ token: OTHER_TOKEN, domains: ['lab'] });
    for (const [count, m] of s.inject) faulty.misbehaveNext(count, m);
    try {
      const observed = await observeDaemon(
        `interval: 1h\ndetect:\n  ipv4: [${echo.url}/]\n  agree: 1\nserver:\n  listen: 127.0.0.1:0\nproviders:\n` +
          `  - type: duckdns\n    token: \${FAULTY_TOKEN}\n    endpoint: ${faulty.url}\n    hosts: [office]\n    timeout: 1s\n` +
          `  - type: duckdns\n    token: \${HEALTHY_TOKEN}\n    endpoint: ${healthy.url}\n    hosts: [lab]\n    timeout: 1s\n`,
        { env: { FAULTY_TOKEN: s.token ?? TOKEN, HEALTHY_TOKEN: OTHER_TOKEN } },
      );
      const office = observed.status.hosts.find((h) => h.host === 'office.duckdns.org');
      const lab = observed.status.hosts.find((h) => h.host === 'lab.duckdns.org');
      expect(office?.status).toBe(s.status);
      if (s.message) expect(office?.lastError).toContain(s.message);
      expect(faulty.requests).toHaveLength(s.requests);
      expect(lab?.status).toBe('ok');
      expect(healthy.requests).toHaveLength(1);
      expect(observed.health).toBe(s.status === 'ok' ? 200 : 503);
      expect(observed.exitCode).toBe(0);
      record({
        area: 'Providers',
        fault: s.fault,
        expected: s.expected,
        observed: `${office?.status}${office?.lastError ? `: "${office.lastError}"` : ''}; the healthy provider: ${lab?.status}`,
        requests: `faulty ${faulty.requests.length}, healthy ${healthy.requests.length}`,
        outputs: observed.outputs,
        secrets: [TOKEN, OTHER_TOKEN, 'wrong-token-for-faults'],
      });
    } finally {
      await Promise.all([faulty.close(), healthy.close()]);
    }
  });
});
