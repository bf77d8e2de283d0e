/**
 * One cycle: detect the external addresses, compare them with what each
 * provider last confirmed (./plan.ts), send what is due (./send.ts) and
 * apply the answers (./apply.ts). Outcomes are values in the report and
 * events on the bus; the state is changed in place and persisted after each
 * provider answers, so a crash loses at most the answers in flight.
 */
import pLimit from 'p-limit';
import type { Addresses, HostUpdate, Provider } from '../base/provider.js';
import type { Clock } from '../base/clock.js';
import type { ProviderEntry } from '../config/load.js';
import { FAMILY_LABEL, type Family } from '../base/address.js';
import type { Detection, Detector } from '../detect/index.js';
import type { LanPrefix } from '../detect/push.js';
import type { Links } from '../detect/wans.js';
import { withSuffix } from '../detect/prefix.js';
import type { Logger, Redactor } from '../base/log.js';
import { byText } from '../order.js';
import { HISTORY_LIMIT, hostKey, type State } from '../state.js';
import { applyResults, clearFailure, hostState } from './apply.js';
import type { EventOf, Events } from './events.js';
import { allLinks, followLinks, trackLinks, type EntryView } from './links.js';
import { planEntry } from './plan.js';
import { PROVIDER_CONCURRENCY, type RetryPolicy } from './policy.js';
import { FINE, type CycleReport, type HostReport } from './report.js';
import { send } from './send.js';

export * from './events.js';
export * from './policy.js';
export * from './report.js';
export { invalidate } from './apply.js';

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
  events: Events;
  /** The links (`wans:`), when configured: checked every cycle, followed by entries with `wan:`. */
  links?: Links | undefined;
  /** The LAN prefix a router pushed without naming a link, for entries that follow `detect:`. */
  lanPrefix?: () => LanPrefix | undefined;
  /** Persists the state; called after each provider's answers are applied. */
  persist(state: State): Promise<void>;
}

export interface CycleOptions {
  id: number;
  signal: AbortSignal;
  dryRun?: boolean;
  /** `ddnsd once --force`: retry hosts paused after a transient failure or an unreadable answer now. */
  force?: boolean;
  /** Called once every provider answered, before the final save and `cycle-finished`: the loop sets the next time then. */
  ended?: () => void;
}

export async function runCycle(deps: CycleDeps, state: State, options: CycleOptions): Promise<CycleReport> {
  const { clock, signal } = { ...deps, signal: options.signal };
  const startedAt = clock.now();
  const work = options.dryRun ? structuredClone(state) : state;
  // A dry run tells nobody: nothing happened.
  const events: Events = options.dryRun ? { ...deps.events, emit: () => {} } : deps.events;

  // Entries that follow links need no global detection; it still runs when any entry follows detect:.
  const global = !deps.links || deps.providers.length === 0 || deps.providers.some((p) => !p.entry.wan);
  const [detections, linkChecks] = await Promise.all([
    global ? Promise.all(deps.detector.families.map((f) => deps.detector.detect(f, signal))) : [],
    deps.links?.check(signal) ?? [],
  ]);
  const detected = recordDetections(work, detections, startedAt, events, signal);
  if (deps.links) for (const event of trackLinks(work, linkChecks, startedAt)) events.emit(event);
  forgetRemovedHosts(work, deps.providers);
  const moves = new Map<string, EventOf<'failover'> | EventOf<'failback'>>();

  const reports: HostReport[] = [];
  const tasks: Promise<void>[] = [];
  const slots = new Map<string, ReturnType<typeof pLimit>>();
  for (const { entry, provider } of deps.providers) {
    const type = entry.definition.type;
    const view = entry.wan && deps.links ? (entry.wan.mode === 'all' ? allLinks : followLinks)(work, { ...entry, wan: entry.wan }, linkChecks) : undefined;
    if (view) noteMove(moves, view, provider, startedAt);
    const detectionError = (f: Family): string => detections.find((d) => d.family === f)?.error ?? `${FAMILY_LABEL[f]} not detected`;
    const seen = view?.detected ?? detected;
    const lanPrefix = view ? view.lanPrefix : deps.lanPrefix?.();
    const plan = planEntry({
      entry,
      provider,
      state: work,
      detected: seen,
      detectionError: view?.detectionError ?? detectionError,
      lanPrefix,
      now: startedAt,
      refreshMs: deps.refreshMs,
      force: options.force === true,
    });
    for (const key of plan.stale) if (work.hosts[key]) clearFailure(work.hosts[key]);
    for (const host of provider.hosts) for (const f of entry.families) hostState(work, type, host, f);
    reports.push(...plan.reports);
    if (plan.due.length === 0) continue;
    if (options.dryRun) {
      reports.push(...plan.due.map((u) => ({ provider: provider.label, host: u.host, family: u.family, action: 'would-update' as const, address: u.address })));
      continue;
    }
    if (!slots.has(type)) slots.set(type, pLimit(PROVIDER_CONCURRENCY));
    const slot = slots.get(type) as ReturnType<typeof pLimit>;
    const v6 = entry.families.includes('ipv6') ? seen.ipv6 : undefined;
    const ipv6Prefix = lanPrefix ? `${lanPrefix.address}/${lanPrefix.length}` : v6 ? `${withSuffix(v6, entry.prefixLength, new Uint8Array(16))}/${entry.prefixLength}` : undefined;
    // wan_mode: all: each due host carries every address its name should have.
    const planned = entry.wan?.mode === 'all' ? plan.due.map((u) => ({ ...u, addresses: u.address.split(', ') })) : plan.due;
    for (const { due, addresses } of byAddresses(entry, planned, seen, lanPrefix)) {
      tasks.push(
        slot(() => send(deps, provider, due, addresses, signal, ipv6Prefix)).then(async (outcome) => {
          const ctx = { state: work, entry, label: provider.label, hosts: provider.hosts, events, redactor: deps.redactor, now: clock.now() };
          reports.push(...applyResults(ctx, due, outcome));
          if (!signal.aborted) await deps.persist(work);
        }),
      );
    }
  }
  for (const move of moves.values()) events.emit(move);
  await Promise.all(tasks);
  options.ended?.();
  if (!options.dryRun) await deps.persist(work);

  const order = (r: HostReport): string => `${r.provider} ${r.host} ${r.family}`;
  reports.sort((a, b) => byText(order(a), order(b)));
  const report: CycleReport = {
    id: options.id,
    startedAt,
    finishedAt: clock.now(),
    detections,
    hosts: reports,
    ok: detections.every((d) => d.address) && reports.every((r) => FINE.has(r.action)),
  };
  events.emit({ type: 'cycle-finished', report, at: report.finishedAt });
  return report;
}

/**
 * The due hosts in groups that share their addresses: one group normally; a
 * host with its own IPv6 suffix is sent apart, so adapters that send one
 * address per request (dyndns2, DuckDNS) send that host's own.
 */
function byAddresses(
  entry: ProviderEntry,
  due: readonly HostUpdate[],
  detected: Partial<Record<Family, string>>,
  lanPrefix: LanPrefix | undefined,
): { due: HostUpdate[]; addresses: Addresses }[] {
  const groups = new Map<string, { due: HostUpdate[]; addresses: Addresses }>();
  for (const u of due) {
    const addresses: Addresses = {};
    for (const f of entry.families) {
      const address = entry.hostAddress(u.host, f, detected[f], lanPrefix);
      if (address) addresses[f] = address;
    }
    const key = JSON.stringify(addresses);
    const group = groups.get(key) ?? { due: [], addresses };
    group.due.push(u);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** One failover (or failback) event per move of a cycle, with every host that moved with it. */
function noteMove(moves: Map<string, EventOf<'failover'> | EventOf<'failback'>>, view: EntryView, provider: Provider, at: number): void {
  const { move, wan } = view.choice;
  if (!move || !wan || !view.from) return;
  const key = `${move} ${view.from} ${wan}`;
  const hosts: { provider: string; host: string }[] = [];
  const event = moves.get(key) ?? { type: move, from: view.from, to: wan, hosts, at };
  event.hosts.push(...provider.hosts.map((host) => ({ provider: provider.label, host })));
  moves.set(key, event);
}

/** Records what was detected, with the history of changes, and tells it as events. */
function recordDetections(work: State, detections: readonly Detection[], at: number, events: Events, signal: AbortSignal): Partial<Record<Family, string>> {
  const detected: Partial<Record<Family, string>> = {};
  for (const d of detections) {
    if (!d.address) {
      if (!signal.aborted) events.emit({ type: 'detection-failed', family: d.family, error: d.error ?? `${FAMILY_LABEL[d.family]} not detected`, answers: d.answers, at });
      continue;
    }
    detected[d.family] = d.address;
    events.emit({ type: 'detected', family: d.family, address: d.address, sources: d.agreeing, answers: d.answers, at });
    const previous = work.detected[d.family]?.address;
    if (previous !== d.address) {
      events.emit({ type: 'address-changed', family: d.family, from: previous, to: d.address, sources: d.agreeing, at });
      work.history.push({ at, family: d.family, ...(previous ? { from: previous } : {}), to: d.address });
      if (work.history.length > HISTORY_LIMIT) work.history.splice(0, work.history.length - HISTORY_LIMIT);
    }
    work.detected[d.family] = { address: d.address, at };
  }
  work.lastCheck = at;
  return detected;
}

/** Hosts no longer in the config leave the state, so it never grows with old entries. */
function forgetRemovedHosts(state: State, providers: readonly ConfiguredProvider[]): void {
  const wanted = new Set<string>();
  for (const { entry, provider } of providers) {
    for (const host of provider.hosts) for (const family of entry.families) wanted.add(hostKey(entry.definition.type, host, family));
  }
  for (const key of Object.keys(state.hosts)) if (!wanted.has(key)) delete state.hosts[key];
}
