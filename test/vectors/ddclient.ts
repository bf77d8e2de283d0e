/**
 * ddclient's own protocol tests as vectors: for each case of a protocol
 * both ddclient and ddnsd speak, the hosts, addresses and credentials of
 * ddclient's test and the request ddclient is expected to send (method,
 * path, query parameters, authentication). test/providers/ddclient-vectors.test.ts
 * runs ddnsd's adapter with the same input against a recording server and
 * compares. Read from github.com/ddclient/ddclient at f4dcf6fc (2026-06-21).
 *
 * `differs` marks a case where ddnsd sends something else on purpose, and
 * says why; the test then checks that ddnsd sends what the vector says it
 * sends instead, so the difference stays known.
 */
import type { Family } from '../../src/base/address.js';

export interface DdclientVector {
  /** ddclient's file and the case's `desc`. */
  source: string;
  /** ddnsd's provider type. */
  type: string;
  /** The credentials of ddclient's test, as ddnsd's entry names them. */
  credentials: Record<string, string>;
  hosts: string[];
  addresses: Partial<Record<Family, string>>;
  /** The answer lines ddclient's test server gives. */
  answer: string[];
  /** What ddclient is expected to send. */
  want: { method: 'GET'; path: string; query: string; authorization?: string };
  /** The hosts ddclient counts as updated after that answer (its `wantrecap` with status good). */
  good: string[];
  /** ddnsd does something else on purpose: why, and what it sends or counts instead. */
  differs?: { why: string; query?: string; good?: string[] };
}

const BASIC = `Basic ${Buffer.from('username:password').toString('base64')}`;
const LOGIN = { username: 'username', password: 'password' };
const DYNDNS2 = 't/protocol_dyndns2.pl';
const DYNU = 't/protocol_dynu.pl';

/** t/protocol_dyndns2.pl: ddclient's nic_dyndns2_update with script /nic/update. */
const dyndns2 = (desc: string, hosts: string[], addresses: DdclientVector['addresses'], answer: string[], query: string, good: string[]): DdclientVector => ({
  source: `${DYNDNS2} "${desc}"`,
  type: 'dyndns2',
  credentials: LOGIN,
  hosts,
  addresses,
  answer,
  want: { method: 'GET', path: '/nic/update', query, authorization: BASIC },
  good,
});

/** t/protocol_dynu.pl: ddclient's nic_dynu_update against the server named by the test. */
const dynu = (desc: string, addresses: DdclientVector['addresses'], answer: string[], query: string, good = ['myhome.dynu.net']): DdclientVector => ({
  source: `${DYNU} "${desc}"`,
  type: 'dynu',
  credentials: LOGIN,
  hosts: ['myhome.dynu.net'],
  addresses,
  answer,
  want: { method: 'GET', path: '/nic/update', query, authorization: BASIC },
  good,
});

const V4 = { ipv4: '192.0.2.1' };
const V6 = { ipv6: '2001:db8::1' };
const BOTH = { ...V4, ...V6 };

export const DDCLIENT_VECTORS: readonly DdclientVector[] = [
  dyndns2('IPv4, single host, good', ['h1'], V4, ['good'], 'hostname=h1&myip=192.0.2.1', ['h1']),
  dyndns2('IPv4, single host, nochg', ['h1'], V4, ['nochg'], 'hostname=h1&myip=192.0.2.1', ['h1']),
  dyndns2('IPv4, single host, bad', ['h1'], V4, ['nohost'], 'hostname=h1&myip=192.0.2.1', []),
  dyndns2('IPv4, single host, unexpected', ['h1'], V4, ['WAT'], 'hostname=h1&myip=192.0.2.1', []),
  dyndns2('IPv4, multiple hosts, multiple good', ['h1', 'h2'], V4, ['good 192.0.2.1', 'good'], 'hostname=h1,h2&myip=192.0.2.1', ['h1', 'h2']),
  dyndns2('IPv4, multiple hosts, mixed success', ['h1', 'h2', 'h3'], V4, ['good', 'nochg', 'dnserr'], 'hostname=h1,h2,h3&myip=192.0.2.1', ['h1', 'h2']),
  dyndns2('IPv6, single host, good', ['h1'], V6, ['good'], 'hostname=h1&myip=2001:db8::1', ['h1']),
  dyndns2('IPv4 and IPv6, single host, good', ['h1'], BOTH, ['good'], 'hostname=h1&myip=192.0.2.1,2001:db8::1', ['h1']),
  dyndns2('excess status line', ['h1', 'h2'], V4, ['good', 'good', 'WAT'], 'hostname=h1,h2&myip=192.0.2.1', ['h1', 'h2']),
  dyndns2('multiple hosts, single failure', ['h1', 'h2'], V4, ['abuse'], 'hostname=h1,h2&myip=192.0.2.1', []),
  {
    ...dyndns2('multiple hosts, single success', ['h1', 'h2'], V4, ['good'], 'hostname=h1,h2&myip=192.0.2.1', ['h1', 'h2']),
    differs: {
      why: 'the protocol answers one line per host; a single `good` for two hosts confirms the first only, so ddnsd counts the second as unanswered and sends it again later rather than take an update it has no word for (ddclient takes it, with a warning)',
      good: ['h1'],
    },
  },
  dyndns2('multiple hosts, fewer results', ['h1', 'h2', 'h3'], V4, ['good', 'nochg'], 'hostname=h1,h2,h3&myip=192.0.2.1', ['h1', 'h2']),
  dynu('IPv4 only, good', V4, ['good'], 'hostname=myhome.dynu.net&myip=192.0.2.1'),
  dynu('IPv6 only, good', V6, ['good'], 'hostname=myhome.dynu.net&myip=no&myipv6=2001:db8::1'),
  dynu('dual-stack IPv4+IPv6, good', BOTH, ['good'], 'hostname=myhome.dynu.net&myip=192.0.2.1&myipv6=2001:db8::1'),
  dynu('nochg treated as good', V4, ['nochg'], 'hostname=myhome.dynu.net&myip=192.0.2.1'),
  dynu('error response', V4, ['badauth'], 'hostname=myhome.dynu.net&myip=192.0.2.1', []),
  {
    ...dynu('zone: hostname+alias construction', V4, ['good'], 'hostname=example.com&alias=host&myip=192.0.2.1', ['host.example.com']),
    hosts: ['host.example.com'],
    differs: {
      why: "ddnsd has no `zone` setting for Dynu: it sends the full hostname, which Dynu takes for its own names and for a custom domain's names alike; ddclient's hostname+alias form is for a zone it is told",
      query: 'hostname=host.example.com&myip=192.0.2.1',
    },
  },
];

/**
 * t/protocol_cloudflare.pl: several requests (zone lookup, record lookup, the
 * write). The vector is what ddclient's `check_reqs` asserts: the zone looked
 * up by name, the record of the type, a write to that record carrying the
 * address, and the token as `Authorization: Bearer` on every request.
 */
export interface CloudflareVector {
  source: string;
  host: string;
  zone: string;
  token: string;
  family: Family;
  address: string;
  want: { zoneQuery: string; recordType: 'A' | 'AAAA'; write: { method: 'PATCH'; content: string }; authorization: string };
}

const CF = 't/protocol_cloudflare.pl';
export const CLOUDFLARE_VECTORS: readonly CloudflareVector[] = [
  {
    source: `${CF} "IPv4 success, Bearer token auth"`,
    host: 'host.example.com',
    zone: 'example.com',
    token: 'mytoken',
    family: 'ipv4',
    address: '192.0.2.1',
    want: { zoneQuery: 'name=example.com', recordType: 'A', write: { method: 'PATCH', content: '192.0.2.1' }, authorization: 'Bearer mytoken' },
  },
  {
    source: `${CF} "IPv6 success"`,
    host: 'host.example.com',
    zone: 'example.com',
    token: 'mytoken',
    family: 'ipv6',
    address: '2001:db8::1',
    want: { zoneQuery: 'name=example.com', recordType: 'AAAA', write: { method: 'PATCH', content: '2001:db8::1' }, authorization: 'Bearer mytoken' },
  },
];

/**
 * t/protocol_hetzner.pl (the Hetzner Cloud DNS API): what its `check_reqs`
 * asserts: the RRSet looked up by zone, relative name and type; a missing one
 * created with POST /zones/{zone}/rrsets, an existing one changed with
 * POST …/rrsets/{name}/{type}/actions/set_records; the token as Bearer.
 */
export interface HetznerVector {
  source: string;
  host: string;
  zone: string;
  family: Family;
  address: string;
  /** The RRSet exists before the update (ddclient's test answers it to the lookup). */
  exists: boolean;
  want: { lookup: string; write: string; name: string; type: 'A' | 'AAAA' };
}

const HZ = 't/protocol_hetzner.pl';
const hetzner = (desc: string, host: string, family: Family, address: string, exists: boolean, name: string, write: string): HetznerVector => {
  const type = family === 'ipv4' ? 'A' : 'AAAA';
  return { source: `${HZ} "${desc}"`, host, zone: 'example.com', family, address, exists, want: { lookup: `GET /zones/example.com/rrsets/${name}/${type}`, write, name, type } };
};
const CREATE = 'POST /zones/example.com/rrsets';

export const HETZNER_VECTORS: readonly HetznerVector[] = [
  hetzner('IPv4 success, no existing record (create)', 'host.example.com', 'ipv4', '192.0.2.1', false, 'host', CREATE),
  hetzner('IPv4 success, existing record (update)', 'host.example.com', 'ipv4', '192.0.2.2', true, 'host', 'POST /zones/example.com/rrsets/host/A/actions/set_records'),
  hetzner('apex domain (@) — hostname equals zone', 'example.com', 'ipv4', '192.0.2.1', false, '@', CREATE),
  hetzner('IPv6 success, no existing record', 'host.example.com', 'ipv6', '2001:db8::1', false, 'host', CREATE),
];

/**
 * Protocols both speak whose ddclient tests are not vectors here, and why.
 * t/protocol_dynu.pl "zone mismatch: hostname outside zone" sends nothing in ddclient
 * (a config check); ddnsd has no zone setting, so there is nothing to compare.
 */
export const NOT_VECTORS: Readonly<Record<string, string>> = {
  't/protocol_cloudflare.pl "IPv4 success, email+key auth"': 'ddnsd takes an API token only, not the global key with X-Auth-Email',
  't/protocol_hetzner.pl "both IPv4 and IPv6 success", "action returns error status"':
    "how an action that ends in error is read is the Hetzner adapter's own; the requests are those of the single-family cases",
  't/protocol_hetzner.pl "correct auth header sent"': 'compared in every Hetzner vector (Bearer and the token); the token is 64 characters long there, as Hetzner Cloud tokens are',
};
