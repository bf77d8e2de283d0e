/** Building the per-host, per-family results an adapter returns. */
import { DdnsError as DdnsErrorClass, type DdnsError } from '../../src/base/errors.js';
import { FAMILIES } from '../../src/base/address.js';
import type { Addresses, Family, HostResult, HostUpdate } from '../../src/base/provider.js';
import { inParallel } from './parallel.js';

/** The distinct hosts of some updates, in order. */
export function hostsOf(updates: readonly HostUpdate[]): string[] {
  return [...new Set(updates.map((u) => u.host))];
}

/**
 * One result per host and per family that has an address: `updated` or
 * `unchanged` at that address, or `failed` with the error. For protocols
 * that send every known address of an entry in one request.
 */
export function resultsFor(hosts: readonly string[], addresses: Addresses, outcome: 'updated' | 'unchanged' | DdnsError): HostResult[] {
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
  return typeof outcome === 'string' ? { host: u.host, family: u.family, address: u.address, outcome } : { host: u.host, family: u.family, outcome: 'failed', error: outcome };
}

/** How many of an entry's requests are in flight at once, after its first has been answered. */
export const REQUESTS_AT_ONCE = 4;

/**
 * One request per group (a host, a host and family, a batch of hosts). With
 * one group its failure is thrown, for the cycle to retry as a whole. With
 * several, the first goes alone, so that a refused credential or a rate
 * limit costs one request; the rest then go `REQUESTS_AT_ONCE` at a time
 * (100 hosts at Dyn's 20 per request take two round trips rather than
 * five). A failed group's hosts fail alone and the others go on, except
 * after a rate limit, a refused credential or the service's own trouble
 * with a pause: the groups not yet sent then fail the same way without a
 * request. Results come in the groups' order.
 */
export async function sendGroups<G>(groups: readonly G[], send: (group: G) => Promise<HostResult[]>, failed: (group: G, error: DdnsError) => HostResult[]): Promise<HostResult[]> {
  if (groups.length === 1 && groups[0] !== undefined) return send(groups[0]);
  let stop: DdnsError | undefined;
  const one = async (group: G): Promise<HostResult[]> => {
    try {
      if (stop) throw stop;
      return await send(group);
    } catch (error) {
      if (!(error instanceof DdnsErrorClass)) throw error;
      if (error.kind === 'rate-limited' || error.kind === 'auth' || (error.kind === 'server' && error.retryAfterMs !== undefined)) stop ??= error;
      return failed(group, error);
    }
  };
  const [first, ...rest] = groups;
  if (first === undefined) return [];
  const head = await one(first);
  return [...head, ...(await inParallel(rest, REQUESTS_AT_ONCE, one)).flat()];
}

/**
 * owned: marked: how many records of each host and family are not ddnsd's.
 * `note` keeps the count read from the provider and calls `say` when it
 * changes to a number above zero (one log line, not one per cycle); `mark`
 * adds it to the results as `foreign`.
 */
export interface ForeignRecords {
  note(host: string, family: Family, count: number): void;
  mark(results: readonly HostResult[]): HostResult[];
}

export function foreignRecords(say: (host: string, family: Family, count: number) => void): ForeignRecords {
  const counts = new Map<string, number>();
  return {
    note(host, family, count) {
      const key = `${host} ${family}`;
      if (count > 0 && counts.get(key) !== count) say(host, family, count);
      counts.set(key, count);
    },
    mark: (results) =>
      results.map((r) => {
        const count = counts.get(`${r.host} ${r.family}`) ?? 0;
        return r.outcome !== 'failed' && count > 0 ? { ...r, foreign: count } : r;
      }),
  };
}
