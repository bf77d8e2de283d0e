/** The copy-me adapter (providers/_example/) passes the conformance suite, as a real provider must, and finds zones the way the REST adapters do. */
import { afterEach, describe, expect, it } from 'vitest';
import example from '../../providers/_example/index.js';
import { createDnsClient } from '../../src/base/dns.js';
import { createHttpClient } from '../../src/base/http.js';
import { silentLogger } from '../../src/base/log.js';
import { PROVIDERS } from '../helpers/providers.js';
import { exampleConformance, startExample, type FakeExample } from '../fakes/example.js';
import { conformanceSuite } from '../helpers/conformance-suite.js';
import { fakeClock } from '../helpers/clock.js';

describe('the example adapter', () => {
  conformanceSuite('example', exampleConformance.example, [...PROVIDERS, example]);
});

describe('the example adapter on the kit', () => {
  let fake: FakeExample | undefined;
  afterEach(async () => {
    await fake?.close();
  });

  const adapter = (endpoint: string, extra: Record<string, unknown> = {}) =>
    example.create(example.schema.parse({ type: 'example', endpoint, token: 'example-token', hosts: ['office.branch.example.com'], ...extra }), {
      http: createHttpClient({ userAgent: 'ddnsd-test' }),
      dns: createDnsClient({ timeoutMs: 5000 }),
      clock: fakeClock(),
      log: silentLogger,
    });
  const update = {
    updates: [{ host: 'office.branch.example.com', family: 'ipv4' as const, address: '198.51.100.7' }],
    addresses: { ipv4: '198.51.100.7' },
    signal: new AbortController().signal,
  };
  const calls = (f: FakeExample): string[] => f.requests.map((r) => `${r.method} ${r.url.pathname}`);

  it('finds the zone from the parent names once, writes a relative name, then sends nothing while the record holds the address', async () => {
    fake = await startExample({ token: 'example-token', zone: 'example.com' });
    const provider = adapter(fake.url);
    expect((await provider.update(update)).map((r) => r.outcome)).toEqual(['updated']);
    expect(calls(fake)).toEqual([
      'GET /zones/office.branch.example.com',
      'GET /zones/branch.example.com',
      'GET /zones/example.com',
      'GET /zones/example.com/records',
      'POST /zones/example.com/records',
    ]);
    expect(fake.records.get('example.com office.branch A')?.content).toBe('198.51.100.7');
    fake.requests.length = 0;
    expect((await provider.update(update)).map((r) => r.outcome)).toEqual(['unchanged']);
    expect(calls(fake)).toEqual(['GET /zones/example.com/records']);
  });

  it('a host in no zone the token sees fails alone, naming the fix', async () => {
    fake = await startExample({ token: 'example-token', zone: 'example.org' });
    const [result] = await adapter(fake.url).update(update);
    expect(result).toMatchObject({ outcome: 'failed' });
    expect(result?.outcome === 'failed' && result.error.kind).toBe('fatal');
    expect(result?.outcome === 'failed' && result.error.message).toMatch(/no zone for office\.branch\.example\.com.*set zone/);
  });
});
