/**
 * Chat and push services as their APIs are documented, each on loopback:
 * Discord's execute-webhook, Slack's incoming webhooks and chat.postMessage,
 * Telegram's sendMessage, Gotify's POST /message, Pushover's messages API
 * and Matrix's room send. Each keeps what it accepted in `messages`; a
 * request the service would refuse gets the service's documented error.
 */
import type { ServerResponse } from 'node:http';
import { send, startFake, type FakeServer, type Recorded } from './server.js';

export interface ChatFake extends FakeServer {
  /** What the service accepted: the parsed body per delivered message. */
  messages: Record<string, unknown>[];
}

const json = (res: ServerResponse, status: number, body: unknown): void => send(res, status, JSON.stringify(body), { 'content-type': 'application/json' });

function parseJson(req: Recorded): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(req.body) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function chatFake(handle: (req: Recorded, res: ServerResponse, accept: (m: Record<string, unknown>) => void) => void): Promise<ChatFake> {
  const messages: Record<string, unknown>[] = [];
  const fake = await startFake((req, res) => handle(req, res, (m) => messages.push(m)));
  return Object.assign(fake, { messages });
}

/** https://discord.com/developers/docs/resources/webhook#execute-webhook */
export function startDiscord(id: string, token: string): Promise<ChatFake> {
  return chatFake((req, res, accept) => {
    if (req.method !== 'POST' || req.url.pathname !== `/api/webhooks/${id}/${token}`) {
      // Discord answers a wrong webhook token with 401 and code 50027 (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json).
      return json(res, 401, { message: 'Invalid Webhook Token', code: 50027 });
    }
    const body = parseJson(req);
    const embeds = body?.embeds as { title?: string; description?: string }[] | undefined;
    // "one of content, file, embeds, poll" is required; embed title at most 256 characters, description 4096 (message#embed-object-embed-limits).
    if (!req.headers['content-type']?.startsWith('application/json') || !body || (!body.content && !embeds?.length))
      return json(res, 400, { message: 'Cannot send an empty message', code: 50006 });
    if (embeds?.some((e) => (e.title?.length ?? 0) > 256 || (e.description?.length ?? 0) > 4096)) return json(res, 400, { message: 'Invalid Form Body', code: 50035 });
    accept(body);
    // Without ?wait=true the webhook answers 204 No Content.
    res.writeHead(204).end();
  });
}

/** https://api.slack.com/messaging/webhooks and https://api.slack.com/methods/chat.postMessage */
export function startSlack(hookPath: string, botToken: string): Promise<ChatFake> {
  return chatFake((req, res, accept) => {
    const body = parseJson(req);
    // Block Kit: a header block's text is plain_text of at most 150 characters (reference/block-kit/blocks#header).
    const blocksOk = (b: Record<string, unknown>): boolean =>
      b.blocks === undefined ||
      (Array.isArray(b.blocks) &&
        (b.blocks as { type: string; text?: { type: string; text: string } }[]).every((x) => x.type !== 'header' || (x.text?.type === 'plain_text' && x.text.text.length <= 150)));
    // A message needs text or blocks (no_text otherwise).
    const hasText = (b: Record<string, unknown>): boolean => typeof b.text === 'string' || Array.isArray(b.blocks);
    if (req.url.pathname.startsWith('/services/')) {
      // Incoming webhooks ("Handling errors"): 404 no_service for an unknown URL, 400 no_text, 400 invalid_payload for a body it cannot read, 200 "ok".
      if (req.url.pathname !== `/services/${hookPath}`) return send(res, 404, 'no_service');
      if (!body || !blocksOk(body)) return send(res, 400, 'invalid_payload');
      if (!hasText(body)) return send(res, 400, 'no_text');
      accept(body);
      return send(res, 200, 'ok');
    }
    if (req.url.pathname !== '/api/chat.postMessage') return send(res, 404, 'not found');
    // Web API: HTTP 200 with ok:false and an error code (invalid_auth, channel_not_found, no_text, invalid_blocks).
    if (req.headers.authorization !== `Bearer ${botToken}`) return json(res, 200, { ok: false, error: 'invalid_auth' });
    if (!body || typeof body.channel !== 'string') return json(res, 200, { ok: false, error: 'channel_not_found' });
    if (!hasText(body)) return json(res, 200, { ok: false, error: 'no_text' });
    if (!blocksOk(body)) return json(res, 200, { ok: false, error: 'invalid_blocks' });
    accept(body);
    return json(res, 200, { ok: true, channel: body.channel, ts: '1700000000.000100' });
  });
}

/** https://core.telegram.org/bots/api#sendmessage (answers: #making-requests, markup: #html-style) */
export function startTelegram(token: string): Promise<ChatFake> {
  return chatFake((req, res, accept) => {
    if (req.url.pathname !== `/bot${token}/sendMessage`) return json(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const body = parseJson(req);
    if (!body?.chat_id) return json(res, 400, { ok: false, error_code: 400, description: 'Bad Request: chat_id is empty' });
    const text = typeof body.text === 'string' ? body.text : '';
    // HTML mode: only the documented tags, and <, > and & elsewhere written as entities.
    const stripped = text.replace(/<\/?(b|strong|i|em|u|ins|s|strike|del|code|pre|blockquote)>/g, '');
    if (body.parse_mode === 'HTML' && /[<>]|&(?!(lt|gt|amp|quot);)/.test(stripped))
      return json(res, 400, { ok: false, error_code: 400, description: "Bad Request: can't parse entities" });
    if (text.length === 0 || text.length > 4096) return json(res, 400, { ok: false, error_code: 400, description: 'Bad Request: message text is empty' });
    accept(body);
    return json(res, 200, { ok: true, result: { message_id: 1, chat: { id: body.chat_id }, text } });
  });
}

/** https://gotify.net/api-docs (POST /message, the app token as X-Gotify-Key or ?token=) */
export function startGotify(appToken: string, prefix = ''): Promise<ChatFake> {
  return chatFake((req, res, accept) => {
    if (req.method !== 'POST' || req.url.pathname !== `${prefix}/message`) return json(res, 404, { error: 'Not Found', errorCode: 404, errorDescription: 'page not found' });
    const token = req.headers['x-gotify-key'] ?? req.url.searchParams.get('token');
    if (token !== appToken)
      return json(res, 401, { error: 'Unauthorized', errorCode: 401, errorDescription: 'you need to provide a valid access token or user credentials to access this api' });
    const body = parseJson(req);
    // message is required; priority is an integer.
    if (!body || typeof body.message !== 'string' || (body.priority !== undefined && !Number.isInteger(body.priority))) {
      return json(res, 400, { error: 'Bad Request', errorCode: 400, errorDescription: "Field 'message' is required" });
    }
    accept(body);
    return json(res, 200, { id: 1, appid: 1, ...body, date: '2026-11-29T08:00:00Z' });
  });
}

/** https://pushover.net/api#messages (the form fields, limits and answers) */
export function startPushover(appToken: string, userKey: string): Promise<ChatFake> {
  return chatFake((req, res, accept) => {
    if (req.method !== 'POST' || req.url.pathname !== '/1/messages.json') return json(res, 404, { status: 0, errors: ['not found'] });
    const form = new URLSearchParams(req.body);
    const fields = Object.fromEntries(form);
    const errors: string[] = [];
    if (form.get('token') !== appToken) errors.push('application token is invalid');
    if (form.get('user') !== userKey) errors.push('user identifier is not a valid user, group, or subscribed user key');
    if (!form.get('message')) errors.push('message cannot be blank');
    if ((form.get('title') ?? '').length > 250 || (form.get('message') ?? '').length > 1024) errors.push('message is too long');
    if (form.has('priority') && !['-2', '-1', '0', '1', '2'].includes(form.get('priority') ?? '')) errors.push('priority is invalid');
    // Emergency priority 2 needs retry and expire.
    if (form.get('priority') === '2' && (!form.has('retry') || !form.has('expire'))) errors.push('retry and expire are required');
    if (!req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) errors.push('no form');
    if (errors.length > 0) return json(res, 400, { status: 0, errors, request: 'fake-request' });
    accept(fields);
    return json(res, 200, { status: 1, request: 'fake-request' });
  });
}

/** https://spec.matrix.org/v1.11/client-server-api/ (login, directory, joined_rooms, room send) */
export function startMatrix(options: { user: string; password: string; token: string; rooms: Record<string, string> }): Promise<ChatFake> {
  const seenTxn = new Set<string>();
  return chatFake((req, res, accept) => {
    const path = req.url.pathname;
    if (path === '/_matrix/client/v3/login' && req.method === 'POST') {
      const body = parseJson(req) as { type?: string; identifier?: { user?: string }; password?: string } | undefined;
      if (body?.type !== 'm.login.password' || body.identifier?.user !== options.user || body.password !== options.password)
        return json(res, 403, { errcode: 'M_FORBIDDEN', error: 'Invalid username or password' });
      return json(res, 200, { access_token: options.token, user_id: `@${options.user}:fake`, device_id: 'FAKE' });
    }
    if (req.headers.authorization !== `Bearer ${options.token}`) return json(res, 401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Unknown access token' });
    if (path === '/_matrix/client/v3/joined_rooms') return json(res, 200, { joined_rooms: Object.values(options.rooms) });
    const alias = /^\/_matrix\/client\/v3\/directory\/room\/(.+)$/.exec(path);
    if (alias) {
      const id = options.rooms[decodeURIComponent(alias[1] ?? '')];
      return id ? json(res, 200, { room_id: id, servers: ['fake'] }) : json(res, 404, { errcode: 'M_NOT_FOUND', error: 'Room alias not found' });
    }
    const sendPath = /^\/_matrix\/client\/v3\/rooms\/([^/]+)\/send\/m\.room\.message\/([^/]+)$/.exec(path);
    if (!sendPath || req.method !== 'PUT') return json(res, 404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' });
    const room = decodeURIComponent(sendPath[1] ?? '');
    if (!Object.values(options.rooms).includes(room)) return json(res, 403, { errcode: 'M_FORBIDDEN', error: 'not in room' });
    const body = parseJson(req);
    if (body?.msgtype !== 'm.text' || typeof body.body !== 'string') return json(res, 400, { errcode: 'M_BAD_JSON', error: 'msgtype and body are required' });
    // The transaction ID makes the PUT idempotent: a repeat is not a second event.
    const txn = `${room}/${sendPath[2] ?? ''}`;
    if (!seenTxn.has(txn)) accept({ room, ...body });
    seenTxn.add(txn);
    return json(res, 200, { event_id: `$event${seenTxn.size}` });
  });
}
