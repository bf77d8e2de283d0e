/**
 * Failed sign-ins: at most `max` a window per client, where a client is an
 * IPv4 address or an IPv6 /64 (one host usually owns a whole /64, so
 * rotating within it gains nothing), and at most `globalMax` a window from
 * everyone together (an attacker with many addresses). After that, attempts
 * are refused until the window ends. Only failures count, so a signed-in page
 * refreshing every few seconds is never limited. (A general request limiter
 * counts every request, which is why this is a few lines of our own.)
 * Memory is bounded by `maxClients`.
 */
import ipaddr from 'ipaddr.js';

export interface Limiter {
  /** Milliseconds until this client may try again (its own limit); 0 when it may now. */
  blockedFor(client: string): number;
  /** Milliseconds until anyone may try again (the global budget); 0 when they may now. */
  globalBlockedFor(): number;
  /** Counts a failure; returns the client's count in the current window. */
  fail(client: string): number;
  /** Takes back a failure counted in advance (`fail` before a slow check) that turned out a success. */
  forgive(client: string): void;
  readonly max: number;
  readonly globalMax: number;
  readonly windowMs: number;
}

/** The key a client's failures count under: the IPv4 address, or the IPv6 /64. */
export function clientKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `${parts.join(':')}::/64`;
}

interface Window {
  count: number;
  resetAt: number;
}

export function createLimiter(options: { now: () => number; max?: number; globalMax?: number; windowMs?: number; maxClients?: number }): Limiter {
  const max = options.max ?? 10;
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
  return {
    max,
    globalMax,
    windowMs,
    blockedFor(client) {
      const entry = current(clientKey(client));
      return entry && entry.count >= max ? entry.resetAt - options.now() : 0;
    },
    globalBlockedFor() {
      const all = global();
      return all.count >= globalMax ? all.resetAt - options.now() : 0;
    },
    fail(client) {
      const key = clientKey(client);
      let entry = current(key);
      if (!entry) {
        if (clients.size >= maxClients) makeRoom();
        entry = { count: 0, resetAt: options.now() + windowMs };
        clients.set(key, entry);
      }
      entry.count += 1;
      global().count += 1;
      return entry.count;
    },
    forgive(client) {
      const entry = current(clientKey(client));
      if (entry && entry.count > 0) entry.count -= 1;
      const all = global();
      if (all.count > 0) all.count -= 1;
    },
  };
}
