/**
 * The compiled `ddnsd once` against local DuckDNS, No-IP (dyndns2) and
 * Cloudflare servers, with IPv4 and IPv6 detection.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { State } from '../../src/state.js';
import { startCloudflare, type FakeCloudflare } from '../fakes/cloudflare.js';
import { startDuckDns, type FakeDuckDns } from '../fakes/duckdns.js';
import { startDyndns2, type FakeDyndns2 } from '../fakes/dyndns2.js';
import { startEcho, type EchoServer } from '../fakes/echo.js';
import { runCli, tempDir, writeConfig } from '../helpers/cli.js';

// Public addresses as data only: the fakes answer them, nothing contacts them.
const V4 = '81.2.69.160';
const V6 = '2a02:8010:1::1';
const DUCK_TOKEN = 'duck-token-4e1f0b2a-secret';
const NOIP_PASSWORD = 'noip-pass-88c1d2e3-secret';
const CF_TOKEN = 'cf-token-31a9b7c5d-secret';
const ZONE_ID = '023e105f4ecef8ad9ca31a8372d0c353';

const FAILING = {
  'gone.ddns.net': 'nohost',
  'agent.ddns.net': 'badagent',
  'paid.ddns.net': '!donator',
  'blocked.ddns.net': 'abuse',
  'short.ddns.net': 'notfqdn',
  'many.ddns.net': 'numhost',
  'busy.ddns.net': '911',
  'dns.ddns.net': 'dnserr',
} as const;

describe('ddnsd once with DuckDNS, No-IP and Cloudflare, dual stack', () => {
  let echoes: EchoServer[];
  let duck: FakeDuckDns;
  let noip: FakeDyndns2;
  let cf: FakeCloudflare;
  let dir: string;

  beforeEach(async () => {
    echoes = await Promise.all([startEcho(V4), startEcho(V4), startEcho(V6, '::1'), startEcho(V6, '::1')]);
    duck = await startDuckDns({ token: DUCK_TOKEN, domains: ['myoffice'] });
    noip = await startDyndns2({ username: 'office@example.net', password: NOIP_PASSWORD, hosts: ['office.ddns.net', ...Object.keys(FAILING)] });
    cf = await startCloudflare({ tokens: { [CF_TOKEN]: ['example.com'] }, zones: { 'example.com': ZONE_ID } });
    dir = tempDir();
  });
  afterEach(async () => {
    await Promise.all([...echoes, duck, noip, cf].map((s) => s.close()));
  });

  const configure = (noipHosts: string[]) => {
    const [a, b, c, d] = echoes.map((e) => JSON.stringify(`${e.url}/`));
    writeConfig(
      dir,
      `state: ./data/state.json
detect:
  ipv4: [${a}, ${b}]
  ipv6: [${c}, ${d}]
  timeout: 2s
providers:
  - type: duckdns
    endpoint: ${duck.url}
    token: \${DUCKDNS_TOKEN}
    hosts: [myoffice]
  - type: noip
    endpoint: ${noip.url}
    username: office@example.net
    password: \${NOIP_PASSWORD}
    hosts: [${noipHosts.join(', ')}]
  - type: cloudflare
    endpoint: ${cf.endpoint}
    token: \${CLOUDFLARE_API_TOKEN}
    hosts: [office.example.com]
`,
    );
  };
  const once = (env: Record<string, string> = {}) => runCli(['once'], { cwd: dir, env: { DUCKDNS_TOKEN: DUCK_TOKEN, NOIP_PASSWORD, CLOUDFLARE_API_TOKEN: CF_TOKEN, ...env } });
  const state = (): State => JSON.parse(readFileSync(join(dir, 'data/state.json'), 'utf8')) as State;

  it('updates A and AAAA on all three, then a second run sends no update request', async () => {
    configure(['office.ddns.net']);
    const first = await once();
    expect(first.stderr).not.toContain('"level":"error"');
    expect(first.code).toBe(0);
    for (const [host, provider] of [
      ['myoffice.duckdns.org', 'duckdns'],
      ['office.ddns.net', 'noip'],
      ['office.example.com', 'cloudflare'],
    ] as const) {
      expect(first.stdout).toMatch(new RegExp(`${host.replace(/\./g, '\\.')}\\s+A\\s+${provider}\\s+updated`));
      expect(first.stdout).toMatch(new RegExp(`${host.replace(/\./g, '\\.')}\\s+AAAA\\s+${provider}\\s+updated`));
    }
    expect(duck.records.get('myoffice')).toEqual({ ipv4: V4, ipv6: V6 });
    expect(noip.records.get('office.ddns.net')).toEqual({ ipv4: V4, ipv6: V6 });
    expect(cf.find('office.example.com', 'A').map((r) => r.content)).toEqual([V4]);
    expect(cf.find('office.example.com', 'AAAA').map((r) => r.content)).toEqual([V6]);
    expect(duck.updates()).toHaveLength(1);
    expect(noip.updates()).toHaveLength(1);
    const cfRequests = cf.requests.length;

    const second = await once();
    expect(second.code).toBe(0);
    expect(second.stdout.match(/up to date \(nothing sent\)/g)).toHaveLength(6);
    expect(duck.updates()).toHaveLength(1);
    expect(noip.updates()).toHaveLength(1);
    expect(cf.requests).toHaveLength(cfRequests);

    const check = await runCli(['check'], { cwd: dir, env: { DUCKDNS_TOKEN: DUCK_TOKEN, NOIP_PASSWORD, CLOUDFLARE_API_TOKEN: CF_TOKEN } });
    expect(check.code).toBe(0);
    expect(check.stdout.match(/"\[redacted\]"/g)).toHaveLength(3);

    const output = [first, second, check].map((r) => r.stdout + r.stderr).join('') + readFileSync(join(dir, 'data/state.json'), 'utf8');
    for (const secret of [DUCK_TOKEN, NOIP_PASSWORD, CF_TOKEN]) expect(output).not.toContain(secret);
  });

  it('leaves each host in the state its failure answer calls for', async () => {
    for (const [host, code] of Object.entries(FAILING)) noip.answers.set(host, code);
    configure(['office.ddns.net', ...Object.keys(FAILING)]);
    const wrongToken = 'cf-token-wrong-5150-secret';
    const first = await once({ CLOUDFLARE_API_TOKEN: wrongToken });
    expect(first.code).toBe(1);
    expect(noip.updates()).toHaveLength(1); // every host in one request, fatal answers not retried
    expect(noip.updates()[0]?.url.searchParams.get('hostname')?.split(',')).toHaveLength(9);
    expect(cf.requests).toHaveLength(1);

    const hosts = state().hosts;
    for (const [host, code] of Object.entries(FAILING)) {
      for (const family of ['ipv4', 'ipv6']) {
        const hs = hosts[`noip ${host} ${family}`];
        expect(hs?.lastError).toContain(`answered ${code} for ${host}`);
        if (code === '911' || code === 'dnserr') {
          expect(hs?.errorKind).toBe('server');
          expect(hs?.attention).toBeUndefined();
          expect((hs?.retryAt ?? 0) - (hs?.lastAttemptAt ?? 0)).toBeGreaterThanOrEqual(30 * 60_000);
          expect(first.stdout).toMatch(new RegExp(`${host.replace(/\./g, '\\.')}\\s+${family === 'ipv4' ? 'A' : 'AAAA'}\\s+noip\\s+FAILED`));
        } else {
          expect(hs?.errorKind).toBe('fatal');
          expect(hs?.attention).toBeDefined();
          expect(first.stdout).toMatch(new RegExp(`${host.replace(/\./g, '\\.')}\\s+${family === 'ipv4' ? 'A' : 'AAAA'}\\s+noip\\s+NEEDS ATTENTION`));
        }
      }
    }
    expect(hosts['noip office.ddns.net ipv4']?.address).toBe(V4);
    expect(hosts['noip office.ddns.net ipv6']?.address).toBe(V6);
    expect(hosts['cloudflare office.example.com ipv4']).toMatchObject({ errorKind: 'auth' });
    expect(hosts['cloudflare office.example.com ipv4']?.attention).toBeDefined();
    expect(first.stdout).toMatch(/office\.example\.com\s+AAAA\s+cloudflare\s+NEEDS ATTENTION: .*9109/);

    // The next run sends nothing: fatal answers wait for a config change, 911/dnserr for 30 minutes.
    const second = await once({ CLOUDFLARE_API_TOKEN: wrongToken });
    expect(second.code).toBe(1);
    expect(noip.updates()).toHaveLength(1);
    expect(cf.requests).toHaveLength(1);
    expect(second.stdout).toMatch(/busy\.ddns\.net\s+A\s+noip\s+PAUSED: .*next try in (29|30) min/);
    expect(second.stdout).toMatch(/gone\.ddns\.net\s+A\s+noip\s+NEEDS ATTENTION/);

    const output = first.stdout + first.stderr + second.stdout + second.stderr + readFileSync(join(dir, 'data/state.json'), 'utf8');
    for (const secret of [NOIP_PASSWORD, wrongToken]) expect(output).not.toContain(secret);
  });
});
