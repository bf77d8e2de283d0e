/**
 * The conformance suite one provider type goes through (test/conformance.test.ts
 * runs it for every registered provider): unknown keys are refused, secrets
 * never show, and success, a wrong credential and an answer the protocol
 * does not allow end as they must.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { AnyProviderDefinition } from '../../providers/kit/index.js';
import { effectiveConfig } from '../../src/config/effective.js';
import { loadConfig } from './config.js';
import type { Family } from '../../src/base/address.js';
import { ConfigError } from '../../src/base/errors.js';
import { startEcho, type EchoServer } from '../fakes/echo.js';
import { tempDir, writeConfig } from './cli.js';
import { fakeClock } from './clock.js';
import type { Conformance, ConformanceFake } from './conformance.js';
import { testRuntime } from './runtime.js';

// Public addresses as data only: the echo sources answer them, nothing contacts them.
const ADDRESS: Record<Family, string> = { ipv4: '81.2.69.160', ipv6: '2a02:8010:1::1' };

export function conformanceSuite(type: string, row: Conformance | undefined, providers: readonly AnyProviderDefinition[]): void {
  describe(`provider ${type}`, () => {
    const families = row?.families ?? (['ipv4', 'ipv6'] as Family[]);
    let fake: ConformanceFake;
    let echoes: Record<Family, EchoServer>;
    beforeAll(async () => {
      echoes = { ipv4: await startEcho(ADDRESS.ipv4), ipv6: await startEcho(ADDRESS.ipv6, '::1') };
      if (row) fake = await row.start();
    });
    afterAll(async () => {
      await Promise.all([fake?.close(), ...Object.values(echoes).map((e) => e.close())]);
    });

    const configYaml = (entry: Record<string, unknown>): string => {
      const source = (f: Family): string[] => (families.includes(f) ? [echoes[f].url] : []);
      return stringify({ detect: { ipv4: source('ipv4'), ipv6: source('ipv6'), agree: 1 }, providers: [entry] });
    };
    const runtime = async (credentials: 'right' | 'wrong') => testRuntime(configYaml(fake.entry(credentials)), fakeClock(), { providers });
    const leaks = (texts: string[]): string[] => fake.secrets.filter((s) => texts.some((t) => t.includes(s)));
    const load = (entry: Record<string, unknown>) => {
      const dir = tempDir();
      return loadConfig({ providers, path: writeConfig(dir, configYaml(entry)), env: {}, cwd: dir });
    };

    it('has a fake with a conformance row in test/fakes/', () => {
      expect(row, `test/fakes/ has no conformance row for "${type}"`).toBeDefined();
    });

    it('refuses unknown keys, naming them', () => {
      const bogus = { ...fake.entry('right'), bogus_key: 1 };
      expect(() => load(bogus)).toThrow(ConfigError);
      expect(() => load(bogus)).toThrow(/providers\[0\]\.bogus_key.*unknown key/);
    });

    it('redacts every secret in ddnsd check', () => {
      const config = load(fake.entry('right'));
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

    it('does what its definition claims beyond one address per name, and no more', async () => {
      const abilities = providers.find((d) => d.type === type)?.records ?? {};
      const rt = await runtime('right');
      const [{ provider }] = rt.providers as [(typeof rt.providers)[number]];
      const signal = AbortSignal.timeout(60_000);
      expect(provider.removeRecords !== undefined, 'removeRecords exactly when the definition claims removeOnStop').toBe(abilities.removeOnStop === true);
      if (abilities.sets) {
        // wan_mode: all: two addresses of one name are kept as two records; the same set again changes nothing.
        const family = families[0] as Family;
        const pair = family === 'ipv4' ? ['81.2.69.160', '81.2.69.161'] : ['2a02:8010:1::1', '2a02:8010:2::1'];
        const send = async (addresses: string[]) =>
          (await provider.update({ updates: fake.hosts.map((host) => ({ host, family, address: addresses.join(', '), addresses })), addresses: {}, signal })).map((r) => r.outcome);
        expect(await send(pair)).toEqual(fake.hosts.map(() => 'updated'));
        expect(await send([...pair].reverse())).toEqual(fake.hosts.map(() => 'unchanged'));
        expect(await send([pair[1] as string])).toEqual(fake.hosts.map(() => 'updated'));
        expect(await send([pair[1] as string])).toEqual(fake.hosts.map(() => 'unchanged'));
      }
      if (abilities.removeOnStop) {
        await rt.cycle(900_000, signal, false, true);
        expect(await provider.removeRecords?.(families, signal)).toBe(fake.hosts.length * families.length);
        expect(await provider.removeRecords?.(families, signal)).toBe(0);
      }
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
}
