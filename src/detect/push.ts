/**
 * Addresses a router pushed to ddnsd's dyndns2 endpoint (/nic/update): the
 * latest per family with its time. The `push` source answers it while it is
 * fresh, so a router that stopped pushing does not hold the address forever.
 */
import { humanDuration } from '../base/duration.js';
import type { Family } from '../base/address.js';

export interface Pushed {
  address: string;
  at: number;
}

export interface PushStore {
  /** Records a pushed address; says whether it differs from the previous one. */
  set(family: Family, address: string): { changed: boolean };
  last(family: Family): Pushed | undefined;
  /** The pushed address while fresh, or throws an Error saying why there is none. */
  fresh(family: Family): string;
  readonly maxAgeMs: number;
}

export function createPushStore(now: () => number, maxAgeMs: number): PushStore {
  const pushed: Partial<Record<Family, Pushed>> = {};
  return {
    maxAgeMs,
    set(family, address) {
      const changed = pushed[family]?.address !== address;
      pushed[family] = { address, at: now() };
      return { changed };
    },
    last: (family) => pushed[family],
    fresh(family) {
      const last = pushed[family];
      if (!last) throw new Error('no router has pushed an address to /nic/update since ddnsd started');
      const age = now() - last.at;
      if (age > maxAgeMs) {
        throw new Error(`the last push (${last.address}) is ${humanDuration(age)} old, older than ${humanDuration(maxAgeMs)}; is the router still set to update ddnsd?`);
      }
      return last.address;
    },
  };
}
