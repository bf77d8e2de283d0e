/**
 * The webhook target: the notification POSTed as JSON (or as the `body`
 * template), with an optional secret header. Also written as a Shoutrrr
 * generic URL: `generic+https://host/path` (`generic://host/path` is https
 * too, `disabletls=yes` makes it http); its `@Name=value` query values are
 * headers, `contenttype` and `method` are as named, `$key=value` adds a field
 * to the JSON, `titlekey`/`messagekey` rename those two fields, and other
 * query values (with `_` taken off a reserved name) stay on the URL.
 * https://github.com/containrrr/shoutrrr/blob/main/docs/services/generic.md
 */
import { z } from 'zod';
import { expected } from '../base/schema.js';
import { VERSION } from '../base/version.js';
import { checked, common, describeByHost, expectOk, tokenParts, urlCheck, yes } from './common.js';
import type { MessageKind, Notification } from './types.js';

const RESERVED = new Set(['template', 'contenttype', 'disabletls', 'method', 'titlekey', 'messagekey', 'title']);

interface Generic {
  url: string;
  headers: Record<string, string>;
  method: 'POST' | 'PUT';
  contentType: string | undefined;
  fields: Record<string, string>;
  titleKey: string;
  messageKey: string;
}

/** `acceptLanguage` (Shoutrrr's spelling) or `Accept-Language` as a header name. */
const headerName = (key: string): string => (key.includes('-') ? key : key.replace(/(?<=[a-z0-9])([A-Z])/g, '-$1')).toLowerCase();

/** A generic URL as the plain request it stands for; a message when it is not one. */
export function parseGeneric(raw: string): Generic | string {
  const m = /^generic(\+https?)?:\/\//i.exec(raw);
  if (!m)
    return /^https?:\/\/[^/\s]+/.test(raw)
      ? { url: raw, headers: {}, method: 'POST', contentType: undefined, fields: {}, titleKey: 'title', messageKey: 'message' }
      : 'expected an http(s) URL or a generic+https:// URL';
  let u: URL;
  try {
    u = new URL(`https://${raw.slice(m[0].length)}`);
  } catch {
    return 'expected a URL like generic+https://example.com/hook';
  }
  const out: Generic = { url: '', headers: {}, method: 'POST', contentType: undefined, fields: {}, titleKey: 'title', messageKey: 'message' };
  const kept = new URLSearchParams();
  const scheme = m[1] ? m[1].slice(1).toLowerCase() : yes(u.searchParams.get('disabletls')) ? 'http' : 'https';
  for (const [key, value] of u.searchParams) {
    const k = key.toLowerCase();
    if (key.startsWith('@')) out.headers[headerName(key.slice(1))] = value;
    else if (key.startsWith('$')) out.fields[key.slice(1)] = value;
    else if (key.startsWith('_')) kept.append(key.slice(1), value);
    else if (k === 'contenttype') out.contentType = value;
    else if (k === 'method') out.method = value.toUpperCase() === 'PUT' ? 'PUT' : 'POST';
    else if (k === 'titlekey') out.titleKey = value;
    else if (k === 'messagekey') out.messageKey = value;
    else if (!RESERVED.has(k)) kept.append(key, value);
  }
  const query = kept.toString();
  out.url = `${scheme}://${u.host}${u.pathname}${query ? `?${query}` : ''}`;
  return out;
}

const schema = z
  .strictObject({
    type: z.literal('webhook'),
    url: z.string({ error: expected('the http(s) URL to POST JSON to, or a generic+https:// URL') }),
    /** Sent as this header's value (e.g. X-Webhook-Secret), so the receiver can tell the message is ours. */
    secret: z
      .string({ error: expected('a secret string') })
      .min(1)
      .optional(),
    secret_header: z
      .string({ error: expected('a header name') })
      .regex(/^[A-Za-z0-9-]+$/, { error: 'expected a header name like X-Webhook-Secret' })
      .default('X-Webhook-Secret'),
    /** The request body with {{event}}, {{title}}, {{message}}, {{severity}} and {{at}} filled in; default: ddnsd's JSON. */
    body: z
      .string({ error: expected('a body template') })
      .min(1)
      .optional(),
    content_type: z
      .string({ error: expected('a content type') })
      .min(3)
      .optional(),
    ...common,
  })
  .superRefine(urlCheck(parseGeneric));

export type WebhookConfig = z.output<typeof schema>;

type Field = 'event' | 'title' | 'message' | 'severity' | 'at';

/** The body template with the notification filled in; JSON-escaped when the body is JSON. */
export function fillTemplate(template: string, n: Notification, json: boolean): string {
  const values: Record<Field, string> = { event: n.event, title: n.title, message: n.message, severity: n.severity, at: new Date(n.at).toISOString() };
  return template.replace(/\{\{\s*(event|title|message|severity|at)\s*\}\}/g, (_all, key: Field) => {
    const value = values[key];
    return json ? JSON.stringify(value).slice(1, -1) : value;
  });
}

function defaultBody(n: Notification, e: Generic): string {
  return JSON.stringify({
    ...e.fields,
    event: n.event,
    severity: n.severity,
    [e.titleKey]: n.title,
    [e.messageKey]: n.message,
    subject: n.subject,
    at: new Date(n.at).toISOString(),
    ddnsd: VERSION,
  });
}

export const webhookTarget: MessageKind<WebhookConfig> = {
  kind: 'message',
  type: 'webhook',
  schema,
  secrets: (c) => {
    const e = checked(parseGeneric(c.url));
    return [c.url, ...tokenParts(c.url), e.url, ...tokenParts(e.url), ...Object.values(e.headers), ...(c.secret ? [c.secret] : [])];
  },
  describe: (c) => describeByHost('webhook', checked(parseGeneric(c.url)).url),
  create: (config, { http }) => {
    const e = checked(parseGeneric(config.url));
    const contentType = config.content_type ?? e.contentType ?? 'application/json';
    const json = contentType.includes('json');
    return async (n, signal) => {
      const body = config.body ? fillTemplate(config.body, n, json) : defaultBody(n, e);
      const headers: Record<string, string> = { ...e.headers, 'content-type': contentType };
      if (config.secret) headers[config.secret_header.toLowerCase()] = config.secret;
      const res = await http.request({ url: e.url, method: e.method, headers, body, signal, maxBytes: 16 * 1024 });
      expectOk(res.status, 'the webhook');
    };
  },
};
