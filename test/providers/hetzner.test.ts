import { describe, expect, it } from 'vitest';
import { startHetzner } from '../fakes/hetzner.js';
import { quietThenNewAddress, useHarness, V4, V4_NEXT, V6 } from '../helpers/provider-harness.js';
import { zoneProviderCases } from '../helpers/zone-cases.js';

const TOKEN = 'hcloudTestTokenA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4Y';
const READ_ONLY = 'hcloudReadOnlyTokenZ9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2H1g0F9e8D';
const OLD_DNS_TOKEN = 'Xq3n8V2kLm9pR4tW7yZ1aB5cD6eF0gH2';

describe('Hetzner adapter against a local Cloud API (zones and RRSets)', () => {
  const s = useHarness(() => startHetzner({ tokens: { [TOKEN]: 'read_write', [READ_ONLY]: 'read' }, zones: ['example.com'] }));

  const start = (extra: Record<string, unknown> = {}, token = TOKEN) =>
    s.h.start({ type: 'hetzner', endpoint: s.fake.endpoint, token: '${HCLOUD_TOKEN}', hosts: ['office.example.com'], ...extra }, { HCLOUD_TOKEN: token });

  it('creates the A and AAAA RRSets, sends nothing while nothing changes, then sets the A records', async () => {
    expect(TOKEN).toHaveLength(64);
    const t = await start();
    const report = await t.cycle();
    expect(report.hosts.map((r) => `${r.family} ${r.action}`)).toEqual(['ipv4 updated', 'ipv6 updated']);
    expect(s.fake.find('example.com', 'office', 'A')?.records).toEqual([{ value: V4, comment: '' }]);
    expect(s.fake.find('example.com', 'office', 'AAAA')?.records).toEqual([{ value: V6, comment: '' }]);
    expect(s.fake.calls()).toEqual([
      'GET /zones/office.example.com',
      'GET /zones/example.com',
      'GET /zones/example.com/rrsets/office/A',
      'POST /zones/example.com/rrsets',
      'GET /zones/actions/1',
      'GET /zones/example.com/rrsets/office/AAAA',
      'POST /zones/example.com/rrsets',
      'GET /zones/actions/2',
    ]);
    expect(s.fake.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}` && r.headers['user-agent']?.startsWith('ddnsd/'))).toBe(true);

    const { sent } = await quietThenNewAddress(s, t);
    expect(s.fake.calls().slice(sent)).toEqual(['GET /zones/example.com/rrsets/office/A', 'POST /zones/example.com/rrsets/office/A/actions/set_records', 'GET /zones/actions/3']);
    expect(JSON.parse(s.fake.requests.at(-2)?.body ?? '{}')).toEqual({ records: [{ value: V4_NEXT }] });
    expect(t.logs.join('') + JSON.stringify(t.runtime.status())).not.toContain(TOKEN);
    await t.runtime.close();
  });

  it('reports an RRSet already at the address as unchanged; the apex is @', async () => {
    s.fake.rrsets.push({ zone: 'example.com', name: '@', type: 'A', ttl: null, records: [{ value: V4, comment: 'router' }] });
    const t = await start({ hosts: ['example.com'], zone: 'example.com', ipv6: false });
    const report = await t.cycle();
    expect(report.hosts.map((r) => r.action)).toEqual(['unchanged']);
    expect(s.fake.calls()).toEqual(['GET /zones/example.com', 'GET /zones/example.com/rrsets/%40/A']);
    await t.runtime.close();
  });

  it('changes only the TTL when the address is right and the TTL is not', async () => {
    s.fake.rrsets.push({ zone: 'example.com', name: 'office', type: 'A', ttl: 3600, records: [{ value: V4, comment: '' }] });
    const t = await start({ zone: 'example.com', ipv6: false, ttl: 60 });
    await t.cycle();
    expect(s.fake.calls().slice(-2)).toEqual(['POST /zones/example.com/rrsets/office/A/actions/change_ttl', 'GET /zones/actions/1']);
    expect(s.fake.find('example.com', 'office', 'A')?.ttl).toBe(60);
    await t.runtime.close();
  });

  it('waits for each change to finish before the next, so an address and a TTL change in a row never meet locked', async () => {
    await s.fake.close();
    s.fake = await startHetzner({ tokens: { [TOKEN]: 'read_write' }, zones: ['example.com'], actionPolls: 3 });
    s.fake.rrsets.push({ zone: 'example.com', name: 'office', type: 'A', ttl: 3600, records: [{ value: '192.0.2.1', comment: '' }] });
    const t = await start({ zone: 'example.com', ipv6: false, ttl: 60 });
    const report = await t.cycle();
    expect(report.hosts.map((r) => r.action)).toEqual(['updated']);
    expect(s.fake.calls().filter((c) => !c.startsWith('GET /zones/example.com'))).toEqual([
      'POST /zones/example.com/rrsets/office/A/actions/set_records',
      'GET /zones/actions/1',
      'GET /zones/actions/1',
      'GET /zones/actions/1',
      'POST /zones/example.com/rrsets/office/A/actions/change_ttl',
      'GET /zones/actions/2',
      'GET /zones/actions/2',
      'GET /zones/actions/2',
    ]);
    expect(s.fake.find('example.com', 'office', 'A')).toMatchObject({ ttl: 60, records: [{ value: V4 }] });
    expect(t.clock.slept.filter((ms) => ms === 2000)).toHaveLength(6);
    await t.runtime.close();
  });

  it("does not count a change whose action ends in error as done: the host fails with Hetzner's reason and is tried again later", async () => {
    s.fake.rrsets.push({ zone: 'example.com', name: 'office', type: 'A', ttl: null, records: [{ value: '192.0.2.1', comment: '' }] });
    s.fake.failNextAction('action_failed', 'zone could not be published');
    const t = await start({ zone: 'example.com', ipv6: false });
    const report = await t.cycle();
    expect(report.hosts[0]?.action).toBe('failed');
    expect(report.hosts[0]?.message).toMatch(/action 1 ended in error: action_failed zone could not be published/);
    expect(t.runtime.state.hosts['hetzner office.example.com ipv4']?.errorKind).toBe('server');
    expect(s.fake.find('example.com', 'office', 'A')?.records).toEqual([{ value: '192.0.2.1', comment: '' }]);
    await t.runtime.close();
  });

  it('gives up waiting for an action after a minute on the clock, without counting it as done', async () => {
    await s.fake.close();
    s.fake = await startHetzner({ tokens: { [TOKEN]: 'read_write' }, zones: ['example.com'], actionPolls: 1000 });
    const t = await start({ zone: 'example.com', ipv6: false });
    const report = await t.cycle();
    expect(report.hosts[0]?.action).toBe('failed');
    expect(report.hosts[0]?.message).toMatch(/had not finished .* after 60 s/);
    expect(s.fake.calls().filter((c) => c.startsWith('GET /zones/actions/'))).toHaveLength(30);
    await t.runtime.close();
  });

  it.each(['locked', 'conflict', 'timeout'])('tries again within the cycle when Hetzner answers %s, as hcloud-go says to', async (code) => {
    const t = await start({ zone: 'example.com', ipv6: false });
    const body = JSON.stringify({ error: { code, message: 'try again', details: {} } });
    s.fake.misbehaveNext(1, { kind: 'answer', status: code === 'locked' ? 423 : code === 'conflict' ? 409 : 504, body, headers: { 'content-type': 'application/json' } });
    const report = await t.cycle();
    expect(report.hosts.map((r) => r.action)).toEqual(['updated']);
    expect(s.fake.find('example.com', 'office', 'A')?.records).toEqual([{ value: V4, comment: '' }]);
    await t.runtime.close();
  });

  it('says the old DNS API is gone when a 32-character DNS Console token is rejected', async () => {
    const t = await start({}, OLD_DNS_TOKEN);
    const report = await t.cycle();
    expect(report.hosts.every((r) => r.action === 'needs-attention')).toBe(true);
    expect(report.hosts[0]?.message).toMatch(/old DNS Console \(32 characters\).*dns\.hetzner\.com\) was shut down.*Read & Write/);
    const sent = s.fake.requests.length;
    expect(sent).toBe(1);
    t.clock.advance(5 * 60_000);
    await t.cycle();
    expect(s.fake.requests).toHaveLength(sent);
    expect(JSON.stringify(t.runtime.status())).not.toContain(OLD_DNS_TOKEN);
    await t.runtime.close();
  });

  it('waits out the RateLimit-Reset time on a 429 after one with Retry-After', async () => {
    const t = await start({ zone: 'example.com', ipv6: false });
    s.fake.failNext(1, 429, { 'retry-after': '6' });
    s.fake.failNext(1, 429, { 'ratelimit-remaining': '0', 'ratelimit-reset': String(Math.floor(t.clock.now() / 1000) + 20) });
    const report = await t.cycle();
    expect(report.hosts.map((r) => r.action)).toEqual(['updated']);
    expect(t.clock.slept.slice(0, 2)).toEqual([6000, 14_000]);
    await t.runtime.close();
  });
});

zoneProviderCases({
  type: 'hetzner',
  noZone: (host) => `no zone for ${host} in the token's project`,
  readOnly: /HTTP 403.*Read & Write/,
  async start() {
    const fake = await startHetzner({ tokens: { [TOKEN]: 'read_write', [READ_ONLY]: 'read' }, zones: ['example.com'] });
    return {
      server: fake,
      entry: (hosts, extra = {}, credential = 'right') => ({ type: 'hetzner', endpoint: fake.endpoint, token: credential === 'right' ? TOKEN : READ_ONLY, hosts, ...extra }),
      record: (host, family) => fake.find('example.com', host.replace(/\.?example\.com$/, '') || '@', family === 'ipv4' ? 'A' : 'AAAA')?.records[0]?.value,
      writes: () => fake.requests.filter((r) => r.method === 'POST'),
      rateLimitNext: (headers) => fake.failNext(1, 429, headers),
    };
  },
});
