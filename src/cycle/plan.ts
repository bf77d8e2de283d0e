/**
 * Planning, without side effects: for one provider entry, which hosts and
 * families are due and why the others are not.
 */
import type { HostUpdate, Provider } from '../base/provider.js';
import type { ProviderEntry } from '../config/load.js';
import { humanDuration } from '../base/duration.js';
import type { Family } from '../base/address.js';
import { hostKey, type State } from '../state.js';
import type { HostReport } from './report.js';

export interface PlanInput {
  entry: ProviderEntry;
  provider: Provider;
  state: Readonly<State>;
  /** The addresses detected this cycle. */
  detected: Partial<Record<Family, string>>;
  /** Why a family was not detected. */
  detectionError(family: Family): string;
  now: number;
  refreshMs: number;
  /** `ddnsd once --force`: send hosts paused after a transient failure or an unreadable answer now. */
  force?: boolean;
}

export interface EntryPlan {
  due: HostUpdate[];
  /** Hosts not sent this cycle, and why. */
  reports: HostReport[];
  /** State keys whose "needs attention" is stale: the entry's config changed since. */
  stale: string[];
}

export function planEntry(input: PlanInput): EntryPlan {
  const { entry, provider, state, now } = input;
  const out: EntryPlan = { due: [], reports: [], stale: [] };
  for (const host of provider.hosts) {
    for (const family of entry.families) {
      const key = hostKey(entry.definition.type, host, family);
      const hs = state.hosts[key];
      const base = { provider: provider.label, host, family };
      const address = entry.hostAddress(host, family, input.detected[family]);
      if (!address) {
        out.reports.push({ ...base, action: 'skipped', message: input.detectionError(family) });
        continue;
      }
      const stale = hs?.attention !== undefined && hs.attention !== entry.fingerprint;
      if (stale) out.stale.push(key);
      // A stale "needs attention" is as good as cleared: the entry's config changed since.
      const known = stale ? { ...hs, failures: 0, retryAt: undefined, attention: undefined } : hs;
      if (known?.attention !== undefined) {
        out.reports.push({ ...base, action: 'needs-attention', message: known.lastError ?? 'needs attention' });
        continue;
      }
      // Never forced: a provider's own pause (911, dnserr), a rate limit, a wrong credential (above).
      const forceable = known?.errorKind === 'transient' || known?.errorKind === 'bad-response';
      if (known?.retryAt !== undefined && known.retryAt > now && !(input.force && forceable)) {
        const hint = forceable ? '; run ddnsd once --force to try now' : '';
        out.reports.push({ ...base, action: 'paused', message: `${known.lastError ?? 'waiting'}; next try in ${humanDuration(known.retryAt - now)}${hint}` });
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
