import { describe, expect, it } from 'vitest';
import { startDigitalOcean } from '../fakes/digitalocean.js';
import { quietThenNewAddress, useHarness, V4, V4_NEXT, V6 } from '../helpers/provider-harness.js';
import { setProviderCases } from '../helpers/set-cases.js';
import { zoneProviderCases } from '../helpers/zone-cases.js';

const TOKEN = 'dop_v1_test0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const READ_ONLY = 'dop_v1_readonly9a8b7c6d5e4f3a2b1c0d';

describe('DigitalOcean adapter against a local API v2 server', () => {
  const s = useHarness(() => startDigitalOcean({ tokens: { [TOKEN]: 'write', [READ_ONLY]: 'read' }, domains: ['example.com'], maxPerPage: 2 }));

  const start = (extra: Record<string, unknown> = {}, token = TOKEN) =>
    s.h.start({ type: 'digitalocean', endpoint: s.fake.endpoint, token: '${DIGITALOCEAN_TOKEN}', hosts: ['office.branch.example.com'], ...extra }, { DIGITALOCEAN_TOKEN: token });

  it('finds the domain from the hostname, creates A and AAAA, sends nothing while nothing changes, then patches the A record', async () => {
    const t = await start();
    const report = await t.cycle();
    expect(report.hosts.map((r) => `${r.family} ${r.action}`)).toEqual(['ipv4 updated', 'ipv6 updated']);
    expect(s.fake.find('office.branch.example.com', 'A')).toMatchObject([{ name: 'office.branch', data: V4, ttl: 1800 }]);
    expect(s.fake.find('office.branch.example.com', 'AAAA')).toMatchObject([{ data: V6 }]);
    expect(s.fake.calls()).toEqual([
      'GET /domains/office.branch.example.com',
      'GET /domains/branch.example.com',
      'GET /domains/example.com',
      'GET /domains/example.com/records',
      'POST /domains/example.com/records',
      'GET /domains/example.com/records',
      'POST /domains/example.com/records',
    ]);
    expect(s.fake.requests[3]?.url.searchParams.get('name')).toBe('office.branch.example.com');
    expect(s.fake.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}` && r.headers['user-agent']?.startsWith('ddnsd/'))).toBe(true);

    const { sent } = await quietThenNewAddress(s, t);
    const id = s.fake.find('office.branch.example.com', 'A')[0]?.id;
    expect(s.fake.calls().slice(sent)).toEqual(['GET /domains/example.com/records', `PATCH /domains/example.com/records/${id}`]);
    expect(JSON.parse(s.fake.requests.at(-1)?.body ?? '{}')).toEqual({ type: 'A', data: V4_NEXT });
    expect(s.fake.find('office.branch.example.com', 'A')[0]?.data).toBe(V4_NEXT);
    expect(t.logs.join('') + JSON.stringify(t.runtime.status())).not.toContain(TOKEN);
    await t.runtime.close();
  });

  it('reports a record already at the address as unchanged, with no write', async () => {
    s.fake.add({ domain: 'example.com', type: 'AAAA', name: '@', data: '2a02:8010:0001:0:0:0:0:1', ttl: 300 });
    const t = await start({ hosts: ['example.com'], zone: 'example.com', ipv4: false });
    const report = await t.cycle();
    expect(report.hosts.map((r) => `${r.family} ${r.action}`)).toEqual(['ipv6 unchanged']);
    expect(s.fake.calls()).toEqual(['GET /domains/example.com', 'GET /domains/example.com/records']);
    await t.runtime.close();
  });

  it('keeps the first of several records, deletes the duplicates, and sets the TTL', async () => {
    for (const data of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) s.fake.add({ domain: 'example.com', type: 'A', name: 'office', data, ttl: 1800 });
    const t = await start({ hosts: ['office.example.com'], zone: 'example.com', ipv6: false, ttl: 60 });
    const report = await t.cycle();
    expect(report.hosts.map((r) => r.action)).toEqual(['updated']);
    const listings = s.fake.requests.filter((r) => r.method === 'GET' && r.url.pathname.endsWith('/records'));
    expect(listings.map((r) => r.url.searchParams.get('page'))).toEqual(['1', '2']);
    expect(s.fake.find('office.example.com', 'A')).toMatchObject([{ data: V4, ttl: 60 }]);
    expect(s.fake.calls().filter((c) => c.startsWith('DELETE'))).toHaveLength(2);
    expect(t.logs.some((l) => l.includes('had 3 A records'))).toBe(true);
    await t.runtime.close();
  });

  it("needs attention on a wrong token, with DigitalOcean's words", async () => {
    const wrong = await start({}, 'dop_v1_nope');
    const first = await wrong.cycle();
    expect(first.hosts.every((r) => r.action === 'needs-attention' && r.message?.includes('Unable to authenticate you'))).toBe(true);
    await wrong.runtime.close();
  });

  it('fails a record DigitalOcean refuses (422) for later, not for good, with its reason', async () => {
    s.fake.failNext(1, 422);
    const t = await start({ zone: 'example.com', ipv6: false });
    const report = await t.cycle();
    expect(report.hosts[0]?.action).toBe('failed');
    expect(report.hosts[0]?.message).toContain('Data needs to be a valid IP address');
    expect(t.runtime.state.hosts['digitalocean office.branch.example.com ipv4']?.errorKind).toBe('bad-response');
    await t.runtime.close();
  });

  it('waits until ratelimit-reset on a 429 without Retry-After', async () => {
    const t = await start({ zone: 'example.com', ipv6: false });
    s.fake.failNext(1, 429, { 'ratelimit-limit': '5000', 'ratelimit-remaining': '0', 'ratelimit-reset': String(Math.floor(t.clock.now() / 1000) + 12) });
    const report = await t.cycle();
    expect(report.hosts.map((r) => r.action)).toEqual(['updated']);
    expect(t.clock.slept).toContain(12_000);
    await t.runtime.close();
  });

  it('under wan_mode: all moves the record of an address that left the set to the new one, and sets only the TTL of a record already right', async () => {
    const lte = s.fake.add({ domain: 'example.com', type: 'A', name: 'office', data: '81.2.69.192', ttl: 1800 });
    const fiber = s.fake.add({ domain: 'example.com', type: 'A', name: 'office', data: '81.2.69.160', ttl: 60 });
    const t = await start({ hosts: ['office.example.com'], zone: 'example.com', ipv6: false, ttl: 60 });
    const provider = t.runtime.providers[0]!.provider;
    const addresses = ['81.2.69.161', '81.2.69.192'];
    const results = await provider.update({
      updates: [{ host: 'office.example.com', family: 'ipv4', address: addresses.join(', '), addresses }],
      addresses: {},
      signal: AbortSignal.timeout(60_000),
    });
    expect(results.map((r) => r.outcome)).toEqual(['updated']);
    expect(s.fake.calls().slice(1)).toEqual(['GET /domains/example.com/records', `PATCH /domains/example.com/records/${lte}`, `PATCH /domains/example.com/records/${fiber}`]);
    expect(s.fake.requests.slice(2).map((r) => JSON.parse(r.body))).toEqual([
      { type: 'A', ttl: 60 },
      { type: 'A', data: '81.2.69.161', ttl: 60 },
    ]);
    expect(s.fake.find('office.example.com', 'A').map((r) => r.data)).toEqual(['81.2.69.192', '81.2.69.161']);
    expect(t.logs.some((l) => l.includes('deleted'))).toBe(false);
    await t.runtime.close();
  });
});

zoneProviderCases({
  type: 'digitalocean',
  noZone: (host) => `no domain for ${host}`,
  readOnly: /HTTP 403.*write scope for domains/,
  async start() {
    const fake = await startDigitalOcean({ tokens: { [TOKEN]: 'write', [READ_ONLY]: 'read' }, domains: ['example.com'], maxPerPage: 2 });
    return {
      server: fake,
      entry: (hosts, extra = {}, credential = 'right') => ({ type: 'digitalocean', endpoint: fake.endpoint, token: credential === 'right' ? TOKEN : READ_ONLY, hosts, ...extra }),
      record: (host, family) => fake.find(host, family === 'ipv4' ? 'A' : 'AAAA')[0]?.data,
      writes: () => fake.requests.filter((r) => r.method !== 'GET'),
      rateLimitNext: (headers) => fake.failNext(1, 429, headers),
      crowd() {
        for (const data of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) fake.add({ domain: 'example.com', type: 'A', name: 'office', data, ttl: 1800 });
        return () => fake.requests.filter((r) => r.method === 'GET' && r.url.pathname.endsWith('/records'));
      },
    };
  },
});

setProviderCases({
  type: 'digitalocean',
  async start() {
    const fake = await startDigitalOcean({ tokens: { [TOKEN]: 'write' }, domains: ['example.com'] });
    return {
      server: fake,
      entry: () => ({ type: 'digitalocean', endpoint: fake.endpoint, token: TOKEN, zone: 'example.com' }),
      addresses: (host, type) => fake.find(host, type).map((r) => r.data),
      add: (host, type, data) => fake.add({ domain: 'example.com', type, name: host.replace(/\.example\.com$/, ''), data, ttl: 1800 }),
      calls: () => fake.calls(),
    };
  },
  // Each record is its own object: one request per address; a failed link's record is deleted by its id (the fake counts ids from 3352892).
  requests: {
    both: ['GET /domains/example.com', 'GET /domains/example.com/records', 'POST /domains/example.com/records', 'POST /domains/example.com/records'],
    fiberDown: ['GET /domains/example.com/records', 'DELETE /domains/example.com/records/3352892'],
    fiberBack: ['GET /domains/example.com/records', 'POST /domains/example.com/records'],
    stop: ['GET /domains/example.com/records', 'DELETE /domains/example.com/records/3352894'],
  },
});
