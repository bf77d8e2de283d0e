import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDynv6, type FakeDynv6 } from '../fakes/dynv6.js';
import { ADDRESS, providerCases, startEchoes, type Echoes } from '../helpers/provider-cases.js';
import { startRuntime } from '../helpers/runtime.js';

const TOKEN = 'dynv6-token-4c1b9e0d';
const ZONE = 'myhome.dynv6.net';

const entry = (fake: FakeDynv6, hosts = [ZONE], token = TOKEN) => ({ type: 'dynv6', endpoint: fake.url, token, hosts });

providerCases({
  type: 'dynv6',
  saysUnchanged: true,
  async start() {
    const fake = await startDynv6({ token: TOKEN, zones: [ZONE] });
    const zone = () => fake.zones.get(ZONE) ?? {};
    return {
      server: fake,
      entry: (o = {}) => entry(fake, o.hosts, o.credentials === 'wrong' ? 'wrong-token' : TOKEN),
      unknownHost: 'ghost.dynv6.net',
      updates: () => fake.updates(),
      record: (family) => zone()[family],
      setRecord: (family, address) => {
        zone()[family] = address;
      },
      rateLimitNext: (seconds) => fake.rateLimitNext(seconds),
    };
  },
});

describe('dynv6 quirks', () => {
  let echoes: Echoes;
  let fake: FakeDynv6;
  beforeAll(async () => {
    echoes = await startEchoes();
    fake = await startDynv6({ token: TOKEN, zones: [ZONE, 'lab.dynv6.net'] });
  });
  afterAll(async () => Promise.all([echoes.close(), fake.close()]));
  afterEach(() => fake.requests.splice(0));

  it('sends one request per zone with both addresses', async () => {
    const t = await startRuntime(echoes.config(entry(fake, [ZONE, 'lab.dynv6.net'])));
    const report = await t.cycle();
    expect(report.ok).toBe(true);
    const q = fake.updates()[1]?.url.searchParams;
    expect([q?.get('zone'), q?.get('ipv4'), q?.get('ipv6')]).toEqual(['lab.dynv6.net', ADDRESS.ipv4, ADDRESS.ipv6]);
    expect(ADDRESS.ipv6).toBe('2a02:8010:1::1');
    expect(q?.get('ipv6prefix')).toBe('2a02:8010:1::/64'); // the detected address's /64
    await t.runtime.close();
  });

  it('after a rate limit on one zone sends nothing for the next, and keeps the token out of every message', async () => {
    fake.rateLimitNext(3600);
    const t = await startRuntime(echoes.config(entry(fake, ['fresh.dynv6.net', ZONE])));
    fake.zones.set('fresh.dynv6.net', {});
    const report = await t.cycle();
    expect(fake.updates()).toHaveLength(1);
    expect(report.hosts.every((h) => h.action === 'failed' && h.message?.includes('rate limited'))).toBe(true);
    expect(JSON.stringify(report) + JSON.stringify(t.runtime.status()) + t.logs.join('')).not.toContain(TOKEN);
    await t.runtime.close();
  });
});
