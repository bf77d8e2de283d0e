import { describe, expect, it } from 'vitest';
import { startGandi } from '../fakes/gandi.js';
import { useHarness, V4, V4_NEXT, V6 } from '../helpers/provider-harness.js';
import { setProviderCases } from '../helpers/set-cases.js';
import { zoneProviderCases } from '../helpers/zone-cases.js';

const TOKEN = 'gandi-pat-test-8e7d6c5b4a39';
const EXPIRED = 'gandi-pat-expired-1a2b3c4d';
const NO_DNS = 'gandi-pat-nodns-5e6f7a8b';

describe('Gandi adapter against a local LiveDNS API v5 server', () => {
  const s = useHarness(() => startGandi({ tokens: { [TOKEN]: 'ok', [EXPIRED]: 'expired', [NO_DNS]: 'no-dns' }, domains: ['example.com'] }));

  const start = (extra: Record<string, unknown> = {}, token = TOKEN) =>
    s.h.start({ type: 'gandi', endpoint: s.fake.endpoint, token: '${GANDI_PAT}', hosts: ['office.example.com'], ...extra }, { GANDI_PAT: token });

  it('creates A and AAAA record sets, sends nothing while nothing changes, then replaces the A set keeping its TTL', async () => {
    const t = await start();
    const report = await t.cycle();
    expect(report.hosts.map((r) => `${r.family} ${r.action}`)).toEqual(['ipv4 updated', 'ipv6 updated']);
    expect(s.fake.find('example.com', 'office', 'A')).toMatchObject({ values: [V4], ttl: 10_800 });
    expect(s.fake.find('example.com', 'office', 'AAAA')).toMatchObject({ values: [V6] });
    expect(s.fake.calls()).toEqual([
      'GET /domains/office.example.com',
      'GET /domains/example.com',
      'GET /domains/example.com/records/office/A',
      'PUT /domains/example.com/records/office/A',
      'GET /domains/example.com/records/office/AAAA',
      'PUT /domains/example.com/records/office/AAAA',
    ]);
    expect(s.fake.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}` && r.headers['user-agent']?.startsWith('ddnsd/'))).toBe(true);

    const sent = s.fake.requests.length;
    t.clock.advance(5 * 60_000);
    await t.cycle();
    expect(s.fake.requests).toHaveLength(sent);

    s.fake.find('example.com', 'office', 'A')!.ttl = 1200;
    s.h.newAddress();
    t.clock.advance(5 * 60_000);
    await t.cycle();
    expect(s.fake.calls().slice(sent)).toEqual(['GET /domains/example.com/records/office/A', 'PUT /domains/example.com/records/office/A']);
    expect(JSON.parse(s.fake.requests.at(-1)?.body ?? '{}')).toEqual({ rrset_values: [V4_NEXT], rrset_ttl: 1200 });
    expect(t.logs.join('') + JSON.stringify(t.runtime.status())).not.toContain(TOKEN);
    await t.runtime.close();
  });

  it('reports a set already at the address as unchanged; the apex is @', async () => {
    s.fake.sets.push({ domain: 'example.com', name: '@', type: 'A', ttl: 300, values: [V4] });
    const t = await start({ hosts: ['example.com'], zone: 'example.com', ipv6: false });
    const report = await t.cycle();
    expect(report.hosts.map((r) => r.action)).toEqual(['unchanged']);
    expect(s.fake.calls()).toEqual(['GET /domains/example.com', 'GET /domains/example.com/records/%40/A']);
    await t.runtime.close();
  });

  it('says an expired token expired, that tokens live at most a year, and sends nothing more', async () => {
    const t = await start({}, EXPIRED);
    const report = await t.cycle();
    expect(report.hosts.every((r) => r.action === 'needs-attention')).toBe(true);
    expect(report.hosts[0]?.message).toMatch(/personal access token expired.*at most a year.*create a personal access token/);
    const sent = s.fake.requests.length;
    t.clock.advance(5 * 60_000);
    await t.cycle();
    expect(s.fake.requests).toHaveLength(sent);
    await t.runtime.close();
  });

  it('refuses a TTL below 300 in the config', async () => {
    await expect(start({ ttl: 60 })).rejects.toThrow(/Gandi's smallest TTL is 300/);
  });

  it('refuses owned: marked in the config, saying a LiveDNS record set has no field for a marker', async () => {
    await expect(start({ owned: 'marked' })).rejects.toThrow(
      /owned.*marked is not available for gandi: a LiveDNS record set has only its name, type, TTL and values, no field to carry a marker/,
    );
  });

  it('fails a record set Gandi refuses (400) for later, not for good, with its reason', async () => {
    s.fake.failNext(1, 400);
    const t = await start({ zone: 'example.com', ipv6: false });
    const report = await t.cycle();
    expect(report.hosts[0]?.action).toBe('failed');
    expect(t.runtime.state.hosts['gandi office.example.com ipv4']?.errorKind).toBe('bad-response');
    await t.runtime.close();
  });
});

zoneProviderCases({
  type: 'gandi',
  noZone: (host) => `no domain for ${host}`,
  readOnly: /HTTP 403.*Manage domain name technical configurations/,
  async start() {
    const fake = await startGandi({ tokens: { [TOKEN]: 'ok', [NO_DNS]: 'no-dns' }, domains: ['example.com'] });
    return {
      server: fake,
      entry: (hosts, extra = {}, credential = 'right') => ({ type: 'gandi', endpoint: fake.endpoint, token: credential === 'right' ? TOKEN : NO_DNS, hosts, ...extra }),
      record: (host, family) => fake.find('example.com', host.replace(/\.?example\.com$/, '') || '@', family === 'ipv4' ? 'A' : 'AAAA')?.values[0],
      writes: () => fake.requests.filter((r) => r.method === 'PUT'),
      rateLimitNext: (headers) => fake.failNext(1, 429, headers),
    };
  },
});

setProviderCases({
  type: 'gandi',
  async start() {
    const fake = await startGandi({ tokens: { [TOKEN]: 'ok' }, domains: ['example.com'] });
    const nameOf = (host: string): string => host.replace(/\.?example\.com$/, '') || '@';
    return {
      server: fake,
      entry: () => ({ type: 'gandi', endpoint: fake.endpoint, token: TOKEN, zone: 'example.com' }),
      addresses: (host, type) => fake.find('example.com', nameOf(host), type)?.values ?? [],
      add(host, type, address) {
        const set = fake.find('example.com', nameOf(host), type);
        if (set) set.values.push(address);
        else fake.sets.push({ domain: 'example.com', name: nameOf(host), type, ttl: 10_800, values: [address] });
      },
      calls: () => fake.calls(),
    };
  },
  // One rrset holds every address of the name: each change is one PUT of the whole list, and one DELETE takes the set.
  requests: {
    both: ['GET /domains/example.com', 'GET /domains/example.com/records/portal/A', 'PUT /domains/example.com/records/portal/A'],
    fiberDown: ['GET /domains/example.com/records/portal/A', 'PUT /domains/example.com/records/portal/A'],
    fiberBack: ['GET /domains/example.com/records/portal/A', 'PUT /domains/example.com/records/portal/A'],
    stop: ['GET /domains/example.com/records/portal/A', 'DELETE /domains/example.com/records/portal/A'],
  },
});
