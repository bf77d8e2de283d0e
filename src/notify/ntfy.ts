/**
 * The ntfy target: the message POSTed to the topic URL, the title and
 * priority as headers (https://docs.ntfy.sh/publish/), an access token as a
 * bearer token.
 */
import type { HttpClient } from '../base/http.js';
import type { Severity, TargetConfig } from './config.js';
import type { Sender } from './types.js';
import { expectOk } from './webhook.js';

const PRIORITY: Record<Severity, string> = { info: '3', warning: '4', critical: '5' };
const TAGS: Record<Severity, string> = { info: 'information_source', warning: 'warning', critical: 'rotating_light' };

/** Header values must be plain ASCII: anything else becomes '?'. */
const ascii = (text: string): string => text.replace(/[^\x20-\x7e]/g, '?');

export function ntfySender(config: Extract<TargetConfig, { type: 'ntfy' }>, http: HttpClient): Sender {
  return async (n, signal) => {
    const headers: Record<string, string> = {
      'content-type': 'text/plain; charset=utf-8',
      title: ascii(n.title),
      priority: PRIORITY[n.severity],
      tags: TAGS[n.severity],
    };
    if (config.token) headers.authorization = `Bearer ${config.token}`;
    const res = await http.request({ url: config.url, method: 'POST', headers, body: n.message, signal, maxBytes: 16 * 1024 });
    expectOk(res.status, 'the ntfy server');
  };
}
