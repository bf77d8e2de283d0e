/**
 * Checking `auth: basic` credentials. scrypt takes about 50 ms and 32 MiB on
 * one of libuv's four pool threads, which Node shares with file writes and
 * DNS look-ups (the update cycles need both). So:
 *
 * - the attempt is counted against the client's limit before the hash runs
 *   (and taken back when it matches), so parallel guesses cannot all be
 *   checked before the first failure is counted;
 * - at most `perClient` checks of different headers run or wait per client,
 *   and at most `running` run at once overall with `waiting` more queued;
 *   beyond that the answer is 429 (that client) or 503 (everyone), unchecked;
 * - a header already being checked is not checked twice: a browser sends the
 *   same header with the page, its style sheet and its script at once;
 * - a verified header is remembered (by hash), so scrypt runs once per browser.
 */
import { createHash } from 'node:crypto';
import { parsePasswordHash, verifyPassword, type PasswordHash } from '../password.js';
import { clientKey, type Limiter } from './limiter.js';

/** `count`: the client's failures this window, this one included (counted before the check). */
export type BasicVerdict = { ok: true } | { ok: false; count?: number; refused?: { code: 429 | 503; ms: number } };

export interface BasicLimits {
  perClient: number;
  running: number;
  waiting: number;
}

export const BASIC_LIMITS: BasicLimits = { perClient: 2, running: 2, waiting: 16 };

export function basicChecker(
  basic: { username: string; passwordHash: string },
  limiter: Limiter,
  matches: (given: string, wanted: string) => boolean,
  limits: BasicLimits = BASIC_LIMITS,
): (client: string, header: string) => Promise<BasicVerdict> {
  const hash = parsePasswordHash(basic.passwordHash) as PasswordHash;
  const verified = new Set<string>();
  const inFlight = new Map<string, Promise<boolean>>();
  const perClient = new Map<string, number>();
  const queue: (() => void)[] = [];
  let running = 0;

  const slot = async (): Promise<void> => {
    if (running < limits.running) {
      running += 1;
      return;
    }
    await new Promise<void>((resolve) => queue.push(resolve));
  };
  const freeSlot = (): void => {
    const next = queue.shift();
    if (next) next();
    else running -= 1;
  };
  const check = async (text: string): Promise<boolean> => {
    await slot();
    try {
      const colon = text.indexOf(':');
      const userOk = matches(colon < 0 ? '' : text.slice(0, colon), basic.username);
      const passOk = await verifyPassword(colon < 0 ? '' : text.slice(colon + 1), hash);
      return userOk && passOk;
    } finally {
      freeSlot();
    }
  };

  return async (client, header) => {
    const key = createHash('sha256').update(header).digest('hex');
    if (verified.has(key)) return { ok: true };
    const joined = inFlight.get(key);
    if (joined) return (await joined) ? { ok: true } : { ok: false, count: 0 };
    const who = clientKey(client);
    const busy = perClient.get(who) ?? 0;
    if (busy >= limits.perClient) return { ok: false, refused: { code: 429, ms: 1000 } };
    if (running >= limits.running && queue.length >= limits.waiting) return { ok: false, refused: { code: 503, ms: 1000 } };
    const count = limiter.fail(client);
    perClient.set(who, busy + 1);
    const pending = check(Buffer.from(header, 'base64').toString('utf8'));
    inFlight.set(key, pending);
    try {
      const ok = await pending;
      if (ok) {
        limiter.forgive(client);
        if (verified.size >= 32) verified.clear();
        verified.add(key);
      }
      return ok ? { ok } : { ok, count };
    } finally {
      inFlight.delete(key);
      const left = (perClient.get(who) ?? 1) - 1;
      if (left > 0) perClient.set(who, left);
      else perClient.delete(who);
    }
  };
}
