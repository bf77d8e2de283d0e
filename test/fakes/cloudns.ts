/**
 * ClouDNS dynamic URLs: GET /api/dynamicURL/?q=TOKEN[&ip=IP] moves the
 * record of that token (to `ip`, else to the address the request came
 * from) and answers `OK`; an unknown token gets `Invalid request.` One
 * server stands for ipv4.cloudns.net and ipv6.cloudns.net.
 */
import { httpFake, type ConformanceTable } from '../helpers/conformance.js';
import { send, startFake, type FakeServer, type Recorded } from './server.js';

export interface FakeCloudns extends FakeServer {
  /** Records by token: the host and its address. */
  records: Map<string, { host: string; address?: string }>;
  updates(): Recorded[];
  rateLimitNext(seconds: number): void;
}

export async function startCloudns(tokens: Record<string, string>): Promise<FakeCloudns> {
  const records = new Map(Object.entries(tokens).map(([token, host]): [string, { host: string; address?: string }] => [token, { host }]));
  const fake = await startFake((req, res) => {
    if (req.url.pathname !== '/api/dynamicURL/') return send(res, 404, 'not found');
    const record = records.get(req.url.searchParams.get('q') ?? '');
    if (!record) return send(res, 200, 'Invalid request.');
    record.address = req.url.searchParams.get('ip') ?? '127.0.0.1';
    return send(res, 200, 'OK');
  });
  return Object.assign(fake, {
    records,
    updates: () => fake.requests.filter((r) => r.url.pathname === '/api/dynamicURL/'),
    rateLimitNext: (seconds: number) => fake.misbehaveNext(1, { kind: 'answer', status: 429, headers: { 'retry-after': String(seconds) }, body: 'Too many requests' }),
  });
}

const TOKEN4 = 'Y29uZm9ybWFuY2UtY2xvdWRucy1B';
const TOKEN6 = 'Y29uZm9ybWFuY2UtY2xvdWRucy1BQUFB';

export const conformance: ConformanceTable = {
  cloudns: {
    async start() {
      const fake = await startCloudns({ [TOKEN4]: 'conform.cloudns.ph', [TOKEN6]: 'conform.cloudns.ph' });
      return {
        ...httpFake(fake),
        hosts: ['conform.cloudns.ph'],
        entry: (credentials) => ({
          type: 'cloudns',
          endpoint: fake.url,
          ipv6_endpoint: fake.url,
          token: credentials === 'right' ? TOKEN4 : 'wrong-cloudns-4',
          ipv6_token: credentials === 'right' ? TOKEN6 : 'wrong-cloudns-6',
          hosts: ['conform.cloudns.ph'],
        }),
        secrets: [TOKEN4, TOKEN6],
      };
    },
  },
};
