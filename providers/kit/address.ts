/** Addresses as adapters see them: record types, and one address in two spellings. */
import ipaddr from 'ipaddr.js';
import type { Family } from '../../src/base/address.js';

/** The DNS record type that holds an address of each family. */
export const RECORD_TYPE = { ipv4: 'A', ipv6: 'AAAA' } as const satisfies Record<Family, string>;

export type RecordType = (typeof RECORD_TYPE)[Family];

/** Whether two texts name the same IP address (`2a02:8010:1::1` and `2A02:8010:0001:0:0:0:0:1` do). */
export function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  if (!ipaddr.isValid(a) || !ipaddr.isValid(b)) return false;
  return ipaddr.parse(a).toNormalizedString() === ipaddr.parse(b).toNormalizedString();
}

/** An address as the bytes of an A (4) or AAAA (16) record's data. */
export function addressBytes(address: string): Buffer {
  return Buffer.from(ipaddr.parse(address).toByteArray());
}
