/**
 * The Cloudflare API v4 requests ddnsd makes, with token auth, and the one
 * reading of its `{success, errors[{code,message,error_chain}], result, result_info}`
 * envelope: a rejected or under-privileged token (HTTP 401/403, error 9109 or
 * 10000, or 6111 nested under 6003 for a token that is not a valid header
 * value) is `auth`, 429 is `rate-limited` with Retry-After, 5xx is
 * `transient`, 404 is a CloudflareNotFound so callers can drop cached ids,
 * and any other refusal `bad-response` (Cloudflare documents none as final).
 * Messages show the most specific error: the last of an error's `error_chain`.
 * Every request counts against Cloudflare's limit of 1,200 requests per five
 * minutes per user: past it, ddnsd sends nothing and fails as `rate-limited`
 * with the wait, as a 429 would.
 */
import { DdnsError, parseRetryAfter, readPages, requestJson, type Clock, type HttpClient, type JsonResponse, type RecordType } from '../kit/index.js';

export interface DnsRecord {
  id: string;
  type: string;
  name: string;
  content: string;
  ttl: number;
  proxied?: boolean;
  /** Notes on the record; ddnsd's marker under `owned: marked`. */
  comment?: string | null;
}

export type RecordFields = Omit<DnsRecord, 'id'>;

/** Cloudflare answered 404: the zone or record id is no longer valid. */
export class CloudflareNotFound extends DdnsError {
  override name = 'CloudflareNotFound';
}

/** Cloudflare refused the request with its reason (success false, HTTP 4xx): tried again later, never for good. */
export class CloudflareRefused extends DdnsError {
  override name = 'CloudflareRefused';
}

/**
 * Error codes that mean the token is invalid or lacks a permission: 9109
 * (invalid access token), 10000 (authentication error), 6111 (invalid format
 * for Authorization header, nested under 6003 "Invalid request headers").
 */
const AUTH_CODES = new Set([9109, 10000, 6111]);

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
  patches: (Partial<RecordFields> & { id: string })[];
  posts: RecordFields[];
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
  createRecord(zoneId: string, record: RecordFields, signal: AbortSignal): Promise<DnsRecord>;
  patchRecord(zoneId: string, id: string, patch: Partial<RecordFields>, signal: AbortSignal): Promise<DnsRecord>;
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

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Sends one request and reads the envelope; every failure is thrown as its kind. */
type Exchange = (method: Method, path: string, what: string, signal: AbortSignal, body?: unknown, maxBytes?: number) => Promise<Envelope>;

/** Counts requests in a sliding window and refuses one past the budget. */
function requestBudget(clock: Clock, budget: { requests: number; windowMs: number }): (where: string) => void {
  /** When each request of the current window was sent, oldest first. */
  const sent: number[] = [];
  return (where) => {
    const now = clock.now();
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
}

function createExchange(deps: ApiDeps): Exchange {
  const spend = requestBudget(deps.clock, deps.budget ?? REQUEST_BUDGET);
  return async (method, path, what, signal, body, maxBytes) => {
    const where = `Cloudflare (${method} ${path.replace(/\?.*$/, '')}) while ${what}`;
    spend(where);
    const res = await requestJson(deps.http, {
      url: `${deps.endpoint}${path}`,
      method,
      headers: { authorization: `Bearer ${deps.token}` },
      ...(body === undefined ? {} : { json: body }),
      ...(maxBytes === undefined ? {} : { maxBytes }),
      signal,
    });
    return readEnvelope(res, where, deps.clock.now());
  };
}

/** The envelope of a successful answer; anything else thrown as its kind. */
function readEnvelope(res: JsonResponse, where: string, now: number): Envelope {
  const envelope = typeof res.json === 'object' && res.json !== null ? (res.json as Envelope) : undefined;
  const errors = readErrors(envelope?.errors);
  const detail = errors.length > 0 ? `: ${errors.map(describeError).join('; ')}` : '';
  if (res.status === 429) {
    const retryAfterMs = parseRetryAfter(res.headers['retry-after'], now);
    throw new DdnsError('rate-limited', `${where}: rate limited (HTTP 429)`, retryAfterMs === undefined ? {} : { retryAfterMs });
  }
  if (res.status >= 500) throw new DdnsError('transient', `${where}: server error (HTTP ${res.status})${detail}`);
  if (res.status === 401 || res.status === 403 || errors.some((e) => e.codes.some((c) => AUTH_CODES.has(c)))) {
    throw new DdnsError(
      'auth',
      `${where}: the API token was rejected (HTTP ${res.status})${detail}; create a token with the Zone.DNS edit permission on this zone and put it in the config`,
    );
  }
  if (res.status === 404) throw new CloudflareNotFound('transient', `${where}: not found (HTTP 404)${detail}`);
  if (!envelope) throw new DdnsError('bad-response', `${where}: the answer is not JSON (HTTP ${res.status}): ${JSON.stringify(res.text.slice(0, 80))}`);
  if (envelope.success !== true || res.status >= 300) {
    // Cloudflare documents no refusal as final: it is tried again after a growing pause, with its reason shown.
    throw new CloudflareRefused('bad-response', `${where}: refused (HTTP ${res.status})${detail || ': no reason given'}`);
  }
  return envelope;
}

/** One error of the envelope: its own code and message, and the codes and messages of its `error_chain`, outermost first. */
interface CfError {
  codes: number[];
  messages: string[];
}

function readErrors(value: unknown): CfError[] {
  if (!Array.isArray(value)) return [];
  return value.map((e: unknown) => {
    const out: CfError = { codes: [], messages: [] };
    // error_chain nests: follow its first error down, a few levels at most.
    let node = e as { code?: unknown; message?: unknown; error_chain?: unknown } | undefined;
    for (let depth = 0; node && depth < 5; depth++) {
      out.codes.push(Number(node.code ?? 0));
      out.messages.push(String(node.message ?? '').slice(0, 200));
      node = Array.isArray(node.error_chain) ? (node.error_chain[0] as typeof node) : undefined;
    }
    return out;
  });
}

/** The most specific error first, then what it was nested in: `6111 Invalid format … (in 6003 Invalid request headers)`. */
function describeError(e: CfError): string {
  const parts = e.codes.map((code, i) => `${code} ${e.messages[i] ?? ''}`.trim()).reverse();
  const [specific, ...outer] = parts;
  return outer.length > 0 ? `${specific} (in ${outer.join(', in ')})` : (specific ?? '');
}

function toRecord(value: unknown, where: string): DnsRecord {
  const r = value as Partial<DnsRecord> | null;
  if (!r || typeof r.id !== 'string' || typeof r.content !== 'string' || typeof r.name !== 'string') {
    throw new DdnsError('bad-response', `Cloudflare gave a DNS record without id, name or content while ${where}`);
  }
  const comment = typeof r.comment === 'string' ? { comment: r.comment } : {};
  return {
    id: r.id,
    type: String(r.type),
    name: r.name,
    content: r.content,
    ttl: Number(r.ttl ?? 1),
    ...(typeof r.proxied === 'boolean' ? { proxied: r.proxied } : {}),
    ...comment,
  };
}

function toList(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new DdnsError('bad-response', `Cloudflare gave no list while ${where}`);
  return value;
}

/** `result_info.total_pages`, when Cloudflare says. */
function totalPages(envelope: Envelope): number | undefined {
  const info = envelope.result_info as { total_pages?: unknown } | undefined;
  return typeof info?.total_pages === 'number' ? info.total_pages : undefined;
}

async function listZones(exchange: Exchange, signal: AbortSignal): Promise<Map<string, string>> {
  const what = 'listing the zones this token can see';
  const zones = await readPages(
    async (page) => {
      const query = new URLSearchParams({ per_page: String(ZONE_PAGE_SIZE), page: String(page) });
      const answer = await exchange('GET', `/zones?${query}`, what, signal);
      return { items: toList(answer.result, what) as { id?: unknown; name?: unknown }[], totalPages: totalPages(answer) };
    },
    { pageSize: ZONE_PAGE_SIZE, maxPages: LIST_MAX_PAGES },
  );
  const out = new Map<string, string>();
  for (const z of zones) {
    if (typeof z.id !== 'string' || typeof z.name !== 'string') throw new DdnsError('bad-response', `Cloudflare gave a zone without id or name while ${what}`);
    out.set(z.name, z.id);
  }
  return out;
}

async function listRecords(exchange: Exchange, zoneId: string, type: RecordType | undefined, signal: AbortSignal): Promise<DnsRecord[]> {
  const what = `listing the ${type ?? 'DNS'} records of the zone`;
  const records = await readPages(
    async (page) => {
      const query = new URLSearchParams({ ...(type ? { type } : {}), per_page: String(LIST_PAGE_SIZE), page: String(page) });
      const answer = await exchange('GET', `/zones/${zoneId}/dns_records?${query}`, what, signal, undefined, LIST_MAX_BYTES);
      return { items: toList(answer.result, what).map((r) => toRecord(r, what)), totalPages: totalPages(answer) };
    },
    { pageSize: LIST_PAGE_SIZE, maxPages: LIST_MAX_PAGES },
  );
  return type ? records.filter((r) => r.type === type) : records;
}

async function batch(exchange: Exchange, zoneId: string, changes: Batch, signal: AbortSignal): Promise<{ patches: DnsRecord[]; posts: DnsRecord[] }> {
  const what = `changing ${changes.patches.length + changes.posts.length} records in one batch`;
  const body = {
    ...(changes.patches.length > 0 ? { patches: changes.patches } : {}),
    ...(changes.posts.length > 0 ? { posts: changes.posts } : {}),
  };
  const result = (await exchange('POST', `/zones/${zoneId}/dns_records/batch`, what, signal, body)).result as { patches?: unknown; posts?: unknown } | null;
  const patches = changes.patches.length > 0 ? toList(result?.patches, what).map((r) => toRecord(r, what)) : [];
  const posts = changes.posts.length > 0 ? toList(result?.posts, what).map((r) => toRecord(r, what)) : [];
  if (patches.length !== changes.patches.length || posts.length !== changes.posts.length) {
    throw new DdnsError('bad-response', `Cloudflare answered a batch with ${patches.length + posts.length} records for ${changes.patches.length + changes.posts.length} changes`);
  }
  return { patches, posts };
}

export function createCloudflareApi(deps: ApiDeps): CloudflareApi {
  const exchange = createExchange(deps);
  /** The `result` of an exchange. */
  const call = async (...args: Parameters<Exchange>): Promise<unknown> => (await exchange(...args)).result;
  return {
    async findZone(name, signal) {
      const what = `looking up the zone ${name}`;
      const zones = toList(await call('GET', `/zones?${new URLSearchParams({ name })}`, what, signal), what);
      const zone = zones.find((z) => (z as { name?: unknown }).name === name) as { id?: unknown } | undefined;
      if (zone && typeof zone.id !== 'string') throw new DdnsError('bad-response', `Cloudflare gave a zone without id while ${what}`);
      return zone?.id as string | undefined;
    },
    listZones: (signal) => listZones(exchange, signal),
    async findRecords(zoneId, type, name, signal) {
      const what = `listing the ${type} records of ${name}`;
      const records = toList(await call('GET', `/zones/${zoneId}/dns_records?${new URLSearchParams({ type, name })}`, what, signal), what);
      return records.map((r) => toRecord(r, what)).filter((r) => r.type === type && r.name === name);
    },
    listRecords: (zoneId, type, signal) => listRecords(exchange, zoneId, type, signal),
    batch: (zoneId, changes, signal) => batch(exchange, zoneId, changes, signal),
    async createRecord(zoneId, fields, signal) {
      const what = `creating the ${fields.type} record of ${fields.name}`;
      return toRecord(await call('POST', `/zones/${zoneId}/dns_records`, what, signal, fields), what);
    },
    async patchRecord(zoneId, id, patch, signal) {
      const what = `updating the ${patch.type ?? 'DNS'} record ${id}`;
      return toRecord(await call('PATCH', `/zones/${zoneId}/dns_records/${id}`, what, signal, patch), what);
    },
    async deleteRecord(zoneId, id, signal) {
      await call('DELETE', `/zones/${zoneId}/dns_records/${id}`, `deleting the duplicate record ${id}`, signal);
    },
  };
}
