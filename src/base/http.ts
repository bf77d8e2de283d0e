/**
 * The one place ddnsd talks HTTP: a deadline on every request, a cap on every
 * answer, a User-Agent, no redirects, and failures as DdnsError kinds. URLs in
 * messages never carry their query string (DuckDNS puts the token there).
 */
import { request, type Dispatcher } from 'undici';
import { deadline } from './deadline.js';
import { formatDuration } from './duration.js';
import { DdnsError } from './errors.js';
import { leanV8 } from './v8.js';

export interface HttpRequest {
  url: string | URL;
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Deadline for the whole exchange, answer included. */
  timeoutMs?: number;
  /** Answers longer than this are cut off and rejected. */
  maxBytes?: number;
  /** The URL's path or query holds a secret (a URL template with a token): messages name only its origin. */
  secretPath?: boolean;
  /** Only the status and headers are wanted (a probe): the body is closed unread, so its size does not matter. */
  skipBody?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
}

export interface HttpClientOptions {
  userAgent: string;
  dispatcher?: Dispatcher;
  timeoutMs?: number;
  maxBytes?: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_BYTES = 256 * 1024;

/** `https://host/path` of a URL: what may appear in a message. */
export function describeUrl(url: string | URL): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/**
 * `https://host/…`: a URL reduced to its origin, for URLs whose path holds a
 * secret (a token in the path, a whole URL template).
 */
export function describeOrigin(url: string | URL): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}/…`;
}

/** No complete answer within the request's deadline: a transient failure callers may word their own way. */
export class HttpTimeout extends DdnsError {
  override name = 'HttpTimeout';
  readonly timeoutMs: number;

  constructor(where: string, timeoutMs: number, cause: unknown) {
    super('transient', `${where}: no complete answer within ${formatDuration(timeoutMs)}`, { cause });
    this.timeoutMs = timeoutMs;
  }
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  // Before the first request compiles undici's WebAssembly parser.
  leanV8();
  return {
    async request(req) {
      const method = req.method ?? 'GET';
      const timeoutMs = req.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const maxBytes = req.maxBytes ?? options.maxBytes ?? DEFAULT_MAX_BYTES;
      const where = `${method} ${req.secretPath ? describeOrigin(req.url) : describeUrl(req.url)}`;
      const limit = deadline(timeoutMs, req.signal);
      const signal = limit.signal;
      try {
        const res = await request(req.url, {
          method,
          headers: { 'user-agent': options.userAgent, ...req.headers },
          ...(req.body === undefined ? {} : { body: req.body }),
          signal,
          ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
        });
        if (req.skipBody) {
          // Closed unread: its stream reports the abort as an error nobody needs.
          res.body.on('error', () => undefined).destroy();
          return { status: res.statusCode, headers: res.headers, text: '' };
        }
        const text = await readCapped(res.body, maxBytes, where);
        return { status: res.statusCode, headers: res.headers, text };
      } catch (error) {
        if (error instanceof DdnsError) throw error;
        if (req.signal?.aborted) throw req.signal.reason ?? error;
        if (limit.expired) throw new HttpTimeout(where, timeoutMs, error);
        throw new DdnsError('transient', `${where}: ${networkWords(error)}`, { cause: error });
      } finally {
        limit.dispose();
      }
    },
  };
}

const NETWORK_WORDS: Record<string, string> = {
  ECONNRESET: 'the connection was reset',
  UND_ERR_SOCKET: 'the connection closed before the answer was complete',
  ECONNREFUSED: 'connection refused: nothing listens there',
  ENOTFOUND: 'the name does not resolve (DNS)',
  EAI_AGAIN: 'the name could not be resolved right now (DNS)',
  ETIMEDOUT: 'connecting timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connecting timed out',
  EHOSTUNREACH: 'no route to the host: is this machine online?',
  ENETUNREACH: 'the network is unreachable: is this machine online?',
  EADDRNOTAVAIL: 'no local address of that family: is it configured on this machine?',
};

/** A network failure in words for a person, with its code for a search. */
function networkWords(error: unknown): string {
  const err = error as { code?: string; cause?: { code?: string }; message?: string };
  const code = err.code ?? err.cause?.code;
  if (code && NETWORK_WORDS[code]) return `${NETWORK_WORDS[code]} (${code})`;
  if (code?.startsWith('ERR_TLS') || code?.includes('CERT')) return `TLS problem: ${err.message ?? code} (${code})`;
  return code ? `${err.message ?? 'network error'} (${code})` : (err.message ?? String(error));
}

async function readCapped(body: Dispatcher.ResponseData['body'], maxBytes: number, where: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > maxBytes) {
      body.destroy();
      throw new DdnsError('bad-response', `${where}: answer is larger than ${maxBytes} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The failure an HTTP status means for any provider: 429 is rate limiting
 * (honouring Retry-After), 5xx is transient, 401/403 are credentials.
 * Returns undefined for statuses the adapter must judge itself.
 */
export function statusFailure(res: HttpResponse, what: string, now: number): DdnsError | undefined {
  if (res.status === 429) {
    const retryAfterMs = parseRetryAfter(res.headers['retry-after'], now);
    return new DdnsError('rate-limited', `${what}: rate limited (HTTP 429)`, retryAfterMs === undefined ? {} : { retryAfterMs });
  }
  if (res.status >= 500) return new DdnsError('transient', `${what}: server error (HTTP ${res.status})`);
  if (res.status === 401 || res.status === 403) {
    return new DdnsError('auth', `${what}: credentials rejected (HTTP ${res.status})`);
  }
  return undefined;
}

/** Retry-After as seconds or an HTTP date, in milliseconds from `now`. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
