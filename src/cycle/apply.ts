/**
 * Applying what a provider answered: each result changes the host's state
 * (confirmed, failing with a backoff, or needing attention) and is told as
 * an event; a host the provider did not answer for counts as failed.
 */
import type { HostResult, HostUpdate } from '../base/provider.js';
import type { ProviderEntry } from '../config/load.js';
import { DdnsError, needsAttention } from '../base/errors.js';
import type { Redactor } from '../base/log.js';
import { hostKey, type HostState, type State } from '../state.js';
import type { Events } from './events.js';
import { retryDelay } from './policy.js';
import { nextTry, type HostReport } from './report.js';

/** What the provider call came to: results, or nothing because ddnsd is stopping. */
export type SendResult = HostResult[] | { cancelled: true };

export interface ApplyContext {
  state: State;
  entry: ProviderEntry;
  /** The provider's label and hosts. */
  label: string;
  hosts: readonly string[];
  events: Events;
  redactor: Redactor;
  now: number;
}

export function clearFailure(hs: HostState): void {
  hs.failures = 0;
  delete hs.attention;
  delete hs.retryAt;
  delete hs.lastError;
  delete hs.errorKind;
}

/**
 * Forgets that `key`'s record holds `address` (a check saw the zone's servers
 * hold another), so the next cycle sends it again. False when the host's
 * confirmed address is no longer `address`: nothing to forget.
 */
export function invalidate(state: State, key: string, address: string): boolean {
  const hs = state.hosts[key];
  if (!hs || hs.address !== address) return false;
  delete hs.address;
  return true;
}

export function hostState(state: State, type: string, host: string, family: HostState['family']): HostState {
  return (state.hosts[hostKey(type, host, family)] ??= { provider: type, host, family, failures: 0 });
}

export function applyResults(ctx: ApplyContext, due: readonly HostUpdate[], outcome: SendResult): HostReport[] {
  if (!Array.isArray(outcome)) {
    return due.map((u) => ({
      provider: ctx.label,
      host: u.host,
      family: u.family,
      action: 'cancelled' as const,
      message: 'stopped before the provider answered; the update may or may not have been applied',
    }));
  }
  const reports: HostReport[] = [];
  const answered = new Set<string>();
  for (const r of outcome) {
    const key = hostKey(ctx.entry.definition.type, r.host, r.family);
    if (!ctx.hosts.includes(r.host) || !ctx.entry.families.includes(r.family) || answered.has(key)) continue;
    answered.add(key);
    reports.push(applyOne(ctx, r));
  }
  for (const u of due) {
    if (answered.has(hostKey(ctx.entry.definition.type, u.host, u.family))) continue;
    const error = new DdnsError('bad-response', `${ctx.label} gave no answer for ${u.host}`);
    reports.push(applyOne(ctx, { host: u.host, family: u.family, outcome: 'failed', error }));
  }
  return reports;
}

function applyOne(ctx: ApplyContext, r: HostResult): HostReport {
  const { entry, events, now } = ctx;
  const hs = hostState(ctx.state, entry.definition.type, r.host, r.family);
  hs.lastAttemptAt = now;
  const base = { provider: ctx.label, host: r.host, family: r.family, at: now };
  const report = { provider: ctx.label, host: r.host, family: r.family };
  if (r.outcome !== 'failed') {
    const wasFailing = hs.failures > 0 || hs.attention !== undefined;
    clearFailure(hs);
    hs.address = r.address;
    hs.confirmedAt = now;
    if (r.foreign) hs.foreign = r.foreign;
    else delete hs.foreign;
    events.emit({ type: 'host-updated', ...base, address: r.address, outcome: r.outcome });
    if (wasFailing) events.emit({ type: 'host-recovered', ...base, address: r.address });
    return { ...report, action: r.outcome, address: r.address };
  }
  const message = ctx.redactor.redact(r.error.message);
  hs.failures += 1;
  hs.lastError = message;
  hs.errorKind = r.error.kind;
  if (needsAttention(r.error.kind)) {
    hs.attention = entry.fingerprint;
    delete hs.retryAt;
    events.emit({ type: 'host-needs-attention', ...base, kind: r.error.kind, message, entry: entry.index });
    return { ...report, action: 'needs-attention', message };
  }
  hs.retryAt = now + retryDelay(r.error, hs.failures);
  events.emit({ type: 'host-failed', ...base, kind: r.error.kind, message, retryAt: hs.retryAt });
  return { ...report, action: 'failed', message: `${message}; next try ${nextTry(hs.retryAt, now)}`, retryAt: hs.retryAt };
}
