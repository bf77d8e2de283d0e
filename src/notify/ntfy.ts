/**
 * The ntfy target: the message POSTed to the topic URL, the title and
 * priority as headers (https://docs.ntfy.sh/publish/), an access token as a
 * bearer token, a user name and password as basic auth
 * (https://docs.ntfy.sh/publish/#authentication). Also written as a Shoutrrr
 * URL, `ntfy://[user:password@]host/topic[?scheme=http]`, host ntfy.sh when
 * left out (https://github.com/containrrr/shoutrrr/blob/main/docs/services/ntfy.md).
 */
import { z } from 'zod';
import { expected } from '../base/schema.js';
import { checked, common, describeByHost, expectOk, tokenParts, urlCheck } from './common.js';
import type { MessageKind, Severity } from './types.js';

const PRIORITY: Record<Severity, string> = { info: '3', warning: '4', critical: '5' };
const TAGS: Record<Severity, string> = { info: 'information_source', warning: 'warning', critical: 'rotating_light' };

/** Header values must be plain ASCII: anything else becomes '?'. */
const ascii = (text: string): string => text.replace(/[^\x20-\x7e]/g, '?');

interface Topic {
  url: string;
  basic: string | undefined;
}

function parseTopic(raw: string): Topic | string {
  if (/^https?:\/\/[^/\s]+/.test(raw)) return { url: raw, basic: undefined };
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'expected the topic URL, like https://ntfy.sh/office-ddnsd, or ntfy://ntfy.sh/office-ddnsd';
  }
  if (u.protocol !== 'ntfy:') return 'expected the topic URL, like https://ntfy.sh/office-ddnsd, or ntfy://ntfy.sh/office-ddnsd';
  const topic = u.pathname.replace(/^\/+/, '');
  if (!topic) return 'expected a topic after the host, like ntfy://ntfy.sh/office-ddnsd';
  const scheme = u.searchParams.get('scheme') === 'http' ? 'http' : 'https';
  const password = decodeURIComponent(u.password);
  return { url: `${scheme}://${u.host || 'ntfy.sh'}/${topic}`, basic: password ? `${decodeURIComponent(u.username)}:${password}` : undefined };
}

const schema = z
  .strictObject({
    type: z.literal('ntfy'),
    url: z.string({ error: expected('the topic URL, like https://ntfy.sh/office-ddnsd') }),
    token: z
      .string({ error: expected('an access token') })
      .min(1)
      .optional(),
    ...common,
  })
  .superRefine(urlCheck(parseTopic));

export type NtfyConfig = z.output<typeof schema>;

export const ntfyTarget: MessageKind<NtfyConfig> = {
  kind: 'message',
  type: 'ntfy',
  schema,
  secrets: (c) => {
    const topic = checked(parseTopic(c.url));
    const basic = topic.basic ? [topic.basic, Buffer.from(topic.basic).toString('base64')] : [];
    return [c.url, ...tokenParts(c.url), topic.url, ...tokenParts(topic.url), ...basic, ...(c.token ? [c.token] : [])];
  },
  describe: (c) => describeByHost('ntfy', checked(parseTopic(c.url)).url),
  create: (config, { http }) => {
    const topic = checked(parseTopic(config.url));
    return async (n, signal) => {
      const headers: Record<string, string> = {
        'content-type': 'text/plain; charset=utf-8',
        title: ascii(n.title),
        priority: PRIORITY[n.severity],
        tags: TAGS[n.severity],
      };
      if (config.token) headers.authorization = `Bearer ${config.token}`;
      else if (topic.basic) headers.authorization = `Basic ${Buffer.from(topic.basic).toString('base64')}`;
      const res = await http.request({ url: topic.url, method: 'POST', headers, body: n.message, signal, maxBytes: 16 * 1024 });
      expectOk(res.status, 'the ntfy server');
    };
  },
};
