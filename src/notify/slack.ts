/**
 * Slack, by incoming webhook or by bot token, as Shoutrrr writes them
 * (https://github.com/containrrr/shoutrrr/blob/main/docs/services/slack.md):
 * `slack://hook:T000-B000-XXXX@webhook` posts to
 * https://hooks.slack.com/services/T000/B000/XXXX
 * (https://api.slack.com/messaging/webhooks); `slack://xoxb:TOKEN@CHANNEL`
 * calls chat.postMessage with the token as a bearer token
 * (https://api.slack.com/methods/chat.postMessage). The old form
 * `slack://T000/B000/XXXX` is a webhook too. The message is Block Kit
 * blocks with `text` as the fallback (https://api.slack.com/reference/block-kit/blocks).
 */
import type { z } from 'zod';
import { base, describeByHost, expectOk, urlTarget } from './common.js';
import type { MessageKind, Notification } from './types.js';

// The token pattern of Shoutrrr's pkg/services/slack/slack_token.go: a type, then three parts.
const TOKEN = /^(?:(xox.|hook)[-:]|:?)([A-Z0-9]{9,})([-/,])([A-Z0-9]{9,})([-/,])([A-Za-z0-9]{24,})$/;

type Endpoint = { kind: 'hook'; path: string } | { kind: 'bot'; token: string; channel: string };

function parseSlack(u: URL): Endpoint | string {
  const path = u.pathname.replace(/^\/+/, '');
  const old = path.length > 1;
  const raw = old ? `${u.hostname}/${path}` : `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  const m = TOKEN.exec(raw);
  if (!m || m[3] !== m[5]) return 'expected slack://hook:T000-B000-XXXX@webhook (a webhook) or slack://xoxb:TOKEN@CHANNEL (a bot token)';
  const type = m[1] ?? 'hook';
  if (type === 'hook') return { kind: 'hook', path: `${m[2]}/${m[4]}/${m[6]}` };
  if (old || !u.hostname) return 'expected slack://xoxb:TOKEN@CHANNEL: the channel after the @';
  return { kind: 'bot', token: `${type}-${m[2]}-${m[4]}-${m[6]}`, channel: u.hostname };
}

const { schema, endpoint } = urlTarget('slack', 'slack://hook:T000-B000-XXXX@webhook', parseSlack);

export type SlackConfig = z.output<typeof schema>;

export function slackBlocks(n: Notification): unknown[] {
  return [
    { type: 'header', text: { type: 'plain_text', text: n.title.slice(0, 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: n.message.slice(0, 3000) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `ddnsd · ${n.severity} · ${new Date(n.at).toISOString()}` }] },
  ];
}

export const slackTarget: MessageKind<SlackConfig> = {
  kind: 'message',
  type: 'slack',
  schema,
  secrets: (c) => {
    const e = endpoint(c);
    return [c.url, e.kind === 'hook' ? e.path : e.token];
  },
  describe: (c) => describeByHost('slack', c.api),
  create: (config, { http }) => {
    const e = endpoint(config);
    return async (n, signal) => {
      const text = `${n.title}: ${n.message}`;
      const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
      if (e.kind === 'hook') {
        const res = await http.request({
          url: `${base(config.api, 'https://hooks.slack.com')}/services/${e.path}`,
          method: 'POST',
          headers,
          body: JSON.stringify({ text, blocks: slackBlocks(n) }),
          signal,
          maxBytes: 16 * 1024,
        });
        expectOk(res.status, 'Slack');
        return;
      }
      headers.authorization = `Bearer ${e.token}`;
      const res = await http.request({
        url: `${base(config.api, 'https://slack.com')}/api/chat.postMessage`,
        method: 'POST',
        headers,
        body: JSON.stringify({ channel: e.channel, text, blocks: slackBlocks(n) }),
        signal,
        maxBytes: 64 * 1024,
      });
      expectOk(res.status, 'Slack');
      // chat.postMessage answers HTTP 200 with ok: false and an error code when it refused the message.
      const answer = JSON.parse(res.text) as { ok?: boolean; error?: string };
      if (answer.ok !== true) throw new Error(`Slack refused the message: ${answer.error ?? 'no error code'}`);
    };
  },
};
