/**
 * ClouDNS dynamic URLs: GET /api/dynamicURL/?q=TOKEN[&ip=IP] moves the
 * record of that token. One server stands for ipv4.cloudns.net and
 * ipv6.cloudns.net. Where each rule comes from:
 *   the URL and the source address when none is named: https://www.cloudns.net/wiki/article/36/
 *     (as quoted in ddclient.in nic_cloudns_update).
 *   guess: `&ip=` names the address (ddclient sends X-Forwarded-For with &proxy=1 instead).
 *   guess: `OK` for success; ClouDNS documents no answers (ddclient.in nic_cloudns_update says so).
 *   `Invalid request.` and `The record's key is wrong!`: the refusals ddclient.in nic_cloudns_update fails on.
 */
import { httpFake, type ConformanceTable } from '../helpers/conformance.js';
import { send, startFake, type FakeServer, type Recorded } from './server.js';

export interface FakeCloudns extends FakeServer {
  /** Records by token: the host and its address. */
  records: Map<string, { host: string; address?: string }>;
  updates(): Recorded[];
  rateLimitNext(seconds: number): void;
  /** Tokens whose key ClouDNS answers as wrong. */
  wrongKeys: Set<string>;
}

export async function startCloudns(tokens: Record<string, string>): Promise<FakeCloudns> {
  const records = new Map(Object.entries(tokens).map(([token, host]): [string, { host: string; address?: string }] => [token, { host }]));
  const wrongKeys = new Set<string>();
  const fake = await startFake((req, res) => {
    if (req.url.pathname !== '/api/dynamicURL/') return send(res, 404, 'not found');
    if (wrongKeys.has(req.url.searchParams.get('q') ?? '')) return send(res, 200, "The record's key is wrong!");
    const record = records.get(req.url.searchParams.get('q') ?? '');
    if (!record) return send(res, 200, 'Invalid request.');
    record.address = req.url.searchParams.get('ip') ?? '127.0.0.1';
    return send(res, 200, 'OK');
  });
  return Object.assign(fake, {
    records,
    wrongKeys,
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
