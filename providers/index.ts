/** The registry: one line per provider adapter (dyndns2 presets are rows of their own table). */
import cloudflare from './cloudflare/index.js';
import cloudns from './cloudns/index.js';
import duckdns from './duckdns/index.js';
import dynv6 from './dynv6/index.js';
import namecheap from './namecheap/index.js';
import freedns from './freedns/index.js';
import url from './url/index.js';
import { DYNDNS2_PROVIDERS } from './dyndns2/index.js';
import type { AnyProviderDefinition } from './kit/index.js';

export const PROVIDERS: readonly AnyProviderDefinition[] = [duckdns, ...DYNDNS2_PROVIDERS, cloudflare, dynv6, freedns, url, cloudns, namecheap];

export function findProvider(type: string): AnyProviderDefinition | undefined {
  return PROVIDERS.find((p) => p.type === type);
}
