/** The webhook target: the notification as JSON, POSTed with an optional secret header. */
import type { HttpClient } from '../base/http.js';
import { VERSION } from '../version.js';
import type { TargetConfig } from './config.js';
import type { Sender } from './types.js';

/** A refused send: a status other than 2xx, in words. */
export function expectOk(status: number, what: string): void {
  if (status < 200 || status > 299) throw new Error(`${what} answered HTTP ${status}`);
}

export function webhookSender(config: Extract<TargetConfig, { type: 'webhook' }>, http: HttpClient): Sender {
  return async (n, signal) => {
    const body = JSON.stringify({
      event: n.event,
      severity: n.severity,
      title: n.title,
      message: n.message,
      subject: n.subject,
      at: new Date(n.at).toISOString(),
      ddnsd: VERSION,
    });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (config.secret) headers[config.secret_header.toLowerCase()] = config.secret;
    const res = await http.request({ url: config.url, method: 'POST', headers, body, signal, maxBytes: 16 * 1024 });
    expectOk(res.status, 'the webhook');
  };
}
