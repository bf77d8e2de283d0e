/**
 * `ddnsd health`: asks the running daemon's /healthz, for container health
 * checks and service managers. No curl or wget needed in the image.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { parseListen } from './config/listen.js';
import type { Listen } from './config/schema.js';
import type { HttpClient, HttpResponse } from './base/http.js';
import { DdnsError } from './base/errors.js';
import { USER_AGENT } from './base/version.js';

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

/** How `ddnsd health` asks: over https trusting exactly `ca` (server.tls's certificate), with server.token. */
export interface CheckOptions {
  token?: string | undefined;
  /** The PEM certificate the server presents; set, the probe speaks https. */
  ca?: string | undefined;
}

/**
 * `ddnsd health`: one GET of the daemon's /healthz. Node's own HTTP client is
 * enough for one request to this machine and starts much faster than the
 * shared HTTP helper's (a health check runs every 30 s in the container).
 */
export function checkHealth(listen: Listen, options: CheckOptions = {}): Promise<HealthProbe> {
  const get = (req: HttpRequestLike): Promise<HttpResponse> => loopbackGet(new URL(req.url), req.timeoutMs ?? 3000, req.maxBytes ?? 64 * 1024, { ...req.headers }, options.ca);
  return probeHealth(listen, { request: get }, 3000, { https: options.ca !== undefined, token: options.token });
}

type HttpRequestLike = Parameters<HttpClient['request']>[0];

async function loopbackGet(url: URL, timeoutMs: number, maxBytes: number, headers: Record<string, string>, ca: string | undefined): Promise<HttpResponse> {
  // node:https brings tls and crypto (about 15 ms): loaded only for a server with server.tls.
  const httpsRequest = ca === undefined ? undefined : (await import('node:https')).request;
  const where = `GET ${url.origin}${url.pathname}`;
  return new Promise((resolve, reject) => {
    const fail = (words: string, cause?: unknown): void => {
      clearTimeout(deadline);
      reject(new DdnsError('transient', `${where}: ${words}`, { cause }));
    };
    const options = { headers: { ...headers, 'user-agent': USER_AGENT } };
    // Over TLS, trust exactly the configured certificate (whatever names it carries): this is the same machine.
    const onAnswer = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          res.destroy();
          fail(`answer is larger than ${maxBytes} bytes`);
        } else chunks.push(chunk);
      });
      res.on('end', () => {
        clearTimeout(deadline);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (error) => fail(error.message, error));
    };
    const req = httpsRequest ? httpsRequest(url, { ...options, ca, checkServerIdentity: () => undefined }, onAnswer) : httpRequest(url, options, onAnswer);
    const deadline = setTimeout(() => req.destroy(new Error(`no complete answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => fail(error.code === 'ECONNREFUSED' ? 'connection refused: nothing listens there (ECONNREFUSED)' : error.message, error));
    req.end();
  });
}

/**
 * The daemon at DDNSD_LISTEN asked over plain HTTP; true, after saying so, when
 * it answered healthy. bin.ts asks this before loading the command line at all.
 */
export async function quickHealth(listenText: string, stdout: (text: string) => void): Promise<boolean> {
  const listen = parseListen(listenText);
  if (typeof listen === 'string') return false;
  const quick = await checkHealth(listen);
  if (quick.ok) stdout(`ddnsd: ${quick.reason}\n`);
  return quick.ok;
}
