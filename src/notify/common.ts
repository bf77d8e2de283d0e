/**
 * What the target types build on: the settings every target has, URL
 * settings, secrets found in a URL, and the check that a service took a
 * message.
 */
import { z } from 'zod';
import { expected } from '../base/schema.js';
import { NOTIFY_EVENTS, SEVERITIES, type Severity } from './types.js';

export const common = {
  name: z
    .string({ error: expected('a name for this target') })
    .min(1)
    .optional(),
  events: z.array(z.enum(NOTIFY_EVENTS, { error: `expected one of ${NOTIFY_EVENTS.join(', ')}` }), { error: expected('a list of events') }).optional(),
  severity: z.enum(SEVERITIES, { error: `expected one of ${SEVERITIES.join(', ')}` }).default('info'),
  rate_limit: z
    .int({ error: expected('a number of messages per hour') })
    .min(1, { error: 'must be at least 1' })
    .default(20),
};

export const httpUrl = (what: string) => z.string({ error: expected(what) }).refine((u) => /^https?:\/\/[^/\s]+/.test(u), { error: `expected ${what}` });

/** Where a chat service's API is, instead of its public address: a relay, or a local test server. */
export const apiSetting = { api: httpUrl("the service's API base URL, like http://127.0.0.1:8080").optional() };

/** A refused send: a status other than 2xx, in words. */
export function expectOk(status: number, what: string): void {
  if (status < 200 || status > 299) throw new Error(`${what} answered HTTP ${status}`);
}

/** The path segments and query values of a URL long enough to be tokens or check UUIDs. */
export function tokenParts(u: string): string[] {
  try {
    const parsed = new URL(u);
    const parts = parsed.pathname.split('/').filter((p) => p.length >= 8);
    const user = [parsed.username.length >= 8 ? parsed.username : '', parsed.password].filter((p) => p.length > 0).map(decodeURIComponent);
    return [...parts, ...user, ...[...parsed.searchParams.values()].filter((v) => v.length >= 8)];
  } catch {
    return [];
  }
}

/** `type (host)`, or the type alone when the URL has no host worth showing. */
export function describeByHost(type: string, url: string | undefined): string {
  try {
    return url ? `${type} (${new URL(url).host})` : type;
  } catch {
    return type;
  }
}

/**
 * A target given as one Shoutrrr-style URL (`discord://token@id`): the
 * settings are checked here, `parse` (which returns a message for a URL it
 * cannot use) turns the URL into what to send to; `endpoint` runs it again
 * where the target is made, so the config as shown stays as written.
 */
export function urlTarget<T extends string, P>(type: T, form: string, parse: (u: URL) => P | string) {
  const read = (raw: string): P | string => {
    let u: URL | undefined;
    try {
      u = new URL(raw);
    } catch {
      u = undefined;
    }
    return u?.protocol === `${type}:` ? parse(u) : `expected a URL like ${form}`;
  };
  const schema = z.strictObject({ type: z.literal(type), url: z.string({ error: expected(`a ${type} URL like ${form}`) }), ...apiSetting, ...common }).superRefine(urlCheck(read));
  return { schema, endpoint: (c: { url: string }): P => checked(read(c.url)) };
}

/** Checks a target's `url` with `parse`, which returns a message for a URL it cannot use. */
export const urlCheck =
  (parse: (raw: string) => unknown) =>
  (c: { url: string }, ctx: z.RefinementCtx): void => {
    const parsed = parse(c.url);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed, path: ['url'] });
  };

/** A URL the schema has checked, parsed again. */
export function checked<P>(parsed: P | string): P {
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

/** A query value that is yes/no or true/false, as Shoutrrr writes them. */
export const yes = (v: string | null): boolean => v !== null && /^(yes|true|1|on)$/i.test(v);

/** Base URL: the `api` setting, else the service's own. */
export const base = (api: string | undefined, own: string): string => (api ?? own).replace(/\/$/, '');

export const SEVERITY_COLOR: Record<Severity, number> = { info: 0x3b82f6, warning: 0xf59e0b, critical: 0xdc2626 };
