/**
 * The `interface:<name>` source: the machine's own global address of a
 * family on one interface, for machines (and routers) that hold the public
 * address themselves. For IPv6, temporary (privacy) and deprecated addresses
 * are skipped: a DNS record must name the stable one. Node does not expose
 * those flags, so on Linux they are read from /proc/net/if_inet6; elsewhere
 * the stable-looking (EUI-64) or lowest address is picked, with a note.
 */
import { readFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import type { InterfaceLister, InterfaceTable } from '../lan.js';
import { byText } from '../order.js';
import { checkAddress, type Family } from '../base/address.js';

/** Flags of /proc/net/if_inet6 (linux/if_addr.h). */
export const IFA_F_TEMPORARY = 0x01;
export const IFA_F_DADFAILED = 0x08;
export const IFA_F_DEPRECATED = 0x20;
export const IFA_F_TENTATIVE = 0x40;

/** IPv6 address (normalized) → its kernel flags; undefined where the platform cannot tell. */
export type Ipv6Flags = Map<string, number> | undefined;

export interface InterfaceReader {
  table(): InterfaceTable;
  ipv6Flags(): Ipv6Flags;
  /** Why the system would not list its interfaces at the last read, if it would not. */
  failure?(): string | undefined;
}

/** /proc/net/if_inet6: `address(32 hex) ifindex prefixlen scope flags name` per line. */
export function parseIfInet6(text: string): Map<string, number> {
  const flags = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [hex, , , , flag] = line.trim().split(/\s+/);
    if (!hex || hex.length !== 32 || flag === undefined) continue;
    const groups = hex.match(/.{4}/g) ?? [];
    flags.set(ipaddr.parse(groups.join(':')).toString(), Number.parseInt(flag, 16));
  }
  return flags;
}

export const systemInterfaces = (interfaces: InterfaceLister): InterfaceReader => ({
  table: interfaces,
  failure: interfaces.failure,
  ipv6Flags() {
    if (process.platform !== 'linux') return undefined;
    try {
      return parseIfInet6(readFileSync('/proc/net/if_inet6', 'utf8'));
    } catch {
      return undefined;
    }
  },
});

export interface InterfaceAnswer {
  text: string;
  note?: string;
}

/** The address `iface` holds for `family`, or throws an Error saying why there is none. */
export function interfaceAddress(reader: InterfaceReader, iface: string, family: Family): InterfaceAnswer {
  const table = reader.table();
  const failure = reader.failure?.();
  if (failure !== undefined) throw new Error(`cannot list this machine's network interfaces (${failure}); under systemd, add AF_NETLINK to RestrictAddressFamilies=`);
  const infos = table[iface];
  if (!infos) throw new Error(`there is no interface named ${iface} (this machine has ${Object.keys(table).join(', ') || 'none'})`);
  const want = family === 'ipv4' ? 'IPv4' : 'IPv6';
  const all = infos.filter((i) => i.family === want).map((i) => ipaddr.parse(i.address.split('%')[0] ?? '').toString());
  const rejected: string[] = [];
  const global = all.filter((a) => {
    const check = checkAddress(a, family);
    if (!check.ok) rejected.push(a);
    return check.ok;
  });
  if (global.length === 0) {
    throw new Error(`${iface} has no global ${want} address${rejected.length ? ` (only ${rejected.join(', ')})` : ''}`);
  }
  if (family === 'ipv4') return { text: lowest(global), ...(global.length > 1 ? { note: `${iface} has ${global.length} global IPv4 addresses; the lowest is used` } : {}) };
  return pickIpv6(iface, global, reader.ipv6Flags());
}

function pickIpv6(iface: string, global: string[], flags: Ipv6Flags): InterfaceAnswer {
  if (!flags) {
    return {
      text: stable(global),
      note: 'this platform does not tell temporary (privacy) addresses apart to Node; the EUI-64 address, else the lowest, is used',
    };
  }
  const skipped = { temporary: 0, deprecated: 0, tentative: 0 };
  const usable = global.filter((a) => {
    const f = flags.get(a) ?? 0;
    if (f & IFA_F_TEMPORARY) skipped.temporary += 1;
    else if (f & IFA_F_DEPRECATED) skipped.deprecated += 1;
    else if (f & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) skipped.tentative += 1;
    else return true;
    return false;
  });
  const said = Object.entries(skipped)
    .filter(([, n]) => n > 0)
    .map(([what, n]) => `${n} ${what}`);
  const note = said.length ? `skipped ${said.join(', ')} address${said.length === 1 && said[0]?.startsWith('1 ') ? '' : 'es'}` : undefined;
  if (usable.length === 0) throw new Error(`${iface} has no stable global IPv6 address (${note ?? 'none usable'})`);
  return { text: stable(usable), ...(note ? { note } : {}) };
}

/** An EUI-64 interface id (ff:fe in its middle) is derived from the hardware: stable. */
function stable(addresses: string[]): string {
  const eui = addresses.filter((a) => {
    const b = ipaddr.parse(a).toByteArray();
    return b[11] === 0xff && b[12] === 0xfe;
  });
  return lowest(eui.length ? eui : addresses);
}

function lowest(addresses: string[]): string {
  const key = (a: string): string => Buffer.from(ipaddr.parse(a).toByteArray()).toString('hex').padStart(32, '0');
  return [...addresses].sort((a, b) => byText(key(a), key(b)))[0] ?? '';
}
