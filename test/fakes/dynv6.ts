/**
 * A dynv6 server. Where each rule comes from:
 *   GET /api/update?zone=Z&token=T[&ipv4=][&ipv6=], `hostname` for `zone`, a family not sent is kept:
 *     https://dynv6.com/docs/apis ("Update API": "If empty or unset, the current … address is kept unchanged").
 *   `addresses updated` / `addresses unchanged`: the answers the Synology module in
 *     gist CyBiS/60a11d6995e5055010bb45cc95e0c9a9 matches on.
 *   guess: 401 `invalid authentication token`, 404 `zone not found` (not documented on that page).
 */
import { httpFake, type ConformanceTable } from '../helpers/conformance.js';
import { send, startFake, type FakeServer, type Recorded } from './server.js';

export interface FakeDynv6 extends FakeServer {
  zones: Map<string, { ipv4?: string; ipv6?: string }>;
  updates(): Recorded[];
  rateLimitNext(seconds: number): void;
}

export async function startDynv6(options: { token: string; zones: string[] }): Promise<FakeDynv6> {
  const zones = new Map<string, { ipv4?: string; ipv6?: string }>(options.zones.map((z) => [z, {}]));
  const fake = await startFake((req, res) => {
    if (req.url.pathname !== '/api/update') return send(res, 404, 'not found');
    const q = req.url.searchParams;
    if (q.get('token') !== options.token) return send(res, 401, 'invalid authentication token');
    const zone = zones.get(q.get('zone') ?? q.get('hostname') ?? '');
    if (!zone) return send(res, 404, 'zone not found');
    let changed = false;
    for (const family of ['ipv4', 'ipv6'] as const) {
      const value = q.get(family);
      if (value && zone[family] !== value) [zone[family], changed] = [value, true];
    }
    return send(res, 200, changed ? 'addresses updated' : 'addresses unchanged');
  });
  return Object.assign(fake, {
    zones,
    updates: () => fake.requests.filter((r) => r.url.pathname === '/api/update'),
    rateLimitNext: (seconds: number) => fake.misbehaveNext(1, { kind: 'answer', status: 429, headers: { 'retry-after': String(seconds) }, body: 'rate limit exceeded' }),
  });
}

const TOKEN = 'conformance-dynv6-token-33e0';

export const conformance: ConformanceTable = {
  dynv6: {
    async start() {
      const fake = await startDynv6({ token: TOKEN, zones: ['conform.dynv6.net'] });
      return {
        ...httpFake(fake),
        hosts: ['conform.dynv6.net'],
        entry: (credentials) => ({ type: 'dynv6', endpoint: fake.url, token: credentials === 'right' ? TOKEN : 'wrong-dynv6-token', hosts: ['conform.dynv6.net'] }),
        secrets: [TOKEN],
      };
    },
  },
};
