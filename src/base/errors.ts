/**
 * The one small error hierarchy of ddnsd. Expected outcomes (updated,
 * unchanged) are values; failures are a DdnsError whose `kind` tells the
 * update loop what to do next.
 */

/**
 * - `auth`: the provider rejected the credentials, in words it documents (badauth, 401/403). Needs attention; never retried.
 * - `fatal`: the provider documents the answer as "stop sending" (nohost, abuse, a domain not on the account). Needs attention.
 * - `rate-limited`: the provider asked us to slow down; `retryAfterMs` says for how long.
 * - `server`: the provider documents trouble on its side (911, dnserr); pause for `retryAfterMs`.
 * - `transient`: network error, timeout or 5xx; retried with backoff.
 * - `bad-response`: an answer ddnsd could not classify from the provider's documentation (an unknown
 *   code, an unexpected 4xx, a body it cannot read); paused 1 h, doubling to 24 h, never for good.
 */
export type FailureKind = 'auth' | 'fatal' | 'rate-limited' | 'server' | 'transient' | 'bad-response';

export interface DdnsErrorOptions {
  cause?: unknown;
  retryAfterMs?: number;
}

export class DdnsError extends Error {
  override name = 'DdnsError';
  readonly kind: FailureKind;
  readonly retryAfterMs: number | undefined;

  constructor(kind: FailureKind, message: string, options: DdnsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** A failure that no retry can fix: a person must change the config. */
export function needsAttention(kind: FailureKind): boolean {
  return kind === 'auth' || kind === 'fatal';
}

/** The configuration is invalid. The CLI prints `problems` and exits with status 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly problems: readonly string[];

  constructor(source: string, problems: readonly string[]) {
    super(`Invalid configuration (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/** Any thrown value as a DdnsError, so the loop can switch on its kind. */
export function asDdnsError(error: unknown): DdnsError {
  if (error instanceof DdnsError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DdnsError('transient', message, { cause: error });
}
