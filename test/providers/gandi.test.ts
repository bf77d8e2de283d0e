import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGandi, type FakeGandi } from '../fakes/gandi.js';
import { startHarness, V4, V4_NEXT, V6, type Harness } from '../helpers/provider-harness.js';

const TOKEN = 'gandi-pat-test-8e7d6c5b4a39';
const EXPIRED = 'gandi-pat-expired-1a2b3c4d';
const NO_DNS = 'gandi-pat-nodns-5e6f7a8b';

describe('Gandi adapter against a local LiveDNS API v5 server', () => {
  let h: Harness;
  let fake: FakeGandi;
  beforeEach(async () => {
    h = await startHarness();
    fake = await startGandi({ tokens: { [TOKEN]: 'ok', [EXPIRED]: 'expired', [NO_DNS]: 'no-dns' }, domains: ['example.com'] });
  });
  afterEach(async () => {
    await Promise.all([h.close(), fake.close()]);
  });

  const start = (extra: Record<string, unknown> = {}, token = TOKEN) =>
    h.start({ type: 'gandi', endpoint: fake.endpoint, token: '${GANDI_PAT}', hosts: ['office.example.com'], ...extra }, { GANDI_PAT: token });

  it('creates A and AAAA record sets, sends nothing while nothing changes, then replaces the A set keeping its TTL', async () => {
    const t = await start();
    const report = await t.cycle();
    expect(report.hosts.map((r) => `${r.family} ${r.action}`)).toEqual(['ipv4 updated', 'ipv6 updated']);
    expect(fake.find('example.com', 'office', 'A')).toMatchObject({ values: [V4], ttl: 10_800 });
    expect(fake.find('example.com', 'office', 'AAAA')).toMatchObject({ values: [V6] });
    expect(fake.calls()).toEqual([
      'GET /domains/office.example.com',
      'GET /domains/example.com',
      'GET /domains/example.com/records/office/A',
      'PUT /domains/example.com/records/office/A',
      'GET /domains/example.com/records/office/AAAA',
      'PUT /domains/example.com/records/office/AAAA',
    ]);
    expect(fake.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}` && r.headers['user-agent']?.startsWith('ddnsd/'))).toBe(true);

    const sent = fake.requests.length;
    t.clock.advance(5 * 60_000);
    await t.cycle();
    expect(fake.requests).toHaveLength(sent);

    fake.find('example.com', 'office', 'A')!.ttl = 1200;
    h.newAddress();
    t.clock.advance(5 * 60_000);
    await t.cycle();
    expect(fake.calls().slice(sent)).toEqual(['GET /domains/example.com/records/office/A', 'PUT /domains/example.com/records/office/A']);
    expect(JSON.parse(fake.requests.at(-1)?.body ?? '{}')).toEqual({ rrset_values: [V4_NEXT], rrset_ttl: 1200 });
    expect(t.logs.join('') + JSON.stringify(t.runtime.status())).not.toContain(TOKEN);
    await t.runtime.close();
  });

  it('reports a set already at the address as unchanged; the apex is @', async () => {
    fake.sets.push({ domain: 'example.com', name: '@', type: 'A', ttl: 300, values: [V4] });
    const t = await start({ hosts: ['example.com'], zone: 'example.com', ipv6: false });
    const report = await t.cycle();
    expect(report.hosts.map((r) => r.action)).toEqual(['unchanged']);
    expect(fake.calls()).toEqual(['GET /domains/example.com', 'GET /domains/example.com/records/%40/A']);
    await t.runtime.close();
  });

  it('says an expired token expired, that tokens live at most a year, and sends nothing more', async () => {
    const t = await start({}, EXPIRED);
    const report = await t.cycle();
    expect(report.hosts.every((r) => r.action === 'needs-attention')).toBe(true);
    expect(report.hosts[0]?.message).toMatch(/personal access token expired.*at most a year.*create a personal access token/);
    const sent = fake.requests.length;
    t.clock.advance(5 * 60_000);
    await t.cycle();
    expect(fake.requests).toHaveLength(sent);
    await t.runtime.close();
  });

  it('needs attention with a token lacking the DNS permission, naming it', async () => {
    const t = await start({ zone: 'example.com', ipv6: false }, NO_DNS);
    const report = await t.cycle();
    expect(report.hosts[0]?.action).toBe('needs-attention');
    expect(report.hosts[0]?.message).toMatch(/HTTP 403.*Manage domain name technical configurations/);
    await t.runtime.close();
  });

  it('fails a host whose domain is not in LiveDNS, alone', async () => {
    const t = await start({ hosts: ['office.example.com', 'office.example.net'], ipv6: false });
    const report = await t.cycle();
    expect(report.hosts.map((r) => `${r.host} ${r.action}`)).toEqual(['office.example.com updated', 'office.example.net needs-attention']);
    expect(report.hosts[1]?.message).toContain('no domain for office.example.net');
    await t.runtime.close();
  });

  it('refuses a TTL below 300 in the config', async () => {
    await expect(start({ ttl: 60 })).rejects.toThrow(/Gandi's smallest TTL is 300/);
  });

  it('waits out Retry-After on 429', async () => {
    fake.failNext(1, 429, { 'retry-after': '11' });
    const t = await start({ zone: 'example.com', ipv6: false });
    const report = await t.cycle();
    expect(report.hosts.map((r) => r.action)).toEqual(['updated']);
    expect(t.clock.slept).toContain(11_000);
    await t.runtime.close();
  });

  it('fails an answer without rrset_values, to retry later', async () => {
    const t = await start({ zone: 'example.com', ipv6: false });
    fake.misbehaveNext(Infinity, { kind: 'answer', status: 200, body: '{"fqdn":"example.com"}', headers: { 'content-type': 'application/json' } });
    const report = await t.cycle();
    expect(report.hosts[0]?.action).toBe('failed');
    expect(t.runtime.state.hosts['gandi office.example.com ipv4']?.errorKind).toBe('bad-response');
    await t.runtime.close();
  });
});
