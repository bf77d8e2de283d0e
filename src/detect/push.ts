/**
 * Addresses a router pushed to ddnsd's dyndns2 endpoint (/nic/update): the
 * latest per family with its time, kept per link when the credential names
 * one (`push:<link>`). The `push` source answers it while it is fresh, so a
 * router that stopped pushing does not hold the address forever. A FRITZ!Box
 * also sends the LAN's IPv6 prefix (`ip6lanprefix`), kept alongside.
 */
import { humanDuration } from '../base/duration.js';
import type { Family } from '../base/address.js';
import type { Clock } from '../base/clock.js';

export interface Pushed {
  address: string;
  at: number;
}

/** The LAN's IPv6 prefix a router pushed: the network address and its length. */
export interface LanPrefix {
  address: string;
  length: number;
  at: number;
}

export interface PushStore {
  /** Records a pushed address; says whether it differs from the previous one. `wan`: the link of the credential. */
  set(family: Family, address: string, wan?: string): { changed: boolean };
  last(family: Family, wan?: string): Pushed | undefined;
  /** The pushed address while fresh, or throws an Error saying why there is none. */
  fresh(family: Family, wan?: string): string;
  /** Records the LAN prefix a router pushed (ip6lanprefix); says whether it changed. */
  setLanPrefix(prefix: Omit<LanPrefix, 'at'>, wan?: string): { changed: boolean };
  /** The pushed LAN prefix while fresh. */
  lanPrefix(wan?: string): LanPrefix | undefined;
  readonly maxAgeMs: number;
}

export function createPushStore(now: () => number, maxAgeMs: number): PushStore {
  const pushed = new Map<string, Pushed>();
  const prefixes = new Map<string, LanPrefix>();
  const key = (family: Family, wan?: string): string => `${wan ?? ''} ${family}`;
  return {
    maxAgeMs,
    set(family, address, wan) {
      const changed = pushed.get(key(family, wan))?.address !== address;
      pushed.set(key(family, wan), { address, at: now() });
      return { changed };
    },
    last: (family, wan) => pushed.get(key(family, wan)),
    fresh(family, wan) {
      const last = pushed.get(key(family, wan));
      const who = wan ? `the router of link ${wan}` : 'a router';
      if (!last) throw new Error(`${wan ? `the router of link ${wan} has not pushed` : 'no router has pushed'} an address to /nic/update since ddnsd started`);
      const age = now() - last.at;
      if (age > maxAgeMs) {
        throw new Error(`the last push (${last.address}) is ${humanDuration(age)} old, older than ${humanDuration(maxAgeMs)}; is ${who} still set to update ddnsd?`);
      }
      return last.address;
    },
    setLanPrefix(prefix, wan) {
      const before = prefixes.get(wan ?? '');
      prefixes.set(wan ?? '', { ...prefix, at: now() });
      return { changed: before?.address !== prefix.address || before.length !== prefix.length };
    },
    lanPrefix(wan) {
      const last = prefixes.get(wan ?? '');
      return last && now() - last.at <= maxAgeMs ? last : undefined;
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
