/** Building the per-host, per-family results an adapter returns. */
import type { DdnsError } from '../../src/errors.js';
import { FAMILIES } from '../../src/detect/address.js';
import type { Addresses, HostResult, HostUpdate } from './types.js';

/** The distinct hosts of some updates, in order. */
export function hostsOf(updates: readonly HostUpdate[]): string[] {
  return [...new Set(updates.map((u) => u.host))];
}

/**
 * One result per host and per family that has an address: `updated` or
 * `unchanged` at that address, or `failed` with the error. For protocols
 * that send every known address of an entry in one request.
 */
export function resultsFor(
  hosts: readonly string[],
  addresses: Addresses,
  outcome: 'updated' | 'unchanged' | DdnsError,
): HostResult[] {
  const results: HostResult[] = [];
  for (const host of hosts) {
    for (const family of FAMILIES) {
      const address = addresses[family];
      if (!address) continue;
      results.push(typeof outcome === 'string' ? { host, family, address, outcome } : { host, family, outcome: 'failed', error: outcome });
    }
  }
  return results;
}

/** The result of one update. */
export function resultOf(u: HostUpdate, outcome: 'updated' | 'unchanged' | DdnsError): HostResult {
  return typeof outcome === 'string'
    ? { host: u.host, family: u.family, address: u.address, outcome }
    : { host: u.host, family: u.family, outcome: 'failed', error: outcome };
}
