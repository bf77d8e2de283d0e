/**
 * The status snapshot that /api/status serves and /healthz judges, built
 * from the config and the state: one row per host and family.
 */
import type { Config } from './config/load.js';
import type { Events } from './cycle/events.js';
import type { Family } from './base/address.js';
import type { SourceAnswer } from './detect/index.js';
import { followKey, joinAddresses } from './cycle/links.js';
import { recentLanChange } from './lan.js';
import type { NotifyTargetStatus } from './notify/index.js';
import type { CheckResult } from './reach/result.js';
import { hostKey, type HistoryEntry, type LanAddress, type State } from './state.js';

export type HostStatus = 'ok' | 'pending' | 'failing' | 'needs-attention';

export interface HostRow {
  provider: string;
  host: string;
  family: Family;
  /** The address the provider last confirmed. */
  address: string | null;
  status: HostStatus;
  lastUpdate: string | null;
  lastError: string | null;
  nextAttempt: string | null;
  /** Records of the name that are not ddnsd's (owned: marked), left alone; absent when none. */
  foreign?: number;
  /** The link (`wans:`) the host follows now (null before any was healthy); absent when its entry follows `detect:`. */
  wan?: string | null;
}

/** A link (`wans:`) as last checked. */
export interface WanRow {
  name: string;
  up: boolean | null;
  /** Since when it has been up (or down). */
  since: string | null;
  /** Checks in a row in this state. */
  checks: number;
  ipv4: string | null;
  ipv6: string | null;
  error: string | null;
  /** The hosts that follow it now. */
  hosts: string[];
}

export interface Status {
  version: string;
  ipv4: string | null;
  ipv6: string | null;
  lastCheck: string | null;
  nextCheck: string | null;
  /** Per family: whether it worked, and what each source answered in the latest detection. */
  detection: Partial<Record<Family, { ok: boolean; error: string | null; sources: SourceAnswer[] }>>;
  /** Set when the state file could not be written: the next cycle tries again. */
  stateError: string | null;
  hosts: HostRow[];
  /** The links under `wans:`; absent without them. */
  wans?: WanRow[];
  /** The machine's own LAN addresses; `change` is set while a recent change is worth a warning. */
  lan: {
    addresses: LanAddress[];
    checkedAt: string | null;
    change: { at: string; removed: LanAddress[]; added: LanAddress[] } | null;
  };
  /** Address changes, newest first (the last 50 are kept). */
  history: { at: string; family: Family; from: string | null; to: string }[];
  /** The reachability checks' latest results; null when `checks:` is not configured. */
  reach: { checkedAt: string | null; results: CheckResult[] } | null;
  /** Each notification target: what it sent and its latest failure. */
  notify: NotifyTargetStatus[];
  /** When the config in effect was applied, and from where (start, a save on the settings page, SIGHUP). */
  config?: { appliedAt: string; from: string };
}

export interface RuntimeView {
  version: string;
  config: Config;
  state: State;
  /** Per family, the error of the latest detection, or null when it worked. */
  detectionErrors: Partial<Record<Family, string | null>>;
  /** Per family, what each source answered in the latest detection. */
  detectionAnswers?: Partial<Record<Family, SourceAnswer[]>>;
  nextCheck: number | undefined;
  stateError: string | undefined;
  /** Provider labels by entry index. */
  labels: readonly string[];
  hosts: readonly (readonly string[])[];
  /** Now, for how long warnings stay up. */
  now: number;
  /** Undefined when no checks are configured. */
  reach?: { at: number | undefined; results: CheckResult[] } | undefined;
  notify?: NotifyTargetStatus[];
  /** The LAN prefix a router pushed (ip6lanprefix), per link (undefined: the router not tied to one). */
  lanPrefix?: ((wan?: string) => { address: string; length: number } | undefined) | undefined;
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export function buildStatus(view: RuntimeView): Status {
  const { config, state } = view;
  const rows: HostRow[] = [];
  config.providers.forEach((entry, i) => {
    for (const host of view.hosts[i] ?? []) {
      for (const family of entry.families) {
        const hs = state.hosts[hostKey(entry.definition.type, host, family)];
        const wan = entry.wan ? (state.wans?.follow[followKey(entry)] ?? null) : null;
        const seen = entry.wan ? linkAddress(state, wan, family) : state.detected[family]?.address;
        const current = entry.hostAddress(host, family, seen, view.lanPrefix?.(entry.wan ? (wan ?? undefined) : undefined));
        let status: HostStatus = 'pending';
        if (hs?.attention === entry.fingerprint) status = 'needs-attention';
        else if (hs && hs.failures > 0 && hs.attention === undefined) status = 'failing';
        else if (hs?.address !== undefined && hs.address === current) status = 'ok';
        rows.push({
          provider: view.labels[i] ?? entry.definition.type,
          host,
          family,
          address: hs?.address ?? null,
          status,
          lastUpdate: iso(hs?.confirmedAt),
          lastError: status === 'failing' || status === 'needs-attention' ? (hs?.lastError ?? null) : null,
          nextAttempt: status === 'failing' ? iso(hs?.retryAt) : null,
          ...(entry.wan ? { wan } : {}),
          ...(hs?.foreign ? { foreign: hs.foreign } : {}),
        });
      }
    }
  });
  const detection: Status['detection'] = {};
  // When every entry follows links, detect: is not asked, so it is not shown (nor judged).
  const global = config.wans.length === 0 || config.providers.length === 0 || config.providers.some((p) => !p.wan);
  for (const family of global ? config.detect.families : []) {
    const error = view.detectionErrors[family];
    const sources = view.detectionAnswers?.[family] ?? [];
    detection[family] = { ok: error === null, error: error ?? (error === undefined ? 'not checked yet' : null), sources };
  }
  return {
    version: view.version,
    ipv4: state.detected.ipv4?.address ?? null,
    ipv6: state.detected.ipv6?.address ?? null,
    lastCheck: iso(state.lastCheck),
    nextCheck: iso(view.nextCheck),
    detection,
    stateError: view.stateError ?? null,
    hosts: rows,
    ...(config.wans.length ? { wans: wanRows(config, state, rows) } : {}),
    lan: lanView(state, view.now),
    history: state.history
      .slice()
      .reverse()
      .map((h: HistoryEntry) => ({ at: new Date(h.at).toISOString(), family: h.family, from: h.from ?? null, to: h.to })),
    reach: view.reach ? { checkedAt: iso(view.reach.at), results: view.reach.results } : null,
    notify: view.notify ?? [],
  };
}

/** The address of the link (or, under wan_mode: all, the links) a host follows. */
function linkAddress(state: State, wan: string | null, family: Family): string | undefined {
  const addresses = (wan ?? '').split(', ').flatMap((name) => state.wans?.links[name]?.addresses[family] ?? []);
  return addresses.length > 1 ? joinAddresses(addresses) : addresses[0];
}

function wanRows(config: Config, state: State, rows: readonly HostRow[]): WanRow[] {
  return config.wans.map(({ name }) => {
    const link = state.wans?.links[name];
    const hosts = [...new Set(rows.filter((r) => r.wan?.split(', ').includes(name)).map((r) => r.host))];
    return {
      name,
      up: link?.up ?? null,
      since: iso(link?.since),
      checks: link?.streak ?? 0,
      ipv4: link?.addresses.ipv4 ?? null,
      ipv6: link?.addresses.ipv6 ?? null,
      error: link?.error ?? null,
      hosts,
    };
  });
}

function lanView(state: State, now: number): Status['lan'] {
  const change = recentLanChange(state, now);
  return {
    addresses: state.lan?.addresses ?? [],
    checkedAt: iso(state.lan?.at),
    change: change ? { at: new Date(change.at).toISOString(), removed: change.removed, added: change.added } : null,
  };
}

export interface Health {
  ok: boolean;
  reasons: string[];
}

/** Healthy while detection works, no host is failing or needs attention, and no required check fails. */
export function judgeHealth(status: Status): Health {
  const reasons: string[] = [];
  for (const [family, d] of Object.entries(status.detection)) {
    if (d && !d.ok) reasons.push(`${family} detection: ${d.error}`);
  }
  for (const h of status.hosts) {
    if (h.status === 'failing' || h.status === 'needs-attention') reasons.push(`${h.host} ${h.family}: ${h.status}: ${h.lastError ?? ''}`.trim());
  }
  if (status.stateError) reasons.push(`state: ${status.stateError}`);
  const links = status.wans ?? [];
  if (links.length > 0 && links.every((w) => w.up === false)) reasons.push(`every link is down: ${links.map((w) => `${w.name}: ${w.error ?? 'down'}`).join('; ')}`);
  for (const r of status.reach?.results ?? []) {
    if (r.required && r.verdict === 'fail') reasons.push(`reachability ${r.check} ${r.subject}: ${r.summary}`);
  }
  return { ok: reasons.length === 0, reasons };
}

/** What the status keeps from the cycle's events: each family's latest detection, known before any provider is called. */
export interface DetectionView {
  /** Per family, the error of the latest detection, or null when it worked. */
  errors: Partial<Record<Family, string | null>>;
  /** Per family, what each source answered in the latest detection. */
  answers: Partial<Record<Family, SourceAnswer[]>>;
}

/** The status subscribes to the detection events, as the metrics do (server/metrics.ts). */
export function watchDetection(events: Events): DetectionView {
  const view: DetectionView = { errors: {}, answers: {} };
  events.on('detected', (e) => {
    view.errors[e.family] = null;
    if (e.answers) view.answers[e.family] = e.answers;
  });
  events.on('detection-failed', (e) => {
    view.errors[e.family] = e.error;
    if (e.answers) view.answers[e.family] = e.answers;
  });
  return view;
}
