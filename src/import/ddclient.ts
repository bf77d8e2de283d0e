/**
 * ddclient.conf (ddclient 3.x): global `key=value` lines, host lines
 * (`key=value, … host1,host2`), `\` continuation lines, quoted values, `#`
 * comments; `protocol`, `server`, `login`, `password`, `zone`, `ttl`, `ssl`,
 * `use=web|if|ip` and `usev4`/`usev6`, `daemon`. The syntax as ddclient's own
 * _read_config reads it (ddclient.in, "Configuration line format").
 */
import { cloudflareEntry, dyndns2Entry, duckdnsEntry, namecheapEntry, unknownProtocol } from './entries.js';
import { list, seconds, type Builder, type Format } from './types.js';

type Options = Record<string, string>;

/** A word and whether a comma came before it (host lists), split at unquoted whitespace and commas as ddclient reads them. */
interface Word {
  text: string;
  afterComma: boolean;
}

function words(line: string): Word[] {
  const out: Word[] = [];
  let word = '';
  let quote: string | undefined;
  let comma = false;
  let pendingComma = false;
  const end = (): void => {
    if (word) out.push({ text: word, afterComma: pendingComma });
    if (word) pendingComma = false;
    word = '';
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
    } else if (c === '\\') word += line[++i] ?? '';
    else if (c === "'" || c === '"') quote = c;
    // ddclient reads a password value up to whitespace, '#' included (its _read_config treats passwords apart).
    else if (c === '#' && !/^[a-z0-9_-]*password[a-z0-9_-]*=/.test(word)) break;
    else if (/[\s,]/.test(c)) {
      comma = c === ',';
      end();
      if (comma) pendingComma = true;
    } else word += c;
  }
  end();
  return out;
}

/** Logical lines: comments cut (outside quotes), `\` at the end joins the next line. */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = pending + raw;
    if (/\\\s*$/.test(line) && !/^\s*#/.test(raw)) {
      pending = line.replace(/\\\s*$/, ' ');
      continue;
    }
    pending = '';
    if (line.trim()) out.push(line);
  }
  if (pending.trim()) out.push(pending);
  return out;
}

/** Every host with its options (globals so far, then its own line's), as ddclient merges them. */
export function readDdclient(text: string): { globals: Options; hosts: { host: string; options: Options }[] } {
  const globals: Options = {};
  const hosts: { host: string; options: Options }[] = [];
  for (const line of logicalLines(text)) {
    const local: Options = {};
    const args: string[] = [];
    for (const w of words(line)) {
      const m = args.length === 0 ? /^([a-z][a-z0-9_-]*)=(.*)$/.exec(w.text) : null;
      if (m?.[1]) local[m[1]] = m[2] ?? '';
      else if (w.afterComma && args.length > 0) args[args.length - 1] += `,${w.text}`;
      else args.push(w.text);
    }
    if (local.host) args[0] = args[0] ? `${args[0]},${local.host}` : local.host;
    if (args.length === 0) {
      Object.assign(globals, local);
      continue;
    }
    // After the hosts, the old form may give the login and the password.
    const [names, login, password] = args;
    const old: Options = { ...(login ? { login } : {}), ...(password ? { password } : {}) };
    for (const host of list(names)) hosts.push({ host, options: { ...globals, ...local, ...old } });
  }
  return { globals, hosts };
}

const yes = (v: string | undefined): boolean => v !== undefined && /^(yes|true|1|on)$/i.test(v);

/** Built-in `web=` names of ddclient that ddnsd has a source for. */
const WEB_SOURCES: Record<string, string> = { 'ipify-ipv4': 'ipify', 'ipify-ipv6': 'ipify', icanhazip: 'icanhazip', cloudflare: 'cloudflare' };

function webSource(b: Builder, family: 'ipv4' | 'ipv6', setting: string, value: string | undefined): void {
  if (!value) return;
  if (/^https?:\/\//i.test(value)) return b.source(family, value);
  const known = WEB_SOURCES[value];
  if (known) return b.source(family, known);
  b.skip(`${setting}=${value}`, `ddclient's page "${value}" answers in its own format; ddnsd uses its default sources for ${family} (detect.${family})`);
}

/** `use`, `usev4`, `usev6` and what they name, as ddnsd sources. */
function detection(b: Builder, o: Options): void {
  const use = o.use ?? (o.web ? 'web' : o.if ? 'if' : o.ip ? 'ip' : undefined);
  const pick = (family: 'ipv4' | 'ipv6', how: string | undefined, suffix: string, key: string): void => {
    if (!how) return;
    const kind = how.replace(/v[46]$/, '');
    const named = o[`${kind}${suffix}`] ?? o[kind];
    if (kind === 'web') webSource(b, family, `${key}=${how}, web${suffix}`, named);
    else if (kind === 'if' && named) b.source(family, `interface:${named}`);
    else if (kind === 'ip')
      b.skip(
        `${key}=${how}${named ? `, ip${suffix}=${named}` : ''}`,
        'a fixed address: ddnsd detects the address itself; list sources under detect, or let the router push it (source push)',
      );
    else if (kind === 'disabled') return;
    else b.skip(`${key}=${how}`, 'ddnsd asks a router by UPnP or NAT-PMP (sources upnp, natpmp) rather than by its status page or a command');
  };
  pick('ipv4', use === undefined ? o.usev4 : use, o.usev4 ? 'v4' : '', o.usev4 && !o.use ? 'usev4' : 'use');
  pick('ipv6', o.usev6, 'v6', 'usev6');
}

/** ddclient settings ddnsd has no use for, and what it does instead. */
const ELSEWHERE: Record<string, string> = {
  mail: 'ddnsd sends messages through notify: (type: email, or a chat URL such as discord://)',
  'mail-failure': 'ddnsd sends messages through notify: (type: email, or a chat URL such as discord://)',
  syslog: 'ddnsd logs to standard output (the journal under systemd, the unified log under launchd)',
  facility: 'ddnsd logs to standard output',
  priority: 'ddnsd logs to standard output (LOG_LEVEL sets how much)',
  pid: 'ddnsd runs under a service manager (ddnsd service install) and keeps no pid file',
  cache: 'ddnsd keeps its state in state: (default ./data/state.json)',
  proxy: 'ddnsd takes no HTTP proxy setting',
  timeout: 'ddnsd bounds each request itself (10 s; timeout: per provider entry)',
  'max-interval': 'ddnsd sends an unchanged address again after refresh: (default 25d)',
  'min-interval': "ddnsd paces retries itself (with backoff, and a provider's own pause)",
  'min-error-interval': "ddnsd paces retries itself (with backoff, and a provider's own pause)",
  postscript: 'ddnsd runs no command after an update; a notify: webhook can tell another program',
  wildcard: 'ddnsd updates the names listed; add *.name as a host where the provider takes it',
  mx: 'ddnsd updates A and AAAA records only',
  backupmx: 'ddnsd updates A and AAAA records only',
  ssl_ca_file: "ddnsd uses the system's certificate authorities (NODE_EXTRA_CA_CERTS adds one)",
  ssl_ca_dir: "ddnsd uses the system's certificate authorities (NODE_EXTRA_CA_CERTS adds one)",
  'web-skip': 'ddnsd reads the address as the whole answer of a source; use a source that answers with the address alone',
};

/** Read by the entries or the detection; everything else is told as not carried over. */
const USED = new Set([
  'protocol',
  'server',
  'login',
  'password',
  'zone',
  'ttl',
  'ssl',
  'host',
  'daemon',
  'use',
  'usev4',
  'usev6',
  'web',
  'webv4',
  'webv6',
  'if',
  'ifv4',
  'ifv6',
  'ip',
  'ipv4',
  'ipv6',
  'script',
]);
/** How ddclient was run, not what it updates. */
const QUIET = new Set(['verbose', 'debug', 'quiet', 'foreground', 'daemon', 'retry', 'force', 'exec', 'query', 'test', 'geturl', 'help', 'file']);

function entryOf(b: Builder, protocol: string, o: Options, hosts: string[]): Record<string, unknown> {
  const https = yes(o.ssl);
  const cred = { login: o.login ?? '', password: o.password ?? '' };
  if (o.script && o.script !== '/nic/update') b.skip(`script=${o.script}`, 'ddnsd sends dyndns2 updates to /nic/update under the endpoint');
  switch (protocol) {
    case 'dyndns2':
      return dyndns2Entry(b, o.server, https, cred, hosts);
    case 'noip':
      return dyndns2Entry(b, o.server ?? 'dynupdate.no-ip.com', https, cred, hosts);
    case 'duckdns':
      return duckdnsEntry(b, cred.password, hosts, o.server, true);
    case 'cloudflare':
      if (cred.login && cred.login !== 'token') {
        b.skip(`login=${cred.login}`, 'a global API key with an account email: ddnsd takes an API token (Zone → DNS → Edit); put one in CLOUDFLARE_API_TOKEN');
      }
      return cloudflareEntry(b, { token: cred.password, hosts, zone: o.zone, ttl: o.ttl ? Number(o.ttl) : undefined, server: o.server });
    case 'namecheap':
      return namecheapEntry(b, cred.login, cred.password, hosts);
    default:
      return unknownProtocol('ddclient', protocol, hosts);
  }
}

function parse(text: string, b: Builder): void {
  const { globals, hosts } = readDdclient(text);
  if (globals.daemon && /^\d+$/.test(globals.daemon)) b.imported.interval = seconds(Number(globals.daemon));
  else if (globals.daemon) b.imported.interval = globals.daemon;
  detection(b, hosts[0]?.options ?? globals);
  const told = new Set<string>();
  const groups = new Map<string, { protocol: string; options: Options; hosts: string[] }>();
  for (const { host, options } of hosts) {
    for (const key of Object.keys(options)) {
      if (USED.has(key) || QUIET.has(key) || told.has(key)) continue;
      told.add(key);
      b.skip(`${key}=${key.includes('password') ? '…' : options[key]}`, ELSEWHERE[key] ?? 'ddnsd has no such setting');
    }
    const protocol = options.protocol ?? 'dyndns2';
    const key = JSON.stringify([protocol, options.server, options.login, options.password, options.zone, options.ttl, options.ssl]);
    const group = groups.get(key) ?? { protocol, options, hosts: [] };
    group.hosts.push(host);
    groups.set(key, group);
  }
  for (const g of groups.values()) b.imported.providers.push(entryOf(b, g.protocol, g.options, g.hosts));
}

export const ddclient: Format = {
  name: 'ddclient',
  detect: (text) => /^\s*(protocol|use|usev4|usev6|daemon|ssl|login|server)=/m.test(text),
  parse,
};
