/**
 * A dyndns2 server (No-IP and friends) following the documented protocol:
 * GET /nic/update?hostname=h1,h2&myip=IPv4[,IPv6] with HTTP Basic auth and a
 * User-Agent naming the client. One answer line per host: `good <ip>`,
 * `nochg <ip>`, or a failure code. Credentials and the agent are judged for
 * the whole request (one line), hosts one by one.
 */
import { httpFake, type Conformance, type ConformanceTable } from '../helpers/conformance.js';
import { PRESETS, type Variant } from '../../providers/dyndns2/presets.js';
import { send, startFake, type FakeServer, type Handler, type Recorded } from './server.js';

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

export interface Dyndns2Options {
  /** The login (auth `basic`). */
  username?: string;
  password?: string;
  /** Keys by host (auth `basic-host`, the host as username) or one key for all (`param`). */
  keys?: Record<string, string>;
  hosts: string[];
  maxHosts?: number;
  latencyMs?: number;
  /** The User-Agents accepted; default `name/x.y.z contact`. */
  agent?: RegExp;
  /** The service's variant of the protocol (default the standard one). */
  variant?: Variant;
  /** HTTP statuses some services send with a code (`badauth` 401, `nohost` 404); default badauth 401. */
  statuses?: Record<string, number>;
  /** What a successful update that changed nothing answers (deSEC: `good` as for any other). */
  unchangedAnswer?: string;
}

/** Whether the request carries the credential the variant asks for, for these hosts. */
function authorized(req: Recorded, options: Dyndns2Options, hosts: string[]): boolean {
  const auth = options.variant?.auth ?? 'basic';
  const basic = (user: string, pass: string) => req.headers.authorization === `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  if (typeof auth === 'object') return Object.values(options.keys ?? {}).includes(req.url.searchParams.get(auth.param) ?? '');
  if (auth === 'basic-host') return hosts.length === 1 && hosts[0] !== undefined && basic(hosts[0], options.keys?.[hosts[0]] ?? '');
  return basic(options.username ?? '', options.password ?? '');
}

/** The addresses of a request, by family; `preserve` for a family the client asked to keep, null for one to delete. */
function requestedAddresses(q: URLSearchParams, variant: Variant | undefined): Record<'ipv4' | 'ipv6', string | null | undefined> {
  const params = variant?.addressParams ?? 'myip';
  if (params === 'myip') {
    const ips = (q.get('myip') ?? '').split(',').filter(Boolean);
    if (variant?.familiesPerRequest === 'one' && ips.length > 1) throw new Error('one address per request');
    return { ipv4: ips.find((ip) => !ip.includes(':')), ipv6: ips.find((ip) => ip.includes(':')) };
  }
  // A service that deletes an omitted family (deSEC) has preserveOmitted: absent means delete.
  const read = (name: string) => q.get(name) ?? (variant?.preserveOmitted ? null : undefined);
  return { ipv4: read(params.ipv4), ipv6: read(params.ipv6) };
}

/** Applies one host's addresses: the answer line. */
function applyTo(record: DynRecord, wanted: Record<'ipv4' | 'ipv6', string | null | undefined>, unchanged: string): string {
  let changed = false;
  for (const family of ['ipv4', 'ipv6'] as const) {
    const value = wanted[family];
    if (value === undefined || value === 'preserve') continue;
    if (value === null) {
      if (record[family] !== undefined) {
        delete record[family];
        changed = true;
      }
    } else if (record[family] !== value) [record[family], changed] = [value, true];
  }
  return `${changed ? 'good' : unchanged} ${[record.ipv4, record.ipv6].filter(Boolean).join(',')}`;
}

export async function startDyndns2(options: Dyndns2Options): Promise<FakeDyndns2> {
  const records = new Map<string, DynRecord>(options.hosts.map((h) => [h, {}]));
  const answers = new Map<string, string>();
  const failures: { status: number; headers: Record<string, string>; body: string }[] = [];
  const path = options.variant?.path ?? '/nic/update';
  const code = (status: number, body: string) => (res: Parameters<Handler>[1]) => send(res, options.statuses?.[body] ?? status, body);
  const fake = await startFake((req, res) => {
    const failure = failures.shift();
    if (failure) return send(res, failure.status, failure.body, failure.headers);
    if (req.url.pathname !== path) return send(res, 404, 'not found');
    const q = req.url.searchParams;
    const hosts = (q.get('hostname') ?? '').split(',').filter(Boolean);
    if (!authorized(req, options, hosts)) {
      return send(res, options.statuses?.badauth ?? 401, 'badauth', { 'www-authenticate': 'Basic realm="update"' });
    }
    if (!(options.agent ?? AGENT).test(req.headers['user-agent'] ?? '')) return code(200, 'badagent')(res);
    const most = options.variant?.hostsPerRequest === 'one' ? 1 : (options.maxHosts ?? 20);
    if (hosts.length > most) return code(200, 'numhost')(res);
    for (const [name, value] of Object.entries(options.variant?.fixedParams ?? {})) {
      if (q.get(name) !== value) return send(res, 400, `missing ${name}=${value}`);
    }
    let wanted: ReturnType<typeof requestedAddresses>;
    try {
      wanted = requestedAddresses(q, options.variant);
    } catch (error) {
      return send(res, 400, (error as Error).message);
    }
    const lines = hosts.map((host) => {
      const forced = answers.get(host);
      if (forced) return forced;
      if (!host.includes('.')) return 'notfqdn';
      const record = records.get(host);
      return record ? applyTo(record, wanted, options.unchangedAnswer ?? 'nochg') : 'nohost';
    });
    if (lines.length === 1 && options.statuses?.[lines[0] ?? ''] !== undefined) return code(200, lines[0] ?? '')(res);
    return send(res, 200, `${lines.join('\n')}\n`);
  }, '127.0.0.1', { latencyMs: options.latencyMs ?? 0 });
  return Object.assign(fake, {
    records,
    answers,
    updates: () => fake.requests.filter((r) => r.url.pathname === path),
    failNext(count: number, status: number, body: string, headers: Record<string, string> = {}) {
      for (let i = 0; i < count; i++) failures.push({ status, headers, body });
    },
  });
}

const DYN_USER = 'conformance-user';
const DYN_PASSWORD = 'conformance-dyn-pass-51c9';
const CONFORM_HOST = 'conform.example.net';

/** A dyndns2 preset's row: the fake speaking the preset's variant, the entry with the preset's type. */
function dyndns2Row(type: string): Conformance {
  const preset = PRESETS.find((p) => p.type === type);
  const variant = preset?.variant;
  const login = (variant?.auth ?? 'basic') === 'basic';
  return {
    async start() {
      const fake = await startDyndns2({ username: DYN_USER, password: DYN_PASSWORD, keys: { [CONFORM_HOST]: DYN_PASSWORD }, hosts: [CONFORM_HOST], ...(variant ? { variant } : {}) });
      const secret = (credentials: 'right' | 'wrong') => (credentials === 'right' ? DYN_PASSWORD : 'wrong-dyn-pass-0000');
      return {
        ...httpFake(fake),
        hosts: [CONFORM_HOST],
        entry: (credentials) => ({
          type,
          endpoint: fake.url,
          ...(login ? { username: DYN_USER, password: secret(credentials) } : { key: secret(credentials) }),
          hosts: [CONFORM_HOST],
        }),
        secrets: [DYN_PASSWORD],
      };
    },
  };
}

export const conformance: ConformanceTable = Object.fromEntries(PRESETS.map((p) => [p.type, dyndns2Row(p.type)]));
