import { describe, expect, it } from 'vitest';
import type { Provider } from '../src/base/provider.js';
import type { ProviderEntry } from '../src/config/load.js';
import { applyResults } from '../src/cycle/apply.js';
import { createEvents } from '../src/cycle/events.js';
import { notRetried, planEntry } from '../src/cycle/plan.js';
import { retryDelay } from '../src/cycle/policy.js';
import { DdnsError, type FailureKind } from '../src/base/errors.js';
import { createRedactor } from '../src/base/log.js';
import { hostKey, type HostState, type State } from '../src/state.js';
import { fakeClock } from './helpers/clock.js';

const NOW = 1_700_000_000_000;
const entry = {
  index: 0,
  definition: { type: 'duckdns' },
  families: ['ipv4'],
  fingerprint: 'f1',
  hostAddress: (_host: string, _family: string, detected: string | undefined) => detected,
} as unknown as ProviderEntry;
const provider = { label: 'duckdns', hosts: ['a.example.com'], update: async () => [] } as unknown as Provider;

/** A state where a.example.com's A record failed with `errorKind` and waits ten minutes. */
function pausedBy(errorKind: HostState['errorKind']): State {
  const hs: HostState = { provider: 'duckdns', host: 'a.example.com', family: 'ipv4', failures: 1, errorKind, lastError: 'it failed', retryAt: NOW + 600_000 };
  return { version: 1, detected: {}, hosts: { [hostKey('duckdns', 'a.example.com', 'ipv4')]: hs }, history: [] };
}

function plan(state: State, force: boolean, now = NOW) {
  return planEntry({ entry, provider, state, detected: { ipv4: '203.0.113.7' }, detectionError: () => 'none', now, refreshMs: 0, force });
}

describe('planning with once --force', () => {
  it.each(['transient', 'bad-response'] as const)('sends a host paused after a %s failure, and offers --force without it', (kind) => {
    const forced = plan(pausedBy(kind), true);
    expect(forced.due).toEqual([{ host: 'a.example.com', family: 'ipv4', address: '203.0.113.7' }]);
    expect(forced.reports).toEqual([]);
    const waiting = plan(pausedBy(kind), false);
    expect(waiting.due).toEqual([]);
    expect(waiting.reports[0]).toMatchObject({ action: 'paused', message: 'it failed; next try in 10 min (2023-11-14 22:23 UTC); run ddnsd once --force to try now' });
  });

  it.each(['rate-limited', 'server'] as const)('keeps a host paused by a %s answer, and does not offer --force', (kind) => {
    const forced = plan(pausedBy(kind), true);
    expect(forced.due).toEqual([]);
    expect(forced.reports[0]?.action).toBe('paused');
    expect(forced.reports[0]?.message).not.toContain('--force');
  });
});

const HOUR = 3_600_000;

describe('an answer ddnsd cannot read pauses a host, never for good', () => {
  it('grows the pause 1 h, 2 h, 4 h … and caps it at 24 h', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 12].map((n) => retryDelay(new DdnsError('bad-response', 'unexpected answer'), n) / HOUR);
    expect(delays).toEqual([1, 2, 4, 8, 16, 24, 24, 24]);
  });

  it('sends again when each pause is over, on an injected clock, and never asks for attention', () => {
    const clock = fakeClock(NOW);
    const state: State = { version: 1, detected: {}, hosts: {}, history: [] };
    const ctx = () => ({ state, entry, label: 'duckdns', hosts: provider.hosts, events: createEvents(), redactor: createRedactor(), now: clock.now() });
    const waits: number[] = [];
    for (let attempt = 0; attempt < 8; attempt++) {
      const due = plan(state, false, clock.now()).due;
      expect(due, `attempt ${attempt + 1} is due`).toHaveLength(1);
      const [report] = applyResults(ctx(), due, [{ ...due[0]!, outcome: 'failed', error: new DdnsError('bad-response', 'answered "hello?"') }]);
      expect(report?.action).toBe('failed');
      const retryAt = report?.retryAt as number;
      expect(report?.message).toContain(`next try in ${attempt === 0 ? '60 min' : `${Math.min(2 ** attempt, 24)} h`} (`);
      waits.push((retryAt - clock.now()) / HOUR);
      // A minute before the pause ends the host is still paused, and says when it is tried again.
      clock.advance(retryAt - clock.now() - 60_000);
      const early = plan(state, false, clock.now());
      expect(early.due).toEqual([]);
      expect(early.reports[0]).toMatchObject({ action: 'paused', retryAt });
      expect(early.reports[0]?.message).toMatch(/next try in 60 s \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)/);
      clock.advance(60_000);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 24, 24, 24]);
    expect(Object.values(state.hosts)[0]?.attention).toBeUndefined();
  });
});

describe('the hosts "Update now" does not retry', () => {
  const paused = (errorKind: FailureKind, attention?: string): State => {
    const state = pausedBy(errorKind);
    const hs = state.hosts[hostKey('duckdns', 'a.example.com', 'ipv4')] as HostState;
    if (attention) Object.assign(hs, { attention, retryAt: undefined });
    return state;
  };
  const held = (state: State) => notRetried([{ entry, provider }], state, NOW);

  it.each(['transient', 'bad-response'] as const)('retries a host paused by a %s failure', (kind) => {
    expect(held(paused(kind))).toEqual([]);
  });

  it('names a host that needs attention, and says to fix the config', () => {
    expect(held(paused('auth', 'f1'))).toEqual([
      expect.objectContaining({ host: 'a.example.com', family: 'ipv4', reason: 'needs-attention', message: expect.stringContaining('fix its provider entry in the config') }),
    ]);
    // Attention from an older config of the entry is no hold: the entry changed since.
    expect(held(paused('auth', 'an-older-fingerprint'))).toEqual([]);
  });

  it.each([
    ['rate-limited', 'rate-limited'],
    ['server', 'trouble on its side'],
  ] as const)('names a host paused by a %s answer, with when', (kind, words) => {
    const [hold] = held(paused(kind));
    expect(hold).toMatchObject({ reason: kind, until: new Date(NOW + 600_000).toISOString() });
    expect(hold?.message).toContain(words);
    expect(hold?.message).toContain('next try in 10 min');
  });
});
