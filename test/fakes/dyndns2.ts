/**
 * A dyndns2 server (No-IP and friends) following the documented protocol:
 * GET /nic/update?hostname=h1,h2&myip=IPv4[,IPv6] with HTTP Basic auth and a
 * User-Agent naming the client. One answer line per host: `good <ip>`,
 * `nochg <ip>`, or a failure code. Credentials and the agent are judged for
 * the whole request (one line), hosts one by one.
 */
import { httpFake, type Conformance, type ConformanceTable } from '../helpers/conformance.js';
import { send, startFake, type FakeServer, type Recorded } from './server.js';

export interface DynRecord {
  ipv4?: string;
  ipv6?: string;
}

export interface FakeDyndns2 extends FakeServer {
  records: Map<string, DynRecord>;
  /** Update requests only (path /nic/update). */
  updates(): Recorded[];
  /** Answer this code for a host instead of updating it (nohost, abuse, 911, dnserr, …). */
  answers: Map<string, string>;
  /** Answer the next N requests with this status and body instead of the protocol. */
  failNext(count: number, status: number, body: string, headers?: Record<string, string>): void;
}

/** What the server accepts as a client's User-Agent: `name/version contact`. */
const AGENT = /^[A-Za-z0-9._-]+\/\d+\.\d+\.\d+ \S+$/;

export async function startDyndns2(options: {
  username: string;
  password: string;
  hosts: string[];
  maxHosts?: number;
  latencyMs?: number;
  /** The User-Agents accepted; default `name/x.y.z contact`. */
  agent?: RegExp;
}): Promise<FakeDyndns2> {
  const records = new Map<string, DynRecord>(options.hosts.map((h) => [h, {}]));
  const answers = new Map<string, string>();
  const failures: { status: number; headers: Record<string, string>; body: string }[] = [];
  const expected = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  const fake = await startFake((req, res) => {
    const failure = failures.shift();
    if (failure) return send(res, failure.status, failure.body, failure.headers);
    if (req.url.pathname !== '/nic/update') return send(res, 404, 'not found');
    if (req.headers.authorization !== expected) return send(res, 401, 'badauth', { 'www-authenticate': 'Basic realm="update"' });
    if (!(options.agent ?? AGENT).test(req.headers['user-agent'] ?? '')) return send(res, 200, 'badagent');
    const hosts = (req.url.searchParams.get('hostname') ?? '').split(',').filter(Boolean);
    if (hosts.length > (options.maxHosts ?? 20)) return send(res, 200, 'numhost');
    const ips = (req.url.searchParams.get('myip') ?? '').split(',').filter(Boolean);
    const ipv4 = ips.find((ip) => !ip.includes(':'));
    const ipv6 = ips.find((ip) => ip.includes(':'));
    const lines = hosts.map((host) => {
      const forced = answers.get(host);
      if (forced) return forced;
      if (!host.includes('.')) return 'notfqdn';
      const record = records.get(host);
      if (!record) return 'nohost';
      let changed = false;
      if (ipv4 && record.ipv4 !== ipv4) [record.ipv4, changed] = [ipv4, true];
      if (ipv6 && record.ipv6 !== ipv6) [record.ipv6, changed] = [ipv6, true];
      return `${changed ? 'good' : 'nochg'} ${[record.ipv4, record.ipv6].filter(Boolean).join(',')}`;
    });
    return send(res, 200, `${lines.join('\n')}\n`);
  }, '127.0.0.1', { latencyMs: options.latencyMs ?? 0 });
  return Object.assign(fake, {
    records,
    answers,
    updates: () => fake.requests.filter((r) => r.url.pathname === '/nic/update'),
    failNext(count: number, status: number, body: string, headers: Record<string, string> = {}) {
      for (let i = 0; i < count; i++) failures.push({ status, headers, body });
    },
  });
}

const DYN_USER = 'conformance-user';
const DYN_PASSWORD = 'conformance-dyn-pass-51c9';

/** A dyndns2 preset's row: the same fake, the entry with the preset's type. */
function dyndns2Row(type: string): Conformance {
  return {
    async start() {
      const fake = await startDyndns2({ username: DYN_USER, password: DYN_PASSWORD, hosts: ['conform.example.net'] });
      return {
        ...httpFake(fake),
        hosts: ['conform.example.net'],
        entry: (credentials) => ({
          type,
          endpoint: fake.url,
          username: DYN_USER,
          password: credentials === 'right' ? DYN_PASSWORD : 'wrong-dyn-pass-0000',
          hosts: ['conform.example.net'],
        }),
        secrets: [DYN_PASSWORD],
      };
    },
  };
}

export const conformance: ConformanceTable = { noip: dyndns2Row('noip'), dyndns2: dyndns2Row('dyndns2') };
