import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS } from '../helpers/providers.js';
import { loadConfig } from '../helpers/config.js';
import { startFreedns, type FakeFreedns } from '../fakes/freedns.js';
import { tempDir, writeConfig } from '../helpers/cli.js';
import { ADDRESS, providerCases, startEchoes, tokenRecordCase, tokenRecordEntry, type Echoes } from '../helpers/provider-cases.js';
import { startRuntime } from '../helpers/runtime.js';

const HOST = 'office.mooo.com';
const TOKEN4 = 'b2ZmaWNlQXJlY29yZDo5OTkxMjM0';
const TOKEN6 = 'b2ZmaWNlQUFBQXJlY29yZDo5OTk1Njc4';
const GONE = 'Z29uZVJlY29yZDoxMTEx';

const TOKENS = { ipv4: TOKEN4, ipv6: TOKEN6 };

const entry = (fake: FakeFreedns, over: Record<string, unknown> = {}) => tokenRecordEntry('freedns', fake.url, TOKENS, HOST, over);

async function start(): Promise<FakeFreedns> {
  const fake = await startFreedns({ [TOKEN4]: HOST, [TOKEN6]: HOST });
  fake.deleted.add(GONE);
  return fake;
}

providerCases({
  type: 'freedns',
  saysUnchanged: true,
  async start() {
    const fake = await start();
    return {
      ...tokenRecordCase(fake, TOKENS),
      entry: (o = {}) =>
        o.hosts
          ? entry(fake, { hosts: o.hosts, token: GONE, ipv6_token: GONE })
          : o.credentials === 'wrong'
            ? entry(fake, { token: 'd3Jvbmc', ipv6_token: 'd3Jvbmc2' })
            : entry(fake),
      unknownHost: 'gone.mooo.com',
    };
  },
});

describe('freedns quirks', () => {
  let echoes: Echoes;
  let fake: FakeFreedns;
  beforeAll(async () => {
    echoes = await startEchoes();
    fake = await start();
  });
  afterAll(async () => Promise.all([echoes.close(), fake.close()]));
  afterEach(() => fake.requests.splice(0));

  it('sends each family to its own record token and never shows a token', async () => {
    fake.rateLimitNext(3600);
    const t = await startRuntime(echoes.config(entry(fake)));
    const report = await t.cycle();
    expect(fake.updates().map((r) => r.url.pathname)).toEqual([`/u/${TOKEN4}/`]);
    expect(report.hosts.every((h) => h.action === 'failed')).toBe(true);
    t.clock.advance(3600_000);
    await t.cycle();
    expect(
      fake
        .updates()
        .slice(1)
        .map((r) => `${r.url.pathname} ${r.url.searchParams.get('address')}`),
    ).toEqual([`/u/${TOKEN4}/ ${ADDRESS.ipv4}`, `/u/${TOKEN6}/ ${ADDRESS.ipv6}`]);
    const everything = JSON.stringify(report) + JSON.stringify(t.runtime.status()) + t.logs.join('');
    expect(everything).not.toContain(TOKEN4);
    expect(everything).not.toContain(TOKEN6);
    expect(everything).toContain('FreeDNS http://127.0.0.1');
    await t.runtime.close();
  });

  it('updates IPv4 only when the entry has no IPv6 token, and says so when IPv6 is asked for', async () => {
    const t = await startRuntime(echoes.config(entry(fake, { ipv6_token: undefined })));
    const report = await t.cycle();
    expect(report.hosts.map((h) => h.family)).toEqual(['ipv4']);
    await t.runtime.close();

    const dir = tempDir();
    const path = writeConfig(dir, echoes.config(entry(fake, { ipv6_token: undefined, ipv6: true })));
    expect(() => loadConfig({ providers: PROVIDERS, path, env: {}, cwd: dir })).toThrow(/providers\[0\]\.ipv6.*add ipv6_token/);
  });

  it('takes one host per entry', () => {
    const dir = tempDir();
    const path = writeConfig(dir, echoes.config(entry(fake, { hosts: [HOST, 'lab.mooo.com'] })));
    expect(() => loadConfig({ providers: PROVIDERS, path, env: {}, cwd: dir })).toThrow(/one host per entry/);
  });

  it('an answer that names another address than the one sent is a failure saying both, retried later', async () => {
    fake.kept.set(TOKEN4, '81.2.69.1');
    fake.kept.set(TOKEN6, '2a02:8010:1::99');
    const t = await startRuntime(echoes.config(entry(fake)));
    const report = await t.cycle();
    fake.kept.clear();
    expect(report.hosts.map((h) => h.action)).toEqual(['failed', 'failed']);
    expect(report.hosts.find((h) => h.family === 'ipv4')?.message).toContain(`has 81.2.69.1, not the address ${ADDRESS.ipv4} that was sent`);
    expect(Object.values(t.runtime.state.hosts).every((h) => h.errorKind === 'bad-response')).toBe(true);
    await t.runtime.close();
  });

  it('an unchanged answer naming the address sent (with IP …) is unchanged, not a wrong address', async () => {
    const t = await startRuntime(echoes.config(entry(fake)));
    await t.cycle();
    await t.runtime.close();
    const u = await startRuntime(echoes.config(entry(fake)));
    const report = await u.cycle();
    expect(report.hosts.map((h) => h.action)).toEqual(['unchanged', 'unchanged']);
    await u.runtime.close();
  });
});
