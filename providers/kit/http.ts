/**
 * HTTP for adapters: the shared client (deadline, size cap, User-Agent,
 * failures as kinds), status mapping, and JSON requests with paging.
 */
import { DdnsError } from '../../src/base/errors.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../../src/base/http.js';

import { parseRetryAfter } from '../../src/base/http.js';

export { describeOrigin, describeUrl, parseRetryAfter, statusFailure } from '../../src/base/http.js';
export type { HttpClient, HttpRequest, HttpResponse };

export interface JsonResponse extends HttpResponse {
  /** The answer parsed as JSON: undefined when it is not JSON (an HTML error page, say). */
  json: unknown;
}

/** A request with a JSON body (when `json` is given) whose answer is parsed as JSON if it is JSON. */
export async function requestJson(http: HttpClient, req: Omit<HttpRequest, 'body'> & { json?: unknown }): Promise<JsonResponse> {
  const { json, ...rest } = req;
  const res = await http.request({
    ...rest,
    headers: { accept: 'application/json', ...(json === undefined ? {} : { 'content-type': 'application/json' }), ...rest.headers },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  return { ...res, json: parseJson(res.text) };
}

/** What a token-authenticated REST API needs: the entry's endpoint, its token, the shared client. */
export interface BearerApi {
  endpoint: string;
  token: string;
  http: HttpClient;
}

/**
 * A JSON request to `path` below the entry's endpoint, with the token as
 * `Authorization: Bearer`: how the REST APIs (DigitalOcean, Gandi, Hetzner)
 * are called. The answer is left to the adapter, which knows what it means.
 */
export async function requestBearerJson(
  api: BearerApi,
  req: { method: NonNullable<HttpRequest['method']>; path: string; json?: unknown; signal: AbortSignal },
): Promise<JsonResponse> {
  const { path, json, ...rest } = req;
  return requestJson(api.http, { ...rest, url: `${api.endpoint}${path}`, headers: { authorization: `Bearer ${api.token}` }, ...(json === undefined ? {} : { json }) });
}

/** JSON text as a value, or undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The start of an answer, quoted, for an "unexpected answer" message. */
export function quoteAnswer(text: string, max = 80): string {
  return JSON.stringify(text.slice(0, max));
}

/**
 * An answer the adapter cannot read: `bad-response`, with the status and the
 * start of the body. ddnsd follows no redirect (the credential would go along
 * to wherever it points); a 3xx says where it pointed, as an origin only, so
 * no query string with a key reaches a message.
 */
export function unexpectedAnswer(what: string, res: HttpResponse): DdnsError {
  const redirect = redirectedTo(res);
  if (redirect !== undefined) {
    return new DdnsError(
      'bad-response',
      `${what}: redirected (HTTP ${res.status}) to ${redirect}; ddnsd follows no redirect: check the endpoint, or set it to the server named there`,
    );
  }
  return new DdnsError('bad-response', `${what}: unexpected answer (HTTP ${res.status}): ${quoteAnswer(res.text)}`);
}

/** Where a 3xx answer points, as `https://host` (no path or query), or undefined for any other answer. */
export function redirectedTo(res: HttpResponse): string | undefined {
  if (res.status < 300 || res.status > 399) return undefined;
  const location = Array.isArray(res.headers.location) ? res.headers.location[0] : res.headers.location;
  if (location === undefined || location === '') return 'an address it did not name';
  try {
    return new URL(location).origin;
  } catch {
    return 'a path on the same server';
  }
}

/** One page of a listing: its items and, when the API says, how many pages there are. */
export interface Page<T> {
  items: T[];
  totalPages?: number | undefined;
}

/**
 * Every item of a paged listing, pages numbered from 1. Stops at the last
 * page the API names, else at a short or empty page, and after `maxPages`
 * at most whatever the API says.
 */
export async function readPages<T>(fetchPage: (page: number) => Promise<Page<T>>, options: { pageSize: number; maxPages: number }): Promise<T[]> {
  const out: T[] = [];
  for (let page = 1; page <= options.maxPages; page++) {
    const { items, totalPages } = await fetchPage(page);
    out.push(...items);
    if (items.length === 0 || (totalPages !== undefined ? page >= totalPages : items.length < options.pageSize)) break;
  }
  return out;
}

/**
 * A 429 as `rate-limited`, waiting as long as Retry-After says or, without
 * it, until the `ratelimit-reset` header's Unix time (DigitalOcean and the
 * Hetzner Cloud API send that one on every answer).
 */
export function rateLimited(res: HttpResponse, what: string, now: number): DdnsError {
  const reset = Number(res.headers['ratelimit-reset']);
  const retryAfterMs = parseRetryAfter(res.headers['retry-after'], now) ?? (reset > 0 ? Math.max(0, reset * 1000 - now) : undefined);
  return new DdnsError('rate-limited', `${what}: rate limited (HTTP 429)`, retryAfterMs === undefined ? {} : { retryAfterMs });
}
