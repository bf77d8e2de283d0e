/**
 * The dyndns2 endpoint for routers: a FRITZ!Box, UniFi gateway, pfSense,
 * OPNsense or OpenWrt (or ddclient and inadyn) set to a "custom dyndns2
 * server" pointed at ddnsd pushes its external address here:
 *
 *   GET /nic/update?hostname=h1[,h2]&myip=IPv4[,IPv6]   (also /update)
 *   Authorization: Basic base64(username:password)
 *
 * answered with the dyndns2 codes of the shared table, one line per host:
 * `good <ip>` (stored, and a new address starts a cycle: at once, or at the
 * end of the minute after the last one a push started), `nochg <ip>`,
 * `badauth`, `notfqdn`, `nohost`, `dnserr` for an address ddnsd would not
 * trust from any source (private, CGNAT, a zone id, garbage: the router tries
 * again later, the log says why) and `911` for trouble on ddnsd's side, never
 * a 500. A parameter given twice counts once, with its last value, as deSEC's
 * dyndns2 server reads it (desec-stack api/desecapi/views/dyndns.py,
 * `query_params["hostname"]`: Django's QueryDict gives the last value).
 *
 * With several credentials (`users:`), each names a link, and what it pushes
 * is that link's address (`push:<link>`). A FRITZ!Box also sends
 * `ip6lanprefix=<prefix>/<length>`, the LAN's IPv6 prefix (AVM's help for
 * its custom update URL lists the <ip6lanprefix> placeholder:
 * https://service.avm.de/help/en/FRITZ-Box-Fon-WLAN-7490/018/hilfe_dyndns,
 * and https://do.de/wiki/flexdns-ipv6 shows it sent as ?ip6lanprefix=): it is
 * kept as the prefix for ipv6_suffix / ipv6_host_mac hosts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isIP } from 'node:net';
import { ANSWER_CODES } from '../base/dyndns2.js';
import { checkAddress, type Family } from '../base/address.js';
import { secretMatches, type Guard } from './guard.js';
import type { NicUpdateDeps } from './types.js';

export type { NicUpdateDeps } from './types.js';

export const NIC_UPDATE_PATHS = ['/nic/update', '/update'] as const;

/** Compares `user:password` in constant time, as the guard compares every secret. */
export function basicMatches(header: string | undefined, username: string, password: string): boolean {
  const m = /^Basic[ ]+([A-Za-z0-9+/=]+)[ ]*$/i.exec(header ?? '');
  return secretMatches(m ? Buffer.from(m[1] ?? '', 'base64').toString('utf8') : undefined, `${username}:${password}`);
}

type Query = { hostname?: string; myip?: string; myipv6?: string; ip6lanprefix?: string };
/** What the query parser gives: a repeated parameter is an array. */
type RawQuery = { [K in keyof Query]?: string | string[] };

/** Each parameter's last value, as dyndns2 servers read a repeated one (see the top of this file). */
function lastValues(raw: RawQuery): Query {
  const last = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.at(-1) : v);
  const out: Query = {};
  for (const key of ['hostname', 'myip', 'myipv6', 'ip6lanprefix'] as const) {
    const value = last(raw[key]);
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

/** The credential the request signed in with; undefined when none matches. */
function signedIn(deps: NicUpdateDeps, header: string | undefined): { wan?: string | undefined } | undefined {
  const users = [...(deps.username !== undefined && deps.password !== undefined ? [{ username: deps.username, password: deps.password }] : []), ...(deps.users ?? [])];
  // Every credential is compared, so the time taken does not tell which user names exist.
  const matches = users.map((u) => (basicMatches(header, u.username, u.password) ? u : undefined));
  return matches.find((u) => u !== undefined);
}

const code = (name: keyof typeof ANSWER_CODES, detail?: string): string => {
  if (!(name in ANSWER_CODES)) throw new Error(`${name} is not a dyndns2 answer code`);
  return detail ? `${name} ${detail}` : name;
};

/**
 * The routes, public to the guard (routers sign in with their own Basic
 * credentials), but a wrong password counts towards the guard's per-address
 * limit like any failed sign-in, so the endpoint cannot be used to guess it.
 */
export function registerNicUpdate(app: FastifyInstance, deps: NicUpdateDeps | undefined, guard: Pick<Guard, 'failed'>): void {
  if (!deps) return;
  const handler = async (req: FastifyRequest<{ Querystring: RawQuery }>, reply: FastifyReply) => {
    reply.type('text/plain; charset=utf-8');
    const auth = req.headers.authorization;
    const user = signedIn(deps, typeof auth === 'string' ? auth : undefined);
    if (!user) {
      guard.failed(req, 'wrong router user name or password');
      return reply.code(401).header('www-authenticate', 'Basic realm="ddnsd"').send(code('badauth'));
    }
    try {
      return reply.send(answer(deps, lastValues(req.query ?? {}), req.ip, user.wan));
    } catch (error) {
      deps.refused?.(`a push could not be taken: ${(error as Error).message}`);
      return reply.send(code('911'));
    }
  };
  for (const url of NIC_UPDATE_PATHS) app.get<{ Querystring: RawQuery }>(url, { config: { access: 'public', ownCredentials: true } }, handler);
}

/** The answer to an authenticated push, one line per host; stores the addresses (of `wan`, when the credential names a link) and tells `changed`. */
function answer(deps: NicUpdateDeps, query: Query, from: string, wan: string | undefined): string {
  const hosts = (query.hostname ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase().replace(/\.$/, ''))
    .filter((h) => h !== '');
  if (hosts.length === 0 || hosts.some((h) => !h.includes('.'))) return code('notfqdn');
  const prefix = lanPrefixOf(query.ip6lanprefix);
  const addresses = typeof prefix === 'string' ? prefix : pushedAddresses(query, from, prefix !== undefined);
  if (typeof addresses === 'string') {
    deps.refused?.(addresses);
    return hosts.map(() => code('dnserr')).join('\n');
  }
  // A push for none of the configured hosts changes nothing.
  if (!hosts.some((h) => deps.hosts.has(h))) return hosts.map(() => code('nohost')).join('\n');
  const changes = (Object.entries(addresses) as [Family, string][])
    .filter(([family, address]) => deps.push.set(family, address, wan).changed)
    .map(([family, address]) => ({ family, address }));
  const prefixText = typeof prefix === 'object' ? `${prefix.address}/${prefix.length}` : '';
  if (typeof prefix === 'object' && deps.push.setLanPrefix(prefix, wan).changed) changes.push({ family: 'ipv6', address: prefixText });
  if (changes.length > 0) deps.changed(changes);
  const said = Object.values(addresses).join(',') || prefixText;
  return hosts.map((h) => (deps.hosts.has(h) ? code(changes.length > 0 ? 'good' : 'nochg', said) : code('nohost'))).join('\n');
}

/**
 * The addresses of `myip` (one address, or IPv4 and IPv6 comma-separated)
 * and `myipv6`; without either, the address the request came from, as
 * dyndns2 servers do. A string says why they cannot be trusted.
 */
function pushedAddresses(query: Query, from: string, prefixOnly: boolean): Partial<Record<Family, string>> | string {
  const given = [query.myip, query.myipv6].filter((v): v is string => typeof v === 'string' && v !== '');
  // A FRITZ!Box sends the LAN prefix in a request of its own: the request's address is not pushed then.
  if (given.length === 0 && prefixOnly) return {};
  const texts = given.length ? given.flatMap((v) => v.split(',')).map((t) => t.trim()) : [from.replace(/^::ffff:/, '')];
  const out: Partial<Record<Family, string>> = {};
  for (const text of texts) {
    const family: Family = text.includes(':') ? 'ipv6' : 'ipv4';
    const check = checkAddress(text, family);
    if (!check.ok) return `a pushed address was refused: the router ${check.reason}${given.length ? '' : ' (no myip in the request, so the address it came from was taken)'}`;
    if (out[family] && out[family] !== check.address) return `a push named two ${family} addresses (${out[family]}, ${check.address})`;
    out[family] = check.address;
  }
  return out;
}

/** `ip6lanprefix=2001:db8:1:100::/56`: the LAN prefix, undefined when absent, a string saying why it was refused. */
function lanPrefixOf(text: string | undefined): { address: string; length: number } | string | undefined {
  if (text === undefined || text === '') return undefined;
  const m = /^([0-9a-fA-F:]+)\/(\d{1,3})$/.exec(text.trim());
  const length = Number(m?.[2]);
  if (!m || isIP(m[1] ?? '') !== 6 || length < 8 || length > 120) return `a pushed ip6lanprefix was refused: "${text.slice(0, 60)}" is not an IPv6 prefix like 2001:db8:1:100::/56`;
  const check = checkAddress(m[1] ?? '', 'ipv6');
  if (!check.ok) return `a pushed ip6lanprefix was refused: the prefix ${check.reason}`;
  return { address: check.address, length };
}
