/**
 * Which answers count as an external address: a valid global unicast address
 * of the family asked for. Private, loopback, link-local, CGNAT, multicast,
 * documentation and other reserved ranges are rejected with the reason.
 */
import ipaddr from 'ipaddr.js';

export type Family = 'ipv4' | 'ipv6';
export const FAMILIES: readonly Family[] = ['ipv4', 'ipv6'];
export const FAMILY_LABEL: Record<Family, string> = { ipv4: 'IPv4', ipv6: 'IPv6' };

export type AddressCheck = { ok: true; address: string } | { ok: false; reason: string };

const RANGE_WORDS: Record<string, string> = {
  private: 'a private (LAN) address',
  loopback: 'a loopback address',
  linkLocal: 'a link-local address',
  carrierGradeNat: 'a carrier-grade NAT (100.64.0.0/10) address: the ISP shares one public address among customers',
  multicast: 'a multicast address',
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved or documentation address',
  uniqueLocal: 'a unique-local (LAN) address',
  ipv4Mapped: 'an IPv4-mapped address',
};

/** Checks one answer. `text` is what a source said, already trimmed. */
export function checkAddress(text: string, family: Family): AddressCheck {
  if (text === '') return { ok: false, reason: 'answered nothing' };
  if (text.startsWith('<')) return { ok: false, reason: 'answered an HTML page, not an address' };
  if (text.length > 64 || /\s/.test(text)) return { ok: false, reason: `answered something that is not an address (${preview(text)})` };
  // ipaddr.js accepts fe80::1%eth0: a zone names an interface of one machine and means nothing in DNS.
  if (text.includes('%')) {
    return {
      ok: false,
      reason: `answered ${preview(text)}, an address with a zone id (%${preview(text.slice(text.indexOf('%') + 1))}), which names a network interface of one machine; the address must come without the %… part`,
    };
  }
  if (!ipaddr.isValid(text)) return { ok: false, reason: `answered "${preview(text)}", which is not an IP address` };
  const parsed = ipaddr.parse(text);
  const kind = parsed.kind() === 'ipv4' ? 'ipv4' : 'ipv6';
  if (kind !== family) {
    return { ok: false, reason: `answered an ${kind === 'ipv4' ? 'IPv4' : 'IPv6'} address where ${FAMILY_LABEL[family]} was asked for` };
  }
  if (kind === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(text)) {
    return { ok: false, reason: `answered "${preview(text)}", which is not a dotted-quad IPv4 address` };
  }
  const range = parsed.range();
  if (range !== 'unicast') return { ok: false, reason: `answered ${text}, ${RANGE_WORDS[range] ?? `an address in the ${range} range`}` };
  if (kind === 'ipv6' && !parsed.match(ipaddr.parseCIDR('2000::/3'))) {
    return { ok: false, reason: `answered ${text}, which is not a global unicast IPv6 address` };
  }
  return { ok: true, address: parsed.toString() };
}

function preview(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}
