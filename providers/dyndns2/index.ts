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
}

export const PRESETS: readonly Preset[] = [
  { type: 'noip', service: 'No-IP', endpoint: 'https://dynupdate.no-ip.com', variant: STANDARD },
  { type: 'dyndns2', service: 'the dyndns2 server', variant: STANDARD },
];

const credentials = {
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

function schemaOf(preset: Preset) {
  return preset.endpoint === undefined
    ? entrySchema(preset.type, { ...credentials, endpoint: serverUrl(preset.variant) })
    : entrySchema(preset.type, credentials, { endpoint: preset.endpoint });
}

function definePreset(preset: Preset): AnyProviderDefinition {
  const schema = schemaOf(preset);
  return defineProvider({
    type: preset.type,
    schema,
    secrets: ['password'],
    create(settings: z.infer<typeof schema>, deps) {
      const target = { service: preset.service, variant: preset.variant, ...settings };
      return { label: preset.type, hosts: settings.hosts, update: (request) => updateHosts(target, deps, request) };
    },
  });
}

export const DYNDNS2_PROVIDERS: readonly AnyProviderDefinition[] = PRESETS.map(definePreset);
