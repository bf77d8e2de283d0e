/** The registry: one line per provider adapter. */
import cloudflare from './cloudflare/index.js';
import duckdns from './duckdns.js';
import { dyndns2, noip } from './dyndns2/index.js';
import type { ProviderDefinition } from './types.js';

export const PROVIDERS: readonly ProviderDefinition[] = [duckdns, noip, dyndns2, cloudflare];

export function findProvider(type: string): ProviderDefinition | undefined {
  return PROVIDERS.find((p) => p.type === type);
}
