/**
 * The cases every provider test runs against its fake, written once: success
 * then silence, an unchanged answer, a wrong credential, an unknown host, a
 * rate limit with Retry-After (short: waited out; long: the host paused), an
 * unexpected answer, and each family alone. A provider's own test file calls
 * `providerCases` with its fake and adds its quirks.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Family } from '../../src/base/address.js';
import { startEcho, type EchoServer } from '../fakes/echo.js';
import type { FakeServer } from '../fakes/server.js';
import { startRuntime } from './runtime.js';

// Public addresses as data only: the echo sources answer them, nothing contacts them.
export const ADDRESS: Record<Family, string> = { ipv4: '81.2.69.160', ipv6: '2a02:8010:1::1' };
export const NEXT: Record<Family, string> = { ipv4: '81.2.69.161', ipv6: '2a02:8010:1::2' };

export interface Echoes {
  ipv4: EchoServer;
  ipv6: EchoServer;
  /** A config with these sources for `families` and one provider entry. */
  config(entry: Record<string, unknown>, families?: readonly Family[]): string;
  close(): Promise<void>;
}

export async function startEchoes(): Promise<Echoes> {
  const ipv4 = await startEcho(ADDRESS.ipv4);
  const ipv6 = await startEcho(ADDRESS.ipv6, '::1');
  return {
    ipv4,
    ipv6,
    config: (entry, families = ['ipv4', 'ipv6']) =>
      stringify({
        state: './state.json',
        detect: { ipv4: families.includes('ipv4') ? [ipv4.url] : [], ipv6: families.includes('ipv6') ? [ipv6.url] : [], agree: 1, timeout: '2s' },
        providers: [entry],
      }),
    close: async () => {
      await Promise.all([ipv4.close(), ipv6.close()]);
    },
  };
}

/** A provider's fake as the cases drive it. */
export interface CaseFake {
  server: FakeServer;
  /** The entry for `hosts` (default: the fake's one known host) with the right credential, or a wrong one. */
  entry(options?: { credentials?: 'right' | 'wrong'; hosts?: string[] }): Record<string, unknown>;
  /** A host the service does not know, for `entry({ hosts })`. */
  unknownHost: string;
  /** Requests that reached the protocol (updates), in order. */
  updates(): FakeServer['requests'];
  /** The address the service now has for the known host and family. */
  record(family: Family): string | undefined;
  /** Set the service's record for the known host, as if updated elsewhere. */
  setRecord(family: Family, address: string): void;
  /** Answer the next request with HTTP 429 and this Retry-After (seconds). */
  rateLimitNext(seconds: number): void;
  /** A message the rate-limit failure must carry (a service's quota), if any. */
  limitWords?: RegExp;
}

/** A fake whose records are named by a token, one a family (ClouDNS, FreeDNS). */
interface TokenRecordFake extends FakeServer {
  records: Map<string, { address?: string }>;
  updates(): FakeServer['requests'];
  rateLimitNext(seconds: number): void;
}

/** The entry for `host` of a service whose records are named by a token a family, both families sent to `url`. */
export function tokenRecordEntry(type: string, url: string, tokens: Record<Family, string>, host: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return { type, endpoint: url, ipv6_endpoint: url, token: tokens.ipv4, ipv6_token: tokens.ipv6, hosts: [host], ...over };
}

/** The parts of a CaseFake that drive a fake whose records are named by a token a family. */
export function tokenRecordCase(fake: TokenRecordFake, tokens: Record<Family, string>): Pick<CaseFake, 'server' | 'updates' | 'record' | 'setRecord' | 'rateLimitNext'> {
  return {
    server: fake,
    updates: () => fake.updates(),
    record: (family) => fake.records.get(tokens[family])?.address,
    setRecord: (family, address) => {
      const r = fake.records.get(tokens[family]);
      if (r) r.address = address;
    },
    rateLimitNext: (seconds) => fake.rateLimitNext(seconds),
  };
}

export interface CaseSpec {
  type: string;
  /** The families the service updates; default both. */
  families?: Family[];
  /** Whether the service says "unchanged" (else every accepted update reads as updated). */
  saysUnchanged: boolean;
  start(): Promise<CaseFake>;
}

export function providerCases(spec: CaseSpec): void {
  const families = spec.families ?? (['ipv4', 'ipv6'] as Family[]);
  describe(`${spec.type}: the cases every provider meets`, () => {
    let echoes: Echoes;
    let fake: CaseFake;
    beforeAll(async () => {
      echoes = await startEchoes();
    });
    afterAll(async () => echoes.close());
    beforeEach(async () => {
      fake = await spec.start();
      echoes.ipv4.answer = ADDRESS.ipv4;
      echoes.ipv6.answer = ADDRESS.ipv6;
    });
    afterEach(async () => fake.server.close());

    const run = (entry = fake.entry(), only: readonly Family[] = families) => startRuntime(echoes.config(entry, only));

    it('updates each family, then sends nothing while the addresses stay, and again when one changes', async () => {
      const t = await run();
      const first = await t.cycle();
      expect(first.hosts.map((h) => `${h.family} ${h.action}`).sort()).toEqual(families.map((f) => `${f} updated`));
      for (const f of families) expect(fake.record(f)).toBe(ADDRESS[f]);
      const sent = fake.updates().length;
      expect(sent).toBeGreaterThan(0);
      for (const r of fake.updates()) expect(r.headers['user-agent']).toMatch(/^ddnsd\/\d+\.\d+\.\d+ \S+$/);

      t.clock.advance(10 * 60_000);
      const second = await t.cycle();
      expect(second.hosts.every((h) => h.action === 'current')).toBe(true);
      expect(fake.updates()).toHaveLength(sent);

      const family = families[0] ?? 'ipv4';
      echoes[family].answer = NEXT[family];
      t.clock.advance(10 * 60_000);
      await t.cycle();
      expect(fake.updates().length).toBeGreaterThan(sent);
      expect(fake.record(family)).toBe(NEXT[family]);
      await t.runtime.close();
    });

    it.each(families)('updates %s alone when only that family is detected', async (family) => {
      const t = await run(fake.entry(), [family]);
      const report = await t.cycle();
      expect(report.hosts.map((h) => `${h.family} ${h.action}`)).toEqual([`${family} updated`]);
      expect(fake.record(family)).toBe(ADDRESS[family]);
      await t.runtime.close();
    });

    it(`reads an answer that nothing changed as ${spec.saysUnchanged ? 'unchanged' : 'a success'}`, async () => {
      for (const f of families) fake.setRecord(f, ADDRESS[f]);
      const t = await run();
      const report = await t.cycle();
      expect(report.ok).toBe(true);
      expect(report.hosts.every((h) => h.action === (spec.saysUnchanged ? 'unchanged' : 'updated'))).toBe(true);
      expect(Object.values(t.runtime.state.hosts).every((h) => h.confirmedAt !== undefined)).toBe(true);
      await t.runtime.close();
    });

    it('marks a wrong credential as needing attention and never sends it again', async () => {
      const t = await run(fake.entry({ credentials: 'wrong' }));
      const report = await t.cycle();
      expect(report.hosts.every((h) => h.action === 'needs-attention')).toBe(true);
      const sent = fake.updates().length;
      expect(sent).toBeGreaterThan(0);
      echoes.ipv4.answer = NEXT.ipv4;
      t.clock.advance(24 * 3600_000);
      await t.cycle();
      expect(fake.updates()).toHaveLength(sent);
      await t.runtime.close();
    });

    it('marks a host the service does not know as needing attention', async () => {
      const t = await run(fake.entry({ hosts: [fake.unknownHost] }));
      const report = await t.cycle();
      expect(report.hosts.length).toBeGreaterThan(0);
      expect(report.hosts.every((h) => h.action === 'needs-attention')).toBe(true);
      const sent = fake.updates().length;
      t.clock.advance(24 * 3600_000);
      await t.cycle();
      expect(fake.updates()).toHaveLength(sent);
      await t.runtime.close();
    });

    it('waits out a short Retry-After within the cycle', async () => {
      fake.rateLimitNext(7);
      const t = await run(fake.entry(), families.slice(0, 1));
      const report = await t.cycle();
      expect(report.ok).toBe(true);
      expect(t.clock.slept).toContain(7000);
      expect(fake.updates()).toHaveLength(2);
      await t.runtime.close();
    });

    it('pauses the host for a long Retry-After, saying why, and sends nothing until then', async () => {
      fake.rateLimitNext(3600);
      const t = await run(fake.entry(), families.slice(0, 1));
      const report = await t.cycle();
      expect(report.hosts[0]?.action).toBe('failed');
      if (fake.limitWords) expect(report.hosts[0]?.message).toMatch(fake.limitWords);
      expect(fake.updates()).toHaveLength(1);
      const state = Object.values(t.runtime.state.hosts)[0];
      expect(state?.errorKind).toBe('rate-limited');
      expect((state?.retryAt ?? 0) - t.clock.now()).toBe(3600_000);
      t.clock.advance(30 * 60_000);
      await t.cycle();
      expect(fake.updates()).toHaveLength(1);
      await t.runtime.close();
    });

    it('fails an answer the protocol does not allow, to retry on a later cycle', async () => {
      fake.server.misbehaveNext(Infinity, { kind: 'answer', status: 200, headers: { 'content-type': 'text/html' }, body: '<html>Sign in to the hotel Wi-Fi</html>' });
      const t = await run();
      const report = await t.cycle();
      expect(report.hosts.every((h) => h.action === 'failed' && /unexpected answer/.test(h.message ?? ''))).toBe(true);
      expect(Object.values(t.runtime.state.hosts).every((h) => h.errorKind === 'bad-response')).toBe(true);
      await t.runtime.close();
    });
  });
}
