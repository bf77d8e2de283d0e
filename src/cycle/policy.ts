/** How hard ddnsd tries: retries within a cycle, pauses across cycles, and how many requests at once. */
import { DdnsError } from '../base/errors.js';

export interface RetryPolicy {
  /** Retries within one cycle for transient failures. */
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
  /** The longest Retry-After waited out inside a cycle; longer ones pause the host. */
  maxWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 2, minTimeoutMs: 2000, maxTimeoutMs: 30_000, maxWaitMs: 60_000 };

/**
 * Entries of one provider type sent at once: a service sees at most this many
 * requests from ddnsd in flight, however many entries the config has.
 */
export const PROVIDER_CONCURRENCY = 4;

/** Provider trouble (dyndns2 `911`, `dnserr`) pauses a host at least this long. */
export const SERVER_TROUBLE_PAUSE_MS = 30 * 60_000;

/**
 * An answer ddnsd could not read (an unknown code, an unexpected 4xx, a body
 * it cannot parse) pauses a host this long, doubling with each failure in a
 * row up to BAD_RESPONSE_MAX_MS: never for good, since ddnsd only guessed.
 */
export const BAD_RESPONSE_PAUSE_MS = 60 * 60_000;
export const BAD_RESPONSE_MAX_MS = 24 * 60 * 60_000;

/** Whether a failed attempt is worth another one within this cycle. */
export function retryableNow(error: unknown, maxWaitMs: number): boolean {
  if (!(error instanceof DdnsError)) return true;
  if (error.kind === 'transient') return true;
  return error.kind === 'rate-limited' && (error.retryAfterMs ?? 0) <= maxWaitMs;
}

/**
 * The wait before retry number `attempt` within a cycle: the backoff
 * (minTimeoutMs, doubling, at most maxTimeoutMs) or the provider's
 * Retry-After, whichever is longer; never both one after the other.
 */
export function retryWait(policy: RetryPolicy, attempt: number, error: unknown): number {
  const backoff = Math.min(policy.minTimeoutMs * 2 ** Math.max(0, attempt - 1), policy.maxTimeoutMs);
  const asked = error instanceof DdnsError ? (error.retryAfterMs ?? 0) : 0;
  return Math.max(backoff, asked);
}

/** When to try a failing host again, by what kind of failure it was. */
export function retryDelay(error: DdnsError, failures: number): number {
  switch (error.kind) {
    case 'server':
      return Math.max(error.retryAfterMs ?? 0, SERVER_TROUBLE_PAUSE_MS);
    case 'rate-limited':
      return error.retryAfterMs ?? 5 * 60_000;
    case 'bad-response':
      return Math.min(BAD_RESPONSE_PAUSE_MS * 2 ** Math.max(0, failures - 1), BAD_RESPONSE_MAX_MS);
    default:
      return Math.min(60_000 * 2 ** Math.max(0, failures - 1), 30 * 60_000);
  }
}
