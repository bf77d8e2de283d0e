/**
 * The `notify:` section: a list of targets, each with the events it hears,
 * the least severity it sends and how many messages an hour it may send.
 */
import { z } from 'zod';
import { expected } from '../config/schema.js';

export const NOTIFY_EVENTS = [
  'address-changed',
  'host-updated',
  'host-failed',
  'host-needs-attention',
  'host-recovered',
  'lan-address-changed',
  'reachability-lost',
  'reachability-restored',
  'started',
  'stopped',
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Every event but host-updated, which an address change already tells once for all hosts. */
export const DEFAULT_EVENTS: NotifyEvent[] = NOTIFY_EVENTS.filter((e) => e !== 'host-updated');

const url = (what: string) =>
  z.string({ error: expected(what) }).refine((u) => /^https?:\/\/[^/\s]+/.test(u), { error: `expected ${what}` });

const common = {
  name: z.string({ error: expected('a name for this target') }).min(1).optional(),
  events: z.array(z.enum(NOTIFY_EVENTS, { error: `expected one of ${NOTIFY_EVENTS.join(', ')}` }), { error: expected('a list of events') }).optional(),
  severity: z.enum(SEVERITIES, { error: `expected one of ${SEVERITIES.join(', ')}` }).default('info'),
  rate_limit: z.int({ error: expected('a number of messages per hour') }).min(1, { error: 'must be at least 1' }).default(20),
};

const webhook = z.strictObject({
  type: z.literal('webhook'),
  url: url('the http(s) URL to POST JSON to'),
  /** Sent as this header's value (e.g. X-Webhook-Secret), so the receiver can tell the message is ours. */
  secret: z.string({ error: expected('a secret string') }).min(1).optional(),
  secret_header: z.string({ error: expected('a header name') }).regex(/^[A-Za-z0-9-]+$/, { error: 'expected a header name like X-Webhook-Secret' }).default('X-Webhook-Secret'),
  ...common,
});

const ntfy = z.strictObject({
  type: z.literal('ntfy'),
  url: url('the topic URL, like https://ntfy.sh/office-ddnsd'),
  token: z.string({ error: expected('an access token') }).min(1).optional(),
  ...common,
});

const email = z.strictObject({
  type: z.literal('email'),
  host: z.string({ error: expected('the SMTP server name') }).min(1),
  port: z.int({ error: expected('a port number') }).min(1).max(65535).optional(),
  /** starttls (port 587, the default), tls (port 465), or none (a relay on the LAN). */
  security: z.enum(['starttls', 'tls', 'none'], { error: 'expected starttls, tls or none' }).default('starttls'),
  username: z.string({ error: expected('the SMTP user name') }).optional(),
  password: z.string({ error: expected('the SMTP password') }).optional(),
  from: z.string({ error: expected('the sender address') }).min(3),
  to: z.union([z.string().min(3), z.array(z.string().min(3)).min(1)], { error: expected('an address or a list of addresses') }),
  /** A PEM file of the CA that signed the server's certificate, for an office mail server with its own certificate. */
  ca_file: z.string({ error: expected('a file path') }).optional(),
  ...common,
});

const healthchecks = z.strictObject({
  type: z.literal('healthchecks'),
  url: url('the ping URL, like https://hc-ping.com/<uuid>'),
  /** Where to report a failed cycle; default: the ping URL with /fail. An Uptime Kuma push URL with status=down fits here. */
  fail_url: url('the URL to call when a cycle failed').optional(),
  ...common,
});

export const targetSchema = z.discriminatedUnion('type', [webhook, ntfy, email, healthchecks], {
  error: expected('a target with type webhook, ntfy, email or healthchecks'),
});

export const notifySchema = z.array(targetSchema, { error: expected('a list of notification targets') }).default([]);

export type TargetConfig = z.infer<typeof targetSchema>;

/** Values that must never be printed: tokens, passwords and URLs that hold them. */
export function notifySecrets(targets: readonly TargetConfig[]): string[] {
  return targets.flatMap((t) => {
    if (t.type === 'email') return t.password ? [t.password] : [];
    if (t.type === 'healthchecks') return [t.url, ...(t.fail_url ? [t.fail_url] : []), ...tokenParts(t.url), ...(t.fail_url ? tokenParts(t.fail_url) : [])];
    const own = t.type === 'webhook' ? t.secret : t.token;
    return [t.url, ...tokenParts(t.url), ...(own ? [own] : [])];
  });
}

/** The path and query of a URL: where tokens and check UUIDs live. */
function tokenParts(u: string): string[] {
  try {
    const parsed = new URL(u);
    const parts = parsed.pathname.split('/').filter((p) => p.length >= 8);
    return [...parts, ...[...parsed.searchParams.values()].filter((v) => v.length >= 8)];
  } catch {
    return [];
  }
}

/** How a target appears in the status and logs: its type and host, never its path or query. */
export function describeTarget(t: TargetConfig): string {
  if (t.name) return t.name;
  if (t.type === 'email') return `email via ${t.host}`;
  try {
    return `${t.type} (${new URL(t.url).host})`;
  } catch {
    return t.type;
  }
}
