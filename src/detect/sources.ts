/**
 * Sources of the external address, as data. A built-in source is a few
 * lines here over one generic protocol per kind: an HTTP echo (GET a URL,
 * read the text), a DNS question whose answer is the asker's address, the
 * machine's own interface, the router (UPnP IGD, NAT-PMP), or what a router
 * pushed to ddnsd's dyndns2 endpoint. ./ask.ts turns a source into a call.
 */
import { isIP } from 'node:net';
import { parseDnsServer, type DnsServer, type Question } from '../base/dns.js';
import type { Family } from '../base/address.js';

export type AnswerFormat = 'text' | 'trace';
export type SourceKind = Source['kind'];

export type Source =
  | { kind: 'http'; name: string; url: string; format: AnswerFormat }
  /** Servers are tried in order; the first that answers is this source's vote. */
  | { kind: 'dns'; name: string; servers: DnsServer[]; question: Required<Omit<Question, 'recursion'>> }
  | { kind: 'interface'; name: string; iface: string }
  /** `location`: the gateway's device description URL; by default found by SSDP. NAT-PMP is asked when UPnP fails. */
  | { kind: 'upnp'; name: string; location?: string; natpmp: boolean }
  /** `gateway`: host[:port]; by default the default route's gateway, port 5351. */
  | { kind: 'natpmp'; name: string; gateway?: DnsServer }
  /** `wan`: the link whose credential pushed it (`push:<link>`); without it, the pushes of the unnamed credential. */
  | { kind: 'push'; name: string; wan?: string };

type PerFamily<T> = Record<Family, T>;
type BuiltIn = PerFamily<Source | string>;

const http = (name: string, urls: PerFamily<string>, format: AnswerFormat = 'text'): BuiltIn => ({
  ipv4: { kind: 'http', name, url: urls.ipv4, format },
  ipv6: { kind: 'http', name, url: urls.ipv6, format },
});

const dns = (name: string, servers: PerFamily<string[]>, question: (f: Family) => Required<Omit<Question, 'recursion'>>): BuiltIn => {
  const of = (f: Family): Source => ({ kind: 'dns', name, servers: servers[f].map((host) => ({ host, port: 53 })), question: question(f) });
  return { ipv4: of('ipv4'), ipv6: of('ipv6') };
};

const IPV4_ONLY = 'asks the router for its external IPv4 address; it does not detect IPv6 (use interface:<name>, push or an HTTP/DNS source under detect.ipv6)';

/** Every built-in name. A string instead of a source says why the name does not work for that family. */
export const BUILT_IN_SOURCES: Record<string, BuiltIn> = {
  ipify: http('ipify', { ipv4: 'https://api.ipify.org/', ipv6: 'https://api6.ipify.org/' }),
  icanhazip: http('icanhazip', { ipv4: 'https://ipv4.icanhazip.com/', ipv6: 'https://ipv6.icanhazip.com/' }),
  cloudflare: http('cloudflare', { ipv4: 'https://1.1.1.1/cdn-cgi/trace', ipv6: 'https://[2606:4700:4700::1111]/cdn-cgi/trace' }, 'trace'),
  opendns: dns('opendns', { ipv4: ['208.67.222.222', '208.67.220.220'], ipv6: ['2620:119:35::35', '2620:119:53::53'] }, (f) => ({
    name: 'myip.opendns.com',
    type: f === 'ipv4' ? 'A' : 'AAAA',
    class: 'IN',
  })),
  'cloudflare-dns': dns('cloudflare-dns', { ipv4: ['1.1.1.1'], ipv6: ['2606:4700:4700::1111'] }, () => ({
    name: 'whoami.cloudflare',
    type: 'TXT',
    class: 'CH',
  })),
  'google-dns': dns('google-dns', { ipv4: ['216.239.32.10'], ipv6: ['2001:4860:4802:32::a'] }, () => ({
    name: 'o-o.myaddr.l.google.com',
    type: 'TXT',
    class: 'IN',
  })),
  upnp: { ipv4: { kind: 'upnp', name: 'upnp', natpmp: true }, ipv6: `upnp ${IPV4_ONLY}` },
  natpmp: { ipv4: { kind: 'natpmp', name: 'natpmp' }, ipv6: `natpmp ${IPV4_ONLY}` },
  push: { ipv4: { kind: 'push', name: 'push' }, ipv6: { kind: 'push', name: 'push' } },
};

/** Two protocols (HTTP and DNS) and four operators, so one wrong source cannot decide alone. */
export const DEFAULT_SOURCES: Record<Family, readonly string[]> = {
  ipv4: ['ipify', 'cloudflare', 'opendns', 'google-dns'],
  ipv6: [],
};

const FORMS =
  'a built-in name (ipify, icanhazip, cloudflare, opendns, cloudflare-dns, google-dns, upnp, natpmp, push), interface:<name>, ' +
  'an http(s) URL, dns://<server>/<name>?type=A|AAAA|TXT&class=IN|CH, upnp:<description URL>, natpmp:<gateway> or push:<link>';

/**
 * A source from its config entry, or an error message saying what was wrong
 * and which forms there are.
 */
export function resolveSource(ref: string, family: Family): Source | string {
  const builtIn = Object.hasOwn(BUILT_IN_SOURCES, ref) ? BUILT_IN_SOURCES[ref] : undefined;
  if (builtIn) return builtIn[family];
  const colon = ref.indexOf(':');
  const scheme = colon > 0 ? ref.slice(0, colon).toLowerCase() : '';
  const rest = ref.slice(colon + 1);
  switch (scheme) {
    case 'interface':
      return /^[\w.@:-]{1,32}$/.test(rest) ? { kind: 'interface', name: ref, iface: rest } : `source "${ref}": write the interface name after interface:, e.g. interface:eth0`;
    case 'upnp':
      if (family === 'ipv6') return `${ref}: ${IPV4_ONLY}`;
      return isHttpUrl(rest)
        ? { kind: 'upnp', name: 'upnp', location: rest, natpmp: false }
        : `source "${ref}": write the gateway's description URL after upnp:, e.g. upnp:http://192.168.178.1:49000/igddesc.xml`;
    case 'natpmp':
      return natpmpSource(ref, rest, family);
    case 'push':
      return /^[a-z][a-z0-9_-]{0,31}$/.test(rest) ? { kind: 'push', name: ref, wan: rest } : `source "${ref}": write a link name from wans: after push:, e.g. push:lte`;
    case 'dns':
      return dnsSource(ref, family);
    case 'http':
    case 'https':
      return isHttpUrl(ref) ? httpSource(ref) : `source "${ref}" is not a valid URL`;
    default:
      if (rest.startsWith('//')) return `source "${ref}" must be an http:// or https:// URL (or one of the other forms: ${FORMS})`;
      return `unknown source "${ref}": use ${FORMS}`;
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function httpSource(ref: string): Source {
  const url = new URL(ref);
  return { kind: 'http', name: url.host, url: url.href, format: url.pathname.endsWith('/cdn-cgi/trace') ? 'trace' : 'text' };
}

function natpmpSource(ref: string, rest: string, family: Family): Source | string {
  if (family === 'ipv6') return `${ref}: ${IPV4_ONLY}`;
  const gateway = parseDnsServer(rest, 5351);
  if (typeof gateway === 'string' || isIP(gateway.host) !== 4) return `source "${ref}": write the gateway's IPv4 address after natpmp:, e.g. natpmp:192.168.178.1`;
  return { kind: 'natpmp', name: 'natpmp', gateway };
}

/**
 * `dns://1.1.1.1/whoami.cloudflare?type=TXT&class=CH`: ask that server that
 * question. The server must be an address of the family detected, so the
 * question travels over that family.
 */
function dnsSource(ref: string, family: Family): Source | string {
  const m = /^dns:\/\/(\[[0-9a-fA-F:.]+\](?::\d+)?|[^/[\]]+)\/([^?]+)(?:\?(.*))?$/i.exec(ref);
  const hint = `write it as dns://<server address>[:port]/<name>?type=A|AAAA|TXT&class=IN|CH, e.g. dns://208.67.222.222/myip.opendns.com?type=A`;
  if (!m) return `source "${ref}": ${hint}`;
  const server = parseDnsServer(m[1] ?? '');
  const wanted = family === 'ipv4' ? 4 : 6;
  if (typeof server === 'string') return `source "${ref}": ${server}`;
  if (isIP(server.host) !== wanted) {
    return `source "${ref}": the server must be an IPv${wanted} address, so the question travels over the family it detects`;
  }
  const params = new URLSearchParams(m[3] ?? '');
  const type = (params.get('type') ?? (family === 'ipv4' ? 'A' : 'AAAA')).toUpperCase();
  const klass = (params.get('class') ?? 'IN').toUpperCase();
  if (type !== 'A' && type !== 'AAAA' && type !== 'TXT') return `source "${ref}": type must be A, AAAA or TXT; ${hint}`;
  if (klass !== 'IN' && klass !== 'CH') return `source "${ref}": class must be IN or CH; ${hint}`;
  return { kind: 'dns', name: `dns:${m[2]}`, servers: [server], question: { name: m[2] ?? '', type, class: klass } };
}

/** How a source is written back in `ddnsd check`. */
export function describeSource(source: Source): string {
  switch (source.kind) {
    case 'http':
      return source.url;
    case 'dns':
      return `dns ${source.question.name} ${source.question.class} ${source.question.type} at ${source.servers.map((s) => s.host).join(', ')}`;
    case 'upnp':
      return source.location ? `upnp ${source.location}` : `upnp (gateway found by SSDP${source.natpmp ? ', NAT-PMP when UPnP is off' : ''})`;
    case 'natpmp':
      return `natpmp ${source.gateway ? `${source.gateway.host}:${source.gateway.port}` : '(default gateway)'}`;
    default:
      return source.name;
  }
}

/** The address text in an HTTP source's answer. */
export function extractAnswer(body: string, format: AnswerFormat): string {
  if (format === 'trace') {
    const line = body.split('\n').find((l) => l.startsWith('ip='));
    return line ? line.slice(3).trim() : '';
  }
  return body.trim();
}
