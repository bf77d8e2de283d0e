/**
 * The registry: one line per provider adapter, with the types it serves
 * (dyndns2 presets are rows of their own table). An adapter's module, and the
 * libraries only it uses, load when a config names one of its types: a config
 * with one DuckDNS entry never builds the schemas of the other adapters.
 */
import { PRESETS } from './dyndns2/presets.js';
import type { AnyProviderDefinition } from './kit/index.js';

interface RegistryLine {
  types: readonly string[];
  load(): Promise<{ default: AnyProviderDefinition | readonly AnyProviderDefinition[] }>;
}

const REGISTRY: readonly RegistryLine[] = [
  { types: ['duckdns'], load: () => import('./duckdns/index.js') },
  { types: PRESETS.map((p) => p.type), load: () => import('./dyndns2/index.js') },
  { types: ['cloudflare'], load: () => import('./cloudflare/index.js') },
  { types: ['dynv6'], load: () => import('./dynv6/index.js') },
  { types: ['freedns'], load: () => import('./freedns/index.js') },
  { types: ['url'], load: () => import('./url/index.js') },
  { types: ['cloudns'], load: () => import('./cloudns/index.js') },
  { types: ['namecheap'], load: () => import('./namecheap/index.js') },
  { types: ['porkbun'], load: () => import('./porkbun/index.js') },
  { types: ['digitalocean'], load: () => import('./digitalocean/index.js') },
  { types: ['hetzner'], load: () => import('./hetzner/index.js') },
  { types: ['gandi'], load: () => import('./gandi/index.js') },
  { types: ['route53'], load: () => import('./route53/index.js') },
  { types: ['rfc2136'], load: () => import('./rfc2136/index.js') },
];

/** Every provider type, in the registry's order. */
export const PROVIDER_TYPES: readonly string[] = REGISTRY.flatMap((line) => line.types);

/**
 * The adapters serving `types`, loaded; every adapter when `types` is absent or
 * names one ddnsd does not know (the config's messages then list them all).
 */
export async function loadProviders(types?: Iterable<string>): Promise<AnyProviderDefinition[]> {
  const wanted = types === undefined ? undefined : new Set(types);
  const all = wanted === undefined || [...wanted].some((t) => !PROVIDER_TYPES.includes(t));
  const lines = REGISTRY.filter((line) => all || line.types.some((t) => wanted?.has(t)));
  const modules = await Promise.all(lines.map((line) => line.load()));
  return modules.flatMap((m) => m.default);
}
