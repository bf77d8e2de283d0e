/**
 * Provider entries: each validated by its adapter's own schema, found in the
 * registry it is given, with the families it updates and a fingerprint that
 * changes whenever its settings do.
 */
import type { AnyProviderDefinition, CommonSettings } from '../base/provider.js';
import { sha256Hex } from '../base/sha256.js';
import { FAMILIES, FAMILY_LABEL, type Family } from '../base/address.js';
import type { PathKey, Problem } from './lines.js';
import { describeValue, INTERPRETED } from './schema.js';
import { zodProblems } from './problems.js';
import { hostAddressOf, takeHostOptions, type HostAddress } from './host-options.js';
import { takeOwnership } from './entry-owned.js';
import { takeWanOptions, wanFamilies, type EntryWan } from './entry-wan.js';
import type { WanConfig } from './wans.js';

export interface ProviderEntry {
  /** Position in `providers`, for messages: `providers[1]`. */
  index: number;
  definition: AnyProviderDefinition;
  settings: CommonSettings & Record<string, unknown>;
  /** Families this entry updates. */
  families: Family[];
  /** Changes whenever the entry's settings change: clears "needs attention". */
  fingerprint: string;
  /** A host's address for a family: the detected one, or the detected prefix + the host's ipv6_suffix. */
  hostAddress: HostAddress;
  /** `host: ipv6_suffix: ::1234` for `ddnsd check`. */
  suffixes: string[];
  /** `ipv6_prefix_length`: how many leading bits of the detected IPv6 address are the prefix. */
  prefixLength: number;
  /** The links this entry follows (`wan:`); undefined when it follows `detect:`. */
  wan?: EntryWan | undefined;
  /** `delete_on_stop: true`: the entry's own records are deleted when ddnsd stops. */
  deleteOnStop?: boolean;
}

export interface EntryContext {
  registry: readonly AnyProviderDefinition[];
  /** Families that have sources. */
  detected: Family[];
  problems: Problem[];
  /** The links under `wans:`. */
  wans?: readonly WanConfig[];
}

/** One `providers[index]` entry, or undefined with its problems added to `ctx.problems`. */
export function parseProvider(entry: unknown, index: number, ctx: EntryContext): ProviderEntry | undefined {
  const { problems, registry } = ctx;
  const path: PathKey[] = ['providers', index];
  const types = registry.map((p) => p.type).join(', ');
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    problems.push({ path, message: `expected a provider entry (a mapping with type, hosts and credentials), got ${describeValue(entry)}` });
    return undefined;
  }
  const type = (entry as { type?: unknown }).type;
  if (type === undefined) {
    problems.push({ path: [...path, 'type'], message: `missing; expected one of ${types}` });
    return undefined;
  }
  const definition = typeof type === 'string' ? registry.find((p) => p.type === type) : undefined;
  if (!definition) {
    problems.push({ path: [...path, 'type'], message: `unknown provider ${describeValue(type)}; expected one of ${types}` });
    return undefined;
  }
  const before = problems.length;
  const ownership = takeOwnership(entry as Record<string, unknown>, definition, registry, path, problems);
  const links = takeWanOptions(ownership.entry, path, problems, ctx.wans ?? [], definition, registry);
  const detected = links.wan ? wanFamilies(links.wan, ctx.wans ?? []) : ctx.detected;
  const taken = takeHostOptions(links.entry, path, problems);
  const result = definition.schema.safeParse(taken.entry, INTERPRETED);
  if (!result.success) {
    problems.push(...zodProblems(result.error, path, registry));
    return undefined;
  }
  if (problems.length > before) return undefined;
  const settings = result.data as CommonSettings & Record<string, unknown>;
  const families: Family[] = [];
  for (const family of FAMILIES) {
    const wanted = settings[family];
    if (wanted === true && !detected.includes(family)) {
      problems.push({
        path: [...path, family],
        message: `${family}: true, but no ${FAMILY_LABEL[family]} sources are configured; add some under detect.${family} or remove this key`,
      });
    }
    if (wanted !== false && detected.includes(family)) families.push(family);
  }
  if (families.length === 0 && problems.length === 0) {
    problems.push({ path, message: 'updates no address family: enable ipv4 or ipv6 for this entry' });
  }
  const suffixes = [...taken.options.suffixes].map(([i, s]) => `${settings.hosts[i] ?? i}: ${s.written}`);
  if (suffixes.length > 0 && !detected.includes('ipv6')) {
    problems.push({
      path: [...path, 'hosts'],
      message: 'a host has an IPv6 suffix, but no IPv6 sources are configured to detect the prefix; add some under detect.ipv6 (interface:<name> of this machine works)',
    });
  }
  if (links.wan?.mode === 'all' && suffixes.length > 0) {
    problems.push({
      path: [...path, 'wan_mode'],
      message: 'all gives each host one record per healthy link; hosts with ipv6_suffix or ipv6_host_mac need an entry of their own with failover',
    });
  }
  const fingerprint = sha256Hex(JSON.stringify([settings, suffixes, taken.options.prefixLength])).slice(0, 16);
  const hostAddress = hostAddressOf(settings.hosts, taken.options);
  return {
    index,
    definition,
    settings,
    families,
    fingerprint,
    hostAddress,
    suffixes,
    prefixLength: taken.options.prefixLength,
    wan: links.wan,
    deleteOnStop: ownership.deleteOnStop,
  };
}

/** Every entry, with a problem for a host listed twice for one provider type. */
export function parseProviders(entries: readonly unknown[], ctx: EntryContext): ProviderEntry[] {
  const providers: ProviderEntry[] = [];
  const seen = new Map<string, number>();
  entries.forEach((entry, index) => {
    const parsed = parseProvider(entry, index, ctx);
    if (!parsed) return;
    for (const host of parsed.settings.hosts) {
      const key = `${parsed.definition.type} ${host}`;
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.problems.push({ path: ['providers', index, 'hosts'], message: `${host} is already listed in providers[${first}]; list each host once` });
      } else seen.set(key, index);
    }
    providers.push(parsed);
  });
  return providers;
}

/** The values of every entry's secret keys, and the parts of them that may show up alone, for the redactor. */
export function entrySecrets(providers: readonly ProviderEntry[]): unknown[] {
  return providers.flatMap((p) => [...p.definition.secrets.map((k) => p.settings[k]), ...(p.definition.secretParts?.(p.settings) ?? [])]);
}
