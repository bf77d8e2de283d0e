/**
 * Telegram, by bot: `telegram://TOKEN@telegram?chats=@channel,-1001234`
 * (https://github.com/containrrr/shoutrrr/blob/main/docs/services/telegram.md;
 * a chat may be `chat:thread`, `preview=no` and `notification=no` as there).
 * One sendMessage per chat, HTML parse mode with the title in bold
 * (https://core.telegram.org/bots/api#sendmessage,
 * https://core.telegram.org/bots/api#html-style).
 */
import type { z } from 'zod';
import { base, describeByHost, expectOk, urlTarget, yes } from './common.js';
import type { MessageKind } from './types.js';

const no = (v: string | null): boolean => v !== null && /^(no|false|0|off)$/i.test(v);

const { schema, endpoint } = urlTarget('telegram', 'telegram://TOKEN@telegram?chats=@channel', (u) => {
  const token = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  const chats = (u.searchParams.get('chats') ?? u.searchParams.get('channels') ?? '').split(',').filter((c) => c.length > 0);
  if (!/^\d+:[\w-]+$/.test(token)) return 'expected telegram://TOKEN@telegram?chats=… with the bot token (digits:letters) before the @';
  if (chats.length === 0) return 'expected at least one chat: telegram://TOKEN@telegram?chats=@channel,-1001234567890';
  return { token, chats, preview: !no(u.searchParams.get('preview')), silent: no(u.searchParams.get('notification')) || yes(u.searchParams.get('silent')) };
});

export type TelegramConfig = z.output<typeof schema>;

const html = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const telegramTarget: MessageKind<TelegramConfig> = {
  kind: 'message',
  type: 'telegram',
  schema,
  secrets: (c) => [c.url, endpoint(c).token, endpoint(c).token.split(':')[1] ?? ''].filter((s) => s.length >= 8),
  describe: (c) => describeByHost('telegram', c.api),
  create: (config, { http }) => {
    const e = endpoint(config);
    const url = `${base(config.api, 'https://api.telegram.org')}/bot${e.token}/sendMessage`;
    return async (n, signal) => {
      for (const chat of e.chats) {
        const [id, thread] = chat.split(':');
        const body = {
          chat_id: id,
          ...(thread ? { message_thread_id: Number(thread) } : {}),
          text: `<b>${html(n.title)}</b>\n${html(n.message)}`,
          parse_mode: 'HTML',
          ...(e.preview ? {} : { link_preview_options: { is_disabled: true } }),
          ...(e.silent ? { disable_notification: true } : {}),
        };
        const res = await http.request({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal, maxBytes: 64 * 1024 });
        expectOk(res.status, `Telegram (chat ${id})`);
      }
    };
  },
};
