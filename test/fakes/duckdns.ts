/**
 * A DuckDNS server. Where each rule comes from (https://www.duckdns.org/spec.jsp unless named):
 *   GET /update?domains=a,b&token=T[&ip=][&ipv6=][&verbose=true]: `domains` is a comma-separated
 *     list of subnames, so one request carries every host (also ddclient.in nic_duckdns_update).
 *   `OK`, and with verbose=true the addresses and UPDATED or NOCHANGE on the lines after it.
 *   `KO`: a wrong token or a domain that is not the account's.
 *   Not modelled: without `ip` DuckDNS detects the IPv4 address itself (spec: "if left blank we detect").
 */
import { httpFake, type ConformanceTable } from '../helpers/conformance.js';
import { send, startFake, type FakeServer } from './server.js';

export interface DuckRecord {
  ipv4?: string;
  ipv6?: string;
}

export interface FakeDuckDns extends FakeServer {
  records: Map<string, DuckRecord>;
  /** Update requests only (path /update). */
  updates(): FakeServer['requests'];
  /** Answer the next N requests with this status (and headers) instead of the protocol. */
  failNext(count: number, status: number, headers?: Record<string, string>, body?: string): void;
}

export async function startDuckDns(options: { token: string; domains: string[]; latencyMs?: number }): Promise<FakeDuckDns> {
  const records = new Map<string, DuckRecord>(options.domains.map((d) => [d, {}]));
  const fake = await startFake(
    (req, res) => {
      if (req.url.pathname !== '/update') return send(res, 404, 'not found');
      const q = req.url.searchParams;
      const domains = (q.get('domains') ?? '').split(',').filter(Boolean);
      if (q.get('token') !== options.token || domains.length === 0 || domains.some((d) => !records.has(d))) {
        return send(res, 200, 'KO');
      }
      const ipv4 = q.get('ip') ?? undefined;
      const ipv6 = q.get('ipv6') ?? undefined;
      let changed = false;
      for (const d of domains) {
        const r = records.get(d) ?? {};
        if (ipv4 && r.ipv4 !== ipv4) {
          r.ipv4 = ipv4;
          changed = true;
        }
        if (ipv6 && r.ipv6 !== ipv6) {
          r.ipv6 = ipv6;
          changed = true;
        }
        records.set(d, r);
      }
      if (q.get('verbose') !== 'true') return send(res, 200, 'OK');
      return send(res, 200, `OK\n${ipv4 ?? ''}\n${ipv6 ?? ''}\n${changed ? 'UPDATED' : 'NOCHANGE'}`);
    },
    '127.0.0.1',
    { latencyMs: options.latencyMs ?? 0 },
  );
  return Object.assign(fake, {
    records,
    updates: () => fake.requests.filter((r) => r.url.pathname === '/update'),
    failNext(count: number, status: number, headers: Record<string, string> = {}, body = 'server trouble') {
      fake.misbehaveNext(count, { kind: 'answer', status, headers, body });
    },
  });
}

const DUCK_TOKEN = 'conformance-duck-token-7d31';

export const conformance: ConformanceTable = {
  duckdns: {
    async start() {
      const fake = await startDuckDns({ token: DUCK_TOKEN, domains: ['conform'] });
      return {
        ...httpFake(fake),
        hosts: ['conform.duckdns.org'],
        entry: (credentials) => ({ type: 'duckdns', endpoint: fake.url, token: credentials === 'right' ? DUCK_TOKEN : 'wrong-duck-token-0000', hosts: ['conform'] }),
        secrets: [DUCK_TOKEN],
      };
    },
  },
};
