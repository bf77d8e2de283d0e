import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDigitalOcean, type FakeDigitalOcean } from '../fakes/digitalocean.js';
import { startHarness, V4, V4_NEXT, V6, type Harness } from '../helpers/provider-harness.js';

const TOKEN = 'dop_v1_test0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const READ_ONLY = 'dop_v1_readonly9a8b7c6d5e4f3a2b1c0d';

describe('DigitalOcean adapter against a local API v2 server', () => {
  let h: Harness;
  let fake: FakeDigitalOcean;
  beforeEach(async () => {
    h = await startHarness();
    fake = await startDigitalOcean({ tokens: { [TOKEN]: 'write', [READ_ONLY]: 'read' }, domains: ['example.com'], maxPerPage: 2 });
  });
  afterEach(async () => {
    await Promise.all([h.close(), fake.close()]);
  });

  const start = (extra: Record<string, unknown> = {}, token = TOKEN) =>
    h.start({ type: 'digitalocean', endpoint: fake.endpoint, token: '${DIGITALOCEAN_TOKEN}', hosts: ['office.branch.example.com'], ...extra }, { DIGITALOCEAN_TOKEN: token });

  it('finds the domain from the hostname, creates A and AAAA, sends nothing while nothing changes, then patches the A record', async () => {
    const t = await start();
    const report = await t.cycle();
    expect(report.hosts.map((r) => `${r.family} ${r.action}`)).toEqual(['ipv4 updated', 'ipv6 updated']);
    expect(fake.find('office.branch.example.com', 'A')).toMatchObject([{ name: 'office.branch', data: V4, ttl: 1800 }]);
    expect(fake.find('office.branch.example.com', 'AAAA')).toMatchObject([{ data: V6 }]);
    expect(fake.calls()).toEqual([
      'GET /domains/office.branch.example.com',
      'GET /domains/branch.example.com',
      'GET /domains/example.com',
      'GET /domains/example.com/records',
      'POST /domains/example.com/records',
      'GET /domains/example.com/records',
      'POST /domains/example.com/records',
    ]);
    expect(fake.requests[3]?.url.searchParams.get('name')).toBe('office.branch.example.com');
    expect(fake.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}` && r.headers['user-agent']?.startsWith('ddnsd/'))).toBe(true);

    const sent = fake.requests.length;
    t.clock.advance(5 * 60_000);
    await t.cycle();
    expect(fake.requests).toHaveLength(sent);

    h.newAddress();
    t.clock.advance(5 * 60_000);
    await t.cycle();
    const id = fake.find('office.branch.example.com', 'A')[0]?.id;
    expect(fake.calls().slice(sent)).toEqual(['GET /domains/example.com/records', `PATCH /domains/example.com/records/${id}`]);
    expect(JSON.parse(fake.requests.at(-1)?.body ?? '{}')).toEqual({ type: 'A', data: V4_NEXT });
    expect(fake.find('office.branch.example.com', 'A')[0]?.data).toBe(V4_NEXT);
    expect(t.logs.join('') + JSON.stringify(t.runtime.status())).not.toContain(TOKEN);
    await t.runtime.close();
  });

  it('reports a record already at the address as unchanged, with no write', async () => {
    fake.add({ domain: 'example.com', type: 'AAAA', name: '@', data: '2a02:8010:0001:0:0:0:0:1', ttl: 300 });
    const t = await start({ hosts: ['example.com'], zone: 'example.com', ipv4: false });
    const report = await t.cycle();
    expect(report.hosts.map((r) => `${r.family} ${r.action}`)).toEqual(['ipv6 unchanged']);
    expect(fake.calls()).toEqual(['GET /domains/example.com', 'GET /domains/example.com/records']);
    await t.runtime.close();
  });

  it('reads every page of records, keeps the first, deletes the duplicates', async () => {
    for (const data of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) fake.add({ domain: 'example.com', type: 'A', name: 'office', data, ttl: 1800 });
    const t = await start({ hosts: ['office.example.com'], zone: 'example.com', ipv6: false, ttl: 60 });
    const report = await t.cycle();
    expect(report.hosts.map((r) => r.action)).toEqual(['updated']);
    const listings = fake.requests.filter((r) => r.method === 'GET' && r.url.pathname.endsWith('/records'));
    expect(listings.map((r) => r.url.searchParams.get('page'))).toEqual(['1', '2']);
    expect(fake.find('office.example.com', 'A')).toMatchObject([{ data: V4, ttl: 60 }]);
    expect(fake.calls().filter((c) => c.startsWith('DELETE'))).toHaveLength(2);
    expect(t.logs.some((l) => l.includes('had 3 A records'))).toBe(true);
    await t.runtime.close();
  });

  it('needs attention on a wrong token and on a read-only token, saying which scope is needed', async () => {
    const wrong = await start({}, 'dop_v1_nope');
    const first = await wrong.cycle();
    expect(first.hosts.every((r) => r.action === 'needs-attention' && r.message?.includes('Unable to authenticate you'))).toBe(true);
    const sent = fake.requests.length;
    wrong.clock.advance(5 * 60_000);
    await wrong.cycle();
    expect(fake.requests).toHaveLength(sent);
    await wrong.runtime.close();

    const readOnly = await start({ ipv6: false }, READ_ONLY);
    const second = await readOnly.cycle();
    expect(second.hosts[0]?.action).toBe('needs-attention');
    expect(second.hosts[0]?.message).toMatch(/HTTP 403.*write scope for domains/);
    expect(fake.records).toHaveLength(0);
    await readOnly.runtime.close();
  });

  it('fails a host whose domain the token does not see, alone', async () => {
    const t = await start({ hosts: ['office.example.com', 'office.example.net'], ipv6: false });
    const report = await t.cycle();
    expect(report.hosts.map((r) => `${r.host} ${r.action}`)).toEqual(['office.example.com updated', 'office.example.net needs-attention']);
    expect(report.hosts[1]?.message).toContain('no domain for office.example.net');
    await t.runtime.close();
  });

  it('waits until ratelimit-reset on a 429 without Retry-After', async () => {
    const t = await start({ zone: 'example.com', ipv6: false });
    fake.failNext(1, 429, { 'ratelimit-limit': '5000', 'ratelimit-remaining': '0', 'ratelimit-reset': String(Math.floor(t.clock.now() / 1000) + 12) });
    const report = await t.cycle();
    expect(report.hosts.map((r) => r.action)).toEqual(['updated']);
    expect(t.clock.slept).toContain(12_000);
    await t.runtime.close();
  });

  it('honours Retry-After on a 429', async () => {
    fake.failNext(1, 429, { 'retry-after': '4' });
    const t = await start({ zone: 'example.com', ipv6: false });
    await t.cycle();
    expect(t.clock.slept).toContain(4000);
    expect(fake.find('office.branch.example.com', 'A')).toHaveLength(1);
    await t.runtime.close();
  });

  it('fails an answer without domain_records, to retry later', async () => {
    const t = await start({ zone: 'example.com', ipv6: false });
    fake.misbehaveNext(Infinity, { kind: 'answer', status: 200, body: '{"domain":{"name":"example.com"}}', headers: { 'content-type': 'application/json' } });
    const report = await t.cycle();
    expect(report.hosts[0]?.action).toBe('failed');
    expect(t.runtime.state.hosts['digitalocean office.branch.example.com ipv4']?.errorKind).toBe('bad-response');
    await t.runtime.close();
  });
});
