/**
 * Config pieces every provider entry shares: the hostname list, the endpoint
 * rule (secrets travel only over https, except to this machine), the
 * per-family switches, the timeout and non-empty secrets.
 */
import { z } from 'zod';
import { duration, expected } from '../../src/base/schema.js';

export { duration, expected, z };

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A hostname of letters, digits and hyphens in dot-separated labels. */
export function isHostname(value: string): boolean {
  return value.length <= 253 && value.split('.').every((label) => LABEL.test(label));
}

export const hostname = z
  .string({ error: expected('a hostname') })
  .transform((v) => v.trim().toLowerCase().replace(/\.$/, ''))
  .refine(isHostname, { error: (issue) => `"${String(issue.input)}" is not a valid hostname` });

export const hostList = z
  .array(hostname, { error: expected('a list of hostnames, e.g. [office.example.com]') })
  .min(1, { error: 'expected at least one hostname' })
  .refine((hosts) => new Set(hosts).size === hosts.length, { error: 'lists the same hostname twice' });

export const secret = (what: string) => z.string({ error: expected(`${what} (a string, or ${'${VAR}'} from the environment)`) }).min(1, { error: `${what} is empty` });

/** Loopback hosts, where plain http cannot leak anything off the machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/** Why an endpoint URL is unacceptable, or undefined when it is fine. */
export function endpointProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not a URL; write it as https://host[/path]`;
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') {
    return isLoopbackHost(url.hostname)
      ? undefined
      : `${value} uses plain http, which would send the credentials in clear text; use https:// (http is allowed only for 127.0.0.1, ::1 and localhost)`;
  }
  return `${value} must start with https://`;
}

export const endpoint = (defaultUrl?: string) => {
  const url = z
    .string({ error: expected('a URL') })
    .superRefine((value, ctx) => {
      const problem = endpointProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .transform((v) => v.replace(/\/+$/, ''));
  return defaultUrl === undefined ? url : url.default(defaultUrl);
};

/** How long one request to a provider may take, answer included, unless the entry says otherwise. */
export const DEFAULT_PROVIDER_TIMEOUT_MS = 10_000;

/** The keys every entry has, whatever its transport. */
function commonShape<T extends string>(type: T, hosts: z.ZodType<string[], unknown>) {
  return {
    type: z.literal(type),
    hosts,
    ipv4: z.boolean({ error: expected('true or false') }).optional(),
    ipv6: z.boolean({ error: expected('true or false') }).optional(),
    timeout: duration(100, 'must be at least 100ms').default(DEFAULT_PROVIDER_TIMEOUT_MS),
  };
}

/**
 * The schema of one provider entry: `type`, `hosts`, `ipv4`, `ipv6`,
 * `timeout`, the provider's own keys and, for a service reached over HTTP,
 * `endpoint`: its default URL, which a test or a self-hosted server
 * overrides, or required when there is no default. Unknown keys are errors.
 */
export function entrySchema<T extends string, Shape extends z.ZodRawShape>(type: T, shape: Shape, options: { endpoint?: string; hosts?: z.ZodType<string[], unknown> } = {}) {
  return z.strictObject({ ...commonShape(type, options.hosts ?? hostList), endpoint: endpoint(options.endpoint), ...shape });
}

/** The schema of an entry that is not reached at a URL (DNS UPDATE, say): no `endpoint` key. */
export function plainEntrySchema<T extends string, Shape extends z.ZodRawShape>(type: T, shape: Shape, options: { hosts?: z.ZodType<string[], unknown> } = {}) {
  return z.strictObject({ ...commonShape(type, options.hosts ?? hostList), ...shape });
}

type Switches = { ipv4?: boolean | undefined; ipv6?: boolean | undefined };

/**
 * Limits an entry to the families it can update: `ipv4: true` or
 * `ipv6: true` for a family it cannot is an error saying `why`, and an
 * absent switch for such a family becomes `false`, so the entry never gets
 * that family's updates. `available` reads the entry's own settings (a
 * template without an IPv6 placeholder, a missing IPv6 token).
 */
export function limitFamilies<S extends z.ZodType<Switches>>(
  schema: S,
  available: (settings: z.output<S>) => readonly ('ipv4' | 'ipv6')[],
  why: (family: 'ipv4' | 'ipv6') => string,
) {
  return schema
    .superRefine((settings, ctx) => {
      const can = available(settings);
      for (const family of ['ipv4', 'ipv6'] as const) {
        if (settings[family] === true && !can.includes(family)) ctx.addIssue({ code: 'custom', path: [family], message: why(family) });
      }
    })
    .transform((settings) => {
      const can = available(settings);
      return { ...settings, ipv4: can.includes('ipv4') ? settings.ipv4 : false, ipv6: can.includes('ipv6') ? settings.ipv6 : false } as z.output<S>;
    });
}

/** A TTL in whole seconds, within a provider's limits (`who` names the provider in the message). */
export const ttlSeconds = (who: string, min: number, max = 2_147_483_647) =>
  z
    .number({ error: 'expected a number of seconds' })
    .int({ error: 'expected whole seconds' })
    .min(min, { error: `${who}'s smallest TTL is ${min} seconds` })
    .max(max, { error: `${who}'s largest TTL is ${max} seconds` });
