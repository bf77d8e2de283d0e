/**
 * IPv6 prefix + interface id: a device behind the router (a NAS, the
 * practice server) keeps a fixed interface id while the ISP hands out a new
 * prefix. Its address is the detected IPv6 address's first `prefixLength`
 * bits followed by the rest of the host's fixed suffix (`::1234`, or the
 * EUI-64 id made from its MAC address).
 */
import ipaddr from 'ipaddr.js';

export const DEFAULT_PREFIX_LENGTH = 64;

/** The suffix `::1234` (or a full address whose low bits are taken) as 16 bytes, or an error message. */
export function parseSuffix(text: string): Uint8Array | string {
  const t = text.trim();
  if (!ipaddr.IPv6.isValid(t)) return `"${text}" is not an IPv6 interface id; write it like ::1234 or ::211:32ff:fe12:3456`;
  return Uint8Array.from(ipaddr.IPv6.parse(t).toByteArray());
}

/** The modified EUI-64 interface id of a MAC address (RFC 4291 appendix A), or an error message. */
export function eui64(mac: string): Uint8Array | string {
  const parts = mac.trim().toLowerCase().split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-f]{2}$/.test(p))) {
    return `"${mac}" is not a MAC address; write it like 00:11:22:33:44:55`;
  }
  const b = parts.map((p) => Number.parseInt(p, 16));
  const id = new Uint8Array(16);
  // Flip the universal/local bit and put ff:fe in the middle.
  id.set([(b[0] ?? 0) ^ 0x02, b[1] ?? 0, b[2] ?? 0, 0xff, 0xfe, b[3] ?? 0, b[4] ?? 0, b[5] ?? 0], 8);
  return id;
}

/** The first `prefixLength` bits of `address`, the rest from `suffix`. */
export function withSuffix(address: string, prefixLength: number, suffix: Uint8Array): string {
  const bytes = ipaddr.IPv6.parse(address).toByteArray();
  const out = bytes.map((byte, i) => {
    const bits = Math.max(0, Math.min(8, prefixLength - i * 8)); // bits of this byte from the prefix
    const mask = bits === 0 ? 0 : (0xff << (8 - bits)) & 0xff;
    return (byte & mask) | ((suffix[i] ?? 0) & ~mask & 0xff);
  });
  return ipaddr.fromByteArray(out).toString();
}
