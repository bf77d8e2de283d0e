/**
 * The ddnsd provider entries importers make, from what the other tools
 * share: a dyndns2 server and login, a DuckDNS token, a Cloudflare token and
 * zone, a Namecheap domain password. Secrets go in as `${VAR}` references.
 */
import { ImportError, type Builder } from './types.js';

/** dyndns2 servers that ddnsd has a type for: the type, and whether it takes a key rather than a login. */
const DYNDNS2_SERVERS: Record<string, { type: string; key?: boolean }> = {
  'dynupdate.no-ip.com': { type: 'noip' },
  'api.dynu.com': { type: 'dynu' },
  'www.ovh.com': { type: 'ovh' },
  'dyn.dns.he.net': { type: 'he', key: true },
  'update.dedyn.io': { type: 'desec', key: true },
  'ipv64.net': { type: 'ipv64', key: true },
};

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)(:\d+)?$/;

/** The URL of a server given as host[:port][/path]; https unless it is on this machine and the tool used http. */
export function serverUrl(b: Builder, server: string, https: boolean, setting: string): string {
  const bare = server.replace(/^https?:\/\//i, '').replace(/\/+$/, '');
  const host = bare.split('/')[0] ?? bare;
  if (https || /^https:/i.test(server)) return `https://${bare}`;
  if (LOOPBACK.test(host)) return `http://${bare}`;
  b.skip(`${setting} (plain http to ${host})`, `ddnsd sends credentials over https only (http only to this machine), so the entry uses https://${bare}`);
  return `https://${bare}`;
}

export interface Login {
  login: string;
  password: string;
}

export function dyndns2Entry(b: Builder, server: string | undefined, https: boolean, cred: Login, hosts: string[]): Record<string, unknown> {
  const host =
    (server ?? 'members.dyndns.org')
      .replace(/^https?:\/\//i, '')
      .split('/')[0]
      ?.toLowerCase() ?? '';
  const preset = DYNDNS2_SERVERS[host];
  if (preset?.key) return { type: preset.type, key: b.secret(`${preset.type}_key`, cred.password), hosts };
  if (preset) return { type: preset.type, username: b.secret(`${preset.type}_username`, cred.login), password: b.secret(`${preset.type}_password`, cred.password), hosts };
  return {
    type: 'dyndns2',
    endpoint: serverUrl(b, server ?? 'members.dyndns.org', https, 'ssl'),
    username: b.secret('dyndns2_username', cred.login),
    password: b.secret('dyndns2_password', cred.password),
    hosts,
  };
}

export function duckdnsEntry(b: Builder, token: string, hosts: string[], server?: string, https = true): Record<string, unknown> {
  const entry: Record<string, unknown> = { type: 'duckdns', token: b.secret('duckdns_token', token), hosts };
  if (server && server !== 'www.duckdns.org') entry.endpoint = serverUrl(b, server, https, 'server');
  return entry;
}

export interface CloudflareSettings {
  token: string;
  hosts: string[];
  zone?: string | undefined;
  zoneId?: string | undefined;
  ttl?: number | undefined;
  proxied?: boolean | undefined;
  server?: string | undefined;
}

export function cloudflareEntry(b: Builder, c: CloudflareSettings): Record<string, unknown> {
  const entry: Record<string, unknown> = { type: 'cloudflare', token: b.secret('cloudflare_api_token', c.token), hosts: c.hosts };
  if (c.zoneId && /^[0-9a-f]{32}$/i.test(c.zoneId)) entry.zone_id = c.zoneId;
  else if (c.zone) entry.zone = c.zone;
  else if (c.zoneId) b.skip(`zone id ${c.zoneId}`, 'not a 32-character zone id; ddnsd finds the zone from the hostname');
  if (c.ttl !== undefined) {
    if (c.ttl === 1 || (c.ttl >= 30 && c.ttl <= 86_400)) entry.ttl = c.ttl;
    else b.skip(`ttl=${c.ttl}`, "Cloudflare takes 1 (automatic) or 30 to 86400 seconds; ddnsd keeps the record's TTL");
  }
  if (c.proxied !== undefined) entry.proxied = c.proxied;
  if (c.server && !/^(https:\/\/)?api\.cloudflare\.com\/client\/v4\/?$/.test(c.server)) entry.endpoint = serverUrl(b, c.server, true, 'server');
  return entry;
}

/** Namecheap hosts as full names: `@` is the domain itself, `www` is www.<domain>. */
export function namecheapEntry(b: Builder, domain: string, password: string, hosts: string[]): Record<string, unknown> {
  const full = hosts.map((h) => (h === '@' ? domain : h === domain || h.endsWith(`.${domain}`) ? h : `${h}.${domain}`));
  return { type: 'namecheap', domain, password: b.secret('namecheap_password', password), hosts: full };
}

/** The other tool's protocol is one ddnsd has no adapter for. */
export function unknownProtocol(tool: string, protocol: string, hosts: string[]): never {
  throw new ImportError(
    `${tool} uses the protocol "${protocol}" for ${hosts.join(', ') || 'an entry'}, which ddnsd has no provider for; ddnsd imports dyndns2 servers, No-IP, DuckDNS, Cloudflare and Namecheap (see ddnsd's README for the other providers, or use type: url)`,
  );
}
