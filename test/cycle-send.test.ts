import { describe, expect, it } from 'vitest';
import type { Provider } from '../src/base/provider.js';
import { send } from '../src/cycle/send.js';
import { DdnsError } from '../src/base/errors.js';
import { createRedactor, silentLogger } from '../src/base/log.js';
import { fakeClock } from './helpers/clock.js';

const UPDATE = { host: 'a.example.com', family: 'ipv4' as const, address: '203.0.113.7' };

/** A provider that fails with each of `failures` in turn, then succeeds. */
function failing(failures: DdnsError[]): Provider & { calls: number } {
  const provider = {
    label: 'example',
    hosts: [UPDATE.host],
    calls: 0,
    async update() {
      const failure = failures[provider.calls++];
      if (failure) throw failure;
      return [{ ...UPDATE, outcome: 'updated' as const }];
    },
  };
  return provider;
}

describe('waits between attempts within a cycle', () => {
  const policy = { retries: 3, minTimeoutMs: 200, maxTimeoutMs: 5000, maxWaitMs: 60_000 };

  it('waits once per retry, the longer of Retry-After and the backoff, all on the clock', async () => {
    const clock = fakeClock();
    const provider = failing([
      new DdnsError('rate-limited', 'slow down', { retryAfterMs: 1000 }), // Retry-After 1 s beats the 200 ms backoff
      new DdnsError('transient', 'HTTP 503'), // the backoff: 400 ms
      new DdnsError('rate-limited', 'slow down', { retryAfterMs: 100 }), // the 800 ms backoff beats Retry-After 100 ms
    ]);
    const started = performance.now();
    const outcome = await send({ retry: policy, clock, log: silentLogger, redactor: createRedactor() }, provider, [UPDATE], { ipv4: UPDATE.address }, new AbortController().signal);
    expect(outcome).toEqual([{ ...UPDATE, outcome: 'updated' }]);
    expect(provider.calls).toBe(4);
    expect(clock.slept).toEqual([1000, 400, 800]);
    // Nothing waited beside the clock: p-retry's own backoff would add 200 + 400 + 800 ms of real time.
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('does not wait after the last attempt', async () => {
    const clock = fakeClock();
    const provider = failing(Array.from({ length: 5 }, () => new DdnsError('transient', 'HTTP 503')));
    const outcome = await send({ retry: policy, clock, log: silentLogger, redactor: createRedactor() }, provider, [UPDATE], { ipv4: UPDATE.address }, new AbortController().signal);
    expect(outcome).toEqual([{ host: UPDATE.host, family: 'ipv4', outcome: 'failed', error: expect.objectContaining({ kind: 'transient' }) }]);
    expect(provider.calls).toBe(4);
    expect(clock.slept).toEqual([200, 400, 800]);
  });
});
