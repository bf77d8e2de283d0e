/**
 * Matrix: `matrix://[user]:password@host[:port]/?rooms=!roomid,alias:server[&disableTLS=yes]`
 * (https://github.com/containrrr/shoutrrr/blob/main/docs/services/matrix.md):
 * without a user the password is the access token; with one, ddnsd logs in
 * once (m.login.password). Rooms starting with `!` are room IDs, others are
 * aliases looked up in the directory; without rooms, every joined room.
 * Each message is an m.room.message of msgtype m.text, sent with PUT and a
 * transaction ID (https://spec.matrix.org/v1.11/client-server-api/:
 * "POST /_matrix/client/v3/login", "GET /_matrix/client/v3/directory/room/{roomAlias}",
 * "GET /_matrix/client/v3/joined_rooms", "PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}").
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { HttpClient } from '../base/http.js';
import { describeByHost, expectOk, urlTarget, yes } from './common.js';
import type { MessageKind } from './types.js';

const { schema, endpoint } = urlTarget('matrix', 'matrix://:ACCESSTOKEN@matrix.example.org/?rooms=!roomid:example.org', (u) => {
  const password = decodeURIComponent(u.password);
  if (!u.host || !password) return 'expected matrix://:ACCESSTOKEN@host/?rooms=… or matrix://user:password@host/?rooms=…';
  const scheme = yes(u.searchParams.get('disableTLS') ?? u.searchParams.get('disabletls')) ? 'http' : 'https';
  const rooms = (u.searchParams.get('rooms') ?? '')
    .split(',')
    .filter((r) => r.length > 0)
    .map((r) => (r.startsWith('!') || r.startsWith('#') ? r : `#${r}`));
  return { base: `${scheme}://${u.host}`, user: decodeURIComponent(u.username), password, rooms };
});

export type MatrixConfig = z.output<typeof schema>;

async function call(http: HttpClient, req: Parameters<HttpClient['request']>[0], what: string): Promise<Record<string, unknown>> {
  const res = await http.request({ ...req, maxBytes: 64 * 1024 });
  expectOk(res.status, `the Matrix server (${what})`);
  return JSON.parse(res.text) as Record<string, unknown>;
}

export const matrixTarget: MessageKind<MatrixConfig> = {
  kind: 'message',
  type: 'matrix',
  schema,
  secrets: (c) => [c.url, endpoint(c).password],
  describe: (c) => describeByHost('matrix', endpoint(c).base),
  create: (config, { http }) => {
    const e = endpoint(config);
    const api = `${e.base}/_matrix/client/v3`;
    const json = { 'content-type': 'application/json' };
    let token: string | undefined = e.user ? undefined : e.password;
    let rooms: string[] | undefined;
    const auth = () => ({ ...json, authorization: `Bearer ${token ?? ''}` });
    const login = async (signal: AbortSignal): Promise<void> => {
      const body = JSON.stringify({ type: 'm.login.password', identifier: { type: 'm.id.user', user: e.user }, password: e.password });
      const answer = await call(http, { url: `${api}/login`, method: 'POST', headers: json, body, signal }, 'login');
      if (typeof answer.access_token !== 'string') throw new Error('the Matrix server answered the login without an access token');
      token = answer.access_token;
    };
    const resolve = async (signal: AbortSignal): Promise<string[]> => {
      if (e.rooms.length === 0) {
        const answer = await call(http, { url: `${api}/joined_rooms`, headers: auth(), signal }, 'joined rooms');
        return Array.isArray(answer.joined_rooms) ? answer.joined_rooms.filter((r): r is string => typeof r === 'string') : [];
      }
      const ids: string[] = [];
      for (const room of e.rooms) {
        if (room.startsWith('!')) ids.push(room);
        else {
          const answer = await call(http, { url: `${api}/directory/room/${encodeURIComponent(room)}`, headers: auth(), signal }, `room ${room}`);
          if (typeof answer.room_id === 'string') ids.push(answer.room_id);
        }
      }
      return ids;
    };
    return async (n, signal) => {
      if (token === undefined) await login(signal);
      rooms ??= await resolve(signal);
      for (const room of rooms) {
        const body = JSON.stringify({ msgtype: 'm.text', body: `${n.title}\n${n.message}` });
        await call(http, { url: `${api}/rooms/${encodeURIComponent(room)}/send/m.room.message/${randomUUID()}`, method: 'PUT', headers: auth(), body, signal }, `room ${room}`);
      }
    };
  },
};
