/** One provider call, with transient failures retried inside the cycle (p-retry, Retry-After honoured, one wait per retry). */
import pRetry from 'p-retry';
import type { HostUpdate, Provider } from '../base/provider.js';
import type { Clock } from '../base/clock.js';
import type { Family } from '../base/address.js';
import { asDdnsError } from '../base/errors.js';
import type { Logger, Redactor } from '../base/log.js';
import type { SendResult } from './apply.js';
import { retryableNow, retryWait, type RetryPolicy } from './policy.js';

export interface SendDeps {
  retry: RetryPolicy;
  clock: Clock;
  log: Logger;
  redactor: Redactor;
}

export async function send(
  deps: SendDeps,
  provider: Provider,
  updates: HostUpdate[],
  addresses: Partial<Record<Family, string>>,
  signal: AbortSignal,
  ipv6Prefix?: string,
): Promise<SendResult> {
  const { retry, log, clock } = deps;
  try {
    // p-retry counts the attempts and decides whether to go on; the waits are ours, on the clock,
    // so a provider's Retry-After and the backoff are one wait (the longer), not one after the other.
    return await pRetry(() => provider.update({ updates, addresses, signal, ...(ipv6Prefix ? { ipv6Prefix } : {}) }), {
      retries: retry.retries,
      minTimeout: 0,
      maxTimeout: 0,
      signal,
      shouldRetry: ({ error }) => retryableNow(error, retry.maxWaitMs),
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        if (signal.aborted || retriesLeft === 0 || !retryableNow(error, retry.maxWaitMs)) return;
        log.warn(`${provider.label}: attempt ${attemptNumber} failed, retrying: ${deps.redactor.redact(error.message)}`);
        await clock.sleep(retryWait(retry, attemptNumber, error), signal);
      },
    });
  } catch (error) {
    if (signal.aborted) return { cancelled: true };
    const failure = asDdnsError(error);
    return updates.map((u) => ({ host: u.host, family: u.family, outcome: 'failed' as const, error: failure }));
  }
}
