/**
 * `ddnsd health`: asks the running daemon's /healthz, for container health
 * checks and service managers. No curl or wget needed in the image.
 */
import type { Listen } from './config/schema.js';
import type { HttpClient } from './http.js';
import { DdnsError } from './errors.js';

export interface HealthProbe {
  ok: boolean;
  /** One line for a person: why it is (un)healthy. */
  reason: string;
}

/** The URL of /healthz for a listen address: a wildcard address is asked on loopback. */
export function healthUrl(listen: Listen, https = false): string {
  const host = listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host === '::' ? '::1' : listen.host;
  return `${https ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${listen.port}/healthz`;
}

/** With TLS (server.tls) the probe speaks https; with `token` it sends it, so the answer carries the reasons. */
export interface ProbeOptions {
  https?: boolean;
  token?: string | undefined;
}

export async function probeHealth(listen: Listen, http: HttpClient, timeoutMs = 3000, options: ProbeOptions = {}): Promise<HealthProbe> {
  const url = healthUrl(listen, options.https);
  let res;
  try {
    const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
    res = await http.request({ url, timeoutMs, maxBytes: 64 * 1024, headers });
  } catch (error) {
    const detail = error instanceof DdnsError ? error.message : String(error);
    return { ok: false, reason: `no answer from ${url} (${detail}); is ddnsd run listening there? (server.listen or DDNSD_LISTEN)` };
  }
  let reasons: string[] = [];
  try {
    const body = JSON.parse(res.text) as { reasons?: unknown };
    if (Array.isArray(body.reasons)) reasons = body.reasons.map(String);
  } catch {
    return { ok: false, reason: `${url} answered ${res.status} with something that is not ddnsd's health JSON; is another program on that port?` };
  }
  if (res.status === 200) return { ok: true, reason: `healthy (${url} answered 200)` };
  return { ok: false, reason: `unhealthy (${url} answered ${res.status}): ${reasons.join('; ') || 'no reason given'}` };
}
