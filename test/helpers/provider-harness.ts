/**
 * A ddnsd runtime over one provider entry, with IPv4 and IPv6 echo sources
 * whose answers a test changes: the setting the provider tests share.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import { stringify } from 'yaml';
import { startEcho, type EchoServer } from '../fakes/echo.js';
import type { FakeServer } from '../fakes/server.js';
import { startRuntime } from './runtime.js';

// Public addresses as data only: the echo sources answer them, nothing contacts them.
export const V4 = '81.2.69.160';
export const V4_NEXT = '81.2.69.161';
export const V6 = '2a02:8010:1::1';

export interface Harness {
  v4: EchoServer;
  v6: EchoServer;
  /** A runtime whose config has this one provider entry (as the YAML would give it) and this environment. */
  start(entry: Record<string, unknown>, env?: Record<string, string>): ReturnType<typeof startRuntime>;
  /** The IPv4 source answers V4_NEXT from now on. */
  newAddress(): void;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const [v4, v6] = await Promise.all([startEcho(V4), startEcho(V6, '::1')]);
  return {
    v4,
    v6,
    start: (entry, env = {}) =>
      startRuntime(stringify({ state: './state.json', detect: { ipv4: [`${v4.url}/`], ipv6: [`${v6.url}/`], agree: 1, timeout: '2s' }, providers: [entry] }), env),
    newAddress() {
      v4.answer = V4_NEXT;
    },
    close: async () => {
      await Promise.all([v4.close(), v6.close()]);
    },
  };
}

/** A harness and a provider's fake, started afresh for each test of the describe block that calls this (a test may replace `fake`). */
export function useHarness<F extends FakeServer>(startFake: () => Promise<F>): { h: Harness; fake: F } {
  const s = {} as { h: Harness; fake: F };
  beforeEach(async () => {
    s.h = await startHarness();
    s.fake = await startFake();
  });
  afterEach(async () => {
    await Promise.all([s.h.close(), s.fake.close()]);
  });
  return s;
}

/**
 * A cycle five minutes later, with nothing changed, sends nothing; then the
 * IPv4 source answers V4_NEXT and one more cycle runs. Returns how many
 * requests the fake had before that last cycle, and its report.
 */
export async function quietThenNewAddress(
  s: { h: Harness; fake: FakeServer },
  t: Awaited<ReturnType<Harness['start']>>,
): Promise<{ sent: number; report: Awaited<ReturnType<typeof t.cycle>> }> {
  const sent = s.fake.requests.length;
  t.clock.advance(5 * 60_000);
  await t.cycle();
  expect(s.fake.requests).toHaveLength(sent);
  s.h.newAddress();
  t.clock.advance(5 * 60_000);
  return { sent, report: await t.cycle() };
}
