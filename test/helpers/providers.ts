/** Every provider adapter, loaded: for the tests and tools that look at all of them (ddnsd itself loads only what a config names, ./registry.ts). */
import type { AnyProviderDefinition } from '../../providers/kit/index.js';
import { loadProviders } from '../../providers/registry.js';

export const PROVIDERS: readonly AnyProviderDefinition[] = await loadProviders();
