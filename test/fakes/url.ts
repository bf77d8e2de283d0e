/**
 * A small update service of the kind the `url` provider is for: the token in
 * the path, GET /update/{token}?host=H&ip=IP (one address per request, as
 * most small services take it). Answers `good <ip>`, `nochg <ip>`,
 * `badauth` or `nohost`, as plain text with HTTP 200.
 */
import { httpFake, type ConformanceTable } from '../helpers/conformance.js';
import { send, startFake, type FakeServer, type Recorded } from './server.js';

export interface FakeUrlService extends FakeServer {
  records: Map<string, { ipv4?: string; ipv6?: string }>;
  updates(): Recorded[];
  rateLimitNext(seconds: number): void;
}

export async function startUrlService(options: { token: string; hosts: string[] }): Promise<FakeUrlService> {
  const records = new Map<string, { ipv4?: string; ipv6?: string }>(options.hosts.map((h) => [h, {}]));
  const fake = await startFake((req, res) => {
    const m = /^\/update\/([^/]+)$/.exec(req.url.pathname);
    if (!m) return send(res, 404, 'not found');
    if (decodeURIComponent(m[1] ?? '') !== options.token) return send(res, 200, 'badauth');
    const record = records.get(req.url.searchParams.get('host') ?? '');
    if (!record) return send(res, 200, 'nohost');
    const ip = req.url.searchParams.get('ip') ?? '';
    const family = ip.includes(':') ? 'ipv6' : 'ipv4';
    if (record[family] === ip) return send(res, 200, `nochg ${ip}`);
    record[family] = ip;
    return send(res, 200, `good ${ip}`);
  });
  return Object.assign(fake, {
    records,
    updates: () => fake.requests.filter((r) => r.url.pathname.startsWith('/update/')),
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
        secrets: [urlEntry(fake, TOKEN, [])['url'] as string],
      };
    },
  },
};
