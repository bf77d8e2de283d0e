/**
 * A small update service of the kind the `url` provider is for: one GET per
 * host and address, the token in the path (GET /update/{token}?host=H&ip=IP,
 * as FreeDNS's v2 sync URLs put it there: https://freedns.afraid.org/dynamic/v2/)
 * or in the query (GET /update?token=T&host=H&ip=IP, as DuckDNS takes it:
 * https://www.duckdns.org/spec.jsp). Answers with dyndns2's words as plain
 * text and HTTP 200: `good <ip>`, `nochg <ip>`, `badauth`, `nohost`
 * (https://help.dyn.com/remote-access-api/return-codes/; selfHOST answers its
 * /nic/update so).
 */
import { httpFake, type ConformanceTable } from '../helpers/conformance.js';
import { send, startFake, type FakeServer, type Recorded } from './server.js';

export interface FakeUrlService extends FakeServer {
  records: Map<string, { ipv4?: string; ipv6?: string }>;
  updates(): Recorded[];
  rateLimitNext(seconds: number): void;
}

export interface UrlServiceOptions {
  token: string;
  hosts: string[];
  /** Where the token goes: the path (default) or the `token` query parameter. */
  tokenIn?: 'path' | 'query';
  /**
   * An unknown host gets HTTP 400 with the request's own path and query in the body.
   * guess: no service we know documents this; web servers' and frameworks' default
   * error pages commonly quote the requested URL, and the token with it.
   */
  echoErrors?: boolean;
}

export async function startUrlService(options: UrlServiceOptions): Promise<FakeUrlService> {
  const records = new Map<string, { ipv4?: string; ipv6?: string }>(options.hosts.map((h) => [h, {}]));
  const inQuery = options.tokenIn === 'query';
  const fake = await startFake((req, res) => {
    const m = inQuery ? /^\/update$/.exec(req.url.pathname) : /^\/update\/([^/]+)$/.exec(req.url.pathname);
    if (!m) return send(res, 404, 'not found');
    const token = inQuery ? req.url.searchParams.get('token') : decodeURIComponent(m[1] ?? '');
    if (token !== options.token) return send(res, 200, 'badauth');
    const record = records.get(req.url.searchParams.get('host') ?? '');
    if (!record && options.echoErrors) return send(res, 400, `Bad request: no such host in GET ${req.url.pathname}${req.url.search}`);
    if (!record) return send(res, 200, 'nohost');
    const ip = req.url.searchParams.get('ip') ?? '';
    const family = ip.includes(':') ? 'ipv6' : 'ipv4';
    if (record[family] === ip) return send(res, 200, `nochg ${ip}`);
    record[family] = ip;
    return send(res, 200, `good ${ip}`);
  });
  return Object.assign(fake, {
    records,
    updates: () => fake.requests.filter((r) => r.url.pathname.startsWith('/update')),
    rateLimitNext: (seconds: number) => fake.misbehaveNext(1, { kind: 'answer', status: 429, headers: { 'retry-after': String(seconds) }, body: 'slow down' }),
  });
}

const TOKEN = 'conformance-url-token-9ab2';

/** The entry for this service: the URL template with the token, and its answers' patterns. */
export function urlEntry(fake: FakeServer, token: string, hosts: string[]): Record<string, unknown> {
  return { type: 'url', url: `${fake.url}/update/${token}?host={host}&ip={ip}`, success: '^good ', unchanged: '^nochg ', auth: '^badauth$', refused: '^nohost$', hosts };
}

export const conformance: ConformanceTable = {
  url: {
    async start() {
      const fake = await startUrlService({ token: TOKEN, hosts: ['conform.example.org'] });
      return {
        ...httpFake(fake),
        hosts: ['conform.example.org'],
        entry: (credentials) => urlEntry(fake, credentials === 'right' ? TOKEN : 'wrong-url-token', ['conform.example.org']),
        // The whole template, and the token on its own (an answer may echo it without the rest).
        secrets: [urlEntry(fake, TOKEN, [])['url'] as string, TOKEN],
      };
    },
  },
};
