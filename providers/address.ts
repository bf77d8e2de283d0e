/** Address comparison for adapters: providers may write an IPv6 address in another (equally valid) form. */
import ipaddr from 'ipaddr.js';

/** Whether two texts name the same IP address (`2a02:8010:1::1` and `2A02:8010:0001:0:0:0:0:1` do). */
export function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  if (!ipaddr.isValid(a) || !ipaddr.isValid(b)) return false;
  return ipaddr.parse(a).toNormalizedString() === ipaddr.parse(b).toNormalizedString();
}
