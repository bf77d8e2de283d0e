import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS } from '../helpers/providers.js';
import { loadConfig } from '../helpers/config.js';
import { ConfigError } from '../../src/base/errors.js';
import { startUrlService, urlEntry, type FakeUrlService } from '../fakes/url.js';
import { tempDir, writeConfig } from '../helpers/cli.js';
import { ADDRESS, providerCases, startEchoes, type Echoes } from '../helpers/provider-cases.js';
import { startRuntime } from '../helpers/runtime.js';

const TOKEN = 'url-token-77c3e1d0';
const HOST = 'office.example.org';

providerCases({
  type: 'url',
  saysUnchanged: true,
  async start() {
    const fake = await startUrlService({ token: TOKEN, hosts: [HOST] });
    const record = () => fake.records.get(HOST) ?? {};
    return {
      server: fake,
      entry: (o = {}) => urlEntry(fake, o.credentials === 'wrong' ? 'wrong-token' : TOKEN, o.hosts ?? [HOST]),
      unknownHost: 'ghost.example.org',
      updates: () => fake.updates(),
      record: (family) => record()[family],
      setRecord: (family, address) => {
        record()[family] = address;
      },
      rateLimitNext: (seconds) => fake.rateLimitNext(seconds),
    };
  },
});

describe('url quirks', () => {
  let echoes: Echoes;
  let fake: FakeUrlService;
  beforeAll(async () => {
    echoes = await startEchoes();
    fake = await startUrlService({ token: TOKEN, hosts: [HOST, 'lab.example.org'] });
  });
  afterAll(async () => Promise.all([echoes.close(), fake.close()]));
  afterEach(() => fake.requests.splice(0));

  const check = (entry: Record<string, unknown>) => {
    const dir = tempDir();
    return () => loadConfig({ providers: PROVIDERS, path: writeConfig(dir, echoes.config(entry)), env: {}, cwd: dir });
  };

  it('sends one request per host and family for {host} and {ip}, and never shows the URL', async () => {
    const t = await startRuntime(echoes.config(urlEntry(fake, TOKEN, [HOST, 'lab.example.org'])));
    const report = await t.cycle();
    expect(report.ok).toBe(true);
    expect(fake.updates().map((r) => `${r.url.searchParams.get('host')} ${r.url.searchParams.get('ip')}`)).toEqual([
      `${HOST} ${ADDRESS.ipv4}`,
      `${HOST} ${ADDRESS.ipv6}`,
      `lab.example.org ${ADDRESS.ipv4}`,
      `lab.example.org ${ADDRESS.ipv6}`,
    ]);
    fake.misbehaveNext(1, { kind: 'answer', status: 200, body: 'maintenance' });
    echoes.ipv4.answer = '81.2.69.170';
    t.clock.advance(10 * 60_000);
    const failed = await t.cycle();
    echoes.ipv4.answer = ADDRESS.ipv4;
    const everything = JSON.stringify(failed) + JSON.stringify(t.runtime.status()) + t.logs.join('');
    expect(everything).toContain('the update URL http://127.0.0.1');
    expect(everything).not.toContain(TOKEN);
    await t.runtime.close();
  });

  it('fills {ipv4} and {ipv6} in one request, and a POST body', async () => {
    const entry = { ...urlEntry(fake, TOKEN, [HOST]), url: `${fake.url}/update/${TOKEN}?host=${HOST}&ip={ipv4}`, method: 'POST', body: 'v6={ipv6}' };
    const t = await startRuntime(echoes.config(entry));
    await t.cycle();
    const req = fake.updates()[0];
    expect([req?.method, req?.url.searchParams.get('ip'), req?.body]).toEqual(['POST', ADDRESS.ipv4, `v6=${ADDRESS.ipv6}`]);
    expect(fake.updates()).toHaveLength(1);
    await t.runtime.close();
  });

  it('refuses a template that cannot carry a family asked for, an unknown placeholder, a bad pattern and plain http', () => {
    const base = urlEntry(fake, TOKEN, [HOST]);
    expect(check({ ...base, url: `${fake.url}/update/${TOKEN}?ip={ipv4}`, ipv6: true })).toThrow(/providers\[0\]\.ipv6.*no \{ipv6\} or \{ip\}/);
    expect(check({ ...base, url: `${fake.url}/update/${TOKEN}?ip={address}` })).toThrow(/unknown placeholder \{address\}/);
    expect(check({ ...base, success: '(' })).toThrow(/providers\[0\]\.success.*not a regular expression/);
    expect(check({ ...base, url: `http://updates.example.org/update/${TOKEN}?ip={ip}` })).toThrow(ConfigError);
    try {
      check({ ...base, url: `http://updates.example.org/update/${TOKEN}?ip={ip}` })();
    } catch (error) {
      expect(String(error)).toMatch(/must start with https/);
      expect(String(error)).not.toContain(TOKEN);
    }
  });

  it('a template with {ipv4} only updates IPv4 alone, whatever is detected', async () => {
    const t = await startRuntime(echoes.config({ ...urlEntry(fake, TOKEN, [HOST]), url: `${fake.url}/update/${TOKEN}?host={host}&ip={ipv4}` }));
    const report = await t.cycle();
    expect(report.hosts.map((h) => h.family)).toEqual(['ipv4']);
    await t.runtime.close();
  });
});
