/**
 * A FreeDNS sync server (the "v2" interface): GET /u/{token}/?address=IP
 * moves the record of that token and answers a sentence. One server stands
 * for both sync.afraid.org and v6.sync.afraid.org (the address says the
 * family). Where each rule comes from:
 *   `Updated <host> from <old> to <new>`: ddclient.in nic_freedns_update (/Updated.*$h.*to.*$ip/),
 *     qdm12/ddns-updater internal/provider/providers/freedns/provider.go ("updated ").
 *   `No IP change detected for <host> with IP <ip>, skipping update`: qdm12/ddns-updater freedns/provider.go.
 *   guess: an unknown token gets a 404 page; a deleted record's token says no record matches.
 *   guess: a record FreeDNS keeps at another address (`kept`) is reported at that address.
 */
import { httpFake, type ConformanceTable } from '../helpers/conformance.js';
import { send, startFake, type FakeServer, type Recorded } from './server.js';

export interface FreednsRecord {
  host: string;
  address?: string;
}

export interface FakeFreedns extends FakeServer {
  /** Records by token. */
  records: Map<string, FreednsRecord>;
  /** Tokens of records that were deleted. */
  deleted: Set<string>;
  /** Records that stay at this address whatever is sent: the answer names it (by token). */
  kept: Map<string, string>;
  updates(): Recorded[];
  rateLimitNext(seconds: number): void;
}

export async function startFreedns(tokens: Record<string, string>): Promise<FakeFreedns> {
  const records = new Map<string, FreednsRecord>(Object.entries(tokens).map(([token, host]) => [token, { host }]));
  const deleted = new Set<string>();
  const kept = new Map<string, string>();
  const fake = await startFake((req, res) => {
    const m = /^\/u\/([^/]+)\/$/.exec(req.url.pathname);
    const token = m ? decodeURIComponent(m[1] ?? '') : '';
    if (deleted.has(token)) return send(res, 200, "ERROR: Couldn't find any matching DNS records for this token");
    const record = records.get(token);
    if (!record) return send(res, 404, '<html><body>404 Not Found</body></html>', { 'content-type': 'text/html' });
    const address = kept.get(token) ?? req.url.searchParams.get('address') ?? '203.0.113.99';
    if (record.address === address) return send(res, 200, `No IP change detected for ${record.host} with IP ${address}, skipping update`);
    const old = record.address ?? '0.0.0.0';
    record.address = address;
    return send(res, 200, `Updated ${record.host} from ${old} to ${address}`);
  });
  return Object.assign(fake, {
    records,
    deleted,
    kept,
    updates: () => fake.requests.filter((r) => r.url.pathname.startsWith('/u/')),
    rateLimitNext: (seconds: number) => fake.misbehaveNext(1, { kind: 'answer', status: 429, headers: { 'retry-after': String(seconds) }, body: 'Too many requests' }),
  });
}

const TOKEN4 = 'Q29uZm9ybWFuY2VBcmVjb3JkOjEyMzQ1';
const TOKEN6 = 'Q29uZm9ybWFuY2VBQUFBcmVjb3JkOjY3ODk';

export const conformance: ConformanceTable = {
  freedns: {
    async start() {
      const fake = await startFreedns({ [TOKEN4]: 'conform.mooo.com', [TOKEN6]: 'conform.mooo.com' });
      return {
        ...httpFake(fake),
        hosts: ['conform.mooo.com'],
        entry: (credentials) => ({
          type: 'freedns',
          endpoint: fake.url,
          ipv6_endpoint: fake.url,
          token: credentials === 'right' ? TOKEN4 : 'd3JvbmctdG9rZW4tNA',
          ipv6_token: credentials === 'right' ? TOKEN6 : 'd3JvbmctdG9rZW4tNg',
          hosts: ['conform.mooo.com'],
        }),
        secrets: [TOKEN4, TOKEN6],
      };
    },
  },
};
