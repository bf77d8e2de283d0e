/**
 * The healthchecks target, a heartbeat: a ping after each cycle, to the ping
 * URL when the cycle went well and to `fail_url` (default: the ping URL with
 * /fail) when it did not. Healthchecks.io and its self-hosted kin alert when
 * pings stop or fail; an Uptime Kuma push URL fits too (its fail_url with
 * status=down). It hears no events: "ddnsd is alive" is not a message.
 */
import { z } from 'zod';
import { common, describeByHost, expectOk, httpUrl, tokenParts } from './common.js';
import type { HeartbeatKind } from './types.js';

/** The ping URL with /fail added to its path, the query kept. */
export function failUrl(url: string): string {
  const u = new URL(url);
  u.pathname = `${u.pathname.replace(/\/$/, '')}/fail`;
  return u.toString();
}

const schema = z.strictObject({
  type: z.literal('healthchecks'),
  url: httpUrl('the ping URL, like https://hc-ping.com/<uuid>'),
  /** Where to report a failed cycle; default: the ping URL with /fail. An Uptime Kuma push URL with status=down fits here. */
  fail_url: httpUrl('the URL to call when a cycle failed').optional(),
  ...common,
});

export type HealthchecksConfig = z.output<typeof schema>;

export const healthchecksTarget: HeartbeatKind<HealthchecksConfig> = {
  kind: 'heartbeat',
  type: 'healthchecks',
  schema,
  secrets: (c) => [c.url, ...(c.fail_url ? [c.fail_url] : []), ...tokenParts(c.url), ...(c.fail_url ? tokenParts(c.fail_url) : [])],
  describe: (c) => describeByHost('healthchecks', c.url),
  create:
    (config, { http }) =>
    async (report, signal) => {
      const url = report.ok ? config.url : (config.fail_url ?? failUrl(config.url));
      const res = await http.request({ url, signal, maxBytes: 16 * 1024 });
      expectOk(res.status, 'the ping URL');
    },
};
