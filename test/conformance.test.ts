/// <reference types="vite/client" />
/**
 * Every registered provider, against the fake its row in test/fakes/ starts:
 * unknown keys are refused, secrets never show, and success, a wrong
 * credential and an answer the protocol does not allow end as they must.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { PROVIDERS } from '../providers/index.js';
import { effectiveConfig, loadConfig } from '../src/config/load.js';
import type { Family } from '../src/detect/address.js';
import { ConfigError } from '../src/errors.js';
import { startEcho, type EchoServer } from './fakes/echo.js';
import { tempDir, writeConfig } from './helpers/cli.js';
import { fakeClock } from './helpers/clock.js';
import type { ConformanceFake, ConformanceTable } from './helpers/conformance.js';
import { testRuntime } from './helpers/runtime.js';

// Public addresses as data only: the echo sources answer them, nothing contacts them.
const ADDRESS: Record<Family, string> = { ipv4: '81.2.69.160', ipv6: '2a02:8010:1::1' };

const modules = import.meta.glob<{ conformance?: ConformanceTable }>('./fakes/*.ts', { eager: true });
const rows: ConformanceTable = Object.assign({}, ...Object.values(modules).map((m) => m.conformance ?? {}));

let echoes: Record<Family, EchoServer>;
beforeAll(async () => {
  echoes = { ipv4: await startEcho(ADDRESS.ipv4), ipv6: await startEcho(ADDRESS.ipv6, '::1') };
});
afterAll(async () => {
  await Promise.all(Object.values(echoes).map((e) => e.close()));
});

function configYaml(entry: Record<string, unknown>, families: Family[]): string {
  const source = (f: Family): string[] => (families.includes(f) ? [echoes[f].url] : []);
  return stringify({ detect: { ipv4: source('ipv4'), ipv6: source('ipv6'), agree: 1 }, providers: [entry] });
}

describe.each(PROVIDERS.map((p) => p.type))('provider %s', (type) => {
  const row = rows[type];
  const families = row?.families ?? (['ipv4', 'ipv6'] as Family[]);
  let fake: ConformanceFake;
  beforeAll(async () => {
    if (row) fake = await row.start();
  });
  afterAll(async () => fake?.close());

  const runtime = async (credentials: 'right' | 'wrong') => testRuntime(configYaml(fake.entry(credentials), families), fakeClock());
  const leaks = (texts: string[]): string[] => fake.secrets.filter((s) => texts.some((t) => t.includes(s)));

  it('has a fake with a conformance row in test/fakes/', () => {
    expect(row, `test/fakes/ has no conformance row for "${type}"`).toBeDefined();
  });

  it('refuses unknown keys, naming them', () => {
    const dir = tempDir();
    const path = writeConfig(dir, configYaml({ ...fake.entry('right'), bogus_key: 1 }, families));
    expect(() => loadConfig({ providers: PROVIDERS, path, env: {}, cwd: dir })).toThrow(ConfigError);
    expect(() => loadConfig({ providers: PROVIDERS, path, env: {}, cwd: dir })).toThrow(/providers\[0\]\.bogus_key.*unknown key/);
  });

  it('redacts every secret in ddnsd check', () => {
    const dir = tempDir();
    const config = loadConfig({ providers: PROVIDERS, path: writeConfig(dir, configYaml(fake.entry('right'), families)), env: {}, cwd: dir });
    expect(config.secrets).toEqual(expect.arrayContaining(fake.secrets));
    expect(leaks([JSON.stringify(effectiveConfig(config))])).toEqual([]);
  });

  it('updates every host and family, then sends nothing while nothing changes', async () => {
    const rt = await runtime('right');
    const first = await rt.run();
    expect(first.hosts.map((h) => h.action)).toEqual(fake.hosts.flatMap(() => families.map(() => 'updated')));
    expect(first.hosts.map((h) => h.address).sort()).toEqual(fake.hosts.flatMap(() => families.map((f) => ADDRESS[f])).sort());
    const sent = fake.requests();
    expect(sent).toBeGreaterThan(0);
    const second = await rt.run();
    expect(second.hosts.every((h) => h.action === 'current')).toBe(true);
    expect(fake.requests()).toBe(sent);
    expect(leaks([...rt.logs, JSON.stringify(rt.status())])).toEqual([]);
    await rt.close();
  });

  it('marks a wrong credential as needing attention, and says nothing secret', async () => {
    const rt = await runtime('wrong');
    const report = await rt.run();
    expect(report.hosts.length).toBeGreaterThan(0);
    expect(report.hosts.every((h) => h.action === 'needs-attention')).toBe(true);
    expect(leaks([...rt.logs, JSON.stringify(rt.status())])).toEqual([]);
    const sent = fake.requests();
    await rt.run();
    expect(fake.requests()).toBe(sent);
    await rt.close();
  });

  it('fails an answer the protocol does not allow, to retry later', async () => {
    fake.answerGarbage();
    const rt = await runtime('right');
    const report = await rt.run();
    expect(report.hosts.length).toBeGreaterThan(0);
    expect(report.hosts.every((h) => h.action === 'failed')).toBe(true);
    expect(Object.values(rt.state.hosts).every((h) => h.errorKind === 'bad-response' && h.retryAt !== undefined)).toBe(true);
    await rt.close();
  });
});
