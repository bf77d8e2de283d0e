/**
 * The dialects of dyndns2 and the services that speak it: data only (types
 * are all it imports), so the provider registry (providers/registry.ts) knows
 * the preset types without loading the adapter. A service that speaks dyndns2
 * is one row of PRESETS.
 */
import type { AnswerCode, Family } from '../kit/index.js';

export interface Variant {
  /** The update path under the endpoint. */
  path: string;
  /** `myip`: both families in one `myip=v4,v6`; otherwise one parameter per family. */
  addressParams: 'myip' | Record<Family, string>;
  /** Several hosts comma-separated in one request, or one request per host. */
  hostsPerRequest: 'many' | 'one';
  /** Send `preserve` for a family this request does not set, so the service keeps it. */
  preserveOmitted: boolean;
  /** Fixed query parameters some services want (`system=dyndns`). */
  fixedParams?: Readonly<Record<string, string>>;
  /**
   * How the credential travels (default `basic`): Basic username:password;
   * `basic-host`: Basic with the hostname as username and the entry's key as
   * password (one key per host); `param`: the key as this query parameter.
   */
  auth?: 'basic' | 'basic-host' | { param: string };
  /** `one`: a request per family, for services whose `myip` takes a single address (only due families are sent). */
  familiesPerRequest?: 'both' | 'one';
  /** Codes the service answers beyond (or instead of) the standard ones. */
  codes?: Readonly<Record<string, AnswerCode>>;
  /** Words added when the service refuses for its rate limit (its daily quota, say). */
  limit?: string;
}

/** The protocol as dyndns.org defined it, spoken by most services. */
export const STANDARD: Variant = { path: '/nic/update', addressParams: 'myip', hostsPerRequest: 'many', preserveOmitted: false };

export interface Preset {
  type: string;
  /** What the service is called in messages. */
  service: string;
  /** The service's server; absent: the entry must name one (`endpoint`). */
  endpoint?: string;
  variant: Variant;
  /** What the entry's key is called in messages, for services that take a key instead of a login (`auth` not `basic`). */
  key?: string;
}

/** One address per `myip`: services that want a request per family. */
const SINGLE_ADDRESS: Variant = { ...STANDARD, familiesPerRequest: 'one' };

export const PRESETS: readonly Preset[] = [
  { type: 'noip', service: 'No-IP', endpoint: 'https://dynupdate.no-ip.com', variant: STANDARD },
  { type: 'dyndns2', service: 'the dyndns2 server', variant: STANDARD },
  {
    // deSEC deletes a family that is not sent: `preserve` keeps it. Basic auth with the name and a token.
    type: 'desec',
    service: 'deSEC',
    endpoint: 'https://update.dedyn.io',
    key: 'the deSEC token',
    variant: {
      path: '/nic/update',
      addressParams: { ipv4: 'myipv4', ipv6: 'myipv6' },
      hostsPerRequest: 'one',
      preserveOmitted: true,
      auth: 'basic-host',
      limit: 'deSEC limits how often a name may be updated; ddnsd waits as long as deSEC asks',
    },
  },
  {
    type: 'ipv64',
    service: 'ipv64.net',
    endpoint: 'https://ipv64.net',
    key: 'the ipv64.net update key',
    variant: {
      path: '/nic/update',
      addressParams: { ipv4: 'myip', ipv6: 'myipv6' },
      hostsPerRequest: 'one',
      preserveOmitted: false,
      auth: { param: 'key' },
      limit: 'ipv64.net allows 48 updates a day on a free account (and 3 requests in 10 seconds); ddnsd tries again after the pause',
    },
  },
  {
    // Hurricane Electric: each dynamic record has its own key, sent with the hostname as the username.
    type: 'he',
    service: 'Hurricane Electric',
    endpoint: 'https://dyn.dns.he.net',
    key: 'the dynamic DNS key of the record',
    variant: { ...SINGLE_ADDRESS, hostsPerRequest: 'one', auth: 'basic-host' },
  },
  {
    type: 'dynu',
    service: 'Dynu',
    endpoint: 'https://api.dynu.com',
    variant: {
      path: '/nic/update',
      addressParams: { ipv4: 'myip', ipv6: 'myipv6' },
      hostsPerRequest: 'one',
      preserveOmitted: false,
      codes: {
        unknown: { kind: 'fatal', perHost: false, why: 'Dynu did not understand the request; check that hosts are full hostnames, not aliases' },
        servererror: { kind: 'server', perHost: false, why: 'Dynu reports trouble on its side' },
      },
    },
  },
  {
    // OVH DynHost: the DynHost identifier (not the OVH account) as the username.
    type: 'ovh',
    service: 'OVH DynHost',
    endpoint: 'https://www.ovh.com',
    variant: { ...SINGLE_ADDRESS, hostsPerRequest: 'one', fixedParams: { system: 'dyndns' } },
  },
];
