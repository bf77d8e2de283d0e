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
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

type Query = { hostname?: string; myip?: string; myipv6?: string };
/** What the query parser gives: a repeated parameter is an array. */
type RawQuery = { [K in keyof Query]?: string | string[] };

/** Each parameter's last value, as dyndns2 servers read a repeated one (see the top of this file). */
function lastValues(raw: RawQuery): Query {
  const last = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.at(-1) : v);
  const out: Query = {};
  for (const key of ['hostname', 'myip', 'myipv6'] as const) {
    const value = last(raw[key]);
    if (typeof value === 'string') out[key] = value;
  }
  return out;
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
    if (!basicMatches(typeof auth === 'string' ? auth : undefined, deps.username, deps.password)) {
      guard.failed(req, 'wrong router user name or password');
      return reply.code(401).header('www-authenticate', 'Basic realm="ddnsd"').send(code('badauth'));
    }
    try {
      return reply.send(answer(deps, lastValues(req.query ?? {}), req.ip));
    } catch (error) {
      deps.refused?.(`a push could not be taken: ${(error as Error).message}`);
      return reply.send(code('911'));
    }
  };
  for (const url of NIC_UPDATE_PATHS) app.get<{ Querystring: RawQuery }>(url, { config: { access: 'public', ownCredentials: true } }, handler);
}

/** The answer to an authenticated push, one line per host; stores the addresses and tells `changed`. */
function answer(deps: NicUpdateDeps, query: Query, from: string): string {
  const hosts = (query.hostname ?? '').split(',').map((h) => h.trim().toLowerCase().replace(/\.$/, '')).filter((h) => h !== '');
  if (hosts.length === 0 || hosts.some((h) => !h.includes('.'))) return code('notfqdn');
  const addresses = pushedAddresses(query, from);
  if (typeof addresses === 'string') {
    deps.refused?.(addresses);
    return hosts.map(() => code('dnserr')).join('\n');
  }
  // A push for none of the configured hosts changes nothing.
  if (!hosts.some((h) => deps.hosts.has(h))) return hosts.map(() => code('nohost')).join('\n');
  const changes = (Object.entries(addresses) as [Family, string][])
    .filter(([family, address]) => deps.push.set(family, address).changed)
    .map(([family, address]) => ({ family, address }));
  if (changes.length > 0) deps.changed(changes);
  const said = Object.values(addresses).join(',');
  return hosts.map((h) => (deps.hosts.has(h) ? code(changes.length > 0 ? 'good' : 'nochg', said) : code('nohost'))).join('\n');
}

/**
 * The addresses of `myip` (one address, or IPv4 and IPv6 comma-separated)
 * and `myipv6`; without either, the address the request came from, as
 * dyndns2 servers do. A string says why they cannot be trusted.
 */
function pushedAddresses(query: Query, from: string): Partial<Record<Family, string>> | string {
  const given = [query.myip, query.myipv6].filter((v): v is string => typeof v === 'string' && v !== '');
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
