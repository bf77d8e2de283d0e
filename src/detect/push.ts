/**
 * Addresses a router pushed to ddnsd's dyndns2 endpoint (/nic/update): the
 * latest per family with its time. The `push` source answers it while it is
 * fresh, so a router that stopped pushing does not hold the address forever.
 */
import { humanDuration } from '../base/duration.js';
import type { Family } from '../base/address.js';
import type { Clock } from '../base/clock.js';

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

/** Pushed changes start at most one cycle in this long: a router that flaps does not become a flood of provider updates. */
export const PUSH_CYCLE_GAP_MS = 60_000;

/** When the cycle for a pushed change runs: `now`, `at` a later time, or `queued` (one is already waiting and will read the latest push). */
export type PushCycle = { when: 'now' } | { when: 'at' | 'queued'; at: number };

/**
 * Starts cycles for pushed changes. The first change starts one at once (a
 * push reaches the provider within milliseconds, the point of pushing); a
 * change within `gapMs` of that cycle's start waits for the gap's end, when
 * one cycle takes the latest push: the last address wins. `signal` cancels
 * a waiting cycle when ddnsd stops.
 */
export function pushCycles(clock: Clock, cycle: () => void, signal: AbortSignal, gapMs = PUSH_CYCLE_GAP_MS): () => PushCycle {
  let startedAt = -Infinity;
  let waiting: number | undefined;
  const start = (): void => {
    startedAt = clock.now();
    cycle();
  };
  return () => {
    if (waiting !== undefined) return { when: 'queued', at: waiting };
    const at = startedAt + gapMs;
    if (clock.now() >= at) {
      start();
      return { when: 'now' };
    }
    waiting = at;
    clock.sleep(at - clock.now(), signal).then(
      () => {
        waiting = undefined;
        start();
      },
      () => {
        waiting = undefined;
      },
    );
    return { when: 'at', at };
  };
}
