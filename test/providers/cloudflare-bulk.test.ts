/**
 * Cloudflare with many hosts: one paginated listing of the zone instead of a
 * lookup per host, changes in batches of at most 200, a refused batch sent
 * again one write at a time, and the 1,200 requests / 5 minutes budget.
 * The fake counts every request.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCloudflareApi } from '../../providers/cloudflare/api.js';
import { createHttpClient } from '../../src/base/http.js';
import { DdnsError } from '../../src/base/errors.js';
import { startCloudflare, type FakeCloudflare } from '../fakes/cloudflare.js';
import { startEcho, type EchoServer } from '../fakes/echo.js';
import { fakeClock } from '../helpers/clock.js';
import { startRuntime } from '../helpers/runtime.js';

const V4 = '81.2.69.160';
const V4_NEXT = '81.2.69.161';
const TOKEN = 'cf-bulk-token-5a6b7c8d9e-secret';
const ZONE_ID = '023e105f4ecef8ad9ca31a8372d0c353';
const BATCH = `/client/v4/zones/${ZONE_ID}/dns_records/batch`;

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `h${i}.example.com`);

/** A config with one IPv4 source and one cloudflare entry, whose other keys are `entry` (YAML lines indented four spaces). */
const config = (echoUrl: string, endpoint: string, entry: string): string => `state: ./state.json
detect:
  ipv4: ["${echoUrl}/"]
  agree: 1
providers:
  - type: cloudflare
    endpoint: ${endpoint}
    token: \${CF}
${entry}`;

describe('Cloudflare adapter with many hosts', () => {
  let echo: EchoServer;
  let cf: FakeCloudflare;

  beforeEach(async () => {
    echo = await startEcho(V4);
  });
  afterEach(async () => {
    await Promise.all([echo, cf].map((s) => s.close()));
  });

  const start = (hosts: string[], extra = '') => startRuntime(config(echo.url, cf.endpoint, `    zone_id: ${ZONE_ID}\n    hosts: [${hosts.join(', ')}]\n${extra}`), { CF: TOKEN });

  it('lists the zone once over every page, writes in one batch, and sends nothing when nothing changed', async () => {
    cf = await startCloudflare({ tokens: { [TOKEN]: ['example.com'] }, zones: { 'example.com': ZONE_ID }, maxPerPage: 5 });
    const hosts = names(30);
    // Half the hosts have a record at an old address; the zone holds other records too.
    for (const h of hosts.slice(0, 15)) cf.addRecord({ zone: 'example.com', type: 'A', name: h, content: '81.2.69.1', ttl: 1, proxied: false });
    for (let i = 0; i < 7; i++) cf.addRecord({ zone: 'example.com', type: 'AAAA', name: `v6-${i}.example.com`, content: '2a02:8010:1::9', ttl: 1, proxied: false });
    const t = await start(hosts);

    const first = await t.cycle();
    expect(first.ok).toBe(true);
    expect(first.hosts.every((h) => h.action === 'updated')).toBe(true);
    // Only A records are wanted: the listing asks for type A, 15 records, 5 a page.
    expect(cf.listings().map((r) => [r.url.searchParams.get('type'), r.url.searchParams.get('page')])).toEqual([
      ['A', '1'],
      ['A', '2'],
      ['A', '3'],
    ]);
    expect(cf.writes().map((r) => `${r.method} ${r.url.pathname}`)).toEqual([`POST ${BATCH}`]);
    const body = JSON.parse(cf.writes()[0]?.body ?? '{}') as { patches: { content: string }[]; posts: unknown[] };
    expect(body.patches).toHaveLength(15);
    expect(body.posts).toHaveLength(15);
    for (const h of hosts) expect(cf.find(h, 'A').map((r) => r.content)).toEqual([V4]);
    expect(cf.requests).toHaveLength(4);

    // Nothing changed: no request at all.
    t.clock.advance(5 * 60_000);
    await t.cycle();
    expect(cf.requests).toHaveLength(4);

    // A new address: the ids are known, so one batch and no listing.
    echo.answer = V4_NEXT;
    t.clock.advance(5 * 60_000);
    const changed = await t.cycle();
    expect(changed.hosts.every((h) => h.action === 'updated')).toBe(true);
    expect(cf.requests.slice(4).map((r) => `${r.method} ${r.url.pathname}`)).toEqual([`POST ${BATCH}`]);
    for (const h of hosts) expect(cf.find(h, 'A')[0]?.content).toBe(V4_NEXT);
    await t.runtime.close();
  });

  it('splits more than 200 changes into batches of at most 200', async () => {
    cf = await startCloudflare({ tokens: { [TOKEN]: ['example.com'] }, zones: { 'example.com': ZONE_ID }, batchLimit: 200 });
    const hosts = names(250);
    const t = await start(hosts);
    const report = await t.cycle();
    expect(report.ok).toBe(true);
    expect(cf.listings()).toHaveLength(1);
    expect(cf.batches().map((r) => (JSON.parse(r.body) as { posts: unknown[] }).posts.length)).toEqual([200, 50]);
    expect(cf.records.size).toBe(250);
    await t.runtime.close();
  });

  it('sends a refused batch again one write at a time, so only the refused host fails', async () => {
    cf = await startCloudflare({ tokens: { [TOKEN]: ['example.com'] }, zones: { 'example.com': ZONE_ID } });
    cf.refused.add('h1.example.com');
    const t = await start(names(3));
    const report = await t.cycle();
    expect(report.hosts.map((h) => `${h.host} ${h.action}`)).toEqual(['h0.example.com updated', 'h1.example.com failed', 'h2.example.com updated']);
    expect(report.hosts[1]?.message).toContain('1004 DNS Validation Error');
    // The batch (refused as a whole, nothing applied), then one POST per record.
    expect(cf.writes().map((r) => (r.url.pathname.endsWith('/batch') ? 'batch' : r.method))).toEqual(['batch', 'POST', 'POST', 'POST']);
    expect(cf.find('h0.example.com', 'A')).toHaveLength(1);
    expect(cf.find('h1.example.com', 'A')).toHaveLength(0);
    await t.runtime.close();
  });

  it('deletes duplicates found in the listing and keeps the first', async () => {
    cf = await startCloudflare({ tokens: { [TOKEN]: ['example.com'] }, zones: { 'example.com': ZONE_ID } });
    const keep = cf.addRecord({ zone: 'example.com', type: 'A', name: 'h0.example.com', content: '81.2.69.1', ttl: 1, proxied: false });
    cf.addRecord({ zone: 'example.com', type: 'A', name: 'h0.example.com', content: '81.2.69.2', ttl: 1, proxied: false });
    const t = await start(names(2));
    await t.cycle();
    expect(cf.writes().map((r) => (r.url.pathname.endsWith('/batch') ? 'batch' : r.method))).toEqual(['DELETE', 'batch']);
    expect(cf.find('h0.example.com', 'A')).toEqual([expect.objectContaining({ id: keep, content: V4 })]);
    expect(t.logs.join('')).toContain('had 2 A records at Cloudflare; kept');
    await t.runtime.close();
  });
});

describe('Cloudflare zones found from host names', () => {
  it("lists the token's zones once, over every page, and picks the longest zone that holds each host", async () => {
    const BRANCH_ID = '9a7806061c88ada191ed06f989cc3dac';
    const filler = Object.fromEntries(Array.from({ length: 55 }, (_, i) => [`z${i}.example.org`, i.toString(16).padStart(32, 'f')]));
    const zones = { ...filler, 'example.com': ZONE_ID, 'branch.example.com': BRANCH_ID };
    const cf = await startCloudflare({ tokens: { [TOKEN]: Object.keys(zones) }, zones });
    const echo = await startEcho(V4);
    const t = await startRuntime(config(echo.url, cf.endpoint, '    hosts: [a.example.com, b.branch.example.com, c.branch.example.com, d.example.net]\n'), { CF: TOKEN });
    try {
      const report = await t.cycle();
      // 57 zones, 50 a page: two requests, and no lookup by name.
      expect(cf.zoneLookups().map((r) => r.url.search)).toEqual(['?per_page=50&page=1', '?per_page=50&page=2']);
      expect(cf.find('a.example.com', 'A')[0]?.zone_id).toBe(ZONE_ID);
      expect(cf.find('b.branch.example.com', 'A')[0]?.zone_id).toBe(BRANCH_ID);
      expect(cf.find('c.branch.example.com', 'A')[0]?.zone_id).toBe(BRANCH_ID);
      expect(report.hosts.map((h) => `${h.host} ${h.action}`)).toEqual([
        'a.example.com updated',
        'b.branch.example.com updated',
        'c.branch.example.com updated',
        'd.example.net needs-attention',
      ]);
      expect(report.hosts[3]?.message).toContain('no zone for d.example.net');
      // Known now: a new address sends no zone request at all.
      echo.answer = V4_NEXT;
      t.clock.advance(5 * 60_000);
      await t.cycle();
      expect(cf.zoneLookups()).toHaveLength(2);
    } finally {
      await t.runtime.close();
      await Promise.all([cf.close(), echo.close()]);
    }
  });
});

describe('Cloudflare request budget', () => {
  it('sends no more than the budget allows in the window, and says how long to wait', async () => {
    const cf = await startCloudflare({ tokens: { [TOKEN]: ['example.com'] }, zones: { 'example.com': ZONE_ID } });
    const clock = fakeClock();
    const api = createCloudflareApi({
      endpoint: cf.endpoint,
      token: TOKEN,
      http: createHttpClient({ userAgent: 'ddnsd/0.0.0 test' }),
      clock,
      budget: { requests: 2, windowMs: 60_000 },
    });
    const signal = new AbortController().signal;
    await api.findZone('example.com', signal);
    clock.advance(10_000);
    await api.findZone('example.com', signal);
    const refused = await api.findZone('example.com', signal).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DdnsError);
    expect(refused).toMatchObject({ kind: 'rate-limited', retryAfterMs: 50_000 });
    expect((refused as Error).message).toContain('2 requests to Cloudflare in the last 1 minutes');
    expect((refused as Error).message).not.toContain(TOKEN);
    expect(cf.requests).toHaveLength(2);
    // The first request leaves the window: one more may go.
    clock.advance(50_000);
    await expect(api.findZone('example.com', signal)).resolves.toBe(ZONE_ID);
    expect(cf.requests).toHaveLength(3);
    await cf.close();
  });
});
