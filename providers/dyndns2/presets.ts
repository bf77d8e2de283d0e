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
  /**
   * Several hosts comma-separated in one request, or one request per host;
   * `domain`: several hosts of one domain per request (deSEC applies them
   * together and limits updates per domain).
   */
  hostsPerRequest: 'many' | 'domain' | 'one';
  /** The most hosts one request may carry, where the service documents a cap. */
  maxHostsPerRequest?: number;
  /** Send `preserve` for a family this request does not set, so the service keeps it. */
  preserveOmitted: boolean;
  /**
   * The per-family address parameters take several addresses, comma-separated,
   * and the name gets one record each (deSEC): wan_mode: all.
   */
  addressLists?: boolean;
  /** An empty address parameter deletes that family's records of the names (deSEC `myipv4=`): delete_on_stop. */
  emptyDeletes?: boolean;
  /**
   * What to send for a family ddnsd has no address for in this request, where
   * the service would otherwise take the request's own source address
   * (Dynu: `myip=no`). Only sent when another family is.
   */
  omitted?: Partial<Record<Family, string>>;
  /** The service answers one line for the whole request, not one per host (deSEC: `good`). */
  oneAnswer?: boolean;
  /** The service may answer JSON, `{"info":"good","status":"success"}`, instead of a line (ipv64.net). */
  jsonAnswers?: boolean;
  /**
   * The service asks for a User-Agent of the form `Company Program/Version
   * contact` naming a contact of the user's own (No-IP): the entry's
   * `contact` setting.
   */
  agentContact?: boolean;
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

/**
 * The protocol as dyndns.org defined it, spoken by most services: up to 20
 * hosts per request, more is `numhost` (https://help.dyn.com/remote-access-api/return-codes/).
 */
export const STANDARD: Variant = { path: '/nic/update', addressParams: 'myip', hostsPerRequest: 'many', maxHostsPerRequest: 20, preserveOmitted: false };

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
  {
    // Several hosts comma-separated, one answer line each (https://www.noip.com/integrate/request,
    // https://www.noip.com/integrate/response); the User-Agent names a contact (agentContact).
    type: 'noip',
    service: 'No-IP',
    endpoint: 'https://dynupdate.no-ip.com',
    variant: { ...STANDARD, agentContact: true },
  },
  { type: 'dyndns2', service: 'the dyndns2 server', variant: STANDARD },
  {
    // deSEC (https://desec.readthedocs.io/en/latest/dyndns/update-api.html): a family that is not
    // sent is deleted, `preserve` keeps it; several names of one domain go comma-separated in one
    // request, applied together, answered by one `good`; updates are limited per domain
    // (desec-stack docs/rate-limits.rst: 2 per 2 minutes), so one request per domain and change.
    // Basic auth with a name and the token. "Multiple IP addresses may be given as a comma-separated
    // list", and an empty value (`myipv4=`) deletes the family's records (same page; desec-stack
    // api/desecapi/views/dyndns.py, _get_action_from_param).
    type: 'desec',
    service: 'deSEC',
    endpoint: 'https://update.dedyn.io',
    key: 'the deSEC token',
    variant: {
      path: '/nic/update',
      addressParams: { ipv4: 'myipv4', ipv6: 'myipv6' },
      hostsPerRequest: 'domain',
      preserveOmitted: true,
      addressLists: true,
      emptyDeletes: true,
      oneAnswer: true,
      auth: 'basic-host',
      limit: 'deSEC allows 2 updates of a domain in 2 minutes; ddnsd waits as long as deSEC asks',
    },
  },
  {
    // ipv64.net (https://ipv64.net/dyndns_updater_api): the key as a parameter, several domains
    // comma-separated, 48 updates a day on a free account and 3 requests in 10 seconds; the
    // answer is a dyndns2 line or JSON (jsonAnswers).
    type: 'ipv64',
    service: 'ipv64.net',
    endpoint: 'https://ipv64.net',
    key: 'the ipv64.net update key',
    variant: {
      path: '/nic/update',
      addressParams: { ipv4: 'myip', ipv6: 'myipv6' },
      hostsPerRequest: 'many',
      preserveOmitted: false,
      oneAnswer: true,
      jsonAnswers: true,
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
    // Dynu (https://www.dynu.com/DynamicDNS/IP-Update-Protocol): without myip Dynu takes the
    // request's source IPv4, so an entry without one sends myip=no (ddclient.in nic_dynu_update,
    // t/protocol_dynu.pl "IPv6 only, good").
    type: 'dynu',
    service: 'Dynu',
    endpoint: 'https://api.dynu.com',
    variant: {
      path: '/nic/update',
      addressParams: { ipv4: 'myip', ipv6: 'myipv6' },
      hostsPerRequest: 'one',
      preserveOmitted: false,
      omitted: { ipv4: 'no' },
      codes: {
        // ddclient.in nic_dynu_update: "Server error; retry later".
        servererror: { kind: 'server', perHost: false, why: 'Dynu reports trouble on its side' },
      },
    },
  },
  {
    // OVH DynHost: the DynHost identifier (not the OVH account) as the username. OVHcloud's guide
    // (https://help.ovhcloud.com/csm/de-dns-dynhost, ovh/docs pages/web_cloud/domains/dns_dynhost)
    // names dns.eu.ovhapis.com, IPv4 or IPv6 in myip; www.ovh.com/nic/update is the older address.
    type: 'ovh',
    service: 'OVH DynHost',
    endpoint: 'https://dns.eu.ovhapis.com',
    variant: { ...SINGLE_ADDRESS, hostsPerRequest: 'one', fixedParams: { system: 'dyndns' } },
  },
];
