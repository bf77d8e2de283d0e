/**
 * The cases every zone-based REST adapter meets, written once: each host's
 * zone found from its name (a host outside every zone fails alone), a 429
 * waited out as Retry-After says, a credential that may read but not change
 * records, every page of a paged listing, and an answer that is not the
 * API's. A provider's test file calls `zoneProviderCases` with its fake and
 * keeps only its own quirks.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Family } from '../../src/base/address.js';
import type { FakeServer, Recorded } from '../fakes/server.js';
import { startHarness, V4, type Harness } from './provider-harness.js';

/** A zone-based service's fake as the cases drive it. Its account holds the zone example.com, not example.net. */
export interface ZoneFake {
  server: FakeServer;
  /**
   * The entry (secrets written literally) for `hosts`, with `extra` keys, and a credential that
   * may change records, or one that may only read them (`read-only`).
   */
  entry(hosts: string[], extra?: Record<string, unknown>, credential?: 'right' | 'read-only'): Record<string, unknown>;
  /** The address the service holds for a host and family, if any. */
  record(host: string, family: Family): string | undefined;
  /** Requests that create, change or delete records. */
  writes(): Recorded[];
  /** Answer the next request with HTTP 429, these headers, and the service's own error body. */
  rateLimitNext(headers: Record<string, string>): void;
  /**
   * Fills the account so that finding example.com or its records takes more than one page;
   * returns the listing requests the fake received so far. Absent when no listing on the way is paged.
   */
  crowd?(): () => Recorded[];
}

export interface ZoneCaseSpec {
  type: string;
  start(): Promise<ZoneFake>;
  /** What a host outside every zone is told, naming it. */
  noZone: (host: string) => string;
  /** What a credential that may only read is told; absent when the service has no such credential. */
  readOnly?: RegExp;
}

export function zoneProviderCases(spec: ZoneCaseSpec): void {
  describe(`${spec.type}: the cases every zone-based adapter meets`, () => {
    let h: Harness;
    let fake: ZoneFake;
    beforeEach(async () => {
      h = await startHarness();
      fake = await spec.start();
    });
    afterEach(async () => {
      await Promise.all([h.close(), fake.server.close()]);
    });

    it('finds the zone from the host name, and fails a host outside every zone alone, as needing attention', async () => {
      const t = await h.start(fake.entry(['office.branch.example.com', 'office.example.net'], { ipv6: false }));
      const report = await t.cycle();
      expect(report.hosts.map((r) => `${r.host} ${r.action}`)).toEqual(['office.branch.example.com updated', 'office.example.net needs-attention']);
      expect(report.hosts[1]?.message).toContain(spec.noZone('office.example.net'));
      expect(fake.record('office.branch.example.com', 'ipv4')).toBe(V4);
      const sent = fake.writes().length;
      t.clock.advance(24 * 3600_000);
      await t.cycle();
      expect(fake.writes()).toHaveLength(sent);
      await t.runtime.close();
    });

    it('waits out Retry-After on a 429 within the cycle, then updates', async () => {
      const t = await h.start(fake.entry(['office.example.com'], { ipv6: false }));
      fake.rateLimitNext({ 'retry-after': '7' });
      const report = await t.cycle();
      expect(report.hosts.map((r) => r.action)).toEqual(['updated']);
      expect(t.clock.slept).toContain(7000);
      expect(fake.record('office.example.com', 'ipv4')).toBe(V4);
      await t.runtime.close();
    });

    it('needs attention with a credential that may not change records, says so, and sends nothing more', async (ctx) => {
      if (!spec.readOnly) return ctx.skip();
      const t = await h.start(fake.entry(['office.example.com'], { ipv6: false }, 'read-only'));
      const report = await t.cycle();
      expect(report.hosts[0]?.action).toBe('needs-attention');
      expect(report.hosts[0]?.message).toMatch(spec.readOnly);
      expect(fake.record('office.example.com', 'ipv4')).toBeUndefined();
      const sent = fake.server.requests.length;
      t.clock.advance(24 * 3600_000);
      await t.cycle();
      expect(fake.server.requests).toHaveLength(sent);
      await t.runtime.close();
    });

    it("fails an answer that is not the API's, to try again on a later cycle, not for good", async () => {
      const t = await h.start(fake.entry(['office.example.com'], { ipv6: false }));
      fake.server.misbehaveNext(Infinity, { kind: 'answer', status: 200, body: '{"unrelated":true}', headers: { 'content-type': 'application/json' } });
      const report = await t.cycle();
      expect(report.hosts[0]?.action).toBe('failed');
      expect(Object.values(t.runtime.state.hosts).map((s) => s.errorKind)).toEqual(['bad-response']);
      await t.runtime.close();
    });

    it('reads every page of a listing it needs', async (ctx) => {
      if (!fake.crowd) return ctx.skip();
      const listings = fake.crowd();
      const t = await h.start(fake.entry(['office.example.com'], { ipv6: false }));
      const report = await t.cycle();
      expect(report.hosts.map((r) => r.action)).toEqual(['updated']);
      expect(fake.record('office.example.com', 'ipv4')).toBe(V4);
      expect(listings().length).toBeGreaterThan(1);
      await t.runtime.close();
    });
  });
}
