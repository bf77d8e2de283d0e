/**
 * One cycle: detect the external addresses, compare them with what each
 * provider last confirmed, and update only the hosts that are due. Outcomes
 * are values in the report; the state is changed in place and persisted
 * after each provider answers, so a crash loses at most the answers in flight.
 */
import pRetry from 'p-retry';
import type { Provider, HostResult, HostUpdate } from '../providers/types.js';
import type { Clock } from './clock.js';
import type { ProviderEntry } from './config/load.js';
import { humanDuration } from './config/duration.js';
import { FAMILY_LABEL, type Family } from './detect/address.js';
import type { Detection, Detector } from './detect/index.js';
import { asDdnsError, DdnsError, needsAttention } from './errors.js';
import type { Logger, Redactor } from './log.js';
import { HISTORY_LIMIT, hostKey, type HostState, type State } from './state.js';

/** What a cycle did about one host and family. */
export type HostAction =
  | 'updated' // the provider changed the record
  | 'unchanged' // sent, and the provider already had it
  | 'current' // nothing sent: the provider confirmed this address before
  | 'would-update' // --dry-run: would have sent
  | 'failed' // sent, and it failed; retried later
  | 'needs-attention' // a fatal answer; paused until the entry's config changes
  | 'paused' // waiting out a backoff, Retry-After or provider trouble
  | 'skipped' // this family's address is not known this cycle
  | 'cancelled'; // stopped while the request was in flight

export interface HostReport {
  provider: string;
  host: string;
  family: Family;
  action: HostAction;
  address?: string;
  message?: string;
}

export interface CycleReport {
  id: number;
  startedAt: number;
  finishedAt: number;
  detections: Detection[];
  hosts: HostReport[];
  /** Every family detected and every host up to date. */
  ok: boolean;
}

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

export interface ConfiguredProvider {
  entry: ProviderEntry;
  provider: Provider;
}

export interface CycleDeps {
  providers: readonly ConfiguredProvider[];
  detector: Detector;
  refreshMs: number;
  clock: Clock;
  log: Logger;
  redactor: Redactor;
  retry: RetryPolicy;
  /** Persists the state; called after each provider's answers are applied. */
  persist(state: State): Promise<void>;
  /** Told the detections as soon as they are known, before any provider is called. */
  onDetected?(detections: readonly Detection[]): void;
  /** Remembers what was last logged per subject, so a repeated problem is logged once. */
  notices?: Map<string, string>;
}

export interface CycleOptions {
  id: number;
  signal: AbortSignal;
  dryRun?: boolean;
  /** `ddnsd once --force`: retry hosts paused after a transient failure or an unreadable answer now. */
  force?: boolean;
}

export async function runCycle(deps: CycleDeps, state: State, options: CycleOptions): Promise<CycleReport> {
  const { clock, log, signal } = { ...deps, signal: options.signal };
  const startedAt = clock.now();
  const work = options.dryRun ? structuredClone(state) : state;
  const notices = deps.notices ?? new Map<string, string>();
  const once = (subject: string, message: string, level: 'warn' | 'error', fields?: Record<string, unknown>): void => {
    if (notices.get(subject) === message) log.debug(message, fields);
    else log[level](message, fields);
    notices.set(subject, message);
  };

  const detections = await Promise.all(deps.detector.families.map((f) => deps.detector.detect(f, signal)));
  if (!options.dryRun) deps.onDetected?.(detections);
  const detected: Partial<Record<Family, string>> = {};
  for (const d of detections) {
    const label = FAMILY_LABEL[d.family];
    if (!d.address) {
      if (!signal.aborted) once(`detect ${d.family}`, d.error ?? `${label} not detected`, 'warn');
      continue;
    }
    if (notices.has(`detect ${d.family}`)) {
      notices.delete(`detect ${d.family}`);
      log.info(`${label} detection works again`);
    }
    detected[d.family] = d.address;
    const previous = work.detected[d.family]?.address;
    if (previous !== d.address) {
      log.info(previous ? `External ${label} address changed from ${previous} to ${d.address}` : `External ${label} address is ${d.address}`, {
        sources: d.agreeing.join(','),
      });
      work.history.push({ at: startedAt, family: d.family, ...(previous ? { from: previous } : {}), to: d.address });
      if (work.history.length > HISTORY_LIMIT) work.history.splice(0, work.history.length - HISTORY_LIMIT);
    }
    work.detected[d.family] = { address: d.address, at: startedAt };
  }
  work.lastCheck = startedAt;
  const detectionError = (f: Family): string =>
    detections.find((d) => d.family === f)?.error ?? `${FAMILY_LABEL[f]} not detected`;

  forgetRemovedHosts(work, deps.providers);

  const reports: HostReport[] = [];
  const tasks: Promise<void>[] = [];
  const slots = new Map<string, Limiter>();
  for (const { entry, provider } of deps.providers) {
    const type = entry.definition.type;
    let slot = slots.get(type);
    if (!slot) slots.set(type, (slot = limiter(PROVIDER_CONCURRENCY)));
    const due: HostUpdate[] = [];
    for (const host of provider.hosts) {
      for (const family of entry.families) {
        const key = hostKey(type, host, family);
        const hs: HostState = (work.hosts[key] ??= { provider: type, host, family, failures: 0 });
        const base = { provider: provider.label, host, family };
        const address = detected[family];
        if (!address) {
          reports.push({ ...base, action: 'skipped', message: detectionError(family) });
          continue;
        }
        if (hs.attention !== undefined) {
          if (hs.attention === entry.fingerprint) {
            reports.push({ ...base, action: 'needs-attention', message: hs.lastError ?? 'needs attention' });
            continue;
          }
          // The entry's config changed since the fatal answer: try again.
          clearFailure(hs);
        }
        // Never forced: a provider's own pause (911, dnserr), a rate limit, a wrong credential (above).
        const forceable = hs.errorKind === 'transient' || hs.errorKind === 'bad-response';
        if (hs.retryAt !== undefined && hs.retryAt > startedAt && !(options.force && forceable)) {
          const hint = forceable ? '; run ddnsd once --force to try now' : '';
          reports.push({ ...base, action: 'paused', message: `${hs.lastError ?? 'waiting'}; next try in ${humanDuration(hs.retryAt - startedAt)}${hint}` });
          continue;
        }
        const refreshDue = deps.refreshMs > 0 && (hs.confirmedAt === undefined || startedAt - hs.confirmedAt >= deps.refreshMs);
        if (hs.address === address && hs.failures === 0 && !refreshDue) {
          reports.push({ ...base, action: 'current', address });
          continue;
        }
        due.push({ host, family, address });
      }
    }
    if (due.length === 0) continue;
    if (options.dryRun) {
      for (const u of due) reports.push({ provider: provider.label, host: u.host, family: u.family, action: 'would-update', address: u.address });
      continue;
    }
    const addresses: Partial<Record<Family, string>> = {};
    for (const f of entry.families) if (detected[f]) addresses[f] = detected[f];
    tasks.push(
      slot(() => send(deps, provider, due, addresses, signal)).then(async (results) => {
        reports.push(...applyResults(deps, work, entry, provider, due, results, once, notices));
        if (!signal.aborted) await deps.persist(work);
      }),
    );
  }
  await Promise.all(tasks);
  if (!options.dryRun) await deps.persist(work);

  const order = (r: HostReport): string => `${r.provider} ${r.host} ${r.family}`;
  reports.sort((a, b) => order(a).localeCompare(order(b)));
  const fine = new Set<HostAction>(['updated', 'unchanged', 'current', 'would-update']);
  return {
    id: options.id,
    startedAt,
    finishedAt: clock.now(),
    detections,
    hosts: reports,
    ok: detections.every((d) => d.address) && reports.every((r) => fine.has(r.action)),
  };
}

/** Hosts no longer in the config leave the state, so it never grows with old entries. */
function forgetRemovedHosts(state: State, providers: readonly ConfiguredProvider[]): void {
  const wanted = new Set<string>();
  for (const { entry, provider } of providers) {
    for (const host of provider.hosts) for (const family of entry.families) wanted.add(hostKey(entry.definition.type, host, family));
  }
  for (const key of Object.keys(state.hosts)) if (!wanted.has(key)) delete state.hosts[key];
}

function clearFailure(hs: HostState): void {
  hs.failures = 0;
  delete hs.attention;
  delete hs.retryAt;
  delete hs.lastError;
  delete hs.errorKind;
}

type SendResult = HostResult[] | { cancelled: true };

type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** Runs tasks with at most `limit` in flight, the rest in the order they came. */
function limiter(limit: number): Limiter {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}

/** One provider call, with transient failures retried inside the cycle. */
async function send(
  deps: CycleDeps,
  provider: Provider,
  updates: HostUpdate[],
  addresses: Partial<Record<Family, string>>,
  signal: AbortSignal,
): Promise<SendResult> {
  const { retry, log, clock } = deps;
  try {
    return await pRetry(() => provider.update({ updates, addresses, signal }), {
      retries: retry.retries,
      minTimeout: retry.minTimeoutMs,
      maxTimeout: retry.maxTimeoutMs,
      factor: 2,
      signal,
      shouldRetry: ({ error }) => retryableNow(error, retry.maxWaitMs),
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        if (signal.aborted || retriesLeft === 0 || !retryableNow(error, retry.maxWaitMs)) return;
        log.warn(`${provider.label}: attempt ${attemptNumber} failed, retrying: ${deps.redactor.redact(error.message)}`);
        const wait = error instanceof DdnsError ? error.retryAfterMs : undefined;
        if (wait) await clock.sleep(wait, signal);
      },
    });
  } catch (error) {
    if (signal.aborted) return { cancelled: true };
    const failure = asDdnsError(error);
    return updates.map((u) => ({ host: u.host, family: u.family, outcome: 'failed' as const, error: failure }));
  }
}

function retryableNow(error: unknown, maxWaitMs: number): boolean {
  if (!(error instanceof DdnsError)) return true;
  if (error.kind === 'transient') return true;
  return error.kind === 'rate-limited' && (error.retryAfterMs ?? 0) <= maxWaitMs;
}

/** When to try a failing host again, by what kind of failure it was. */
export function retryDelay(error: DdnsError, failures: number): number {
  switch (error.kind) {
    case 'server':
      return Math.max(error.retryAfterMs ?? 0, SERVER_TROUBLE_PAUSE_MS);
    case 'rate-limited':
      return error.retryAfterMs ?? 5 * 60_000;
    default:
      return Math.min(60_000 * 2 ** Math.max(0, failures - 1), 30 * 60_000);
  }
}

function applyResults(
  deps: CycleDeps,
  state: State,
  entry: ProviderEntry,
  provider: Provider,
  due: HostUpdate[],
  outcome: SendResult,
  once: (subject: string, message: string, level: 'warn' | 'error') => void,
  notices: Map<string, string>,
): HostReport[] {
  const label = provider.label;
  if (!Array.isArray(outcome)) {
    return due.map((u) => ({
      provider: label,
      host: u.host,
      family: u.family,
      action: 'cancelled' as const,
      message: 'stopped before the provider answered; the update may or may not have been applied',
    }));
  }
  const now = deps.clock.now();
  const reports: HostReport[] = [];
  const answered = new Set<string>();
  for (const r of outcome) {
    if (!provider.hosts.includes(r.host) || !entry.families.includes(r.family)) continue;
    const key = hostKey(entry.definition.type, r.host, r.family);
    if (answered.has(key)) continue;
    answered.add(key);
    const hs: HostState = (state.hosts[key] ??= { provider: entry.definition.type, host: r.host, family: r.family, failures: 0 });
    hs.lastAttemptAt = now;
    const base = { provider: label, host: r.host, family: r.family };
    const record = r.family === 'ipv4' ? 'A' : 'AAAA';
    const subject = `host ${key}`;
    if (r.outcome !== 'failed') {
      notices.delete(subject);
      clearFailure(hs);
      hs.address = r.address;
      hs.confirmedAt = now;
      deps.log.info(`${r.host} ${record} ${r.outcome === 'updated' ? 'updated to' : 'confirmed at'} ${r.address}`, { provider: label });
      reports.push({ ...base, action: r.outcome, address: r.address });
      continue;
    }
    const message = deps.redactor.redact(r.error.message);
    hs.failures += 1;
    hs.lastError = message;
    hs.errorKind = r.error.kind;
    if (needsAttention(r.error.kind)) {
      hs.attention = entry.fingerprint;
      delete hs.retryAt;
      once(subject, `${r.host} ${record}: ${message}. ddnsd sends nothing more for it until providers[${entry.index}] in the config changes.`, 'error');
      reports.push({ ...base, action: 'needs-attention', message });
    } else {
      const delay = retryDelay(r.error, hs.failures);
      hs.retryAt = now + delay;
      once(subject, `${r.host} ${record}: ${message}; trying again in ${humanDuration(delay)}`, 'warn');
      reports.push({ ...base, action: 'failed', message });
    }
  }
  for (const u of due) {
    const key = hostKey(entry.definition.type, u.host, u.family);
    if (answered.has(key)) continue;
    const hs = state.hosts[key];
    const message = `${label} gave no answer for ${u.host}`;
    if (hs) {
      hs.failures += 1;
      hs.lastError = message;
      hs.errorKind = 'bad-response';
      hs.lastAttemptAt = now;
      hs.retryAt = now + retryDelay(new DdnsError('bad-response', message), hs.failures);
    }
    reports.push({ provider: label, host: u.host, family: u.family, action: 'failed', message });
  }
  return reports;
}
