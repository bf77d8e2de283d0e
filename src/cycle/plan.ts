/**
 * Planning, without side effects: for one provider entry, which hosts and
 * families are due and why the others are not.
 */
import type { HostUpdate, Provider } from '../base/provider.js';
import type { ProviderEntry } from '../config/load.js';
import type { Family } from '../base/address.js';
import { hostKey, type HostState, type State } from '../state.js';
import { nextTry, type HostReport } from './report.js';

export interface PlanInput {
  entry: ProviderEntry;
  provider: Provider;
  state: Readonly<State>;
  /** The addresses detected this cycle. */
  detected: Partial<Record<Family, string>>;
  /** Why a family was not detected. */
  detectionError(family: Family): string;
  /** The LAN's IPv6 prefix a router pushed (ip6lanprefix): the prefix of hosts with their own IPv6 suffix. */
  lanPrefix?: { address: string; length: number } | undefined;
  now: number;
  refreshMs: number;
  /** `ddnsd once --force`, "Update now": send hosts paused after a transient failure or an unreadable answer now. */
  force?: boolean;
}

export interface EntryPlan {
  due: HostUpdate[];
  /** Hosts not sent this cycle, and why. */
  reports: HostReport[];
  /** State keys whose "needs attention" is stale: the entry's config changed since. */
  stale: string[];
}

/** Why a host is held back whatever its address: it needs attention, or it waits out a pause. */
export type Hold = { action: 'needs-attention'; message: string } | { action: 'paused'; message: string; retryAt: number; kind: HostState['errorKind']; forceable: boolean };

/**
 * The hold on a host's state at `now`, if any. A "needs attention" from an
 * older config of the entry is no hold: the entry changed since. A force
 * lifts only the pauses ddnsd chose itself (after a transient failure or an
 * unreadable answer), never a provider's own (911, dnserr), a rate limit or
 * a refused credential.
 */
export function holdOf(hs: HostState | undefined, fingerprint: string, now: number, force = false): Hold | undefined {
  if (hs === undefined) return undefined;
  if (hs.attention !== undefined) return hs.attention === fingerprint ? { action: 'needs-attention', message: hs.lastError ?? 'needs attention' } : undefined;
  if (hs.retryAt === undefined || hs.retryAt <= now) return undefined;
  const forceable = hs.errorKind === 'transient' || hs.errorKind === 'bad-response';
  if (force && forceable) return undefined;
  return { action: 'paused', message: hs.lastError ?? 'waiting', retryAt: hs.retryAt, kind: hs.errorKind, forceable };
}

export function planEntry(input: PlanInput): EntryPlan {
  const { entry, provider, state, now } = input;
  const out: EntryPlan = { due: [], reports: [], stale: [] };
  for (const host of provider.hosts) {
    for (const family of entry.families) {
      const key = hostKey(entry.definition.type, host, family);
      const hs = state.hosts[key];
      const base = { provider: provider.label, host, family };
      const address = entry.hostAddress(host, family, input.detected[family], input.lanPrefix);
      if (!address) {
        out.reports.push({ ...base, action: 'skipped', message: input.detectionError(family) });
        continue;
      }
      const stale = hs?.attention !== undefined && hs.attention !== entry.fingerprint;
      if (stale) out.stale.push(key);
      // A stale "needs attention" is as good as cleared: the entry's config changed since.
      const known = stale ? { ...hs, failures: 0, retryAt: undefined, attention: undefined } : hs;
      const hold = holdOf(known, entry.fingerprint, now, input.force);
      if (hold?.action === 'needs-attention') {
        out.reports.push({ ...base, action: 'needs-attention', message: hold.message });
        continue;
      }
      if (hold) {
        const hint = hold.forceable ? '; run ddnsd once --force to try now' : '';
        out.reports.push({ ...base, action: 'paused', message: `${hold.message}; next try ${nextTry(hold.retryAt, now)}${hint}`, retryAt: hold.retryAt });
        continue;
      }
      const refreshDue = input.refreshMs > 0 && (known?.confirmedAt === undefined || now - known.confirmedAt >= input.refreshMs);
      if (known?.address === address && known.failures === 0 && !refreshDue) {
        out.reports.push({ ...base, action: 'current', address });
        continue;
      }
      out.due.push({ host, family, address });
    }
  }
  return out;
}

/** A host that a forced cycle ("Update now") does not send, and why. */
export interface NotRetried {
  provider: string;
  host: string;
  family: Family;
  /** `needs-attention`: fix the entry in the config; `rate-limited`, `server`: the service asked for the pause. */
  reason: 'needs-attention' | 'rate-limited' | 'server' | 'paused';
  message: string;
  /** When the pause ends (ISO 8601); absent for needs-attention. */
  until?: string;
}

const REASON_WORDS: Record<NotRetried['reason'], string> = {
  'needs-attention': 'needs attention: fix its provider entry in the config; ddnsd sends nothing for it until the entry changes',
  'rate-limited': 'the provider rate-limited it',
  server: 'the provider reported trouble on its side and asked for a pause',
  paused: 'paused',
};

/** The hosts a forced cycle would still hold back, in config order. */
export function notRetried(entries: readonly { entry: ProviderEntry; provider: Provider }[], state: Readonly<State>, now: number): NotRetried[] {
  const out: NotRetried[] = [];
  for (const { entry, provider } of entries) {
    for (const host of provider.hosts) {
      for (const family of entry.families) {
        const hold = holdOf(state.hosts[hostKey(entry.definition.type, host, family)], entry.fingerprint, now, true);
        if (!hold) continue;
        const base = { provider: provider.label, host, family };
        if (hold.action === 'needs-attention') {
          out.push({ ...base, reason: 'needs-attention', message: `${REASON_WORDS['needs-attention']} (${hold.message})` });
          continue;
        }
        const reason = hold.kind === 'rate-limited' || hold.kind === 'server' ? hold.kind : 'paused';
        out.push({ ...base, reason, message: `${REASON_WORDS[reason]}; next try ${nextTry(hold.retryAt, now)} (${hold.message})`, until: new Date(hold.retryAt).toISOString() });
      }
    }
  }
  return out;
}
