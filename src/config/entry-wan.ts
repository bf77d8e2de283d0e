/**
 * The link keys of a provider entry, read before the adapter's schema sees
 * the entry: `wan` (one link or an ordered list), `wan_mode` and `failback`.
 * Without `wan` the entry follows `detect:` as always.
 */
import type { Family } from '../base/address.js';
import { FAMILIES } from '../base/address.js';
import type { PathKey, Problem } from './lines.js';
import { describeValue } from './schema.js';
import type { WanConfig } from './wans.js';
import type { AnyProviderDefinition } from '../base/provider.js';
import { typesThatCan } from './entry-owned.js';

export type WanMode = 'failover' | 'all';

export interface EntryWan {
  /** The links in order of preference. */
  links: string[];
  mode: WanMode;
  /** Checks in a row a preferred link must be healthy before the name moves back to it. */
  failback: number;
}

export const DEFAULT_FAILBACK = 3;
const WAN_KEYS = ['wan', 'wan_mode', 'failback'] as const;

/** Takes the link keys out of an entry; `wan` is undefined when the entry names no link. */
export function takeWanOptions(
  entry: Record<string, unknown>,
  path: PathKey[],
  problems: Problem[],
  wans: readonly WanConfig[],
  definition: AnyProviderDefinition,
  registry: readonly AnyProviderDefinition[],
): { entry: Record<string, unknown>; wan: EntryWan | undefined } {
  const { wan, wan_mode: mode, failback, ...rest } = entry;
  if (wan === undefined) {
    for (const key of WAN_KEYS.slice(1)) {
      if (entry[key] !== undefined) problems.push({ path: [...path, key], message: `${key} needs wan: (the links this entry follows); add wan, or remove ${key}` });
    }
    return { entry: rest, wan: undefined };
  }
  const names = wans.map((w) => w.name);
  const known = names.length ? names.join(', ') : 'none: add links under wans: first';
  const links = typeof wan === 'string' ? [wan] : Array.isArray(wan) && wan.length > 0 && wan.every((w) => typeof w === 'string') ? (wan as string[]) : undefined;
  if (!links) {
    problems.push({ path: [...path, 'wan'], message: `expected a link name or a list of them in order of preference (e.g. [fiber, lte]), got ${describeValue(wan)}` });
    return { entry: rest, wan: undefined };
  }
  links.forEach((name, i) => {
    if (!names.includes(name))
      problems.push({ path: [...path, 'wan', ...(typeof wan === 'string' ? [] : [i])], message: `unknown link "${name}"; the links under wans: are ${known}` });
    else if (links.indexOf(name) !== i) problems.push({ path: [...path, 'wan', i], message: `link ${name} is listed twice; list each link once` });
  });
  let wanMode: WanMode = 'failover';
  if (mode === 'all') {
    if (definition.records?.sets) wanMode = 'all';
    else {
      problems.push({
        path: [...path, 'wan_mode'],
        message: `all (one record per healthy link) is not available for ${definition.type}: ddnsd's ${definition.type} adapter keeps one address per name and family (DuckDNS and most dyndns2-style services hold only one). Providers that can: ${typesThatCan(registry, 'sets')}; or use failover (the default)`,
      });
    }
  } else if (mode !== undefined && mode !== 'failover') {
    problems.push({ path: [...path, 'wan_mode'], message: `expected failover (the first healthy link in order) or all (one record per healthy link), got ${describeValue(mode)}` });
  }
  let checks = DEFAULT_FAILBACK;
  if (failback !== undefined) {
    if (typeof failback === 'number' && Number.isInteger(failback) && failback >= 1 && failback <= 1000) checks = failback;
    else
      problems.push({
        path: [...path, 'failback'],
        message: `expected how many checks in a row (1 or more, default ${DEFAULT_FAILBACK}) a preferred link must be healthy before the name moves back, got ${describeValue(failback)}`,
      });
  }
  return { entry: rest, wan: { links, mode: wanMode, failback: checks } };
}

/** The families an entry that follows links can update: those any of its links detects. */
export function wanFamilies(wan: EntryWan, wans: readonly WanConfig[]): Family[] {
  const used = wans.filter((w) => wan.links.includes(w.name));
  return FAMILIES.filter((f) => used.some((w) => w.families.includes(f)));
}
