import { afterEach, describe, expect, it } from 'vitest';
import { createEvents, type CycleEvent } from '../src/cycle/events.js';
import { createHttpClient } from '../src/base/http.js';
import { createLogger, createRedactor } from '../src/base/log.js';
import { notifySchema, notifySecrets } from '../src/notify/config.js';
import { createNotifier } from '../src/notify/index.js';
import { startDiscord, startGotify, startMatrix, startPushover, startSlack, startTelegram } from './fakes/chat.js';
import { send, startFake, type FakeServer } from './fakes/server.js';
import { fakeClock } from './helpers/clock.js';

const http = createHttpClient({ userAgent: 'ddnsd-test' });
const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});
const track = <T extends FakeServer>(fake: T): T => {
  closers.push(() => fake.close());
  return fake;
};

/** Sends the events to the targets, waits, and gives back what was logged and the status. */
async function deliver(targets: unknown[], events: CycleEvent[]) {
  const config = notifySchema.parse(targets);
  const redactor = createRedactor(notifySecrets(config));
  const logs: string[] = [];
  const log = createLogger({ format: 'json', level: 'debug', redactor, write: (l) => logs.push(l) });
  const bus = createEvents();
  const notifier = createNotifier({ targets: config, http, clock: fakeClock(), log, redactor, events: bus, retryDelaysMs: [] });
  closers.push(() => notifier.close());
  for (const e of events) bus.emit(e);
  await notifier.flush();
  return { logs: logs.join('\n'), status: notifier.status(), shown: redactor.redact(JSON.stringify(config)) };
}

const at = Date.parse('2026-11-29T08:00:00Z');
const attention: CycleEvent = {
  type: 'host-needs-attention',
  provider: 'duckdns',
  host: 'office.duckdns.org',
  family: 'ipv4',
  kind: 'auth',
  message: 'credentials rejected <badauth> & paused',
  entry: 0,
  at,
};
const changed: CycleEvent = { type: 'address-changed', family: 'ipv4', from: '203.0.113.6', to: '203.0.113.7', sources: [], at };

const DISCORD_TOKEN = 'W3dE2OZz4C13_4z_uHfDOoC7BqTW288s-z1ykqI0iJnY';

describe('notification URLs (Shoutrrr syntax)', () => {
  it('discord://token@id: one webhook POST with an embed, the token never shown', async () => {
    const discord = track(await startDiscord('693853386302554172', DISCORD_TOKEN));
    const { status, logs, shown } = await deliver([{ url: `discord://${DISCORD_TOKEN}@693853386302554172`, api: discord.url }], [attention]);
    expect(status[0]).toMatchObject({ type: 'discord', sent: 1, failed: 0 });
    const embed = (discord.messages[0]?.embeds as Record<string, unknown>[])[0];
    expect(embed).toMatchObject({ title: 'office.duckdns.org A needs attention', color: 0xdc2626, timestamp: '2026-11-29T08:00:00.000Z' });
    expect(embed?.description).toContain('credentials rejected');
    expect(shown + logs + JSON.stringify(status)).not.toContain(DISCORD_TOKEN);
  });

  it('discord: a wrong token is a failed send, told without the token', async () => {
    const discord = track(await startDiscord('693853386302554172', 'the-right-token-value'));
    const { status, logs } = await deliver([{ url: `discord://${DISCORD_TOKEN}@693853386302554172`, api: discord.url }], [attention]);
    expect(status[0]).toMatchObject({ sent: 0, failed: 1 });
    expect(status[0]?.lastError).toContain('HTTP 401');
    expect(logs + JSON.stringify(status)).not.toContain(DISCORD_TOKEN);
  });

  it('slack: webhook and bot-token forms, old form too; a refused bot message (ok: false) is a failure', async () => {
    const hook = 'WNA3PBYV6/F20DUQND3RQ/Webc4MAvoacrpPakR8phF0zi';
    const bot = 'xoxb-123456789012-1234567890123-4mt0t4l1YL3g1T5L4cK70k3N';
    const slack = track(await startSlack(hook, bot));
    const { status, shown, logs } = await deliver(
      [
        { url: 'slack://hook:WNA3PBYV6-F20DUQND3RQ-Webc4MAvoacrpPakR8phF0zi@webhook', api: slack.url },
        { url: 'slack://xoxb:123456789012-1234567890123-4mt0t4l1YL3g1T5L4cK70k3N@C001CH4NN3L', api: slack.url },
        { url: 'slack://WNA3PBYV6/F20DUQND3RQ/Webc4MAvoacrpPakR8phF0zi', api: slack.url },
        { url: 'slack://xoxb:123456789012-1234567890123-WRONGWRONGWRONGWRONGWRONG@C001CH4NN3L', api: slack.url },
      ],
      [changed],
    );
    expect(status.map((s) => [s.sent, s.failed])).toEqual([
      [1, 0],
      [1, 0],
      [1, 0],
      [0, 1],
    ]);
    expect(status[3]?.lastError).toContain('invalid_auth');
    expect(slack.messages).toHaveLength(3);
    expect(slack.messages[1]).toMatchObject({ channel: 'C001CH4NN3L', text: expect.stringContaining('203.0.113.7') });
    expect((slack.messages[0]?.blocks as { type: string }[]).map((b) => b.type)).toEqual(['header', 'section', 'context']);
    expect(shown + logs).not.toContain('Webc4MAvoacrpPakR8phF0zi');
    expect(shown + logs).not.toContain('4mt0t4l1YL3g1T5L4cK70k3N');
  });

  it('telegram://token@telegram?chats=…: one sendMessage per chat, HTML escaped, a thread kept', async () => {
    const token = '110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
    const tg = track(await startTelegram(token));
    const { status, shown, logs } = await deliver([{ url: `telegram://${token}@telegram?chats=@office_it,-1001234567890:42&preview=no`, api: tg.url }], [attention]);
    expect(status[0]).toMatchObject({ sent: 1, failed: 0 });
    expect(tg.messages.map((m) => [m.chat_id, m.message_thread_id])).toEqual([
      ['@office_it', undefined],
      ['-1001234567890', 42],
    ]);
    expect(tg.messages[0]?.text).toContain('&lt;badauth&gt; &amp; paused');
    expect(shown + logs).not.toContain('AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw');
  });

  it('gotify://host/path/token: POST /message with the app token and a priority by severity, or the URL priority', async () => {
    const gotify = track(await startGotify('AzyoeNS.D4iJLVa', '/gotify'));
    const host = new URL(gotify.url).host;
    const { status, shown } = await deliver(
      [{ url: `gotify://${host}/gotify/AzyoeNS.D4iJLVa?disabletls=yes` }, { url: `gotify://${host}/gotify/AzyoeNS.D4iJLVa/?disabletls=yes&priority=2` }],
      [attention, changed],
    );
    expect(status.map((s) => s.sent)).toEqual([2, 2]);
    expect(gotify.messages.map((m) => m.priority as number).sort((a, b) => a - b)).toEqual([2, 2, 4, 8]);
    expect(gotify.messages[0]).toMatchObject({ title: 'office.duckdns.org A needs attention' });
    expect(shown).not.toContain('AzyoeNS.D4iJLVa');
  });

  it('pushover://shoutrrr:token@user/?devices=…: the form Pushover documents', async () => {
    const po = track(await startPushover('azGDORePK8gMaC0QOYAMyEEuzJnyUi', 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG'));
    const { status, shown } = await deliver(
      [{ url: 'pushover://shoutrrr:azGDORePK8gMaC0QOYAMyEEuzJnyUi@uQiRzpo4DXghDmr9QzzfQu27cmVRsG/?devices=phone', api: po.url }],
      [attention],
    );
    expect(status[0]).toMatchObject({ sent: 1, failed: 0 });
    expect(po.messages[0]).toMatchObject({ device: 'phone', priority: '1', title: 'office.duckdns.org A needs attention', timestamp: String(at / 1000) });
    expect(shown).not.toContain('azGDORePK8gMaC0QOYAMyEEuzJnyUi');
  });

  it('matrix://user:password@host/?rooms=alias: logs in once, looks the alias up, sends m.text to the room', async () => {
    const mx = track(await startMatrix({ user: 'ddnsd', password: 'matrix-pass-word', token: 'syt_access_token_123', rooms: { '#office:fake': '!abc:fake' } }));
    const host = new URL(mx.url).host;
    const { status, shown } = await deliver(
      [{ url: `matrix://ddnsd:matrix-pass-word@${host}/?rooms=office:fake&disableTLS=yes` }, { url: `matrix://:syt_access_token_123@${host}/?rooms=!abc:fake&disableTLS=yes` }],
      [attention, changed],
    );
    expect(status.map((s) => [s.sent, s.failed])).toEqual([
      [2, 0],
      [2, 0],
    ]);
    expect(mx.messages).toHaveLength(4);
    expect(mx.messages[0]).toMatchObject({ room: '!abc:fake', msgtype: 'm.text' });
    expect(mx.requests.filter((r) => r.url.pathname.endsWith('/login'))).toHaveLength(1);
    expect(shown).not.toContain('matrix-pass-word');
    expect(shown).not.toContain('syt_access_token_123');
  });

  it('ntfy://user:password@host/topic?scheme=http and generic+http:// with a header and a body template', async () => {
    const hook = track(await startFake((_req, res) => send(res, 200, 'ok')));
    const host = new URL(hook.url).host;
    const { status, shown } = await deliver(
      [
        { url: `ntfy://office:ntfy-password-1@${host}/office-alerts?scheme=http` },
        { url: `generic+http://${host}/hooks/chat?@X-Room=it-office&room=7`, body: '{"text": "{{severity}}: {{title}} — {{message}} ({{event}} at {{at}})"}' },
      ],
      [attention],
    );
    expect(status.map((s) => s.sent)).toEqual([1, 1]);
    const [ntfy, generic] = hook.requests;
    expect(ntfy?.url.pathname).toBe('/office-alerts');
    expect(ntfy?.headers.authorization).toBe(`Basic ${Buffer.from('office:ntfy-password-1').toString('base64')}`);
    expect(`${generic?.url.pathname}${generic?.url.search}`).toBe('/hooks/chat?room=7');
    expect(generic?.headers['x-room']).toBe('it-office');
    const text = (JSON.parse(generic?.body ?? '{}') as { text: string }).text;
    expect(text).toBe(
      'critical: office.duckdns.org A needs attention — credentials rejected <badauth> & paused. ddnsd sends nothing more for it until providers[0] in the config is fixed. (host-needs-attention at 2026-11-29T08:00:00.000Z)',
    );
    expect(shown).not.toContain('ntfy-password-1');
  });

  it('a URL ddnsd cannot use is a config error that says which forms it takes', () => {
    const issues = (targets: unknown[]): string => JSON.stringify(notifySchema.safeParse(targets).error?.issues.map((i) => [i.path.join('.'), i.message]));
    expect(issues([{ url: 'teams://x@y' }])).toContain('expected a URL starting with discord://');
    expect(issues([{ url: 'discord://only-an-id' }])).toContain('expected discord://token@webhookid');
    expect(issues([{ url: 'telegram://110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw@telegram' }])).toContain('at least one chat');
    expect(issues([{ url: 'slack://nonsense@C001' }])).toContain('expected slack://hook:');
    expect(issues([{ type: 'gotify' }])).toContain('0.url');
    expect(notifySchema.parse([{ url: 'generic+https://example.com/hook' }])[0]).toMatchObject({ type: 'webhook' });
  });
});
