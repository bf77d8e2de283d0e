import { describe, expect, it } from 'vitest';
import type { Provider } from '../src/base/provider.js';
import type { ProviderEntry } from '../src/config/load.js';
import { planEntry } from '../src/cycle/plan.js';
import { hostKey, type HostState, type State } from '../src/state.js';

const NOW = 1_700_000_000_000;
const entry = { index: 0, definition: { type: 'duckdns' }, families: ['ipv4'], fingerprint: 'f1', hostAddress: (_host: string, _family: string, detected: string | undefined) => detected } as unknown as ProviderEntry;
const provider = { label: 'duckdns', hosts: ['a.example.com'], update: async () => [] } as unknown as Provider;

/** A state where a.example.com's A record failed with `errorKind` and waits ten minutes. */
function pausedBy(errorKind: HostState['errorKind']): State {
  const hs: HostState = { provider: 'duckdns', host: 'a.example.com', family: 'ipv4', failures: 1, errorKind, lastError: 'it failed', retryAt: NOW + 600_000 };
  return { version: 1, detected: {}, hosts: { [hostKey('duckdns', 'a.example.com', 'ipv4')]: hs }, history: [] };
}

function plan(state: State, force: boolean) {
  return planEntry({ entry, provider, state, detected: { ipv4: '203.0.113.7' }, detectionError: () => 'none', now: NOW, refreshMs: 0, force });
}

describe('planning with once --force', () => {
  it.each(['transient', 'bad-response'] as const)('sends a host paused after a %s failure, and offers --force without it', (kind) => {
    const forced = plan(pausedBy(kind), true);
    expect(forced.due).toEqual([{ host: 'a.example.com', family: 'ipv4', address: '203.0.113.7' }]);
    expect(forced.reports).toEqual([]);
    const waiting = plan(pausedBy(kind), false);
    expect(waiting.due).toEqual([]);
    expect(waiting.reports[0]).toMatchObject({ action: 'paused', message: 'it failed; next try in 10 min; run ddnsd once --force to try now' });
  });

  it.each(['rate-limited', 'server'] as const)('keeps a host paused by a %s answer, and does not offer --force', (kind) => {
    const forced = plan(pausedBy(kind), true);
    expect(forced.due).toEqual([]);
    expect(forced.reports[0]?.action).toBe('paused');
    expect(forced.reports[0]?.message).not.toContain('--force');
  });
});
