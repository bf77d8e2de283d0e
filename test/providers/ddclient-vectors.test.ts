/**
 * ddclient's protocol tests as vectors (test/vectors/ddclient.ts): the real
 * adapter, given the hosts, addresses and credentials of each ddclient case,
 * sends to a recording server on loopback that answers as ddclient's test
 * server does; the request must have ddclient's method, path, query
 * parameters (in order) and authentication, and the hosts counted as
 * updated must be ddclient's, except where the vector says why not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS } from '../helpers/providers.js';
import type { HostUpdate } from '../../src/base/provider.js';
import { FAMILIES, type Family } from '../../src/base/address.js';
import { createHttpClient } from '../../src/base/http.js';
import { silentLogger } from '../../src/base/log.js';
import { USER_AGENT } from '../../src/base/version.js';
import { send, startFake, type FakeServer } from '../fakes/server.js';
import { fakeClock } from '../helpers/clock.js';
import { startCloudflare } from '../fakes/cloudflare.js';
import { startHetzner } from '../fakes/hetzner.js';
import { CLOUDFLARE_VECTORS, DDCLIENT_VECTORS, HETZNER_VECTORS, type DdclientVector } from '../vectors/ddclient.js';

/** The query as ordered name=value pairs, decoded, so `:` and `%3A` compare equal. */
const pairs = (query: string) => [...new URLSearchParams(query)].map(([k, v]) => `${k}=${v}`);

describe("ddclient's protocol tests as vectors", () => {
  let server: FakeServer;
  let answer: string[] = [];
  beforeAll(async () => {
    // Answers as ddclient's t/ test server does: 200, text/plain, one line per answer.
    server = await startFake((_req, res) => send(res, 200, answer.map((l) => `${l}\n`).join(''), { 'content-type': 'text/plain' }));
  });
  afterAll(async () => server.close());

  /** Runs the adapter of the vector's type with the vector's input; the request it sent and the hosts it counts as updated. */
  async function run(v: DdclientVector) {
    const definition = PROVIDERS.find((p) => p.type === v.type);
    if (!definition) throw new Error(`no adapter ${v.type}`);
    // The settings as the entry gives them; ddclient's test hosts (h1) are not checked as full names here.
    const settings = { type: v.type, hosts: v.hosts, endpoint: server.url, timeout: 5000, ...v.credentials };
    const provider = definition.create(settings, { http: createHttpClient({ userAgent: USER_AGENT }), dns: undefined as never, clock: fakeClock(), log: silentLogger });
    const updates: HostUpdate[] = v.hosts.flatMap((host) => FAMILIES.flatMap((family) => (v.addresses[family] ? [{ host, family, address: v.addresses[family] }] : [])));
    answer = v.answer;
    const before = server.requests.length;
    const results = await provider.update({ updates, addresses: v.addresses, signal: AbortSignal.timeout(10_000) });
    const sent = server.requests.slice(before);
    const good = v.hosts.filter((h) => results.filter((r) => r.host === h).every((r) => r.outcome !== 'failed'));
    return { sent, good };
  }

  it.each(DDCLIENT_VECTORS.map((v) => [v.source, v] as const))('%s', async (_source, v) => {
    const { sent, good } = await run(v);
    expect(sent).toHaveLength(1);
    const req = sent[0];
    expect(req?.method).toBe(v.want.method);
    expect(req?.url.pathname).toBe(v.want.path);
    expect(pairs(req?.url.search ?? '')).toEqual(pairs(v.differs?.query ?? v.want.query));
    expect(req?.headers.authorization).toBe(v.want.authorization);
    expect(good).toEqual(v.differs?.good ?? v.good);
  });

  it('every vector that differs says why, and differs in what it says', () => {
    for (const v of DDCLIENT_VECTORS.filter((x) => x.differs)) {
      expect(v.differs?.why.length).toBeGreaterThan(40);
      const differsInQuery = v.differs?.query !== undefined && v.differs.query !== v.want.query;
      const differsInOutcome = v.differs?.good !== undefined && v.differs.good.join() !== v.good.join();
      expect(differsInQuery || differsInOutcome).toBe(true);
    }
  });
});

/** One update of the vector's host and family through the `type` adapter, with a token and a zone, against the fake at `endpoint`. */
async function updateOne(type: 'cloudflare' | 'hetzner', v: { token: string; zone: string; host: string; family: Family; address: string }, endpoint: string) {
  const definition = PROVIDERS.find((p) => p.type === type);
  const settings = definition?.schema.parse({
    type,
    token: v.token,
    zone: v.zone,
    hosts: [v.host],
    endpoint,
    ipv4: v.family === 'ipv4',
    ipv6: v.family === 'ipv6',
  });
  if (!definition || !settings) throw new Error(`no ${type} adapter`);
  const provider = definition.create(settings, { http: createHttpClient({ userAgent: USER_AGENT }), dns: undefined as never, clock: fakeClock(), log: silentLogger });
  return provider.update({
    updates: [{ host: v.host, family: v.family, address: v.address }],
    addresses: { [v.family]: v.address },
    signal: AbortSignal.timeout(10_000),
  });
}

describe("ddclient's Cloudflare tests as vectors, against the Cloudflare fake", () => {
  it.each(CLOUDFLARE_VECTORS.map((v) => [v.source, v] as const))('%s', async (_source, v) => {
    const fake = await startCloudflare({ tokens: { [v.token]: [v.zone] }, zones: { [v.zone]: 'zone111zone111zone111zone111zone' } });
    try {
      const type = v.want.recordType;
      const id = fake.addRecord({ zone: v.zone, name: v.host, type, content: type === 'A' ? '81.2.69.1' : '2a02:8010:1::9', ttl: 1, proxied: false });
      const results = await updateOne('cloudflare', v, fake.endpoint);
      expect(results.map((r) => r.outcome)).toEqual(['updated']);
      // The token as Bearer on every request, and the zone looked up by name where it is looked up.
      for (const r of fake.requests) expect(r.headers.authorization).toBe(v.want.authorization);
      for (const r of fake.zoneLookups()) expect(pairs(r.url.search)).toContain(v.want.zoneQuery);
      const writes = fake.writes();
      expect(writes).toHaveLength(1);
      const write = writes[0];
      expect(write?.method).toBe(v.want.write.method);
      expect(write?.url.pathname).toMatch(new RegExp(`/zones/zone111zone111zone111zone111zone/dns_records/${id}$`));
      expect(JSON.parse(write?.body ?? '{}')).toMatchObject({ content: v.want.write.content });
    } finally {
      await fake.close();
    }
  });
});

describe("ddclient's Hetzner tests as vectors, against the Hetzner Cloud fake", () => {
  const TOKEN = 'v'.repeat(64);
  it.each(HETZNER_VECTORS.map((v) => [v.source, v] as const))('%s', async (_source, v) => {
    const fake = await startHetzner({ tokens: { [TOKEN]: 'read_write' }, zones: [v.zone] });
    try {
      if (v.exists)
        fake.rrsets.push({
          zone: v.zone,
          name: v.want.name,
          type: v.want.type,
          ttl: null,
          records: [{ value: v.family === 'ipv4' ? '81.2.69.1' : '2a02:8010:1::9', comment: '' }],
        });
      const results = await updateOne('hetzner', { ...v, token: TOKEN }, fake.endpoint);
      expect(results.map((r) => r.outcome)).toEqual(['updated']);
      // `@` and `%40` name the same path.
      const calls = fake.calls().map(decodeURIComponent);
      expect(calls).toContain(v.want.lookup);
      const writes = fake.requests.filter((r) => r.method === 'POST');
      expect(writes.map((r) => `POST ${r.url.pathname.replace(/^\/v1/, '')}`)[0]).toBe(v.want.write);
      const body = JSON.parse(writes[0]?.body ?? '{}') as { name?: string; type?: string; records?: { value: string }[] };
      if (!v.exists) expect([body.name, body.type]).toEqual([v.want.name, v.want.type]);
      expect(body.records?.[0]?.value).toBe(v.address);
      for (const r of fake.requests) expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(fake.find(v.zone, v.want.name, v.want.type)?.records.map((r) => r.value)).toEqual([v.address]);
    } finally {
      await fake.close();
    }
  });
});
