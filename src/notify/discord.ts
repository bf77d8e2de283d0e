/**
 * Discord, by webhook: `discord://token@webhookid`, as Shoutrrr writes the
 * webhook URL https://discord.com/api/webhooks/<webhookid>/<token>
 * (https://github.com/containrrr/shoutrrr/blob/main/docs/services/discord.md).
 * Each notification is one embed: title, description, a colour by severity,
 * the time (https://discord.com/developers/docs/resources/webhook#execute-webhook,
 * https://discord.com/developers/docs/resources/message#embed-object).
 */
import { base, describeByHost, expectOk, SEVERITY_COLOR, urlTarget } from './common.js';
import type { MessageKind } from './types.js';
import type { z } from 'zod';

const { schema, endpoint } = urlTarget('discord', 'discord://token@webhookid', (u) => {
  if (!u.username || !/^\d+$/.test(u.hostname)) return 'expected discord://token@webhookid (the two last parts of the webhook URL, token first)';
  return { id: u.hostname, token: decodeURIComponent(u.username) };
});

export type DiscordConfig = z.output<typeof schema>;

/** Embed limits: title 256 characters, description 4096. */
const cut = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export const discordTarget: MessageKind<DiscordConfig> = {
  kind: 'message',
  type: 'discord',
  schema,
  secrets: (c) => [c.url, endpoint(c).token],
  describe: (c) => describeByHost('discord', c.api),
  create: (config, { http }) => {
    const { id, token } = endpoint(config);
    const url = `${base(config.api, 'https://discord.com')}/api/webhooks/${id}/${token}`;
    return async (n, signal) => {
      const body = JSON.stringify({
        embeds: [
          {
            title: cut(n.title, 256),
            description: cut(n.message, 4096),
            color: SEVERITY_COLOR[n.severity],
            timestamp: new Date(n.at).toISOString(),
            footer: { text: `ddnsd · ${n.severity}` },
          },
        ],
      });
      const res = await http.request({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body, signal, maxBytes: 16 * 1024 });
      expectOk(res.status, 'Discord');
    };
  },
};
