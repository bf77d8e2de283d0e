/**
 * The healthchecks target: a ping after each cycle, to the ping URL when the
 * cycle went well and to `fail_url` (default: the ping URL with /fail) when
 * it did not. Healthchecks.io and its self-hosted kin alert when pings stop
 * or fail; an Uptime Kuma push URL fits too (its fail_url with status=down).
 */
import type { CycleReport } from '../cycle/index.js';
import type { HttpClient } from '../base/http.js';
import type { TargetConfig } from './config.js';
import { expectOk } from './webhook.js';

/** The ping URL with /fail added to its path, the query kept. */
export function failUrl(url: string): string {
  const u = new URL(url);
  u.pathname = `${u.pathname.replace(/\/$/, '')}/fail`;
  return u.toString();
}

export function createHealthchecks(config: Extract<TargetConfig, { type: 'healthchecks' }>, http: HttpClient) {
  return async (report: CycleReport, signal: AbortSignal): Promise<void> => {
    const url = report.ok ? config.url : (config.fail_url ?? failUrl(config.url));
    const res = await http.request({ url, signal, maxBytes: 16 * 1024 });
    expectOk(res.status, 'the ping URL');
  };
}
