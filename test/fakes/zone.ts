/**
 * A DNS zone on the loopback DNS fake: one server answers as the recursive
 * resolver and as the zone's own servers (NS names resolve to 127.0.0.1).
 * `records` and `published` can differ: what resolvers still cache and what
 * the zone's servers say now. Rule by rule (RFC 1035: https://www.rfc-editor.org/rfc/rfc1035,
 * RFC 2308: https://www.rfc-editor.org/rfc/rfc2308):
 * - A query with recursion desired (RD) is a resolver's: it may answer from its cache
 *   (RFC 1035 section 4.1.1, RD/RA; RFC 2308 on caching).
 * - A query without RD is an authoritative server's: it answers its zone only, REFUSED for other
 *   names (RFC 1035 section 4.1.1 RCODE 5; what BIND does with recursion off: guess from its manual).
 * - A name with no address: NXDOMAIN with RA set (RFC 1035 section 4.1.1, RCODE 3).
 * - NS of the zone lists its servers; their A records point here (guess: loopback glue, so that
 *   nothing leaves the machine).
 */
import dnsPacket from 'dns-packet';
import { reply, startDnsFake, type FakeDns } from './dns.js';

/** Response codes, in the low bits of the flags. */
const NXDOMAIN = 3;
const REFUSED = 5;

export interface FakeZone extends FakeDns {
  /** What the zone's own servers answer (queries without recursion desired): name → A addresses. */
  published: Map<string, string[]>;
  /** What the resolver answers (recursion desired); falls back to `published`. */
  cached: Map<string, string[]>;
}

export async function startZone(zone: string, nameservers = [`ns1.${zone}`, `ns2.${zone}`]): Promise<FakeZone> {
  const published = new Map<string, string[]>();
  const cached = new Map<string, string[]>();
  const fake = await startDnsFake((query) => {
    const q = query.questions?.[0];
    if (!q) return reply(query, []);
    const recursive = ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) !== 0;
    const name = q.name.toLowerCase();
    if (q.type === 'NS') {
      if (name !== zone) return reply(query, []);
      return reply(
        query,
        nameservers.map((ns) => ({ name: zone, type: 'NS', ttl: 300, data: ns })),
      );
    }
    if (q.type === 'A' && nameservers.includes(name)) return reply(query, [{ name, type: 'A', ttl: 300, data: '127.0.0.1' }]);
    const addresses = (recursive ? (cached.get(name) ?? published.get(name)) : published.get(name)) ?? [];
    if (q.type !== 'A') return reply(query, []);
    if (!recursive && !name.endsWith(zone)) return reply(query, [], { flags: dnsPacket.RECURSION_AVAILABLE | REFUSED });
    return reply(
      query,
      addresses.map((data) => ({ name, type: 'A', ttl: 60, data })),
      addresses.length ? {} : { flags: dnsPacket.RECURSION_AVAILABLE | NXDOMAIN },
    );
  });
  return Object.assign(fake, { published, cached });
}
