/**
 * dyndns2 adapters: `dyndns2` for any service that speaks the protocol (the
 * endpoint is required) and presets for services that speak it with their
 * own server, name and quirks. A preset is one row of PRESETS: data over
 * ./protocol.ts, no code.
 */
import { defineProvider, endpointProblem, entrySchema, secret, z, type AnyProviderDefinition } from '../kit/index.js';
import { STANDARD, updateHosts, type Variant } from './protocol.js';

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

const login = {
  username: secret('the username'),
  password: secret('the password'),
};

/** A server named by the entry: `…/nic/update` is accepted and trimmed. */
const serverUrl = (variant: Variant) =>
  z
    .string({
      error: (issue) =>
        issue.input === undefined ? 'missing: the URL of the dyndns2 server, e.g. https://members.example-dns.net' : 'expected a URL',
    })
    .superRefine((value, ctx) => {
      const problem = endpointProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .transform((url) => url.replace(/\/+$/, '').replace(new RegExp(`${variant.path}$`), ''));

/** Whether the service takes a login (username and password) rather than a key alone. */
const takesLogin = (preset: Preset): boolean => (preset.variant.auth ?? 'basic') === 'basic';

/** The entry's credential keys: a login, or one `key` for services that take a key alone. */
const credentialsOf = (preset: Preset) => (takesLogin(preset) ? login : { key: secret(preset.key ?? 'the key') });

function schemaOf(preset: Preset) {
  return preset.endpoint === undefined
    ? entrySchema(preset.type, { ...credentialsOf(preset), endpoint: serverUrl(preset.variant) })
    : entrySchema(preset.type, credentialsOf(preset), { endpoint: preset.endpoint });
}

interface Credentials {
  username?: string;
  password?: string;
  key?: string;
}

function definePreset(preset: Preset): AnyProviderDefinition {
  const schema = schemaOf(preset);
  // The schema has `password` or `key`, whichever the service takes; both are strings.
  const secrets = (takesLogin(preset) ? ['password'] : ['key']) as never[];
  return defineProvider({
    type: preset.type,
    schema,
    secrets,
    create(settings: z.infer<typeof schema> & Credentials, deps) {
      const target = {
        service: preset.service,
        variant: preset.variant,
        endpoint: settings.endpoint,
        username: settings.username,
        password: settings.password ?? settings.key ?? '',
      };
      return { label: preset.type, hosts: settings.hosts, update: (request) => updateHosts(target, deps, request) };
    },
  });
}

export const DYNDNS2_PROVIDERS: readonly AnyProviderDefinition[] = PRESETS.map(definePreset);
