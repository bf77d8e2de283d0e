/**
 * Namecheap's dynamic DNS server: GET /update?host=H&domain=D&password=P&ip=A
 * answers HTTP 200 with an XML <interface-response>. Where each rule comes from:
 *   the request: https://www.namecheap.com/support/knowledgebase/article.aspx/29/11/
 *     (how to use the browser to dynamically update the host's IP); ddclient.in nic_namecheap_update.
 *   <ErrCount>0</ErrCount> and <IP> on success: ddclient.in nic_namecheap_update (/<ErrCount>0/),
 *     qdm12/ddns-updater internal/provider/providers/namecheap/provider.go (errors.Err1, IP).
 *   guess: the words of <Err1> (`Passwords do not match`, `No Records updated. A record not Found;`,
 *     `Domain name not found`), as users report them; no peer client reads them.
 *   guess: IPv4 only, an IPv6 address is refused (Namecheap's dynamic DNS sets A records).
 */
import { httpFake, type ConformanceTable } from '../helpers/conformance.js';
import { send, startFake, type FakeServer, type Recorded } from './server.js';

export interface FakeNamecheap extends FakeServer {
  /** A records by full name. */
  records: Map<string, string | undefined>;
  updates(): Recorded[];
  rateLimitNext(seconds: number): void;
}

function response(ip: string | undefined, errors: string[]): string {
  const errs = errors.length === 0 ? '<errors />' : `<errors>${errors.map((e, i) => `<Err${i + 1}>${e}</Err${i + 1}>`).join('')}</errors>`;
  return `<?xml version="1.0" encoding="utf-16"?>
<interface-response>
  <Command>SETDNSHOST</Command>
  <Language>eng</Language>
  ${ip === undefined ? '' : `<IP>${ip}</IP>`}
  <ErrCount>${errors.length}</ErrCount>
  ${errs}
  <ResponseCount>${errors.length}</ResponseCount>
  <Done>true</Done>
  <debug><![CDATA[]]></debug>
</interface-response>`;
}

export async function startNamecheap(options: { domain: string; password: string; hosts: string[] }): Promise<FakeNamecheap> {
  const records = new Map<string, string | undefined>(options.hosts.map((h) => [h, undefined]));
  const fake = await startFake((req, res) => {
    if (req.url.pathname !== '/update') return send(res, 404, 'not found');
    const q = req.url.searchParams;
    const xml = (ip: string | undefined, errors: string[]) => send(res, 200, response(ip, errors), { 'content-type': 'text/html; charset=utf-8' });
    if (q.get('domain') !== options.domain) return xml(undefined, ['Domain name not found']);
    if (q.get('password') !== options.password) return xml(undefined, ['Passwords do not match']);
    const host = q.get('host') === '@' ? options.domain : `${q.get('host')}.${options.domain}`;
    const ip = q.get('ip') ?? '';
    if (ip.includes(':')) return xml(undefined, ['Invalid IP']);
    if (!records.has(host)) return xml(undefined, ['No Records updated. A record not Found;']);
    records.set(host, ip);
    return xml(ip, []);
  });
  return Object.assign(fake, {
    records,
    updates: () => fake.requests.filter((r) => r.url.pathname === '/update'),
    rateLimitNext: (seconds: number) => fake.misbehaveNext(1, { kind: 'answer', status: 429, headers: { 'retry-after': String(seconds) }, body: 'Too Many Requests' }),
  });
}

const PASSWORD = 'conformancenamecheap0d1e2f3a4b5c';

export const conformance: ConformanceTable = {
  namecheap: {
    families: ['ipv4'],
    async start() {
      const fake = await startNamecheap({ domain: 'conform.example', password: PASSWORD, hosts: ['office.conform.example'] });
      return {
        ...httpFake(fake),
        hosts: ['office.conform.example'],
        entry: (credentials) => ({
          type: 'namecheap',
          endpoint: fake.url,
          domain: 'conform.example',
          password: credentials === 'right' ? PASSWORD : 'wrongnamecheappassword000',
          hosts: ['office.conform.example'],
        }),
        secrets: [PASSWORD],
      };
    },
  },
};
