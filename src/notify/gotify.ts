/**
 * Gotify: `gotify://host[:port][/path]/APPTOKEN[?priority=5&disabletls=yes]`
 * (https://github.com/containrrr/shoutrrr/blob/main/docs/services/gotify.md).
 * A POST /message with title, message and priority, the application token
 * in the X-Gotify-Key header (https://gotify.net/api-docs, "createMessage";
 * https://gotify.net/docs/pushmsg). The priority follows the severity
 * unless the URL sets one.
 */
import type { z } from 'zod';
import { describeByHost, expectOk, urlTarget, yes } from './common.js';
import type { MessageKind, Severity } from './types.js';

/** Gotify's clients: 1-3 low, 4-7 normal, 8-10 high (https://gotify.net/docs/msgextras). */
const PRIORITY: Record<Severity, number> = { info: 4, warning: 6, critical: 8 };

const { schema, endpoint } = urlTarget('gotify', 'gotify://gotify.example.com/APPTOKEN', (u) => {
  const parts = u.pathname.split('/').filter((p) => p.length > 0);
  const token = parts.pop();
  if (!u.host || !token) return 'expected gotify://host/APPTOKEN (the application token last in the path)';
  const priority = u.searchParams.get('priority');
  if (priority !== null && !/^\d+$/.test(priority)) return 'expected priority=0…10 in the gotify URL';
  const scheme = yes(u.searchParams.get('disabletls')) ? 'http' : 'https';
  return { url: `${scheme}://${u.host}${parts.length ? `/${parts.join('/')}` : ''}/message`, token, priority: priority === null ? undefined : Number(priority) };
});

export type GotifyConfig = z.output<typeof schema>;

export const gotifyTarget: MessageKind<GotifyConfig> = {
  kind: 'message',
  type: 'gotify',
  schema,
  secrets: (c) => [c.url, endpoint(c).token],
  describe: (c) => describeByHost('gotify', endpoint(c).url),
  create:
    (config, { http }) =>
    async (n, signal) => {
      const e = endpoint(config);
      const body = JSON.stringify({ title: n.title, message: n.message, priority: e.priority ?? PRIORITY[n.severity] });
      const res = await http.request({ url: e.url, method: 'POST', headers: { 'content-type': 'application/json', 'x-gotify-key': e.token }, body, signal, maxBytes: 16 * 1024 });
      expectOk(res.status, 'Gotify');
    },
};
