/**
 * dyndns2 adapters: `dyndns2` for any service that speaks the protocol (the
 * endpoint is required) and presets for services that speak it with their
 * own server, name and quirks. A preset is one row of PRESETS (./presets.ts):
 * data over ./protocol.ts, no code.
 */
import { defineProvider, endpointProblem, entrySchema, secret, VERSION, z, type AnyProviderDefinition } from '../kit/index.js';
import { PRESETS, type Preset, type Variant } from './presets.js';
import { updateHosts } from './protocol.js';

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

function definePreset(preset: Preset): AnyProviderDefinition {
  const schema = schemaOf(preset);
  // The schema has `password` or `key`, whichever the service takes; both are strings.
  const secrets = (takesLogin(preset) ? ['password'] : ['key']) as never[];
  return defineProvider({
    type: preset.type,
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
      return { label: preset.type, hosts: settings.hosts, update: (request) => updateHosts(target, deps, request) };
    },
  });
}

export const DYNDNS2_PROVIDERS: readonly AnyProviderDefinition[] = PRESETS.map(definePreset);

export default DYNDNS2_PROVIDERS;
