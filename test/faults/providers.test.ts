import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloudflare, type FakeCloudflare } from '../fakes/cloudflare.js';
import { startDuckDns } from '../fakes/duckdns.js';
import { PRESETS } from '../../providers/dyndns2/presets.js';
import { domainOf } from '../../providers/dyndns2/protocol.js';
import { startDyndns2, type Dyndns2Options } from '../fakes/dyndns2.js';
import { startEcho, type EchoServer } from '../fakes/echo.js';
import { startHetzner, type FakeHetzner } from '../fakes/hetzner.js';
import { startRoute53, type FakeRoute53 } from '../fakes/route53.js';
import type { Misbehaviour } from '../fakes/faulty.js';
import type { FakeServer } from '../fakes/server.js';
import { observeDaemon } from './daemon.js';
import { record } from './report.js';

const V4 = '81.2.69.160';
const SECRETS = {
  duck: 'faults-duck-token-a9e2',
  healthy: 'faults-other-token-77c1',
  noip: 'faults-noip-password-3f0c',
  cloudflare: 'faults-cf-token-5d86e1',
  hetzner: 'faultsHetznerCloudToken0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0',
  route53: 'faults/route53/secret+key0a1b2c3d4e5f6a7b8c9d',
  wrong: 'wrong-token-for-faults',
};
const ROUTE53_KEY_ID = 'AKIAFAULTS0TESTKEY01';
const ROUTE53_ZONE = 'Z0FAULTS0EXAMPLE0COM';
const ZONE_ID = '0123456789abcdef0123456789abcdef';

type Kind = 'duckdns' | 'noip' | 'cloudflare' | 'hetzner' | 'route53';

interface Scenario {
  provider: Kind;
  fault: string;
  /** Misbehaviour queued on the faulty provider's fake before ddnsd starts. */
  inject?: [count: number, m: Misbehaviour][];
  /** A dyndns2 answer code for the host. */
  answer?: string;
  /** Configure a wrong secret instead. */
  wrongSecret?: boolean;
  /** More keys of the faulty entry, as YAML lines. */
  extra?: string;
  /** The service's state before ddnsd starts (records made by hand, an action that will fail). */
  setup?: (fake: FakeServer) => void;
  expected: string;
  status: 'ok' | 'failing' | 'needs-attention';
  /** Requests the faulty provider's fake must count. */
  requests: number;
  message?: string;
}

const answer = (status: number, body: string, headers: Record<string, string> = {}): Misbehaviour => ({ kind: 'answer', status, body, headers });
const cfError = (status: number, code: number, message: string, headers: Record<string, string> = {}): Misbehaviour =>
  answer(status, JSON.stringify({ success: false, errors: [{ code, message }], messages: [], result: null }), { 'content-type': 'application/json', ...headers });
/** The provider takes the connection and never answers: each attempt ends at the 1 s timeout. */
const neverAnswers = (provider: Kind): Scenario => ({
  provider,
  fault: 'never answers',
  inject: [[Infinity, { kind: 'hang' }]],
  expected: '3 attempts bounded by the 1s timeout, then failing',
  status: 'failing',
  requests: 3,
  message: 'no complete answer within 1s',
});

const scenarios: Scenario[] = [
  { provider: 'duckdns', fault: 'a burst of two 503s', inject: [[2, answer(503, 'busy')]], expected: 'retried within the cycle, then ok', status: 'ok', requests: 3 },
  {
    provider: 'duckdns',
    fault: '5xx beyond the retries',
    inject: [[Infinity, answer(500, 'down')]],
    expected: '3 attempts, then failing with a backoff',
    status: 'failing',
    requests: 3,
    message: 'server error (HTTP 500)',
  },
  {
    provider: 'duckdns',
    fault: '429 with Retry-After in seconds',
    inject: [[1, answer(429, 'slow down', { 'retry-after': '1' })]],
    expected: 'waits 1 s, then ok',
    status: 'ok',
    requests: 2,
  },
  {
    provider: 'duckdns',
    fault: '429 with Retry-After as an HTTP date',
    inject: [[1, answer(429, 'slow down', { 'retry-after': new Date(Date.now() + 2000).toUTCString() })]],
    expected: 'waits until the date, then ok',
    status: 'ok',
    requests: 2,
  },
  { provider: 'duckdns', fault: '429 without Retry-After', inject: [[1, answer(429, 'slow down')]], expected: 'backs off, then ok', status: 'ok', requests: 2 },
  {
    provider: 'duckdns',
    fault: '429 with Retry-After of an hour',
    inject: [[Infinity, answer(429, 'slow down', { 'retry-after': '3600' })]],
    expected: 'no retry within the cycle; paused for the hour',
    status: 'failing',
    requests: 1,
    message: 'rate limited (HTTP 429)',
  },
  {
    provider: 'duckdns',
    fault: 'connection reset mid-response',
    inject: [[1, { kind: 'reset-mid-response', partial: 'OK\n81' }]],
    expected: 'retried, then ok',
    status: 'ok',
    requests: 2,
  },
  {
    provider: 'duckdns',
    fault: 'connection reset every time',
    inject: [[Infinity, { kind: 'reset' }]],
    expected: '3 attempts, then failing',
    status: 'failing',
    requests: 3,
    message: 'the connection closed before the answer was complete',
  },
  neverAnswers('duckdns'),
  {
    provider: 'duckdns',
    fault: 'KO (wrong token)',
    wrongSecret: true,
    expected: 'one request, no retry, needs attention',
    status: 'needs-attention',
    requests: 1,
    message: 'DuckDNS answered KO',
  },
  {
    provider: 'duckdns',
    fault: 'an HTML page instead of OK/KO',
    inject: [[Infinity, answer(200, '<html>captive portal</html>')]],
    expected: 'one request, failing as an answer it cannot understand',
    status: 'failing',
    requests: 1,
    message: 'unexpected answer',
  },
  {
    provider: 'duckdns',
    fault: 'an empty answer',
    inject: [[Infinity, answer(200, '')]],
    expected: 'one request, failing as an answer it cannot understand',
    status: 'failing',
    requests: 1,
    message: 'unexpected answer',
  },
  ...['nohost', 'badauth', 'badagent', '!donator', 'abuse', 'notfqdn', 'numhost'].map((code): Scenario => ({
    provider: 'noip',
    fault: `answers ${code}`,
    answer: code,
    expected: 'one request, never retried, needs attention',
    status: 'needs-attention',
    requests: 1,
    message: code,
  })),
  ...['911', 'dnserr'].map((code): Scenario => ({
    provider: 'noip',
    fault: `answers ${code}`,
    answer: code,
    expected: 'one request, paused for 30 minutes',
    status: 'failing',
    requests: 1,
    message: code,
  })),
  {
    provider: 'noip',
    fault: 'a wrong password (HTTP 401)',
    wrongSecret: true,
    expected: 'one request, needs attention',
    status: 'needs-attention',
    requests: 1,
    message: 'badauth',
  },
  { provider: 'noip', fault: 'a burst of two 502s', inject: [[2, answer(502, 'bad gateway')]], expected: 'retried within the cycle, then ok', status: 'ok', requests: 3 },
  {
    provider: 'cloudflare',
    fault: 'malformed JSON',
    inject: [[Infinity, answer(200, '{"success": tru', { 'content-type': 'application/json' })]],
    expected: 'one request, failing as an answer it cannot understand',
    status: 'failing',
    requests: 1,
  },
  {
    provider: 'cloudflare',
    fault: 'an envelope with success: false',
    inject: [[Infinity, cfError(400, 1004, 'DNS Validation Error')]],
    expected: "one request, failing with Cloudflare's message, tried again after a growing pause (Cloudflare documents no refusal as final)",
    status: 'failing',
    requests: 1,
    message: 'DNS Validation Error',
  },
  {
    provider: 'cloudflare',
    fault: 'a proxied record at the address, with proxied: true and ttl set',
    extra: '    proxied: true\n    ttl: 300\n',
    setup: (fake) => (fake as FakeCloudflare).addRecord({ zone: 'example.com', type: 'A', name: 'office.example.com', content: V4, ttl: 1, proxied: true }),
    expected: "one lookup and no write, as on every later run (a proxied record's TTL stays automatic)",
    status: 'ok',
    requests: 1,
  },
  {
    provider: 'hetzner',
    fault: 'a change whose action ends in error',
    setup: (fake) => (fake as FakeHetzner).failNextAction('action_failed', 'zone could not be published'),
    expected: "the action is read until it ends (zone, record, create, one poll); failing with Hetzner's reason, not counted as done",
    status: 'failing',
    requests: 4,
    message: 'ended in error: action_failed zone could not be published',
  },
  {
    provider: 'route53',
    fault: 'a change batch refused (InvalidChangeBatch: a CNAME holds the name)',
    setup: (fake) => (fake as FakeRoute53).sets.push({ zoneId: ROUTE53_ZONE, name: 'office.example.com.', type: 'CNAME', ttl: 300, values: ['shop.example.net.'] }),
    expected: "a read and one change, never retried; needs attention with Route 53's message",
    status: 'needs-attention',
    requests: 2,
    message: 'conflicting RRSet of type CNAME',
  },
  {
    provider: 'cloudflare',
    fault: 'an invalid token (401, error 9109)',
    wrongSecret: true,
    expected: 'one request, needs attention',
    status: 'needs-attention',
    requests: 1,
    message: '9109',
  },
  {
    provider: 'cloudflare',
    fault: 'a burst of two 503s',
    inject: [[2, cfError(503, 10001, 'service unavailable')]],
    expected: 'retried within the cycle, then ok (2 failed + list + create)',
    status: 'ok',
    requests: 4,
  },
  {
    provider: 'cloudflare',
    fault: '429 with Retry-After',
    inject: [[1, cfError(429, 10100, 'rate limited', { 'retry-after': '1' })]],
    expected: 'waits 1 s, then ok (1 refused + list + create)',
    status: 'ok',
    requests: 3,
  },
  neverAnswers('cloudflare'),
];

interface Faulty {
  fake: FakeServer;
  entry: string;
  host: string;
}

async function startFaulty(s: Scenario): Promise<Faulty> {
  const opts = '    timeout: 1s\n';
  if (s.provider === 'duckdns') {
    const fake = await startDuckDns({ token: SECRETS.duck, domains: ['office'] });
    return { fake, host: 'office.duckdns.org', entry: `  - type: duckdns\n    token: \${FAULTY_SECRET}\n    endpoint: ${fake.url}\n    hosts: [office]\n${opts}` };
  }
  if (s.provider === 'noip') {
    const fake = await startDyndns2({ username: 'office-user', password: SECRETS.noip, hosts: ['office.ddns.net'] });
    if (s.answer) fake.answers.set('office.ddns.net', s.answer);
    return {
      fake,
      host: 'office.ddns.net',
      entry: `  - type: noip\n    username: office-user\n    password: \${FAULTY_SECRET}\n    endpoint: ${fake.url}\n    hosts: [office.ddns.net]\n${opts}`,
    };
  }
  if (s.provider === 'hetzner') {
    const fake = await startHetzner({ tokens: { [SECRETS.hetzner]: 'read_write' }, zones: ['example.com'] });
    return {
      fake,
      host: 'office.example.com',
      entry: `  - type: hetzner\n    token: \${FAULTY_SECRET}\n    endpoint: ${fake.endpoint}\n    zone: example.com\n    hosts: [office.example.com]\n${opts}`,
    };
  }
  if (s.provider === 'route53') {
    const fake = await startRoute53({ keys: { [ROUTE53_KEY_ID]: SECRETS.route53 }, zones: { 'example.com': ROUTE53_ZONE } });
    return {
      fake,
      host: 'office.example.com',
      entry: `  - type: route53\n    access_key_id: ${ROUTE53_KEY_ID}\n    secret_access_key: \${FAULTY_SECRET}\n    endpoint: ${fake.url}\n    hosted_zone_id: ${ROUTE53_ZONE}\n    hosts: [office.example.com]\n${opts}`,
    };
  }
  const fake = await startCloudflare({ tokens: { [SECRETS.cloudflare]: ['example.com'] }, zones: { 'example.com': ZONE_ID } });
  return {
    fake,
    host: 'office.example.com',
    entry: `  - type: cloudflare\n    token: \${FAULTY_SECRET}\n    endpoint: ${fake.endpoint}\n    zone_id: ${ZONE_ID}\n    hosts: [office.example.com]\n${opts}${s.extra ?? ''}`,
  };
}

describe('faulty providers, with a healthy provider beside each', () => {
  let echo: EchoServer;
  beforeAll(async () => {
    echo = await startEcho(V4);
  });
  afterAll(async () => {
    await echo.close();
  });

  it.concurrent.each(scenarios.map((s) => [`${s.provider}: ${s.fault}`, s] as const))('%s', async (name, s) => {
    const faulty = await startFaulty(s);
    const healthy = await startDuckDns({ token: SECRETS.healthy, domains: ['lab'] });
    for (const [count, m] of s.inject ?? []) faulty.fake.misbehaveNext(count, m);
    s.setup?.(faulty.fake);
    const secret = s.wrongSecret
      ? SECRETS.wrong
      : { duckdns: SECRETS.duck, noip: SECRETS.noip, cloudflare: SECRETS.cloudflare, hetzner: SECRETS.hetzner, route53: SECRETS.route53 }[s.provider];
    try {
      const observed = await observeDaemon(
        `interval: 1h\ndetect:\n  ipv4: [${echo.url}/]\n  agree: 1\nserver:\n  listen: 127.0.0.1:0\nproviders:\n${faulty.entry}` +
          `  - type: duckdns\n    token: \${HEALTHY_TOKEN}\n    endpoint: ${healthy.url}\n    hosts: [lab]\n    timeout: 1s\n`,
        { env: { FAULTY_SECRET: secret, HEALTHY_TOKEN: SECRETS.healthy } },
      );
      const host = observed.status.hosts.find((h) => h.host === faulty.host);
      const lab = observed.status.hosts.find((h) => h.host === 'lab.duckdns.org');
      expect(host?.status).toBe(s.status);
      if (s.message) expect(host?.lastError).toContain(s.message);
      expect(faulty.fake.requests).toHaveLength(s.requests);
      expect(lab?.status).toBe('ok');
      expect(healthy.requests).toHaveLength(1);
      expect(observed.health).toBe(s.status === 'ok' ? 200 : 503);
      expect(observed.exitCode).toBe(0);
      record({
        area: 'Providers',
        fault: name,
        expected: s.expected,
        observed: `${host?.status}${host?.lastError ? `: "${host.lastError}"` : ''}; the healthy provider: ${lab?.status}`,
        requests: `faulty ${faulty.fake.requests.length}, healthy ${healthy.requests.length}`,
        outputs: observed.outputs,
        secrets: Object.values(SECRETS),
      });
    } finally {
      await Promise.all([faulty.fake.close(), healthy.close()]);
    }
  });
});

/**
 * dyndns2 services answering as they do: ipv64.net's JSON success, deSEC's
 * per-domain limit with three names of one domain, Dynu writing the
 * request's own address when myip is missing.
 */
interface ServiceScenario {
  type: 'ipv64' | 'desec' | 'dynu';
  fault: string;
  hosts: string[];
  /** Detected families: IPv4 from one echo, IPv6 from another. */
  families: ('ipv4' | 'ipv6')[];
  fake: Partial<Dyndns2Options>;
  expected: string;
  requests: number;
}

const V6 = '2a02:8010:1::1';
const SERVICE_SECRET = 'faults-service-key-6b04d2';
const serviceScenarios: ServiceScenario[] = [
  {
    type: 'ipv64',
    fault: 'answers a JSON success',
    hosts: ['office.home64.de'],
    families: ['ipv4'],
    fake: { json: true },
    expected: 'counted as updated, one request',
    requests: 1,
  },
  {
    type: 'desec',
    fault: 'three names of one domain, 2 updates per domain in 2 minutes',
    hosts: ['office.example.dedyn.io', 'lab.example.dedyn.io', 'example.dedyn.io'],
    families: ['ipv4'],
    fake: { unchangedAnswer: 'good', perDomain: { count: 2, windowMs: 120_000, domainOf } },
    expected: 'one request for the three names, all ok',
    requests: 1,
  },
  {
    type: 'dynu',
    fault: 'an IPv6-only entry (Dynu takes the source address without myip)',
    hosts: ['office.dynu.net'],
    families: ['ipv6'],
    fake: { sourceWhenMissing: true },
    expected: 'myip=no sent, the A record left alone, ok',
    requests: 1,
  },
];

describe('dyndns2 services as they answer, in the daemon', () => {
  let echo4: EchoServer;
  let echo6: EchoServer;
  beforeAll(async () => {
    [echo4, echo6] = await Promise.all([startEcho(V4), startEcho(V6, '::1')]);
  });
  afterAll(async () => {
    await Promise.all([echo4.close(), echo6.close()]);
  });

  it.concurrent.each(serviceScenarios.map((s) => [`${s.type}: ${s.fault}`, s] as const))('%s', async (name, s) => {
    const variant = PRESETS.find((p) => p.type === s.type)?.variant;
    const keys = Object.fromEntries(s.hosts.map((h) => [h, SERVICE_SECRET]));
    const fake = await startDyndns2({ username: 'office-user', password: SERVICE_SECRET, keys, hosts: s.hosts, ...(variant ? { variant } : {}), ...s.fake });
    const credential = s.type === 'dynu' ? '    username: office-user\n    password: ${SERVICE_SECRET}\n' : '    key: ${SERVICE_SECRET}\n';
    const sources = (family: 'ipv4' | 'ipv6', echo: EchoServer) => (s.families.includes(family) ? `"${echo.url}/"` : '');
    const detect = `detect:\n  ipv4: [${sources('ipv4', echo4)}]\n  ipv6: [${sources('ipv6', echo6)}]\n  agree: 1\n`;
    try {
      const observed = await observeDaemon(
        `interval: 1h\n${detect}server:\n  listen: 127.0.0.1:0\nproviders:\n  - type: ${s.type}\n${credential}    endpoint: ${fake.url}\n    hosts: [${s.hosts.join(', ')}]\n    timeout: 1s\n`,
        { env: { SERVICE_SECRET } },
      );
      const statuses = observed.status.hosts.map((h) => h.status);
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.every((st) => st === 'ok')).toBe(true);
      expect(fake.updates()).toHaveLength(s.requests);
      if (s.type === 'dynu') {
        expect(fake.updates()[0]?.url.searchParams.get('myip')).toBe('no');
        expect(fake.records.get(s.hosts[0] ?? '')).toEqual({ ipv6: V6 });
      }
      record({
        area: 'Providers',
        fault: name,
        expected: s.expected,
        observed: `${statuses.join(', ')}; ${fake.updates().length} request(s)`,
        requests: `${fake.updates().length}`,
        outputs: observed.outputs,
        secrets: [SERVICE_SECRET],
      });
    } finally {
      await fake.close();
    }
  });
});
