import { describe, expect, it } from 'vitest';
import { startPorkbun } from '../fakes/porkbun.js';
import { quietThenNewAddress, useHarness, V4, V4_NEXT, V6 } from '../helpers/provider-harness.js';
import { zoneProviderCases } from '../helpers/zone-cases.js';

const KEY = 'pk1_test5d1e0c9b8a7f6e5d';
const SECRET = 'sk1_test2c3d4e5f6a7b8c9d';

describe('Porkbun adapter against a local API v3 server', () => {
  const s = useHarness(() => startPorkbun({ apikey: KEY, secretapikey: SECRET, domains: { 'example.com': true, 'example.net': false } }));

  const start = (extra: Record<string, unknown> = {}) =>
    s.h.start(
      { type: 'porkbun', endpoint: s.fake.endpoint, api_key: '${PORKBUN_API_KEY}', secret_api_key: '${PORKBUN_SECRET}', hosts: ['office.example.com'], ...extra },
      { PORKBUN_API_KEY: KEY, PORKBUN_SECRET: SECRET },
    );

  it('creates the A and AAAA records at TTL 600, then changes only the A record when the address changes', async () => {
    const t = await start();
    const report = await t.cycle();
    expect(report.hosts.map((r) => `${r.family} ${r.action}`)).toEqual(['ipv4 updated', 'ipv6 updated']);
    expect(s.fake.find('office.example.com', 'A')).toMatchObject([{ content: V4, ttl: 600, name: 'office' }]);
    expect(s.fake.find('office.example.com', 'AAAA')).toMatchObject([{ content: V6 }]);
    // One listing finds the domain; each family: read, then create.
    expect(s.fake.calls()).toEqual([
      '/domain/listAll',
      '/dns/retrieveByNameType/example.com/A/office',
      '/dns/create/example.com',
      '/dns/retrieveByNameType/example.com/AAAA/office',
      '/dns/create/example.com',
    ]);
    expect(s.fake.requests.every((r) => JSON.parse(r.body).apikey === KEY && r.headers['user-agent']?.startsWith('ddnsd/'))).toBe(true);

    const { sent, report: changed } = await quietThenNewAddress(s, t);
    expect(changed.hosts.map((r) => `${r.family} ${r.action}`)).toEqual(['ipv4 updated', 'ipv6 current']);
    expect(s.fake.calls().slice(sent)).toEqual(['/dns/retrieveByNameType/example.com/A/office', '/dns/editByNameType/example.com/A/office']);
    expect(JSON.parse(s.fake.requests.at(-1)?.body ?? '{}')).toMatchObject({ content: V4_NEXT, ttl: '600' });
    expect(s.fake.find('office.example.com', 'A').map((r) => r.content)).toEqual([V4_NEXT]);
    expect(t.logs.join('') + JSON.stringify(t.runtime.status())).not.toContain(SECRET);
    await t.runtime.close();
  });

  it('reports a record already at the address as unchanged, with no write; the apex is the empty subdomain', async () => {
    s.fake.records.push({ id: '1', domain: 'example.com', name: '', type: 'A', content: V4, ttl: 600, notes: '' });
    const t = await start({ hosts: ['example.com'], zone: 'example.com', ipv6: false });
    const report = await t.cycle();
    expect(report.hosts.map((r) => r.action)).toEqual(['unchanged']);
    expect(s.fake.calls()).toEqual(['/dns/retrieveByNameType/example.com/A']);
    await t.runtime.close();
  });

  it('rewrites a record at the address whose TTL differs from the configured one', async () => {
    s.fake.records.push({ id: '1', domain: 'example.com', name: 'office', type: 'A', content: V4, ttl: 600, notes: '' });
    const t = await start({ ttl: 3600, ipv6: false });
    const report = await t.cycle();
    expect(report.hosts.map((r) => r.action)).toEqual(['updated']);
    expect(s.fake.find('office.example.com', 'A')).toMatchObject([{ content: V4, ttl: 3600 }]);
    await t.runtime.close();
  });

  it("keeps the record's own TTL and notes when it changes the address, as ddclient does", async () => {
    s.fake.records.push({ id: '7', domain: 'example.com', name: 'office', type: 'A', content: '192.0.2.1', ttl: 3600, notes: 'router at the office' });
    const t = await start({ ipv6: false });
    const report = await t.cycle();
    expect(report.hosts.map((r) => r.action)).toEqual(['updated']);
    expect(JSON.parse(s.fake.requests.at(-1)?.body ?? '{}')).toMatchObject({ content: V4, ttl: '3600', notes: 'router at the office' });
    expect(s.fake.find('office.example.com', 'A')).toMatchObject([{ content: V4, ttl: 3600, notes: 'router at the office' }]);
    await t.runtime.close();
  });

  it('removes the parking records of a new domain before creating an apex record, and nothing else', async () => {
    await s.fake.close();
    s.fake = await startPorkbun({ apikey: KEY, secretapikey: SECRET, domains: { 'example.com': true }, parked: ['example.com'] });
    const t = await start({ hosts: ['example.com'], zone: 'example.com' });
    const report = await t.cycle();
    expect(report.hosts.map((r) => `${r.family} ${r.action}`)).toEqual(['ipv4 updated', 'ipv6 updated']);
    expect(s.fake.calls()).toEqual([
      '/dns/retrieveByNameType/example.com/A',
      '/dns/retrieveByNameType/example.com/ALIAS',
      '/dns/deleteByNameType/example.com/ALIAS',
      '/dns/create/example.com',
      '/dns/retrieveByNameType/example.com/AAAA',
      '/dns/retrieveByNameType/example.com/ALIAS',
      '/dns/create/example.com',
    ]);
    expect(s.fake.records.map((r) => `${r.type} ${r.name || '@'} ${r.content}`).sort()).toEqual(['A @ 81.2.69.160', 'AAAA @ 2a02:8010:1::1', 'CNAME * pixie.porkbun.com']);
    expect(t.logs.some((l) => l.includes("removed Porkbun's parking record ALIAS example.com"))).toBe(true);
    await t.runtime.close();
  });

  it("leaves an ALIAS of the user's own at the apex alone: the refused record fails, to try again later", async () => {
    s.fake.records.push({ id: '9', domain: 'example.com', name: '', type: 'ALIAS', content: 'shop.example.net', ttl: 600, notes: '' });
    const t = await start({ hosts: ['example.com'], zone: 'example.com', ipv6: false });
    const report = await t.cycle();
    expect(report.hosts[0]?.action).toBe('failed');
    expect(report.hosts[0]?.message).toContain('Create error: We were unable to create the DNS record.');
    expect(t.runtime.state.hosts['porkbun example.com ipv4']?.errorKind).toBe('bad-response');
    expect(s.fake.find('example.com', 'ALIAS')).toMatchObject([{ content: 'shop.example.net' }]);
    expect(s.fake.calls().some((c) => c.startsWith('/dns/delete'))).toBe(false);
    await t.runtime.close();
  });

  it('refuses a TTL below 600 in the config', async () => {
    await expect(start({ ttl: 300 })).rejects.toThrow(/smallest TTL is 600/);
  });

  it('needs attention on a wrong key pair, naming the keys, and sends nothing more', async () => {
    const t = await s.h.start({ type: 'porkbun', endpoint: s.fake.endpoint, api_key: KEY, secret_api_key: 'sk1_wrong', hosts: ['office.example.com'] });
    const report = await t.cycle();
    expect(report.hosts.every((r) => r.action === 'needs-attention' && r.message?.includes('api_key and secret_api_key'))).toBe(true);
    const sent = s.fake.requests.length;
    t.clock.advance(5 * 60_000);
    await t.cycle();
    expect(s.fake.requests).toHaveLength(sent);
    await t.runtime.close();
  });

  it('needs attention when the domain has API access off, and says where to turn it on', async () => {
    const t = await start({ hosts: ['office.example.net'], ipv6: false });
    const report = await t.cycle();
    expect(report.hosts[0]?.action).toBe('needs-attention');
    expect(report.hosts[0]?.message).toMatch(/API access is off for example\.net.*per domain/);
    expect(s.fake.records).toHaveLength(0);
    await t.runtime.close();
  });
});

zoneProviderCases({
  type: 'porkbun',
  noZone: (host) => `no domain that holds ${host}`,
  async start() {
    const domains: Record<string, boolean> = { 'example.com': true };
    const fake = await startPorkbun({ apikey: KEY, secretapikey: SECRET, domains });
    return {
      server: fake,
      entry: (hosts, extra = {}) => ({ type: 'porkbun', endpoint: fake.endpoint, api_key: KEY, secret_api_key: SECRET, hosts, ...extra }),
      record: (host, family) => fake.find(host, family === 'ipv4' ? 'A' : 'AAAA')[0]?.content,
      writes: () => fake.requests.filter((r) => /^\/api\/json\/v3\/dns\/(create|edit|delete)/.test(r.url.pathname)),
      rateLimitNext: (headers) => fake.failNext(1, 429, headers),
      crowd() {
        // 1,000 domains an answer: example.com comes on the second.
        delete domains['example.com'];
        for (let i = 0; i < 1000; i++) domains[`filler${i}.example.org`] = true;
        domains['example.com'] = true;
        return () => fake.requests.filter((r) => r.url.pathname.endsWith('/domain/listAll'));
      },
    };
  },
});
