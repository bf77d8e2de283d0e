/**
 * dyndns2 adapters: `dyndns2` for any service that speaks the protocol (the
 * endpoint is required) and presets for services that speak it with their
 * own server, name and quirks. A preset is one row of PRESETS (./presets.ts):
 * data over ./protocol.ts, no code.
 */
import {
  defineProvider,
  endpointProblem,
  entrySchema,
  secret,
  VERSION,
  z,
  type AnyProviderDefinition,
  type Family,
  type HostResult,
  type Provider,
  type RecordAbilities,
} from '../kit/index.js';
import { PRESETS, type Preset, type Variant } from './presets.js';
import { removeFamilies, updateHosts, type Dyndns2Deps, type Dyndns2Target } from './protocol.js';

const login = {
  username: secret('the username'),
  password: secret('the password'),
};

/** A server named by the entry: `…/nic/update` is accepted and trimmed. */
const serverUrl = (variant: Variant) =>
  z
    .string({
      error: (issue) => (issue.input === undefined ? 'missing: the URL of the dyndns2 server, e.g. https://members.example-dns.net' : 'expected a URL'),
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

/**
 * `contact_email`, for services that ask the User-Agent to name whom to
 * write to about the client (No-IP): the user's own address, since ddnsd's
 * authors do not run the user's updates.
 */
const contact = z
  .string()
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { error: 'expected an e-mail address, e.g. admin@example.com: No-IP writes to it about this client' })
  .optional();

const extrasOf = (preset: Preset) => (preset.variant.agentContact ? { contact_email: contact } : {});

function schemaOf(preset: Preset) {
  return preset.endpoint === undefined
    ? entrySchema(preset.type, { ...credentialsOf(preset), ...extrasOf(preset), endpoint: serverUrl(preset.variant) })
    : entrySchema(preset.type, { ...credentialsOf(preset), ...extrasOf(preset) }, { endpoint: preset.endpoint });
}

interface Credentials {
  username?: string;
  password?: string;
  key?: string;
  contact_email?: string | undefined;
}

/**
 * No-IP's form, "Company NameOfProgram/OSVersion-ReleaseVersion
 * maintainer-contact@example.com" (https://www.noip.com/integrate/request).
 */
export function contactAgent(contactEmail: string, platform: string = process.platform): string {
  return `ddnsd ddnsd/${platform}-${VERSION} ${contactEmail}`;
}

/** What a preset that wants a contact says when the entry names none. */
function adviceOf(preset: Preset, settings: Credentials): string[] {
  if (!preset.variant.agentContact || settings.contact_email !== undefined) return [];
  return [
    `${preset.service} asks every client to name a contact in its User-Agent and may block clients that do not: ` +
      `add contact_email: (your e-mail address) to this ${preset.type} entry`,
  ];
}

/**
 * What a preset's service can do beyond one address per name: several
 * addresses per name where its address parameters take a list, deleting
 * where an empty address deletes. None of them has a field for a marker.
 */
function abilitiesOf(preset: Preset): RecordAbilities | undefined {
  const { addressLists, emptyDeletes } = preset.variant;
  if (!addressLists && !emptyDeletes) return undefined;
  return {
    ...(addressLists ? { sets: true as const } : {}),
    ...(emptyDeletes ? { removeOnStop: true as const } : {}),
    noMarker: `${preset.service}'s dynDNS update API sets addresses only, with no field to carry a marker`,
  };
}

/**
 * The provider of one entry. Where the service deletes (`emptyDeletes`), it
 * also deletes on stop; the service answers without saying what was there,
 * so the count is of the records this provider set since ddnsd started.
 */
function presetProvider(preset: Preset, target: Dyndns2Target, hosts: string[], deps: Dyndns2Deps): Provider {
  /** `host family` → how many records the last successful update left there; 0 once deleted. */
  const held = new Map<string, number>();
  const note = (results: HostResult[]): HostResult[] => {
    for (const r of results) if (r.outcome !== 'failed') held.set(`${r.host} ${r.family}`, r.address.split(',').length);
    return results;
  };
  const provider: Provider = { label: preset.type, hosts, update: async (request) => note(await updateHosts(target, deps, request)) };
  if (!preset.variant.emptyDeletes) return provider;
  provider.removeRecords = async (families: readonly Family[], signal: AbortSignal) => {
    const names = hosts.flatMap((host) => families.map((family) => `${host} ${family}`));
    // Names known to hold nothing (deleted before) need no request.
    if (names.every((n) => held.get(n) === 0)) return 0;
    await removeFamilies(target, deps, hosts, families, signal);
    const removed = names.reduce((sum, n) => sum + (held.get(n) ?? 0), 0);
    for (const n of names) held.set(n, 0);
    return removed;
  };
  return provider;
}

function definePreset(preset: Preset): AnyProviderDefinition {
  const schema = schemaOf(preset);
  // The schema has `password` or `key`, whichever the service takes; both are strings.
  const secrets = (takesLogin(preset) ? ['password'] : ['key']) as never[];
  const records = abilitiesOf(preset);
  return defineProvider({
    type: preset.type,
    ...(records ? { records } : {}),
    schema,
    secrets,
    advice: (settings: z.infer<typeof schema> & Credentials) => adviceOf(preset, settings),
    create(settings: z.infer<typeof schema> & Credentials, deps) {
      for (const advice of adviceOf(preset, settings)) deps.log.warn(advice);
      const target = {
        service: preset.service,
        variant: preset.variant,
        endpoint: settings.endpoint,
        username: settings.username,
        password: settings.password ?? settings.key ?? '',
        userAgent: settings.contact_email === undefined ? undefined : contactAgent(settings.contact_email),
      };
      return presetProvider(preset, target, settings.hosts, deps);
    },
  });
}

export const DYNDNS2_PROVIDERS: readonly AnyProviderDefinition[] = PRESETS.map(definePreset);

export default DYNDNS2_PROVIDERS;
