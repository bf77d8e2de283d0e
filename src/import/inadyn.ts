/**
 * inadyn.conf (In-a-Dyn 2.x): global `key = value` settings and
 * `provider NAME[:N] { … }` / `custom NAME { … }` sections with username,
 * password, hostname (one, or `{ a, b }`), ssl, checkip-server/-path,
 * ddns-server/-path, ttl, proxied, iface (inadyn.conf(5) and the README of
 * troglobit/inadyn).
 */
import { cloudflareEntry, dyndns2Entry, duckdnsEntry, namecheapEntry, serverUrl, unknownProtocol } from './entries.js';
import { list, seconds, type Builder, type Format } from './types.js';

type Settings = Record<string, string>;

interface Section {
  kind: 'provider' | 'custom';
  name: string;
  settings: Settings;
}

const unquote = (v: string): string =>
  v
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .replace(/^'(.*)'$/, '$1');

/** Cuts a `#` comment that is not inside quotes. */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) quote = c === quote ? undefined : quote;
    else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}

export function readInadyn(text: string): { globals: Settings; sections: Section[] } {
  const globals: Settings = {};
  const sections: Section[] = [];
  let current: Section | undefined;
  const lines = text.split(/\r?\n/).map(stripComment);
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] ?? '').trim();
    if (!line) continue;
    const open = /^(provider|custom)\s+(\S+)\s*\{\s*$/.exec(line);
    if (open) {
      current = { kind: open[1] as Section['kind'], name: unquote(open[2] ?? ''), settings: {} };
      sections.push(current);
      continue;
    }
    if (line === '}') {
      current = undefined;
      continue;
    }
    // A { … } list may go on over several lines.
    while (line.includes('{') && !line.includes('}') && i + 1 < lines.length) line += ` ${(lines[++i] ?? '').trim()}`;
    const m = /^([A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(line);
    if (!m?.[1]) continue;
    const value = (m[2] ?? '').trim();
    const listed = /^\{(.*)\}$/.exec(value);
    (current ? current.settings : globals)[m[1]] = listed ? list(listed[1]).map(unquote).join(',') : unquote(value);
  }
  return { globals, sections };
}

const no = (v: string | undefined): boolean => v !== undefined && /^(false|no|off|0)$/i.test(v);

/** The provider plugin a section's name stands for: `default@dyndns.org`, `dyndns.org` and `dyn` alike. */
const plugin = (name: string): string =>
  name
    .replace(/:\d+$/, '')
    .replace(/^default@/, '')
    .toLowerCase();

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A `custom` section as a `url` entry. As inadyn's generic plugin (plugins/generic.c): %h, %i, %u and %p in
 * ddns-path are filled in; a path without any is followed by the hostname (the address with append-myip);
 * an answer is good when it holds one of ddns-response, by default OK, good, true, updated, success or nochg.
 */
function customEntry(b: Builder, s: Settings, hosts: string[], name: string): Record<string, unknown> | undefined {
  const server = s['ddns-server'] ?? '';
  if (/park-your-domain\.com$/i.test(server)) return namecheapEntry(b, s.username ?? '', s.password ?? '', hosts);
  const base = serverUrl(b, server, !no(s.ssl), `custom ${name} ssl`);
  const raw = s['ddns-path'] ?? '/';
  const uses = raw.includes('%p');
  const filled = raw.includes('%')
    ? raw
        .replace(/%h/g, '{host}')
        .replace(/%i/g, '{ip}')
        .replace(/%u/g, s.username ?? '')
        .replace(/%p/g, uses ? b.secret(`${name}_password`, s.password ?? '') : '')
    : `${raw}${/^(true|yes|on)$/i.test(s['append-myip'] ?? '') ? '{ip}' : '{host}'}`;
  const words = s['ddns-response'] ? list(s['ddns-response']) : ['OK', 'good', 'true', 'updated', 'success', 'nochg'];
  const entry: Record<string, unknown> = { type: 'url', url: `${base}${filled}`, success: words.map(escape).join('|'), hosts };
  if (!filled.includes('{ip}')) {
    b.skip(
      `custom ${name}`,
      `its ddns-path has no %i, so the service takes the address the request comes from; ddnsd sends the address it detected: add this entry as type: url with {ip} where the service takes it (url: ${base}${filled}&…={ip})`,
    );
    return undefined;
  }
  if (!uses && s.username) Object.assign(entry, { username: s.username, password: b.secret(`${name}_password`, s.password ?? '') });
  return entry;
}

function sectionEntry(b: Builder, section: Section): Record<string, unknown> | undefined {
  const s = section.settings;
  const hosts = list(s.hostname);
  if (section.kind === 'custom') return customEntry(b, s, hosts, section.name);
  const cred = { login: s.username ?? '', password: s.password ?? '' };
  if (no(s.ssl)) b.skip(`provider ${section.name} ssl = false`, 'ddnsd talks to providers over https');
  switch (plugin(section.name)) {
    case 'dyndns.org':
    case 'dyn':
      return dyndns2Entry(b, 'members.dyndns.org', true, cred, hosts);
    case 'no-ip.com':
      return dyndns2Entry(b, 'dynupdate.no-ip.com', true, cred, hosts);
    case 'duckdns.org':
      // inadyn's DuckDNS plugin sends the username as the token.
      return duckdnsEntry(b, cred.login, hosts);
    case 'cloudflare.com':
      // inadyn's Cloudflare plugin: the zone as username, the API token as password.
      return cloudflareEntry(b, { token: cred.password, zone: cred.login, hosts, ttl: s.ttl ? Number(s.ttl) : undefined, proxied: s.proxied ? !no(s.proxied) : undefined });
    case 'dynv6.com':
      return { type: 'dynv6', token: b.secret('dynv6_token', cred.login), hosts };
    default:
      return unknownProtocol('inadyn', section.name, hosts);
  }
}

const IGNORED: Record<string, string> = {
  'user-agent': 'ddnsd sends its own User-Agent, as providers ask',
  'verify-address': 'ddnsd always checks that a detected address is public',
  'cache-dir': 'ddnsd keeps its state in state: (default ./data/state.json)',
  'checkip-command': 'ddnsd runs no commands to detect; use interface:NAME, upnp or an http(s) source',
  'forced-update': 'ddnsd sends an unchanged address again after refresh: (default 25d)',
  'broken-rtc': 'not needed by ddnsd',
  'secure-ssl': 'ddnsd always checks certificates',
  'ca-trust-file': "ddnsd uses the system's certificate authorities (NODE_EXTRA_CA_CERTS adds one)",
  wildcard: 'ddnsd updates the names listed',
};

function detection(b: Builder, globals: Settings, sections: Section[]): void {
  const ipv6 = /^(true|yes|on|1)$/i.test(globals['allow-ipv6'] ?? '');
  const iface = globals.iface ?? sections.map((s) => s.settings.iface).find(Boolean);
  if (iface) b.source('ipv4', `interface:${iface}`);
  for (const s of [{ name: 'global', settings: globals }, ...sections]) {
    const server = s.settings['checkip-server'];
    if (!server || server === 'default') continue;
    const scheme = no(s.settings['checkip-ssl']) ? 'http' : 'https';
    const url = `${scheme}://${server}${s.settings['checkip-path'] ?? '/'}`;
    // A checkip server named for IPv6 (as dns64.cloudflare-dns.com is) serves IPv6 only.
    b.source(/dns64|ipv6|v6\./i.test(server) && ipv6 ? 'ipv6' : 'ipv4', url);
  }
  if (ipv6 && !b.imported.detect.ipv6) b.source('ipv6', 'ipify');
}

function parse(text: string, b: Builder): void {
  const { globals, sections } = readInadyn(text);
  if (globals.period && /^\d+$/.test(globals.period)) b.imported.interval = seconds(Number(globals.period));
  detection(b, globals, sections);
  for (const [key, value] of [...Object.entries(globals), ...sections.flatMap((s) => Object.entries(s.settings))]) {
    if (IGNORED[key] && !b.imported.skipped.some((k) => k.setting.startsWith(`${key} =`))) b.skip(`${key} = ${value}`, IGNORED[key]);
  }
  for (const section of sections) {
    const entry = sectionEntry(b, section);
    if (entry) b.imported.providers.push(entry);
  }
  mergeSameHosts(b);
}

/** inadyn lists one section per family for the same record (cloudflare.com:1 and :2); ddnsd updates both from one entry. */
function mergeSameHosts(b: Builder): void {
  const seen = new Map<string, Record<string, unknown>>();
  b.imported.providers = b.imported.providers.filter((entry) => {
    const key = JSON.stringify(entry);
    if (seen.has(key)) return false;
    seen.set(key, entry);
    return true;
  });
}

export const inadyn: Format = {
  name: 'inadyn',
  detect: (text) => /^\s*(provider|custom)\s+\S+\s*\{/m.test(text),
  parse,
};
