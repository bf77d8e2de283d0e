/** The registry: one line per provider adapter (dyndns2 presets are rows of their own table). */
import cloudflare from './cloudflare/index.js';
import cloudns from './cloudns/index.js';
import digitalocean from './digitalocean/index.js';
import duckdns from './duckdns/index.js';
import dynv6 from './dynv6/index.js';
import namecheap from './namecheap/index.js';
import freedns from './freedns/index.js';
import url from './url/index.js';
import { DYNDNS2_PROVIDERS } from './dyndns2/index.js';
import gandi from './gandi/index.js';
import hetzner from './hetzner/index.js';
import porkbun from './porkbun/index.js';
import route53 from './route53/index.js';
import rfc2136 from './rfc2136/index.js';
import type { AnyProviderDefinition } from './kit/index.js';

export const PROVIDERS: readonly AnyProviderDefinition[] = [
  duckdns,
  ...DYNDNS2_PROVIDERS,
  cloudflare,
  dynv6,
  freedns,
  url,
  cloudns,
  namecheap,
  porkbun,
  digitalocean,
  hetzner,
  gandi,
  route53,
  rfc2136,
];

export function findProvider(type: string): AnyProviderDefinition | undefined {
  return PROVIDERS.find((p) => p.type === type);
}
