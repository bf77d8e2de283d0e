/**
 * The Cloudflare API v4 requests ddnsd makes, with token auth, and the one
 * reading of its `{success, errors[{code,message}], result, result_info}`
 * envelope: a rejected or under-privileged token (HTTP 401/403, error 9109 or
 * 10000) is `auth`, 429 is `rate-limited` with Retry-After, 5xx is
 * `transient`, 404 is a CloudflareNotFound so callers can drop cached ids.
 * Every request counts against Cloudflare's limit of 1,200 requests per five
 * minutes per user: past it, ddnsd sends nothing and fails as `rate-limited`
 * with the wait, as a 429 would.
 */
import { DdnsError } from '../../src/errors.js';
import { parseRetryAfter, type HttpClient } from '../../src/http.js';
import type { Clock } from '../../src/clock.js';

export type RecordType = 'A' | 'AAAA';

export interface DnsRecord {
  id: string;
  type: string;
  name: string;
  content: string;
  ttl: number;
  proxied?: boolean;
}

/** Cloudflare answered 404: the zone or record id is no longer valid. */
export class CloudflareNotFound extends DdnsError {
  override name = 'CloudflareNotFound';
}

/** Error codes that mean the token is invalid or lacks a permission. */
const AUTH_CODES = new Set([9109, 10000]);

/** Cloudflare's global API limit: 1,200 requests per 5 minutes per user. */
export const REQUEST_BUDGET = { requests: 1200, windowMs: 5 * 60_000 };
/** Records per listing page; a page of 1,000 records is about half a megabyte. */
export const LIST_PAGE_SIZE = 1000;
const LIST_MAX_BYTES = 4 * 1024 * 1024;
/** Pages read at most in one listing: 100,000 records. */
const LIST_MAX_PAGES = 100;
/** Zones per page: Cloudflare's most for this list. */
const ZONE_PAGE_SIZE = 50;

/** One batch of changes to one zone (`POST /zones/{id}/dns_records/batch`). */
export interface Batch {
  patches: (Partial<Omit<DnsRecord, 'id'>> & { id: string })[];
  posts: Omit<DnsRecord, 'id'>[];
}

export interface CloudflareApi {
  /** The id of the zone called exactly `name`, or undefined when the token sees no such zone. */
  findZone(name: string, signal: AbortSignal): Promise<string | undefined>;
  /** Every zone the token can see, name → id, reading every page. */
  listZones(signal: AbortSignal): Promise<Map<string, string>>;
  /** The records of one name and type (the only place records are looked up). */
  findRecords(zoneId: string, type: RecordType, name: string, signal: AbortSignal): Promise<DnsRecord[]>;
  /** Every record of the zone (of one type, if given), reading every page. */
  listRecords(zoneId: string, type: RecordType | undefined, signal: AbortSignal): Promise<DnsRecord[]>;
  /** Applies patches then posts in one request, all or nothing; returns the records as changed, in order. */
  batch(zoneId: string, changes: Batch, signal: AbortSignal): Promise<{ patches: DnsRecord[]; posts: DnsRecord[] }>;
  createRecord(zoneId: string, record: Omit<DnsRecord, 'id'>, signal: AbortSignal): Promise<DnsRecord>;
  patchRecord(zoneId: string, id: string, patch: Partial<Omit<DnsRecord, 'id'>>, signal: AbortSignal): Promise<DnsRecord>;
  deleteRecord(zoneId: string, id: string, signal: AbortSignal): Promise<void>;
}

export interface ApiDeps {
  endpoint: string;
  token: string;
  http: HttpClient;
  clock: Clock;
  /** Requests allowed per window (tests shrink it); default REQUEST_BUDGET. */
  budget?: { requests: number; windowMs: number };
}

interface Envelope {
  success?: unknown;
  errors?: unknown;
  result?: unknown;
  result_info?: unknown;
}

export function createCloudflareApi(deps: ApiDeps): CloudflareApi {
  const budget = deps.budget ?? REQUEST_BUDGET;
  /** When each request of the current window was sent, oldest first. */
  const sent: number[] = [];
  const spend = (where: string): void => {
    const now = deps.clock.now();
    while (sent.length > 0 && (sent[0] as number) <= now - budget.windowMs) sent.shift();
    if (sent.length >= budget.requests) {
      const retryAfterMs = (sent[0] as number) + budget.windowMs - now;
      throw new DdnsError(
        'rate-limited',
        `${where}: not sent, ddnsd already sent ${budget.requests} requests to Cloudflare in the last ${budget.windowMs / 60_000} minutes (Cloudflare's limit)`,
        { retryAfterMs },
      );
    }
    sent.push(now);
  };

  const exchange = async (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    what: string,
    signal: AbortSignal,
    body?: unknown,
    maxBytes?: number,
  ): Promise<Envelope> => {
    spend(`Cloudflare (${method} ${path.replace(/\?.*$/, '')}) while ${what}`);
    const res = await deps.http.request({
      url: `${deps.endpoint}${path}`,
      method,
      headers: {
        authorization: `Bearer ${deps.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(maxBytes === undefined ? {} : { maxBytes }),
      signal,
    });
    const where = `Cloudflare (${method} ${path.replace(/\?.*$/, '')}) while ${what}`;
    let envelope: Envelope | undefined;
    try {
      const parsed: unknown = JSON.parse(res.text);
      if (typeof parsed === 'object' && parsed !== null) envelope = parsed as Envelope;
    } catch {
      envelope = undefined;
    }
    const errors = readErrors(envelope?.errors);
    const detail = errors.length > 0 ? `: ${errors.map((e) => `${e.code} ${e.message}`).join('; ')}` : '';

    if (res.status === 429) {
      const retryAfterMs = parseRetryAfter(res.headers['retry-after'], deps.clock.now());
      return fail(new DdnsError('rate-limited', `${where}: rate limited (HTTP 429)`, retryAfterMs === undefined ? {} : { retryAfterMs }));
    }
    if (res.status >= 500) return fail(new DdnsError('transient', `${where}: server error (HTTP ${res.status})${detail}`));
    if (res.status === 401 || res.status === 403 || errors.some((e) => AUTH_CODES.has(e.code))) {
      return fail(
        new DdnsError(
          'auth',
          `${where}: the API token was rejected (HTTP ${res.status})${detail}; create a token with the Zone.DNS edit permission on this zone and put it in the config`,
        ),
      );
    }
    if (res.status === 404) return fail(new CloudflareNotFound('transient', `${where}: not found (HTTP 404)${detail}`));
    if (!envelope) {
      return fail(new DdnsError('bad-response', `${where}: the answer is not JSON (HTTP ${res.status}): ${JSON.stringify(res.text.slice(0, 80))}`));
    }
    if (envelope.success !== true || res.status >= 300) {
      // Anything else that Cloudflare refuses (invalid content, a name outside the zone, …) will not pass by retrying.
      return fail(new DdnsError('fatal', `${where}: refused (HTTP ${res.status})${detail || ': no reason given'}`));
    }
    return envelope;
  };

  /** The `result` of an exchange. */
  const call = async (...args: Parameters<typeof exchange>): Promise<unknown> => (await exchange(...args)).result;

  const record = (value: unknown, where: string): DnsRecord => {
    const r = value as Partial<DnsRecord> | null;
    if (!r || typeof r.id !== 'string' || typeof r.content !== 'string' || typeof r.name !== 'string') {
      throw new DdnsError('bad-response', `Cloudflare gave a DNS record without id, name or content while ${where}`);
    }
    return { id: r.id, type: String(r.type), name: r.name, content: r.content, ttl: Number(r.ttl ?? 1), ...(typeof r.proxied === 'boolean' ? { proxied: r.proxied } : {}) };
  };
  const list = (value: unknown, where: string): unknown[] => {
    if (!Array.isArray(value)) throw new DdnsError('bad-response', `Cloudflare gave no list while ${where}`);
    return value;
  };

  return {
    async findZone(name, signal) {
      const what = `looking up the zone ${name}`;
      const zones = list(await call('GET', `/zones?${new URLSearchParams({ name })}`, what, signal), what);
      const zone = zones.find((z) => (z as { name?: unknown }).name === name) as { id?: unknown } | undefined;
      if (zone && typeof zone.id !== 'string') throw new DdnsError('bad-response', `Cloudflare gave a zone without id while ${what}`);
      return zone?.id as string | undefined;
    },
    async listZones(signal) {
      const what = 'listing the zones this token can see';
      const out = new Map<string, string>();
      for (let page = 1; page <= LIST_MAX_PAGES; page++) {
        const query = new URLSearchParams({ per_page: String(ZONE_PAGE_SIZE), page: String(page) });
        const answer = await exchange('GET', `/zones?${query}`, what, signal);
        const zones = list(answer.result, what) as { id?: unknown; name?: unknown }[];
        for (const z of zones) {
          if (typeof z.id !== 'string' || typeof z.name !== 'string') throw new DdnsError('bad-response', `Cloudflare gave a zone without id or name while ${what}`);
          out.set(z.name, z.id);
        }
        const info = answer.result_info as { total_pages?: unknown } | undefined;
        const pages = typeof info?.total_pages === 'number' ? info.total_pages : undefined;
        if (zones.length === 0 || (pages !== undefined ? page >= pages : zones.length < ZONE_PAGE_SIZE)) break;
      }
      return out;
    },
    async findRecords(zoneId, type, name, signal) {
      const what = `listing the ${type} records of ${name}`;
      const query = new URLSearchParams({ type, name });
      const records = list(await call('GET', `/zones/${zoneId}/dns_records?${query}`, what, signal), what);
      return records.map((r) => record(r, what)).filter((r) => r.type === type && r.name === name);
    },
    async listRecords(zoneId, type, signal) {
      const what = `listing the ${type ?? 'DNS'} records of the zone`;
      const out: DnsRecord[] = [];
      for (let page = 1; page <= LIST_MAX_PAGES; page++) {
        const query = new URLSearchParams({ ...(type ? { type } : {}), per_page: String(LIST_PAGE_SIZE), page: String(page) });
        const answer = await exchange('GET', `/zones/${zoneId}/dns_records?${query}`, what, signal, undefined, LIST_MAX_BYTES);
        const records = list(answer.result, what);
        out.push(...records.map((r) => record(r, what)));
        const info = answer.result_info as { total_pages?: unknown } | undefined;
        const pages = typeof info?.total_pages === 'number' ? info.total_pages : undefined;
        // Without result_info, a short page is the last one.
        if (records.length === 0 || (pages !== undefined ? page >= pages : records.length < LIST_PAGE_SIZE)) break;
      }
      return type ? out.filter((r) => r.type === type) : out;
    },
    async batch(zoneId, changes, signal) {
      const what = `changing ${changes.patches.length + changes.posts.length} records in one batch`;
      const body = {
        ...(changes.patches.length > 0 ? { patches: changes.patches } : {}),
        ...(changes.posts.length > 0 ? { posts: changes.posts } : {}),
      };
      const result = (await call('POST', `/zones/${zoneId}/dns_records/batch`, what, signal, body)) as { patches?: unknown; posts?: unknown } | null;
      const patches = changes.patches.length > 0 ? list(result?.patches, what).map((r) => record(r, what)) : [];
      const posts = changes.posts.length > 0 ? list(result?.posts, what).map((r) => record(r, what)) : [];
      if (patches.length !== changes.patches.length || posts.length !== changes.posts.length) {
        throw new DdnsError('bad-response', `Cloudflare answered a batch with ${patches.length + posts.length} records for ${changes.patches.length + changes.posts.length} changes`);
      }
      return { patches, posts };
    },
    async createRecord(zoneId, fields, signal) {
      const what = `creating the ${fields.type} record of ${fields.name}`;
      return record(await call('POST', `/zones/${zoneId}/dns_records`, what, signal, fields), what);
    },
    async patchRecord(zoneId, id, patch, signal) {
      const what = `updating the ${patch.type ?? 'DNS'} record ${id}`;
      return record(await call('PATCH', `/zones/${zoneId}/dns_records/${id}`, what, signal, patch), what);
    },
    async deleteRecord(zoneId, id, signal) {
      await call('DELETE', `/zones/${zoneId}/dns_records/${id}`, `deleting the duplicate record ${id}`, signal);
    },
  };
}

function fail(error: DdnsError): never {
  throw error;
}

function readErrors(value: unknown): { code: number; message: string }[] {
  if (!Array.isArray(value)) return [];
  return value.map((e: { code?: unknown; message?: unknown }) => ({
    code: Number(e?.code ?? 0),
    message: String(e?.message ?? '').slice(0, 200),
  }));
}
