/**
 * Failed sign-ins per client address: at most `max` per window; after that
 * every attempt from that address is refused until the window ends. Only
 * failures count, so a signed-in page refreshing every few seconds is never
 * limited. (A general request limiter counts every request, which is why
 * this is a few lines of our own.) Memory is bounded by `maxClients`.
 */
export interface Limiter {
  /** Milliseconds until this address may try again; 0 when it may now. */
  blockedFor(client: string): number;
  /** Counts a failure; returns the count in the current window. */
  fail(client: string): number;
  readonly max: number;
  readonly windowMs: number;
}

export function createLimiter(options: { now: () => number; max?: number; windowMs?: number; maxClients?: number }): Limiter {
  const max = options.max ?? 10;
  const windowMs = options.windowMs ?? 60_000;
  const maxClients = options.maxClients ?? 10_000;
  const clients = new Map<string, { count: number; resetAt: number }>();
  const current = (client: string): { count: number; resetAt: number } | undefined => {
    const entry = clients.get(client);
    if (entry && entry.resetAt <= options.now()) {
      clients.delete(client);
      return undefined;
    }
    return entry;
  };
  const makeRoom = (): void => {
    const now = options.now();
    for (const [client, entry] of clients) if (entry.resetAt <= now) clients.delete(client);
    // Still full of live entries: forget the oldest.
    while (clients.size >= maxClients) clients.delete(clients.keys().next().value as string);
  };
  return {
    max,
    windowMs,
    blockedFor(client) {
      const entry = current(client);
      return entry && entry.count >= max ? entry.resetAt - options.now() : 0;
    },
    fail(client) {
      let entry = current(client);
      if (!entry) {
        if (clients.size >= maxClients) makeRoom();
        entry = { count: 0, resetAt: options.now() + windowMs };
        clients.set(client, entry);
      }
      entry.count += 1;
      return entry.count;
    },
  };
}
