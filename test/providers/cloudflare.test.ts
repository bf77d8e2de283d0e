import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { zoneCandidates } from '../../providers/kit/index.js';
import { startCloudflare, type FakeCloudflare } from '../fakes/cloudflare.js';
import { startEcho, type EchoServer } from '../fakes/echo.js';
import { startRuntime } from '../helpers/runtime.js';

// Public addresses as data only: the fakes answer them, nothing contacts them.
const V4 = '81.2.69.160';
const V4_NEXT = '81.2.69.161';
const V6 = '2a02:8010:1::1';
const TOKEN = 'cf-token-9d8e7f6a5b4c-secret';
const READ_ONLY = 'cf-token-other-zone-only-77';
const ZONE_ID = '023e105f4ecef8ad9ca31a8372d0c353';
const OTHER_ZONE_ID = '372e67954025e0ba6aaa6d586b9e0b59';

describe('Cloudflare zone candidates', () => {
  it('tries the name and its parents, longest first, never a bare top-level domain', () => {
    expect(zoneCandidates('office.branch.example.com')).toEqual(['office.branch.example.com', 'branch.example.com', 'example.com']);
    expect(zoneCandidates('example.com')).toEqual(['example.com']);
  });
});

describe('Cloudflare adapter against a local API v4 server', () => {
  let v4a: EchoServer;
  let v4b: EchoServer;
  let v6a: EchoServer;
  let v6b: EchoServer;
  let cf: FakeCloudflare;

  beforeEach(async () => {
    [v4a, v4b, v6a, v6b] = await Promise.all([startEcho(V4), startEcho(V4), startEcho(V6, '::1'), startEcho(V6, '::1')]);
    cf = await startCloudflare({
      tokens: { [TOKEN]: ['example.com'], [READ_ONLY]: ['example.org'] },
      zones: { 'example.com': ZONE_ID, 'example.org': OTHER_ZONE_ID },
    });
  });
  afterEach(async () => {
    await Promise.all([v4a, v4b, v6a, v6b, cf].map((s) => s.close()));
  });

  const start = (extra = '', hosts = '[office.example.com, portal.example.com]', token = TOKEN) =>
    startRuntime(
      `state: ./state.json
detect:
  ipv4: ["${v4a.url}/", "${v4b.url}/"]
  ipv6: ["${v6a.url}/", "${v6b.url}/"]
  timeout: 2s
providers:
  - type: cloudflare
    endpoint: ${cf.endpoint}
    token: \${CLOUDFLARE_API_TOKEN}
    hosts: ${hosts}
${extra}`,
      { CLOUDFLARE_API_TOKEN: token },
    );
  const newAddress = (): void => {
    v4a.answer = V4_NEXT;
    v4b.answer = V4_NEXT;
  };

  it('creates A and AAAA records, finds the zone from the hostname once, and sends nothing when nothing changed', async () => {
    const t = await start();
    const report = await t.cycle();
    expect(report.ok).toBe(true);
    expect(report.hosts.map((h) => h.action)).toEqual(['updated', 'updated', 'updated', 'updated']);
    for (const host of ['office.example.com', 'portal.example.com']) {
      expect(cf.find(host, 'A').map((r) => r.content)).toEqual([V4]);
      expect(cf.find(host, 'AAAA').map((r) => r.content)).toEqual([V6]);
      expect(cf.find(host, 'A')[0]).toMatchObject({ ttl: 1, proxied: false });
    }
    // Two hosts need their zone: one listing of the token's zones instead of a lookup per candidate name.
    expect(cf.zoneLookups().map((r) => r.url.search)).toEqual(['?per_page=50&page=1']);
    expect(cf.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    // The four records: one listing of the zone, then one batch that creates them all.
    expect(cf.listings()).toHaveLength(1);
    expect(cf.writes().map((r) => `${r.method} ${r.url.pathname}`)).toEqual([`POST /client/v4/zones/${ZONE_ID}/dns_records/batch`]);
    const posts = (JSON.parse(cf.writes()[0]?.body ?? '{}') as { posts: unknown[] }).posts;
    expect(posts).toContainEqual({ type: 'A', name: 'office.example.com', content: V4, ttl: 1, proxied: false });
    expect(posts).toHaveLength(4);

    const count = cf.requests.length;
    t.clock.advance(5 * 60_000);
    await t.cycle();
    expect(cf.requests).toHaveLength(count);

    // A new address: both A records in one batch of patches, no zone or record lookup (the ids are cached).
    newAddress();
    t.clock.advance(5 * 60_000);
    const changed = await t.cycle();
    const sent = cf.requests.slice(count);
    expect(sent.map((r) => `${r.method} ${r.url.pathname}`)).toEqual([`POST /client/v4/zones/${ZONE_ID}/dns_records/batch`]);
    const patches = (JSON.parse(sent[0]?.body ?? '{}') as { patches: { id: string; content: string }[] }).patches;
    expect(patches.map((p) => p.content)).toEqual([V4_NEXT, V4_NEXT]);
    expect(patches.map((p) => p.id).sort()).toEqual([cf.find('office.example.com', 'A')[0]?.id, cf.find('portal.example.com', 'A')[0]?.id].sort());
    expect(Object.keys(patches[0] ?? {}).sort()).toEqual(['content', 'id']);
    expect(cf.find('portal.example.com', 'A')[0]?.content).toBe(V4_NEXT);
    expect(changed.hosts.filter((h) => h.family === 'ipv6').every((h) => h.action === 'current')).toBe(true);

    const everything = JSON.stringify(t.runtime.status()) + t.logs.join('');
    expect(everything).not.toContain(TOKEN);
    await t.runtime.close();
  });

  it('with zone set, looks it up by name exactly once', async () => {
    const t = await start('    zone: example.com\n');
    await t.cycle();
    expect(cf.zoneLookups().map((r) => r.url.searchParams.get('name'))).toEqual(['example.com']);
    await t.runtime.close();
  });

  it('with zone_id set, never looks up a zone', async () => {
    const t = await start(`    zone_id: ${ZONE_ID}\n`);
    const report = await t.cycle();
    expect(report.ok).toBe(true);
    expect(cf.zoneLookups()).toHaveLength(0);
    await t.runtime.close();
  });

  it('reports a record already at the address as unchanged, with no write', async () => {
    cf.addRecord({ zone: 'example.com', type: 'A', name: 'office.example.com', content: V4, ttl: 300, proxied: true });
    // The same IPv6 address, written out in full: still the same address.
    cf.addRecord({ zone: 'example.com', type: 'AAAA', name: 'office.example.com', content: '2A02:8010:0001:0000:0000:0000:0000:0001', ttl: 300, proxied: true });
    const t = await start('', '[office.example.com]');
    const report = await t.cycle();
    expect(report.hosts.map((h) => h.action)).toEqual(['unchanged', 'unchanged']);
    expect(cf.writes()).toHaveLength(0);
    await t.runtime.close();
  });

  it('patches only the content, keeping proxied and ttl when they are not configured', async () => {
    const id = cf.addRecord({ zone: 'example.com', type: 'A', name: 'office.example.com', content: '81.2.69.1', ttl: 300, proxied: true });
    const t = await start('    ipv6: false\n', '[office.example.com]');
    await t.cycle();
    expect(cf.writes().map((r) => `${r.method} ${r.url.pathname}`)).toEqual([`PATCH /client/v4/zones/${ZONE_ID}/dns_records/${id}`]);
    expect(JSON.parse(cf.writes()[0]?.body ?? '{}')).toEqual({ content: V4 });
    expect(cf.records.get(id)).toMatchObject({ content: V4, ttl: 1, proxied: true });
    await t.runtime.close();
  });

  it('sends no TTL for a proxied record, whose TTL Cloudflare keeps automatic: a second cycle sends nothing, and the log says why once', async () => {
    cf.addRecord({ zone: 'example.com', type: 'A', name: 'office.example.com', content: '81.2.69.1', ttl: 1, proxied: true });
    cf.addRecord({ zone: 'example.com', type: 'A', name: 'portal.example.com', content: V4, ttl: 1, proxied: true });
    const t = await start('    ipv6: false\n    proxied: true\n    ttl: 300\n');
    const first = await t.cycle();
    expect(first.hosts.map((h) => `${h.host} ${h.action}`)).toEqual(['office.example.com updated', 'portal.example.com unchanged']);
    expect(cf.writes().map((r) => JSON.parse(r.body) as unknown)).toEqual([{ content: V4 }]);
    t.clock.advance(24 * 3600_000);
    const second = await t.cycle();
    expect(second.hosts.every((h) => h.action === 'unchanged' || h.action === 'current')).toBe(true);
    expect(cf.writes()).toHaveLength(1);
    expect(t.logs.filter((l) => l.includes('ttl: 300 is not applied'))).toHaveLength(1);
    await t.runtime.close();
  });

  it('creates a proxied record with the automatic TTL, and keeps the TTL of a record proxied in the dashboard', async () => {
    cf.addRecord({ zone: 'example.com', type: 'A', name: 'portal.example.com', content: V4, ttl: 1, proxied: true });
    const t = await start('    ipv6: false\n    ttl: 300\n');
    const report = await t.cycle();
    expect(report.hosts.map((h) => `${h.host} ${h.action}`)).toEqual(['office.example.com updated', 'portal.example.com unchanged']);
    expect(cf.find('office.example.com', 'A')[0]).toMatchObject({ ttl: 300, proxied: false });
    await t.runtime.close();

    const proxied = await start('    ipv6: false\n    proxied: true\n    ttl: 300\n', '[www.example.com]');
    await proxied.cycle();
    expect(JSON.parse(cf.writes().at(-1)?.body ?? '{}')).toMatchObject({ ttl: 1, proxied: true });
    await proxied.runtime.close();
  });

  it('refuses a TTL of 30 to 59 seconds at config check, naming the lowest Cloudflare accepts', async () => {
    await expect(start('    ttl: 45\n')).rejects.toThrow(/providers\[0\]\.ttl.*1 \(automatic\) or 60 to 86400 seconds: Cloudflare's lowest TTL is 60 s/);
    const t = await start('    ipv6: false\n    ttl: 60\n', '[office.example.com]');
    expect((await t.cycle()).ok).toBe(true);
    await t.runtime.close();
  });

  it('refuses a token with a character no token has at config check, before Cloudflare answers 6003/6111 for it', async () => {
    await expect(start('', '[office.example.com]', 'cf-token-cut "short')).rejects.toThrow(/providers\[0\]\.token.*a character no token has.*copy it again/);
    await expect(start('', '[office.example.com]', 'cf-token-cut "short')).rejects.not.toThrow(/short/);
  });

  it('shows the nested error of an error_chain first: 6111 under 6003 is a rejected token that needs attention', async () => {
    const body = JSON.stringify({
      success: false,
      errors: [{ code: 6003, message: 'Invalid request headers', error_chain: [{ code: 6111, message: 'Invalid format for Authorization header' }] }],
      messages: [],
      result: null,
    });
    cf.misbehaveNext(Infinity, { kind: 'answer', status: 400, body, headers: { 'content-type': 'application/json' } });
    const t = await start('', '[office.example.com]');
    const report = await t.cycle();
    expect(report.hosts.every((h) => h.action === 'needs-attention')).toBe(true);
    expect(report.hosts[0]?.message).toContain('6111 Invalid format for Authorization header (in 6003 Invalid request headers)');
    expect(cf.requests).toHaveLength(1);
    await t.runtime.close();
  });

  it('sets proxied and ttl when they are configured, even if the content is right', async () => {
    const id = cf.addRecord({ zone: 'example.com', type: 'A', name: 'office.example.com', content: V4, ttl: 300, proxied: true });
    const t = await start('    ipv6: false\n    proxied: false\n    ttl: 120\n', '[office.example.com]');
    const report = await t.cycle();
    expect(report.hosts[0]?.action).toBe('updated');
    expect(JSON.parse(cf.writes()[0]?.body ?? '{}')).toEqual({ ttl: 120, proxied: false });
    expect(cf.records.get(id)).toMatchObject({ content: V4, ttl: 120, proxied: false });
    await t.runtime.close();
  });

  it('updates the first of duplicate records, deletes the rest, and says so', async () => {
    const keep = cf.addRecord({ zone: 'example.com', type: 'A', name: 'office.example.com', content: '81.2.69.1', ttl: 1, proxied: false });
    cf.addRecord({ zone: 'example.com', type: 'A', name: 'office.example.com', content: '81.2.69.2', ttl: 1, proxied: false });
    cf.addRecord({ zone: 'example.com', type: 'A', name: 'office.example.com', content: V4, ttl: 1, proxied: false });
    const t = await start('    ipv6: false\n', '[office.example.com]');
    await t.cycle();
    expect(cf.writes().map((r) => r.method)).toEqual(['DELETE', 'DELETE', 'PATCH']);
    expect(cf.find('office.example.com', 'A')).toEqual([expect.objectContaining({ id: keep, content: V4 })]);
    expect(t.logs.join('')).toContain('had 3 A records at Cloudflare; kept');
    await t.runtime.close();
  });

  it('an invalid token (401, error 9109) needs attention and is not retried', async () => {
    const t = await start('', '[office.example.com]', 'cf-token-wrong-0000-secret');
    const report = await t.cycle();
    expect(cf.requests).toHaveLength(1);
    expect(report.hosts.every((h) => h.action === 'needs-attention')).toBe(true);
    expect(report.hosts[0]?.message).toContain('9109');
    t.clock.advance(24 * 3600_000);
    await t.cycle();
    expect(cf.requests).toHaveLength(1);
    const everything = JSON.stringify(t.runtime.status()) + t.logs.join('') + JSON.stringify(report);
    expect(everything).not.toContain('cf-token-wrong-0000-secret');
    await t.runtime.close();
  });

  it('a token without permission on the zone (403, error 10000) needs attention', async () => {
    const t = await start(`    zone_id: ${ZONE_ID}\n`, '[office.example.com]', READ_ONLY);
    const report = await t.cycle();
    expect(cf.requests).toHaveLength(1);
    expect(report.hosts.every((h) => h.action === 'needs-attention' && h.message?.includes('10000'))).toBe(true);
    expect(t.runtime.status().hosts.every((h) => h.status === 'needs-attention')).toBe(true);
    await t.runtime.close();
  });

  it('a zone_id Cloudflare does not know needs attention', async () => {
    const t = await start('    zone_id: 0123456789abcdef0123456789abcdef\n', '[office.example.com]');
    const report = await t.cycle();
    expect(report.hosts.every((h) => h.action === 'needs-attention' && h.message?.includes('check zone_id'))).toBe(true);
    expect(cf.requests).toHaveLength(1); // one listing of the zone for both families, no retries
    await t.runtime.close();
  });

  it('a host in no zone the token sees needs attention', async () => {
    const t = await start('', '[office.example.net]');
    const report = await t.cycle();
    expect(report.hosts.every((h) => h.action === 'needs-attention' && h.message?.includes('no zone for office.example.net'))).toBe(true);
    expect(cf.writes()).toHaveLength(0);
    await t.runtime.close();
  });

  it('waits out a short Retry-After on 429 and retries 5xx within the cycle', async () => {
    cf.failNext(1, 429, [{ code: 971, message: 'Please wait and consider throttling your request speed' }], { 'retry-after': '7' });
    cf.failNext(1, 502);
    const t = await start('    ipv6: false\n', '[office.example.com]');
    const report = await t.cycle();
    expect(report.ok).toBe(true);
    expect(t.clock.slept).toContain(7000);
    expect(cf.find('office.example.com', 'A')).toHaveLength(1);
    await t.runtime.close();
  });

  it('pauses the host for a long Retry-After instead of waiting in the cycle', async () => {
    cf.failNext(1, 429, [], { 'retry-after': '3600' });
    const t = await start('    ipv6: false\n', '[office.example.com]');
    const report = await t.cycle();
    expect(report.hosts[0]?.action).toBe('failed');
    expect(cf.requests).toHaveLength(1);
    const retryAt = t.runtime.state.hosts['cloudflare office.example.com ipv4']?.retryAt ?? 0;
    expect(retryAt - t.clock.now()).toBe(3600_000);
    await t.runtime.close();
  });

  it('drops cached ids on a 404 and looks them up again', async () => {
    const t = await start('    ipv6: false\n', '[office.example.com]');
    await t.cycle();
    const lookups = cf.zoneLookups().length;
    // Someone deletes the record by hand; the cached id is now stale.
    cf.records.clear();
    newAddress();
    t.clock.advance(5 * 60_000);
    const report = await t.cycle();
    expect(report.ok).toBe(true);
    expect(cf.zoneLookups().length).toBeGreaterThan(lookups);
    expect(cf.writes().map((r) => r.method)).toEqual(['POST', 'PATCH', 'POST']);
    expect(cf.find('office.example.com', 'A').map((r) => r.content)).toEqual([V4_NEXT]);
    await t.runtime.close();
  });

  it('a record Cloudflare refuses fails that host only, with the reason, to try again later', async () => {
    cf.addRecord({ zone: 'example.com', type: 'A', name: 'portal.example.com', content: V4, ttl: 1, proxied: false });
    cf.refused.add('office.example.com');
    const t = await start('    ipv6: false\n    zone: example.com\n');
    const report = await t.cycle();
    expect(report.hosts.map((h) => `${h.host} ${h.action}`)).toEqual(['office.example.com failed', 'portal.example.com unchanged']);
    expect(report.hosts[0]?.message).toContain('1004 DNS Validation Error');
    expect(t.runtime.state.hosts['cloudflare office.example.com ipv4']?.errorKind).toBe('bad-response');
    expect(cf.writes()).toHaveLength(1);
    await t.runtime.close();
  });

  it('rejects zone together with zone_id, and hosts outside the zone', async () => {
    await expect(start(`    zone: example.com\n    zone_id: ${ZONE_ID}\n`)).rejects.toThrow(/providers\[0\]\.zone_id.*set either zone or zone_id/);
    await expect(start('    zone: example.org\n')).rejects.toThrow(/office\.example\.com is not in the zone example\.org/);
    await expect(start('    ttl: 5\n')).rejects.toThrow(/providers\[0\]\.ttl.*1 \(automatic\) or 60 to 86400/);
  });
});
