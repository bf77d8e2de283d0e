/**
 * Links in a cycle: what each check says about each link (up or down, for
 * how many checks in a row, since when), and which link each entry follows.
 * The choice is a pure function over that history (`chooseLink`); the cycle
 * calls `trackLinks` once and `followLinks` per entry.
 */
import type { EntryWan } from '../config/entry-wan.js';
import type { ProviderEntry } from '../config/load.js';
import { FAMILY_LABEL, type Family } from '../base/address.js';
import type { LanPrefix } from '../detect/push.js';
import type { LinkCheck } from '../detect/wans.js';
import type { State, WanState, WansState } from '../state.js';
import type { CycleEvent } from './events.js';

export type Move = 'failover' | 'failback';

export interface Choice {
  /** The link followed; undefined only before any link was ever healthy. */
  wan: string | undefined;
  /** False when no link of the entry is healthy: the name keeps its records and nothing is sent. */
  healthy: boolean;
  move?: Move;
}

/**
 * Failover: the first healthy link in order. When the followed link is
 * down, the first healthy one (a move now); when it is up, a link before it
 * wins it back only after `failback` healthy checks in a row, so a line that
 * flaps does not flap the name. With every link down the name stays where it
 * is.
 */
export function chooseLink(order: readonly string[], links: Readonly<Record<string, Pick<WanState, 'up' | 'streak'>>>, current: string | undefined, failback: number): Choice {
  const up = (name: string): boolean => links[name]?.up === true;
  const first = order.find(up);
  if (current === undefined || !order.includes(current)) return { wan: first, healthy: first !== undefined };
  if (!up(current)) {
    if (first === undefined) return { wan: current, healthy: false };
    return { wan: first, healthy: true, move: order.indexOf(first) < order.indexOf(current) ? 'failback' : 'failover' };
  }
  const ready = order.slice(0, order.indexOf(current)).find((name) => up(name) && (links[name]?.streak ?? 0) >= failback);
  return ready ? { wan: ready, healthy: true, move: 'failback' } : { wan: current, healthy: true };
}

/** The links after a check: streaks grow while a link stays up (or down) and restart when it turns. */
export function observeLinks(previous: Readonly<WansState['links']>, checks: readonly LinkCheck[], at: number): { links: WansState['links']; events: CycleEvent[] } {
  const links: WansState['links'] = {};
  const events: CycleEvent[] = [];
  for (const check of checks) {
    const was = previous[check.wan];
    const same = was !== undefined && was.up === check.healthy;
    links[check.wan] = {
      up: check.healthy,
      streak: same ? was.streak + 1 : 1,
      since: same ? was.since : at,
      at,
      addresses: check.addresses,
      ...(check.error ? { error: check.error } : {}),
    };
    if (same) continue;
    // One message per incident: a link that starts up says nothing; one that starts down, or turns, says so once.
    if (!check.healthy) events.push({ type: 'wan-down', wan: check.wan, error: check.error ?? 'not healthy', at, ...(was ? { upSince: was.since } : {}) });
    else if (was) events.push({ type: 'wan-up', wan: check.wan, addresses: check.addresses, downSince: was.since, at });
  }
  return { links, events };
}

/** Records a check of every link in the state and returns what changed, as events. */
export function trackLinks(state: State, checks: readonly LinkCheck[], at: number): CycleEvent[] {
  const wans = state.wans ?? { links: {}, follow: {} };
  const { links, events } = observeLinks(wans.links, checks, at);
  state.wans = { links, follow: wans.follow };
  return events;
}

/** How an entry is known in the state's `follow`: its type and first host (hosts are unique per type). */
export const followKey = (entry: ProviderEntry): string => `${entry.definition.type} ${entry.settings.hosts[0] ?? ''}`;

export interface EntryView {
  /** The addresses the entry's hosts take this cycle. */
  detected: Partial<Record<Family, string>>;
  detectionError(family: Family): string;
  lanPrefix?: LanPrefix;
  choice: Choice;
  /** The link followed before this check, when it moved. */
  from?: string;
}

/** Why an entry's hosts are not sent when none of its links is healthy. */
function noHealthyLink(wan: EntryWan, wans: WansState): string {
  const why = wan.links.map((name) => `${name}: ${wans.links[name]?.error ?? 'not checked'}`).join('; ');
  return `no link of ${wan.links.join(', ')} is healthy, so the records stay as they are (${why})`;
}

/** The link an entry follows after this check (stored in the state), and the addresses it gives. */
export function followLinks(state: State, entry: ProviderEntry & { wan: EntryWan }, checks: readonly LinkCheck[]): EntryView {
  const wans = state.wans ?? { links: {}, follow: {} };
  state.wans = wans;
  const key = followKey(entry);
  const current = wans.follow[key];
  const choice = chooseLink(entry.wan.links, wans.links, current, entry.wan.failback);
  if (choice.wan !== undefined) wans.follow[key] = choice.wan;
  const check = checks.find((c) => c.wan === choice.wan);
  const detected = choice.healthy && check ? check.addresses : {};
  const detectionError = (family: Family): string => {
    if (!choice.healthy) return noHealthyLink(entry.wan, wans);
    return `link ${choice.wan ?? '?'} has no ${FAMILY_LABEL[family]} address`;
  };
  return {
    detected,
    detectionError,
    choice,
    ...(choice.healthy && check?.lanPrefix ? { lanPrefix: check.lanPrefix } : {}),
    ...(choice.move && current ? { from: current } : {}),
  };
}

/** Joins the addresses of a name under `wan_mode: all`: sorted, so the same set always reads the same. */
export const joinAddresses = (addresses: readonly string[]): string => [...new Set(addresses)].sort().join(', ');

/**
 * wan_mode: all: one record per healthy link. The addresses are every
 * healthy link's, joined; a failed link's record goes until it is healthy
 * again. With every link down the records stay as they are.
 */
export function allLinks(state: State, entry: ProviderEntry & { wan: EntryWan }, checks: readonly LinkCheck[]): EntryView {
  const wans = state.wans ?? { links: {}, follow: {} };
  state.wans = wans;
  const healthy = checks.filter((c) => c.healthy && entry.wan.links.includes(c.wan));
  const detected: Partial<Record<Family, string>> = {};
  for (const family of entry.families) {
    const addresses = healthy.flatMap((c) => c.addresses[family] ?? []);
    if (addresses.length > 0) detected[family] = joinAddresses(addresses);
  }
  const names = entry.wan.links.filter((name) => healthy.some((c) => c.wan === name));
  if (names.length > 0) wans.follow[followKey(entry)] = names.join(', ');
  const detectionError = (family: Family): string => {
    if (names.length === 0) return noHealthyLink(entry.wan, wans);
    return `no healthy link has an ${FAMILY_LABEL[family]} address`;
  };
  return { detected, detectionError, choice: { wan: names.join(', ') || undefined, healthy: names.length > 0 } };
}
