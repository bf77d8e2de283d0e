import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDERS } from '../helpers/providers.js';
import { loadConfig } from '../helpers/config.js';
import { startNamecheap, type FakeNamecheap } from '../fakes/namecheap.js';
import { tempDir, writeConfig } from '../helpers/cli.js';
import { ADDRESS, providerCases, startEchoes, type Echoes } from '../helpers/provider-cases.js';
import { startRuntime } from '../helpers/runtime.js';

const DOMAIN = 'example.com';
const PASSWORD = 'namecheapddnspassword5e6f7a8b9c';

const entry = (fake: FakeNamecheap, over: Record<string, unknown> = {}) => ({
  type: 'namecheap',
  endpoint: fake.url,
  domain: DOMAIN,
  password: PASSWORD,
  hosts: [`office.${DOMAIN}`],
  ...over,
});

providerCases({
  type: 'namecheap',
  families: ['ipv4'],
  // Namecheap's answer is the same whether or not the address changed.
  saysUnchanged: false,
  async start() {
    const fake = await startNamecheap({ domain: DOMAIN, password: PASSWORD, hosts: [`office.${DOMAIN}`, DOMAIN] });
    return {
      server: fake,
      entry: (o = {}) => entry(fake, { ...(o.hosts ? { hosts: o.hosts } : {}), ...(o.credentials === 'wrong' ? { password: 'wrongpassword' } : {}) }),
      unknownHost: `ghost.${DOMAIN}`,
      updates: () => fake.updates(),
      record: () => fake.records.get(`office.${DOMAIN}`),
      setRecord: (_family, address) => fake.records.set(`office.${DOMAIN}`, address),
      rateLimitNext: (seconds) => fake.rateLimitNext(seconds),
    };
  },
});

describe('namecheap quirks', () => {
  let echoes: Echoes;
  let fake: FakeNamecheap;
  beforeAll(async () => {
    echoes = await startEchoes();
    fake = await startNamecheap({ domain: DOMAIN, password: PASSWORD, hosts: [`office.${DOMAIN}`, DOMAIN] });
  });
  afterAll(async () => Promise.all([echoes.close(), fake.close()]));

  const check = (e: Record<string, unknown>) => {
    const dir = tempDir();
    return () => loadConfig({ providers: PROVIDERS, path: writeConfig(dir, echoes.config(e)), env: {}, cwd: dir });
  };

  it('sends host and domain apart, @ for the domain itself, IPv4 only even when IPv6 is detected', async () => {
    const t = await startRuntime(echoes.config(entry(fake, { hosts: [DOMAIN, `office.${DOMAIN}`] })));
    const report = await t.cycle();
    expect(report.hosts.map((h) => `${h.host} ${h.family} ${h.action}`)).toEqual([`${DOMAIN} ipv4 updated`, `office.${DOMAIN} ipv4 updated`]);
    expect(fake.updates().map((r) => `${r.url.searchParams.get('host')} ${r.url.searchParams.get('domain')} ${r.url.searchParams.get('ip')}`)).toEqual([
      `@ ${DOMAIN} ${ADDRESS.ipv4}`,
      `office ${DOMAIN} ${ADDRESS.ipv4}`,
    ]);
    expect(JSON.stringify(t.runtime.status()) + t.logs.join('')).not.toContain(PASSWORD);
    await t.runtime.close();
  });

  it('says that Namecheap updates IPv4 only when an entry asks for IPv6', () => {
    expect(check(entry(fake, { ipv6: true }))).toThrow(/providers\[0\]\.ipv6.*Namecheap's dynamic DNS updates IPv4 only/);
  });

  it('refuses a host outside the domain', () => {
    expect(check(entry(fake, { hosts: ['office.example.net'] }))).toThrow(/office\.example\.net is not example\.com or a name under it/);
  });

  it('reads Err1: a wrong password and a missing record say what to do', async () => {
    const t = await startRuntime(echoes.config(entry(fake, { password: 'not-the-one', hosts: [`office.${DOMAIN}`] })));
    const report = await t.cycle();
    expect(report.hosts[0]?.message).toMatch(/Passwords do not match.*Dynamic DNS password is wrong/);
    await t.runtime.close();
    const u = await startRuntime(echoes.config(entry(fake, { hosts: [`ghost.${DOMAIN}`] })));
    const missing = await u.cycle();
    expect(missing.hosts[0]?.message).toMatch(/A record not Found.*add one in Advanced DNS/);
    await u.runtime.close();
  });

  it('a domain Namecheap does not know (words no document lists) is retried later, not a stop until the config changes', async () => {
    const t = await startRuntime(echoes.config(entry(fake, { domain: 'example.org', hosts: ['office.example.org'] })));
    const report = await t.cycle();
    expect(report.hosts[0]?.action).toBe('failed');
    expect(report.hosts[0]?.message).toMatch(/Domain name not found.*tries again later/);
    expect(t.runtime.state.hosts['namecheap office.example.org ipv4']?.errorKind).toBe('bad-response');
    await t.runtime.close();
  });
});
