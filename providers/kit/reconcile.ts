/**
 * The shape most REST adapters share: find each host's zone from its name
 * (cached), read the host's current record, send nothing when it already
 * holds the address, else write it. A failure that concerns one host only
 * (`fatal`, `bad-response`) fails that host; anything else fails the call.
 */
import { DdnsError } from '../../src/base/errors.js';
import { sameAddress } from './address.js';
import { resultOf } from './results.js';
import type { Family, HostResult, HostUpdate, Provider } from '../../src/base/provider.js';
import type { z } from 'zod';
import { zoneCandidates } from '../../src/base/zones.js';

/** Failures that concern one host only: its result. Auth, rate limits and transient trouble fail the whole call. */
export function failsOneHost(error: unknown): error is DdnsError {
  return error instanceof DdnsError && (error.kind === 'fatal' || error.kind === 'bad-response');
}

/**
 * A host's zone: the configured one, else the longest of its parent names
 * that `find` knows. Answers are kept for the process lifetime (a zone that
 * was not found is looked up again on the next cycle). `missing` says, for a
 * person, why no zone was found; it becomes a `fatal` failure of that host.
 */
export function zoneFinder<Z>(
  find: (name: string, signal: AbortSignal) => Promise<Z | undefined>,
  missing: (host: string) => string,
  configured?: string,
): (host: string, signal: AbortSignal) => Promise<Z> {
  const known = new Map<string, Z>();
  return async (host, signal) => {
    const cached = known.get(host);
    if (cached !== undefined) return cached;
    for (const name of configured === undefined ? zoneCandidates(host) : [configured]) {
      const zone = await find(name, signal);
      if (zone === undefined) continue;
      known.set(host, zone);
      return zone;
    }
    throw new DdnsError('fatal', missing(host));
  };
}

/** zoneFinder over an API that answers whether a zone of that name exists: the zone is its name. */
export function zoneByName(
  exists: (name: string, signal: AbortSignal) => Promise<boolean>,
  missing: (host: string) => string,
  configured?: string,
): (host: string, signal: AbortSignal) => Promise<string> {
  return zoneFinder(async (name, signal) => ((await exists(name, signal)) ? name : undefined), missing, configured);
}

/** What a host's record holds now: its addresses (none when it is missing) and what the adapter needs to change it. */
export interface CurrentRecord<R> {
  values: readonly string[];
  record?: R | undefined;
  /** Something other than the address differs from the entry (its TTL, say): write even when the address is right. */
  stale?: boolean;
}

export interface RecordSteps<R> {
  read(u: HostUpdate, signal: AbortSignal): Promise<CurrentRecord<R>>;
  /**
   * Points the host at `wantedAddresses(u)` (one address, or under
   * `wan_mode: all` one per healthy link): creates the record when
   * `current.values` is empty, else replaces it.
   */
  write(u: HostUpdate, current: CurrentRecord<R>, signal: AbortSignal): Promise<void>;
  /** `delete_on_stop`: deletes the host's records of the family; how many there were. */
  remove?(host: string, family: Family, signal: AbortSignal): Promise<number>;
}

/** Every address a host's name should have: `u.addresses` under `wan_mode: all`, else `u.address`. */
export function wantedAddresses(u: HostUpdate): readonly string[] {
  return u.addresses ?? [u.address];
}

/** Whether two lists hold the same addresses, in any order and written in any form. */
export function sameAddresses(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.some((y) => sameAddress(x, y))) && b.every((y) => a.some((x) => sameAddress(x, y)));
}

/**
 * Each update in turn (providers with small rate limits prefer one request
 * at a time): read, then write only when the record is not exactly the
 * address (or, under wan_mode: all, the addresses). `unchanged` when it
 * already was.
 */
export async function updateEach<R>(updates: readonly HostUpdate[], steps: RecordSteps<R>, signal: AbortSignal): Promise<HostResult[]> {
  const results: HostResult[] = [];
  for (const u of updates) {
    try {
      const current = await steps.read(u, signal);
      if (current.values.length > 0 && sameAddresses(current.values, wantedAddresses(u)) && current.stale !== true) {
        results.push(resultOf(u, 'unchanged'));
        continue;
      }
      await steps.write(u, current, signal);
      results.push(resultOf(u, 'updated'));
    } catch (error) {
      if (!failsOneHost(error)) throw error;
      results.push(resultOf(u, error));
    }
  }
  return results;
}

/** For an entry's schema: with `zone` set, every host must be in it. */
export function hostsInZone(entry: { hosts: string[]; zone?: string | undefined }, ctx: z.RefinementCtx): void {
  const zone = entry.zone;
  if (zone === undefined) return;
  entry.hosts.forEach((host, i) => {
    if (host !== zone && !host.endsWith(`.${zone}`)) {
      ctx.addIssue({ code: 'custom', path: ['hosts', i], message: `${host} is not in the zone ${zone}; list hosts of that zone, or use another entry` });
    }
  });
}

/** A provider whose update is updateEach over these steps, and which deletes its records when ddnsd stops if the steps can. */
export function recordProvider<R>(label: string, hosts: readonly string[], steps: RecordSteps<R>): Provider {
  const provider: Provider = { label, hosts, update: ({ updates, signal }) => updateEach(updates, steps, signal) };
  const remove = steps.remove?.bind(steps);
  if (remove === undefined) return provider;
  return {
    ...provider,
    async removeRecords(families, signal) {
      let removed = 0;
      for (const host of hosts) for (const family of families) removed += await remove(host, family, signal);
      return removed;
    },
  };
}
