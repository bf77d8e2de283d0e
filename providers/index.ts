/** The registry: one line per provider adapter. */
import duckdns from './duckdns.js';
import type { ProviderDefinition } from './types.js';

export const PROVIDERS: readonly ProviderDefinition[] = [duckdns];

export function findProvider(type: string): ProviderDefinition | undefined {
  return PROVIDERS.find((p) => p.type === type);
}
