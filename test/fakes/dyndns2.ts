/**
 * A dyndns2 server (No-IP, Dyn, and the presets' services) as the services
 * document it: GET /nic/update?hostname=h1,h2&myip=IPv4[,IPv6] with HTTP
 * Basic auth and a User-Agent naming the client. One answer line per host:
 * `good <ip>`, `nochg <ip>`, or a failure code. Credentials and the agent are
 * judged for the whole request (one line), hosts one by one. Each rule below
 * names where it comes from:
 *   [dyn]     https://help.dyn.com/remote-access-api/ (perform-update, return-codes)
 *   [noip]    https://www.noip.com/integrate/request and /integrate/response
 *   [desec]   desec-stack docs/dyndns/update-api.rst, docs/rate-limits.rst, api/api/settings.py
 *   [ipv64]   https://ipv64.net/dyndns_updater_api
 *   [dynu]    https://www.dynu.com/DynamicDNS/IP-Update-Protocol; ddclient.in nic_dynu_update, t/protocol_dynu.pl
 *   [ovh]     ovh/docs pages/web_cloud/domains/dns_dynhost/guide.*.md
 *   [he]      https://dns.he.net/docs.html (dynamic DNS: the hostname as username, the record's key, one myip)
 *   [ddclient] ddclient t/protocol_dyndns2.pl
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

/** [dyn] "a well-formed user agent": `name/version contact`, the default accepted form. */
const AGENT = /^[A-Za-z0-9._-]+\/\d+\.\d+\.\d+ \S+$/;

/** [noip] "Company NameOfProgram/OSVersion-ReleaseVersion maintainer-contact@example.com". */
export const NOIP_AGENT = /^\S+ [A-Za-z0-9._-]+\/\S+-\d+\.\d+\.\d+ [^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The request's own source address: what a service takes when no address is sent. Always loopback here. */
export const SOURCE_IPV4 = '127.0.0.1';

export interface Dyndns2Options {
  /** The login (auth `basic`). */
  username?: string;
  password?: string;
  /** Keys by host (auth `basic-host`, the host as username) or one key for all (`param`). */
  keys?: Record<string, string>;
  hosts: string[];
  /** [dyn] numhost: more than 20 hosts in one request. */
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
  /** [dynu] A missing `myip` means the request's source IPv4; `myip=no` leaves the A record alone. */
  sourceWhenMissing?: boolean;
  /** [ipv64] Answers as JSON, `{"info":"good","status":"success"}`, instead of lines. */
  json?: boolean;
  /** [desec] Updates allowed per domain within the window, counted on this clock; over it: 429 with Retry-After. */
  perDomain?: { count: number; windowMs: number; now?: () => number; domainOf: (host: string) => string };
}

/** Whether the request carries the credential the variant asks for, for these hosts. */
function authorized(req: Recorded, options: Dyndns2Options, hosts: string[]): boolean {
  const auth = options.variant?.auth ?? 'basic';
  const header = req.headers.authorization ?? '';
  if (typeof auth === 'object') return Object.values(options.keys ?? {}).includes(req.url.searchParams.get(auth.param) ?? '');
  const [user, pass] = Buffer.from(header.replace(/^Basic /, ''), 'base64')
    .toString()
    .split(/:(.*)/s);
  if (auth === 'basic-host') {
    // Hurricane Electric: one key per record, one host per request. [desec] one token per account:
    // the Basic username names a host, and every host of the request must be the token's.
    const one = options.variant?.hostsPerRequest === 'one';
    if (one && hosts.length !== 1) return false;
    return user !== undefined && hosts.includes(user) && hosts.every((h) => options.keys?.[h] === pass);
  }
  return user === (options.username ?? '') && pass === (options.password ?? '');
}

type Wanted = Record<'ipv4' | 'ipv6', string | null | undefined>;

/** The addresses of a request, by family; `preserve` for a family the client asked to keep, null for one to delete. */
function requestedAddresses(q: URLSearchParams, options: Dyndns2Options): Wanted {
  const variant = options.variant;
  const params = variant?.addressParams ?? 'myip';
  if (params === 'myip') {
    const ips = (q.get('myip') ?? '').split(',').filter(Boolean);
    // [he] [ovh] one address per myip.
    if (variant?.familiesPerRequest === 'one' && ips.length > 1) throw new Error('one address per request');
    return { ipv4: ips.find((ip) => !ip.includes(':')), ipv6: ips.find((ip) => ip.includes(':')) };
  }
  // [desec] an omitted family is deleted, `preserve` keeps it; a value is read as deSEC reads a list.
  const read = (name: string, family: 'ipv4' | 'ipv6') => {
    const value = q.get(name);
    if (!variant?.preserveOmitted) return value ?? undefined;
    return value === null ? null : (desecValue(value, family === 'ipv4' ? '.' : ':') ?? null);
  };
  const wanted: Wanted = { ipv4: read(params.ipv4, 'ipv4'), ipv6: read(params.ipv6, 'ipv6') };
  // [dynu] without myip Dynu takes the source address; myip=no leaves the A record as it is.
  if (options.sourceWhenMissing && wanted.ipv4 === undefined) wanted.ipv4 = SOURCE_IPV4;
  if (wanted.ipv4 === 'no') wanted.ipv4 = undefined;
  return wanted;
}

/**
 * [desec] One address parameter as desec-stack reads it (api/desecapi/views/dyndns.py,
 * _get_action_from_param; docs/dyndns/update-api.rst "Multiple IP addresses may be given as a
 * comma-separated list", "IP deletion can also be forced by providing an empty value"): the
 * comma-separated items of this family (by `.` or `:`), `preserve` or empty; one record per
 * address, kept as a set (here sorted, comma-joined); null deletes; a list with `preserve` or an
 * empty item is refused with 400. Undefined: nothing of this family in it.
 */
function desecValue(value: string, separator: '.' | ':'): string | null | undefined {
  const items = [...new Set(value.split(',').map((v) => v.trim()))].filter((v) => v.includes(separator) || v === '' || v === 'preserve');
  if (items.length === 0) return undefined;
  if (items.length > 1 && items.some((v) => v === '' || v === 'preserve')) {
    throw new Error('IP parameter cannot have addresses and "preserve" or an empty value at the same time.');
  }
  if (items[0] === '' || items[0] === 'preserve') return items[0] === '' ? null : 'preserve';
  return items.sort().join(',');
}

/** Applies one host's addresses: the answer line. */
function applyTo(record: DynRecord, wanted: Wanted, unchanged: string): string {
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

/** [desec] Per-domain sliding window: the seconds to wait, or 0 when this request may go. */
function perDomainWait(options: Dyndns2Options, seen: Map<string, number[]>, hosts: string[]): number {
  const limit = options.perDomain;
  if (!limit) return 0;
  const now = (limit.now ?? Date.now)();
  const domains = [...new Set(hosts.map(limit.domainOf))];
  for (const domain of domains) {
    const recent = (seen.get(domain) ?? []).filter((t) => now - t < limit.windowMs);
    seen.set(domain, recent);
    if (recent.length >= limit.count) return Math.ceil((limit.windowMs - (now - (recent[0] ?? now))) / 1000);
  }
  for (const domain of domains) seen.get(domain)?.push(now);
  return 0;
}

/** The answer body: lines, or [ipv64] JSON whose `info` is the code (guess: one object for the request, the first line's code). */
function answerBody(lines: string[], options: Dyndns2Options): string {
  if (!options.json) return `${lines.join('\n')}\n`;
  const code = (lines[0] ?? '').split(' ')[0] ?? '';
  return JSON.stringify({ info: code, status: code === 'good' || code === 'nochg' ? 'success' : 'error' });
}

export async function startDyndns2(options: Dyndns2Options): Promise<FakeDyndns2> {
  const records = new Map<string, DynRecord>(options.hosts.map((h) => [h, {}]));
  const answers = new Map<string, string>();
  const failures: { status: number; headers: Record<string, string>; body: string }[] = [];
  const seen = new Map<string, number[]>();
  const path = options.variant?.path ?? '/nic/update';
  const code = (status: number, body: string) => (res: Parameters<Handler>[1]) => send(res, options.statuses?.[body] ?? status, answerBody([body], options));
  const fake = await startFake(
    (req, res) => {
      const failure = failures.shift();
      if (failure) return send(res, failure.status, failure.body, failure.headers);
      if (req.url.pathname !== path) return send(res, 404, 'not found');
      const q = req.url.searchParams;
      const hosts = (q.get('hostname') ?? '').split(',').filter(Boolean);
      if (!authorized(req, options, hosts)) {
        // [dyn] [noip] badauth; [desec] 401; [ipv64] 401 (qdm12/ddns-updater ipv64/provider.go).
        return send(res, options.statuses?.badauth ?? 401, answerBody(['badauth'], options), { 'www-authenticate': 'Basic realm="update"' });
      }
      // [noip] [dyn] badagent for a client that does not name itself as asked. guess: No-IP answers
      // badagent at once (its page says such clients "risk being rate-limited or blocked").
      if (!(options.agent ?? AGENT).test(req.headers['user-agent'] ?? '')) return code(200, 'badagent')(res);
      // [dyn] numhost: more than 20 hosts.
      const most = options.variant?.hostsPerRequest === 'one' ? 1 : (options.maxHosts ?? 20);
      if (hosts.length > most) return code(200, 'numhost')(res);
      // [ovh] system=dyndns.
      for (const [name, value] of Object.entries(options.variant?.fixedParams ?? {})) {
        if (q.get(name) !== value) return send(res, 400, `missing ${name}=${value}`);
      }
      // [desec] 429 Too Many Requests with Retry-After, per domain.
      const wait = perDomainWait(options, seen, hosts);
      if (wait > 0) return send(res, 429, `Request was throttled. Expected available in ${wait} seconds.`, { 'retry-after': String(wait) });
      let wanted: Wanted;
      try {
        wanted = requestedAddresses(q, options);
      } catch (error) {
        return send(res, 400, (error as Error).message);
      }
      const lines = hosts.map((host) => {
        const forced = answers.get(host);
        if (forced) return forced;
        if (!host.includes('.')) return 'notfqdn'; // [dyn]
        const record = records.get(host);
        return record ? applyTo(record, wanted, options.unchangedAnswer ?? 'nochg') : 'nohost'; // [dyn] good/nochg/nohost
      });
      if (lines.length === 1 && options.statuses?.[lines[0] ?? ''] !== undefined) return code(200, lines[0] ?? '')(res);
      // [desec] one `good` for the whole request, applied together.
      if (options.variant?.oneAnswer && lines.every((l) => l.startsWith('good'))) return send(res, 200, answerBody(['good'], options));
      return send(res, 200, answerBody(lines, options));
    },
    '127.0.0.1',
    { latencyMs: options.latencyMs ?? 0 },
  );
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
  // [noip] the User-Agent names the user's contact: the entry's contact_email.
  const contact = variant?.agentContact ? { contact_email: 'admin@example.net' } : {};
  return {
    async start() {
      const fake = await startDyndns2({
        username: DYN_USER,
        password: DYN_PASSWORD,
        keys: { [CONFORM_HOST]: DYN_PASSWORD },
        hosts: [CONFORM_HOST],
        ...(variant ? { variant } : {}),
        ...(variant?.agentContact ? { agent: NOIP_AGENT } : {}),
        ...(variant?.jsonAnswers ? { json: true } : {}),
      });
      const secret = (credentials: 'right' | 'wrong') => (credentials === 'right' ? DYN_PASSWORD : 'wrong-dyn-pass-0000');
      return {
        ...httpFake(fake),
        hosts: [CONFORM_HOST],
        entry: (credentials) => ({
          type,
          endpoint: fake.url,
          ...(login ? { username: DYN_USER, password: secret(credentials) } : { key: secret(credentials) }),
          ...contact,
          hosts: [CONFORM_HOST],
        }),
        secrets: [DYN_PASSWORD],
      };
    },
  };
}

export const conformance: ConformanceTable = Object.fromEntries(PRESETS.map((p) => [p.type, dyndns2Row(p.type)]));
