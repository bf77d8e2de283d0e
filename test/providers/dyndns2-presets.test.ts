/**
 * Every dyndns2 preset (PRESETS: No-IP, dyndns2, deSEC, ipv64.net, Hurricane
 * Electric, Dynu, OVH DynHost, …) against the dyndns2 fake speaking each
 * one's variant: the cases every provider meets, then each service's quirks.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { PRESETS } from '../../providers/dyndns2/presets.js';
import type { Family } from '../../src/base/address.js';
import { domainOf } from '../../providers/dyndns2/protocol.js';
import { SOURCE_IPV4, startDyndns2, type Dyndns2Options, type FakeDyndns2 } from '../fakes/dyndns2.js';
import { ADDRESS, providerCases, startEchoes, type CaseFake, type Echoes } from '../helpers/provider-cases.js';
import { startRuntime } from '../helpers/runtime.js';
import { startWhoAmI } from '../fakes/whoami.js';
import { tempDir } from '../helpers/cli.js';
import { loadConfig } from '../helpers/config.js';
import { PROVIDERS } from '../helpers/providers.js';
import { until } from '../helpers/wait.js';
import { createLogger, createRedactor } from '../../src/base/log.js';
import { startDaemon } from '../../src/main.js';

const HOST = 'office.example.net';
const OTHER = 'lab.example.net';
const USER = 'example.net-office';
const SECRET = 'preset-secret-8d1f2a77';
const OTHER_SECRET = 'preset-secret-other-51aa';

const variantOf = (type: string) => {
  const preset = PRESETS.find((p) => p.type === type);
  if (!preset) throw new Error(`no preset ${type}`);
  return preset.variant;
};
const takesKey = (type: string) => (variantOf(type).auth ?? 'basic') !== 'basic';

/**
 * What each service's fake does beyond the variant: deSEC answers `good` for
 * everything and 401/404 for refusals; ipv64.net answers JSON; Dynu takes the
 * request's source address for a missing myip.
 */
const DIALECT: Record<string, Partial<Dyndns2Options>> = {
  desec: { unchangedAnswer: 'good', statuses: { badauth: 401, nohost: 404 } },
  ipv64: { json: true },
  dynu: { sourceWhenMissing: true },
};

function startPreset(type: string, hosts = [HOST]): Promise<FakeDyndns2> {
  return startDyndns2({
    username: USER,
    password: SECRET,
    keys: { [HOST]: SECRET, [OTHER]: OTHER_SECRET },
    hosts,
    variant: variantOf(type),
    ...DIALECT[type],
  });
}

function entryFor(type: string, fake: FakeDyndns2, hosts: string[], secret = SECRET): Record<string, unknown> {
  return { type, endpoint: fake.url, ...(takesKey(type) ? { key: secret } : { username: USER, password: secret }), hosts };
}

function caseFake(type: string, fake: FakeDyndns2): CaseFake {
  const record = () => {
    const r = fake.records.get(HOST);
    if (!r) throw new Error('no record');
    return r;
  };
  return {
    server: fake,
    entry: (o = {}) => entryFor(type, fake, o.hosts ?? [HOST], o.credentials === 'wrong' ? 'wrong-secret-0000' : SECRET),
    unknownHost: 'ghost.example.net',
    updates: () => fake.updates(),
    record: (family: Family) => record()[family],
    setRecord: (family: Family, address: string) => {
      record()[family] = address;
    },
    rateLimitNext: (seconds) => fake.failNext(1, 429, 'Too Many Requests', { 'retry-after': String(seconds) }),
    ...(type === 'ipv64' ? { limitWords: /48 updates a day/ } : {}),
  };
}

for (const { type } of PRESETS) {
  providerCases({ type, saysUnchanged: type !== 'desec', start: async () => caseFake(type, await startPreset(type)) });
}

describe('dyndns2 presets: each service the way it wants', () => {
  let echoes: Echoes;
  let fake: FakeDyndns2 | undefined;
  beforeAll(async () => {
    echoes = await startEchoes();
  });
  afterAll(async () => echoes.close());
  afterEach(async () => {
    echoes.ipv4.answer = ADDRESS.ipv4;
    echoes.ipv6.answer = ADDRESS.ipv6;
    await fake?.close();
  });

  it('deSEC: sends preserve for a family the entry does not update, so deSEC keeps that record', async () => {
    fake = await startPreset('desec');
    const kept = '2a02:8010:1::99';
    fake.records.set(HOST, { ipv6: kept });
    const t = await startRuntime(echoes.config({ ...entryFor('desec', fake, [HOST]), ipv6: false }));
    const report = await t.cycle();
    expect(report.ok).toBe(true);
    const q = fake.updates()[0]?.url.searchParams;
    expect(q?.get('myipv4')).toBe(ADDRESS.ipv4);
    expect(q?.get('myipv6')).toBe('preserve');
    expect(fake.records.get(HOST)).toEqual({ ipv4: ADDRESS.ipv4, ipv6: kept });
    // The name is the username, the token the password.
    expect(fake.updates()[0]?.headers.authorization).toBe(`Basic ${Buffer.from(`${HOST}:${SECRET}`).toString('base64')}`);
    await t.runtime.close();
  });

  it('deSEC: three names of one domain go in one request per change, within its limit of 2 per domain in 2 minutes', async () => {
    const names = ['office.example.dedyn.io', 'lab.example.dedyn.io', 'example.dedyn.io'];
    const keys = Object.fromEntries(names.map((n) => [n, SECRET]));
    let now = 0;
    fake = await startDyndns2({ keys, hosts: names, variant: variantOf('desec'), ...DIALECT.desec, perDomain: { count: 2, windowMs: 120_000, now: () => now, domainOf } });
    const t = await startRuntime(echoes.config(entryFor('desec', fake, names)));
    for (const [i, address] of ['81.2.69.170', '81.2.69.171', '81.2.69.172'].entries()) {
      echoes.ipv4.answer = address;
      t.clock.advance(10 * 60_000);
      now = i * 1000; // three changes within the same 2 minutes at deSEC
      const report = await t.cycle();
      expect(report.ok).toBe(i < 2);
      expect(fake.updates()).toHaveLength(i + 1);
    }
    expect(fake.updates()[0]?.url.searchParams.get('hostname')).toBe(names.join(','));
    expect(fake.records.get('lab.example.dedyn.io')?.ipv4).toBe('81.2.69.171');
    await t.runtime.close();
  });

  it('deSEC: names of different domains go in different requests, both families in each', async () => {
    fake = await startDyndns2({ keys: { [HOST]: SECRET, 'home.example.dedyn.io': SECRET }, hosts: [HOST, 'home.example.dedyn.io'], variant: variantOf('desec'), ...DIALECT.desec });
    const t = await startRuntime(echoes.config(entryFor('desec', fake, [HOST, 'home.example.dedyn.io'])));
    const report = await t.cycle();
    expect(report.ok).toBe(true);
    expect(fake.updates().map((r) => r.url.searchParams.get('hostname'))).toEqual([HOST, 'home.example.dedyn.io']);
    expect(fake.records.get('home.example.dedyn.io')).toEqual(ADDRESS);
    await t.runtime.close();
  });

  it("deSEC: wan_mode: all sends every healthy link's address in one myipv4 list, one record each, and drops a failed link's", async () => {
    const [fiber, lte] = ['81.2.69.160', '81.2.69.192'];
    const whoami = await startWhoAmI({ '127.0.0.2': fiber, '127.0.0.3': lte });
    fake = await startPreset('desec');
    const wans = { fiber: { ipv4: [whoami.url], bind: '127.0.0.2' }, lte: { ipv4: [whoami.url], bind: '127.0.0.3' } };
    const entry = { ...entryFor('desec', fake, [HOST]), wan: ['fiber', 'lte'], wan_mode: 'all' };
    const t = await startRuntime(stringify({ state: './state.json', detect: { timeout: '2s' }, wans, providers: [entry] }));
    try {
      expect((await t.cycle()).ok).toBe(true);
      const sent = () => fake?.updates().map((r) => [r.url.searchParams.get('myipv4'), r.url.searchParams.get('myipv6')]);
      expect(sent()).toEqual([[`${fiber},${lte}`, 'preserve']]);
      expect(fake.records.get(HOST)).toEqual({ ipv4: `${fiber},${lte}` });
      expect(t.runtime.status().hosts[0]).toMatchObject({ address: `${fiber}, ${lte}`, status: 'ok' });
      await t.cycle();
      expect(fake.updates()).toHaveLength(1); // the same set: nothing sent

      whoami.said.delete('127.0.0.2'); // the fiber link hears a loopback address: unhealthy
      await t.cycle();
      expect(sent()?.at(-1)).toEqual([lte, 'preserve']);
      expect(fake.records.get(HOST)).toEqual({ ipv4: lte });
      whoami.said.set('127.0.0.2', fiber);
      await t.cycle();
      expect(fake.records.get(HOST)).toEqual({ ipv4: `${fiber},${lte}` });
    } finally {
      await t.runtime.close();
      await whoami.close();
    }
  });

  it("deSEC: delete_on_stop deletes the entry's family of its names in one request when ddnsd stops, and keeps the other family", async () => {
    const names = ['office.example.dedyn.io', 'lab.example.dedyn.io'];
    const kept = '2a02:8010:1::99';
    fake = await startDyndns2({ keys: Object.fromEntries(names.map((n) => [n, SECRET])), hosts: names, variant: variantOf('desec'), ...DIALECT.desec });
    for (const name of names) fake.records.set(name, { ipv6: kept });
    const dir = tempDir();
    const config = echoes.config({ ...entryFor('desec', fake, names), ipv6: false, delete_on_stop: true }, ['ipv4']);
    writeFileSync(join(dir, 'config.yaml'), `server:\n  listen: 127.0.0.1:0\n${config}`);
    const logs: string[] = [];
    const redactor = createRedactor();
    const log = createLogger({ format: 'json', level: 'info', redactor, write: (l) => logs.push(l) });
    const daemon = await startDaemon(loadConfig({ providers: PROVIDERS, env: {}, cwd: dir }), { log, redactor, lan: () => [] });
    try {
      await until(() => names.every((n) => fake?.records.get(n)?.ipv4 === ADDRESS.ipv4), 10_000, 'the records set');
    } finally {
      await daemon.stop();
    }
    expect(names.map((n) => fake?.records.get(n))).toEqual(names.map(() => ({ ipv6: kept })));
    const last = fake.updates().at(-1)?.url.searchParams;
    expect([last?.get('hostname'), last?.get('myipv4'), last?.get('myipv6')]).toEqual([names.join(','), '', 'preserve']);
    expect(fake.updates()).toHaveLength(2);
    expect(logs.join('\n')).toMatch(/delete_on_stop: deleted 2 record\(s\) of office\.example\.dedyn\.io, lab\.example\.dedyn\.io at desec/);
    expect(daemon.runtime.state.hosts).toEqual({});
  });

  it('only deSEC takes wan_mode: all and delete_on_stop; owned: marked is refused there with the reason', () => {
    const problems = (type: string, extra: Record<string, unknown>): string[] => {
      const dir = tempDir();
      const credentials = takesKey(type) ? { key: SECRET } : { username: USER, password: SECRET };
      const entry = { type, ...credentials, hosts: [HOST], wan: ['fiber', 'lte'], ...extra };
      writeFileSync(join(dir, 'config.yaml'), stringify({ wans: { fiber: { ipv4: ['ipify'] }, lte: { ipv4: ['icanhazip'] } }, providers: [entry] }));
      try {
        loadConfig({ providers: PROVIDERS, env: {}, cwd: dir });
        return [];
      } catch (error) {
        return [...((error as { problems?: string[] }).problems ?? [String(error)])];
      }
    };
    expect(problems('desec', { wan_mode: 'all', delete_on_stop: true })).toEqual([]);
    expect(problems('desec', { owned: 'marked' })).toEqual([
      expect.stringMatching(/marked is not available for desec: deSEC's dynDNS update API sets addresses only, with no field to carry a marker/),
    ]);
    expect(problems('noip', { wan_mode: 'all', delete_on_stop: true })).toEqual([
      expect.stringMatching(/delete_on_stop .*not available for noip/),
      expect.stringMatching(/wan_mode .*not available for noip/),
    ]);
  });

  it('Hurricane Electric: the hostname is the username, and each family goes in its own request', async () => {
    fake = await startDyndns2({ keys: { [HOST]: SECRET, [OTHER]: SECRET }, hosts: [HOST, OTHER], variant: variantOf('he') });
    const t = await startRuntime(echoes.config(entryFor('he', fake, [HOST, OTHER])));
    const report = await t.cycle();
    expect(report.ok).toBe(true);
    const sent = fake.updates().map(
      (r) =>
        `${r.url.searchParams.get('hostname')} ${r.url.searchParams.get('myip')} ${
          Buffer.from((r.headers.authorization ?? '').slice(6), 'base64')
            .toString()
            .split(':')[0]
        }`,
    );
    expect(sent).toEqual([`${HOST} ${ADDRESS.ipv4} ${HOST}`, `${HOST} ${ADDRESS.ipv6} ${HOST}`, `${OTHER} ${ADDRESS.ipv4} ${OTHER}`, `${OTHER} ${ADDRESS.ipv6} ${OTHER}`]);
    await t.runtime.close();
  });

  it('Hurricane Electric: a record whose key differs fails alone; the others are updated', async () => {
    fake = await startDyndns2({ keys: { [HOST]: SECRET, [OTHER]: OTHER_SECRET }, hosts: [HOST, OTHER], variant: variantOf('he') });
    const t = await startRuntime(echoes.config(entryFor('he', fake, [HOST, OTHER]), ['ipv4']));
    const report = await t.cycle();
    expect(report.hosts.map((h) => `${h.host} ${h.action}`).sort()).toEqual([`${OTHER} needs-attention`, `${HOST} updated`]);
    await t.runtime.close();
  });

  it('ipv64.net: the key travels as the key parameter, with no Authorization header', async () => {
    fake = await startPreset('ipv64');
    const t = await startRuntime(echoes.config(entryFor('ipv64', fake, [HOST])));
    await t.cycle();
    const req = fake.updates()[0];
    expect(req?.url.searchParams.get('key')).toBe(SECRET);
    expect(req?.headers.authorization).toBeUndefined();
    expect(req?.url.searchParams.get('myipv6')).toBe(ADDRESS.ipv6);
    expect(JSON.stringify(t.runtime.status()) + t.logs.join('')).not.toContain(SECRET);
    await t.runtime.close();
  });

  it('ipv64.net: a refusal for its daily limit says so, and the rest of the entry waits', async () => {
    fake = await startDyndns2({ keys: { all: SECRET }, hosts: [HOST, OTHER], variant: variantOf('ipv64') });
    fake.failNext(1, 429, 'Too Many Requests', { 'retry-after': '7200' });
    const t = await startRuntime(echoes.config(entryFor('ipv64', fake, [HOST, OTHER]), ['ipv4']));
    const report = await t.cycle();
    expect(fake.updates()).toHaveLength(1);
    expect(report.hosts.every((h) => h.action === 'failed' && /48 updates a day/.test(h.message ?? ''))).toBe(true);
    await t.runtime.close();
  });

  it('ipv64.net: a JSON success counts as updated, and the next cycle sends nothing', async () => {
    fake = await startPreset('ipv64');
    const t = await startRuntime(echoes.config(entryFor('ipv64', fake, [HOST])));
    const first = await t.cycle();
    expect(first.hosts.map((h) => h.action)).toEqual(['updated', 'updated']);
    t.clock.advance(10 * 60_000);
    const second = await t.cycle();
    expect(second.hosts.every((h) => h.action === 'current')).toBe(true);
    expect(fake.updates()).toHaveLength(1);
    await t.runtime.close();
  });

  it('ipv64.net: several domains in one request; the text answer of output=min is read as well', async () => {
    fake = await startDyndns2({ keys: { all: SECRET }, hosts: [HOST, OTHER], variant: variantOf('ipv64') });
    const t = await startRuntime(echoes.config(entryFor('ipv64', fake, [HOST, OTHER]), ['ipv4']));
    const report = await t.cycle();
    expect(report.hosts.map((h) => h.action)).toEqual(['updated', 'updated']);
    expect(fake.updates().map((r) => r.url.searchParams.get('hostname'))).toEqual([`${HOST},${OTHER}`]);
    await t.runtime.close();
  });

  it('ipv64.net: a JSON badauth needs attention, with no key in any message', async () => {
    fake = await startPreset('ipv64');
    const t = await startRuntime(echoes.config(entryFor('ipv64', fake, [HOST], 'wrong-secret-0000')));
    const report = await t.cycle();
    expect(report.hosts.every((h) => h.action === 'needs-attention' && /badauth/.test(h.message ?? ''))).toBe(true);
    expect(t.logs.join('')).not.toContain('wrong-secret-0000');
    await t.runtime.close();
  });

  it("Dynu: an entry without IPv4 sends myip=no, so Dynu does not write the request's own address into the A record", async () => {
    fake = await startPreset('dynu');
    const t = await startRuntime(echoes.config(entryFor('dynu', fake, [HOST]), ['ipv6']));
    const report = await t.cycle();
    expect(report.ok).toBe(true);
    const q = fake.updates()[0]?.url.searchParams;
    expect([q?.get('myip'), q?.get('myipv6')]).toEqual(['no', ADDRESS.ipv6]);
    expect(fake.records.get(HOST)).toEqual({ ipv6: ADDRESS.ipv6 });
    expect(fake.records.get(HOST)?.ipv4).not.toBe(SOURCE_IPV4);
    await t.runtime.close();
  });

  it('Dynu: myip and myipv6, the full hostname', async () => {
    fake = await startPreset('dynu');
    const t = await startRuntime(echoes.config(entryFor('dynu', fake, [HOST])));
    await t.cycle();
    const q = fake.updates()[0]?.url.searchParams;
    expect([q?.get('hostname'), q?.get('myip'), q?.get('myipv6')]).toEqual([HOST, ADDRESS.ipv4, ADDRESS.ipv6]);
    await t.runtime.close();
  });

  it.each([
    // Not a code Dynu documents: retried later, never a pause until the config changes.
    ['unknown', 'failed'],
    ['servererror', 'failed'],
  ])('Dynu: its code %s ends as %s', async (code, action) => {
    fake = await startPreset('dynu');
    fake.answers.set(HOST, code);
    const t = await startRuntime(echoes.config(entryFor('dynu', fake, [HOST]), ['ipv4']));
    const report = await t.cycle();
    expect(report.hosts[0]?.action).toBe(action);
    expect(report.hosts[0]?.message).toContain(code);
    await t.runtime.close();
  });

  it('OVH DynHost: system=dyndns, the DynHost identifier as username, one address per request', async () => {
    fake = await startPreset('ovh');
    const t = await startRuntime(echoes.config(entryFor('ovh', fake, [HOST])));
    const report = await t.cycle();
    expect(report.ok).toBe(true);
    expect(fake.updates().map((r) => `${r.url.searchParams.get('system')} ${r.url.searchParams.get('myip')}`)).toEqual([`dyndns ${ADDRESS.ipv4}`, `dyndns ${ADDRESS.ipv6}`]);
    expect(fake.updates()[0]?.headers.authorization).toBe(`Basic ${Buffer.from(`${USER}:${SECRET}`).toString('base64')}`);
    // Only the family that changed is sent again.
    echoes.ipv6.answer = '2a02:8010:1::7';
    t.clock.advance(10 * 60_000);
    await t.cycle();
    expect(fake.updates()).toHaveLength(3);
    expect(fake.updates()[2]?.url.searchParams.get('myip')).toBe('2a02:8010:1::7');
    echoes.ipv6.answer = ADDRESS.ipv6;
    await t.runtime.close();
  });

  it("OVH DynHost: sends to the update host OVHcloud's guide names", () => {
    expect(PRESETS.find((p) => p.type === 'ovh')?.endpoint).toBe('https://dns.eu.ovhapis.com');
  });

  it('OVH DynHost: a redirect is not followed, and the message says it was redirected and to which server, without the query', async () => {
    fake = await startPreset('ovh');
    fake.failNext(2, 301, '', { location: `https://dns.eu.ovhapis.com/nic/update?system=dyndns&hostname=${HOST}&myip=${ADDRESS.ipv4}` });
    const t = await startRuntime(echoes.config(entryFor('ovh', fake, [HOST]), ['ipv4']));
    const report = await t.cycle();
    const message = report.hosts[0]?.message ?? '';
    expect(report.hosts[0]?.action).toBe('failed');
    expect(message).toContain('redirected (HTTP 301) to https://dns.eu.ovhapis.com');
    expect(message).not.toContain('hostname=');
    expect(fake.updates()).toHaveLength(1);
    await t.runtime.close();
  });
});
