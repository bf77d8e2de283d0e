/**
 * Per-host options of a provider entry, read before the adapter's schema sees
 * the entry: a `hosts` item may be a mapping `{ name, ipv6_suffix }` or
 * `{ name, ipv6_host_mac }` for a device behind the router, with the entry's
 * `ipv6_prefix_length` (default 64). The adapter gets plain hostnames, as
 * always; the cycle asks `hostAddress` for each host's address.
 */
import type { Family } from '../base/address.js';
import { DEFAULT_PREFIX_LENGTH, eui64, parseSuffix, withSuffix } from '../detect/prefix.js';
import type { PathKey, Problem } from './lines.js';
import { describeValue } from './schema.js';

export interface HostOptions {
  prefixLength: number;
  /** Item index in `hosts` → the fixed interface id, and how it was written (for `ddnsd check`). */
  suffixes: Map<number, { id: Uint8Array; written: string }>;
}

const HOST_KEYS = ['name', 'ipv6_suffix', 'ipv6_host_mac'];

/**
 * Takes the per-host options out of an entry: returns the entry as its adapter
 * expects it (hostnames only, no `ipv6_prefix_length`) and the options.
 */
export function takeHostOptions(entry: Record<string, unknown>, path: PathKey[], problems: Problem[]): { entry: Record<string, unknown>; options: HostOptions } {
  const { ipv6_prefix_length: length, ...rest } = entry;
  const options: HostOptions = { prefixLength: DEFAULT_PREFIX_LENGTH, suffixes: new Map() };
  if (length !== undefined) {
    if (typeof length === 'number' && Number.isInteger(length) && length >= 8 && length <= 120) options.prefixLength = length;
    else problems.push({ path: [...path, 'ipv6_prefix_length'], message: `expected the prefix length in bits (8 to 120, usually 56 or 64), got ${describeValue(length)}` });
  }
  if (!Array.isArray(rest.hosts)) return { entry: rest, options };
  rest.hosts = rest.hosts.map((item: unknown, i: number) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return item;
    const at: PathKey[] = [...path, 'hosts', i];
    const fields = item as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      if (!HOST_KEYS.includes(key))
        problems.push({ path: [...at, key], message: `unknown key; a host is written as a name, or as { name, ipv6_suffix } or { name, ipv6_host_mac }` });
    }
    const suffix = fields.ipv6_suffix;
    const mac = fields.ipv6_host_mac;
    if (suffix !== undefined && mac !== undefined) problems.push({ path: at, message: 'give ipv6_suffix or ipv6_host_mac, not both' });
    else if (suffix === undefined && mac === undefined)
      problems.push({ path: at, message: 'a host written as a mapping needs ipv6_suffix (e.g. ::1234) or ipv6_host_mac (e.g. 00:11:22:33:44:55); otherwise write just the name' });
    else {
      const key = suffix !== undefined ? 'ipv6_suffix' : 'ipv6_host_mac';
      const value = suffix ?? mac;
      const id = typeof value !== 'string' ? `expected a string, got ${describeValue(value)}` : suffix !== undefined ? parseSuffix(value) : eui64(value);
      if (typeof id === 'string') problems.push({ path: [...at, key], message: id });
      else options.suffixes.set(i, { id, written: `${key}: ${String(value)}` });
    }
    return fields.name;
  });
  return { entry: rest, options };
}

/**
 * What a host's address is for a family: the detected one, or prefix + the
 * host's own interface id. `lanPrefix`: the LAN's prefix a router pushed
 * (ip6lanprefix), which then gives the prefix instead of the detected address.
 */
export type HostAddress = (host: string, family: Family, detected: string | undefined, lanPrefix?: { address: string; length: number }) => string | undefined;

/** The per-host address function of an entry whose hosts (after the adapter's schema) are `hosts`. */
export function hostAddressOf(hosts: readonly string[], options: HostOptions): HostAddress {
  const ids = new Map<string, Uint8Array>();
  for (const [i, suffix] of options.suffixes) {
    const host = hosts[i];
    if (host !== undefined) ids.set(host, suffix.id);
  }
  return (host, family, detected, lanPrefix) => {
    const id = family === 'ipv6' ? ids.get(host) : undefined;
    if (id && lanPrefix) return withSuffix(lanPrefix.address, Math.max(lanPrefix.length, options.prefixLength), id);
    return id && detected ? withSuffix(detected, options.prefixLength, id) : detected;
  };
}
