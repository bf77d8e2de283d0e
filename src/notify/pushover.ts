/**
 * Pushover: `pushover://shoutrrr:APITOKEN@USERKEY/?devices=phone,tablet`
 * (https://github.com/containrrr/shoutrrr/blob/main/docs/services/pushover.md).
 * A form POST to /1/messages.json with token, user, title, message,
 * priority, timestamp and device (https://pushover.net/api#messages). The
 * priority follows the severity unless the URL sets one (-2…1 here: 2 needs
 * retry and expire settings ddnsd does not send).
 */
import type { z } from 'zod';
import { base, describeByHost, expectOk, urlTarget } from './common.js';
import type { MessageKind, Severity } from './types.js';

const PRIORITY: Record<Severity, number> = { info: -1, warning: 0, critical: 1 };

const { schema, endpoint } = urlTarget('pushover', 'pushover://shoutrrr:APITOKEN@USERKEY/', (u) => {
  const token = decodeURIComponent(u.password);
  if (!token || !u.hostname) return 'expected pushover://shoutrrr:APITOKEN@USERKEY/ (the application token after the colon, the user key after the @)';
  const priority = u.searchParams.get('priority');
  if (priority !== null && !/^(-2|-1|0|1)$/.test(priority)) return 'expected priority=-2, -1, 0 or 1 in the pushover URL';
  const devices = (u.searchParams.get('devices') ?? '').split(',').filter((d) => d.length > 0);
  return { token, user: u.hostname, devices, priority: priority === null ? undefined : Number(priority) };
});

export type PushoverConfig = z.output<typeof schema>;

export const pushoverTarget: MessageKind<PushoverConfig> = {
  kind: 'message',
  type: 'pushover',
  schema,
  secrets: (c) => [c.url, endpoint(c).token, endpoint(c).user],
  describe: (c) => describeByHost('pushover', c.api),
  create:
    (config, { http }) =>
    async (n, signal) => {
      const e = endpoint(config);
      const form = new URLSearchParams({
        token: e.token,
        user: e.user,
        title: n.title.slice(0, 250),
        message: n.message.slice(0, 1024),
        priority: String(e.priority ?? PRIORITY[n.severity]),
        timestamp: String(Math.floor(n.at / 1000)),
      });
      if (e.devices.length > 0) form.set('device', e.devices.join(','));
      const res = await http.request({
        url: `${base(config.api, 'https://api.pushover.net')}/1/messages.json`,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        signal,
        maxBytes: 16 * 1024,
      });
      expectOk(res.status, 'Pushover');
    },
};
