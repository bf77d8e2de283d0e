/**
 * Failed sign-ins: at most `max` a window per client address, at most
 * `prefixMax` per IPv6 /64 (one host usually owns a whole /64 and can rotate
 * through it; the machines of one LAN share one too, hence the higher
 * number), and at most `globalMax` a window from everyone together (an
 * attacker with many addresses). After that, attempts are refused until the
 * window ends. Only failures count, so a signed-in page refreshing every few
 * seconds is never limited. (A general request limiter counts every request,
 * which is why this is a few lines of our own.) Memory is bounded by
 * `maxClients`.
 */
import ipaddr from 'ipaddr.js';

export interface Limiter {
  /** Milliseconds until this client may try again (its address's or its /64's limit); 0 when it may now. */
  blockedFor(client: string): number;
  /** Milliseconds until anyone may try again (the global budget); 0 when they may now. */
  globalBlockedFor(): number;
  /** Counts a failure; returns the address's count in the current window. */
  fail(client: string): number;
  /** Takes back a failure counted in advance (`fail` before a slow check) that turned out a success. */
  forgive(client: string): void;
  readonly max: number;
  readonly prefixMax: number;
  readonly globalMax: number;
  readonly windowMs: number;
}

/** One client's address in one spelling: IPv4-mapped IPv6 as IPv4, IPv6 in its short form. */
export function clientKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) return (parsed as ipaddr.IPv6).toIPv4Address().toString();
  return parsed.toString();
}

/** The IPv6 /64 an address belongs to, e.g. `2001:db8:1:2::/64`; undefined for IPv4. */
export function prefixKey(address: string): string | undefined {
  const key = clientKey(address);
  if (!key.includes(':') || !ipaddr.isValid(key)) return undefined;
  const parts = (ipaddr.parse(key) as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `${parts.join(':')}::/64`;
}

interface Window {
  count: number;
  resetAt: number;
}

export function createLimiter(options: { now: () => number; max?: number; prefixMax?: number; globalMax?: number; windowMs?: number; maxClients?: number }): Limiter {
  const max = options.max ?? 10;
  const prefixMax = options.prefixMax ?? 30;
  const globalMax = options.globalMax ?? 50;
  const windowMs = options.windowMs ?? 60_000;
  const maxClients = options.maxClients ?? 10_000;
  const clients = new Map<string, Window>();
  let everyone: Window = { count: 0, resetAt: 0 };
  const current = (key: string): Window | undefined => {
    const entry = clients.get(key);
    if (entry && entry.resetAt <= options.now()) {
      clients.delete(key);
      return undefined;
    }
    return entry;
  };
  const makeRoom = (): void => {
    const now = options.now();
    for (const [key, entry] of clients) if (entry.resetAt <= now) clients.delete(key);
    // Still full of live entries: forget the oldest.
    while (clients.size >= maxClients) clients.delete(clients.keys().next().value as string);
  };
  const global = (): Window => {
    if (everyone.resetAt <= options.now()) everyone = { count: 0, resetAt: options.now() + windowMs };
    return everyone;
  };
  /** The windows a client's failures count in, with their limits: its address, and its /64 for IPv6. */
  const limits = (client: string): [string, number][] => {
    const prefix = prefixKey(client);
    return prefix
      ? [
          [clientKey(client), max],
          [prefix, prefixMax],
        ]
      : [[clientKey(client), max]];
  };
  const count = (key: string): Window => {
    let entry = current(key);
    if (!entry) {
      if (clients.size >= maxClients) makeRoom();
      entry = { count: 0, resetAt: options.now() + windowMs };
      clients.set(key, entry);
    }
    entry.count += 1;
    return entry;
  };
  return {
    max,
    prefixMax,
    globalMax,
    windowMs,
    blockedFor(client) {
      let wait = 0;
      for (const [key, limit] of limits(client)) {
        const entry = current(key);
        if (entry && entry.count >= limit) wait = Math.max(wait, entry.resetAt - options.now());
      }
      return wait;
    },
    globalBlockedFor() {
      const all = global();
      return all.count >= globalMax ? all.resetAt - options.now() : 0;
    },
    fail(client) {
      const [own] = limits(client).map(([key]) => count(key));
      global().count += 1;
      return own?.count ?? 0;
    },
    forgive(client) {
      for (const [key] of limits(client)) {
        const entry = current(key);
        if (entry && entry.count > 0) entry.count -= 1;
      }
      const all = global();
      if (all.count > 0) all.count -= 1;
    },
  };
}
