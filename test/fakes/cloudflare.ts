/**
 * A Cloudflare API v4 server (under /client/v4), rule by rule with its source.
 * - Bearer token auth; `{success, errors[{code,message}], messages, result, result_info}` envelopes:
 *   https://developers.cloudflare.com/fundamentals/api/how-to/make-api-calls/;
 *   favonia/cloudflare-ddns `internal/api/cloudflare.go` reads the same envelope (through cloudflare-go).
 * - Zones looked up by name, 20 a page by default, 50 at most:
 *   https://developers.cloudflare.com/api/resources/zones/methods/list/. The list answers at
 *   `/zones/` as at `/zones`: ddclient `ddclient.in` (`nic_cloudflare_update`) asks
 *   `/zones/?name=<zone>` of the live API.
 * - DNS records listed (filtered by type and name, paginated with `page` and `per_page`), created
 *   (POST), changed (PATCH, only the fields sent), deleted:
 *   https://developers.cloudflare.com/api/resources/dns/subresources/records/;
 *   favonia `internal/api/cloudflare_records.go` lists by name and type and patches the same way.
 * - One batch (`POST …/dns_records/batch`: deletes, patches, puts, posts, applied in that order,
 *   all or nothing, at most `batchLimit` operations, 200 on the Free plan):
 *   https://developers.cloudflare.com/dns/manage-dns-records/how-to/batch-record-changes/.
 * - Unknown tokens: 401 with error 9109; tokens without permission on a zone: 403 with error 10000;
 *   unknown ids: 404 (7003, 81044): favonia `internal/api/cloudflare.go` and its tests meet the same codes.
 * - A Bearer value that is not an OAuth2 bearer token (RFC 6750 b64token: a token cut at a quote,
 *   pasted with a space): 400 with 6003 "Invalid request headers" and, nested in its `error_chain`,
 *   6111 "Invalid format for Authorization header": favonia `internal/config/env_auth.go` (a malformed
 *   token "would reach the gateway as … 6003/6111"; the same pattern); the body as quoted at
 *   https://community.cloudflare.com/t/api-authentication-failing/110430.
 * - TTL: 1 (automatic) or 60 to 86400, 30 on Enterprise zones (`enterprise`); else 400 with error 9021
 *   (API schema `dns-records_ttl`: "Value must be between 60 and 86400, with the minimum reduced
 *   to 30 for Enterprise zones"; the code 9021 as external-dns logs it).
 * - A proxied record's TTL is always 1 (automatic) whatever is sent:
 *   https://developers.cloudflare.com/dns/manage-dns-records/reference/ttl/ ("proxied records" have
 *   an automatic TTL that cannot be changed); favonia treats the TTL of proxied records as not
 *   its to set. guess: the API ignores a TTL sent with a proxied record rather than refusing it.
 * - A record's `comment` is kept as sent on create and patch and returned with the record (null when
 *   none); it has no effect on DNS answers:
 *   https://developers.cloudflare.com/dns/manage-dns-records/reference/record-attributes/ ("Comments").
 */
import type { ServerResponse } from 'node:http';
import { httpFake, type ConformanceTable } from '../helpers/conformance.js';
import { send, startFake, type FakeServer, type Recorded } from './server.js';

export interface FakeRecord {
  id: string;
  zone_id: string;
  type: string;
  name: string;
  content: string;
  ttl: number;
  proxied: boolean;
  comment?: string | null;
}

export interface FakeCloudflare extends FakeServer {
  /** The endpoint to configure: `${url}/client/v4`. */
  endpoint: string;
  zones: Map<string, string>;
  records: Map<string, FakeRecord>;
  /** Adds a record as if made by hand in the dashboard; returns its id. */
  addRecord(record: Omit<FakeRecord, 'id' | 'zone_id'> & { zone: string }): string;
  /** Records of one name and type. */
  find(name: string, type: string): FakeRecord[];
  /** GET /zones requests, by name or listing every zone. */
  zoneLookups(): Recorded[];
  /** GET requests for a zone's DNS records (each page counts). */
  listings(): Recorded[];
  /** POST, PATCH and DELETE requests (a batch counts once). */
  writes(): Recorded[];
  /** Batch requests. */
  batches(): Recorded[];
  /** Names whose records Cloudflare refuses to create or change (400, error 1004). */
  refused: Set<string>;
  /** Answer the next N requests with this status, errors and headers instead of the protocol. */
  failNext(count: number, status: number, errors?: { code: number; message: string }[], headers?: Record<string, string>): void;
}

/** Cloudflare's error code for each refusal of invalidIn. */
const codeOf = (problem: string): number => (problem.startsWith('DNS') ? 1004 : problem.startsWith('TTL') ? 9021 : 9005);
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6 = /^[0-9a-f:]+$/i;

function envelope(res: ServerResponse, status: number, result: unknown, errors: { code: number; message: string }[] = [], extra: Record<string, unknown> = {}): void {
  send(res, status, JSON.stringify({ success: errors.length === 0, errors, messages: [], result, ...extra }), { 'content-type': 'application/json' });
}

export async function startCloudflare(options: {
  /** Tokens and the zones each may edit. */
  tokens: Record<string, string[]>;
  /** Zone name → id. */
  zones: Record<string, string>;
  /** The most records one listing page holds, whatever per_page asks (Cloudflare: 5,000,000). */
  maxPerPage?: number;
  /** The most operations one batch may hold (Cloudflare's Free plan: 200). */
  batchLimit?: number;
  /** Enterprise zones allow TTLs from 30 s. */
  enterprise?: boolean;
  latencyMs?: number;
}): Promise<FakeCloudflare> {
  const minTtl = options.enterprise ? 30 : 60;
  const maxPerPage = options.maxPerPage ?? 5_000_000;
  const batchLimit = options.batchLimit ?? 200;
  const zones = new Map(Object.entries(options.zones));
  const records = new Map<string, FakeRecord>();
  const refused = new Set<string>();
  const failures: { status: number; errors: { code: number; message: string }[]; headers: Record<string, string> }[] = [];
  let nextId = 1;
  const newId = (): string => (nextId++).toString(16).padStart(32, 'r');
  const zoneName = (id: string): string | undefined => [...zones].find(([, zid]) => zid === id)?.[0];

  /** A record as Cloudflare keeps it: a proxied record's TTL is automatic. */
  const kept = <R extends Partial<FakeRecord>>(r: R): R => (r.proxied ? { ...r, ttl: 1 } : r);
  /** A whole record from a request's fields, as a POST creates it or a PUT replaces one: fields left out take Cloudflare's defaults. */
  const whole = (id: string, zoneId: string, p: Partial<FakeRecord>): FakeRecord =>
    kept({
      id,
      zone_id: zoneId,
      type: String(p.type),
      name: String(p.name),
      content: String(p.content),
      ttl: p.ttl ?? 1,
      proxied: p.proxied ?? false,
      comment: p.comment ?? null,
    });
  const invalidIn = (zone: string, r: Partial<FakeRecord>): string | undefined => {
    if (r.ttl !== undefined && r.ttl !== 1 && (r.ttl < minTtl || r.ttl > 86400)) return `TTL must be between ${minTtl} and 86400 seconds, or 1 for Automatic.`;
    if (r.type === 'A' && !IPV4.test(r.content ?? '')) return 'Content for A record is invalid.';
    if (r.type === 'AAAA' && !IPV6.test(r.content ?? '')) return 'Content for AAAA record is invalid.';
    if (r.name !== undefined && refused.has(r.name)) return 'DNS Validation Error';
    if (r.name !== undefined && r.name !== zone && !r.name.endsWith(`.${zone}`)) return 'Name is not in the zone.';
    return undefined;
  };

  /** All or nothing: every operation is checked against a copy, which replaces the records only when all pass. */
  const batch = (res: ServerResponse, zoneId: string, zone: string, text: string): void => {
    const body = (text ? JSON.parse(text) : {}) as {
      deletes?: { id: string }[];
      patches?: (Partial<FakeRecord> & { id: string })[];
      puts?: (Partial<FakeRecord> & { id: string })[];
      posts?: Partial<FakeRecord>[];
    };
    const ops = (body.deletes?.length ?? 0) + (body.patches?.length ?? 0) + (body.puts?.length ?? 0) + (body.posts?.length ?? 0);
    if (ops > batchLimit) return envelope(res, 400, null, [{ code: 1004, message: `A batch may hold at most ${batchLimit} operations on this plan.` }]);
    const work = new Map(records);
    const done = { deletes: [] as FakeRecord[], patches: [] as FakeRecord[], puts: [] as FakeRecord[], posts: [] as FakeRecord[] };
    const own = (id: string): FakeRecord | undefined => {
      const r = work.get(id);
      return r && r.zone_id === zoneId ? r : undefined;
    };
    for (const d of body.deletes ?? []) {
      const r = own(d.id);
      if (!r) return envelope(res, 404, null, [{ code: 81044, message: 'Record does not exist.' }]);
      work.delete(r.id);
      done.deletes.push(r);
    }
    for (const [list, replace] of [
      [body.patches ?? [], false],
      [body.puts ?? [], true],
    ] as const) {
      for (const p of list) {
        const r = own(p.id);
        if (!r) return envelope(res, 404, null, [{ code: 81044, message: 'Record does not exist.' }]);
        const updated: FakeRecord = replace ? whole(r.id, zoneId, p) : kept({ ...r, ...p, id: r.id, zone_id: zoneId });
        const problem = invalidIn(zone, updated);
        if (problem) return envelope(res, 400, null, [{ code: codeOf(problem), message: problem }]);
        work.set(r.id, updated);
        (replace ? done.puts : done.patches).push(updated);
      }
    }
    for (const p of body.posts ?? []) {
      const record: FakeRecord = whole(newId(), zoneId, p);
      const problem = invalidIn(zone, record);
      if (problem) return envelope(res, 400, null, [{ code: codeOf(problem), message: problem }]);
      work.set(record.id, record);
      done.posts.push(record);
    }
    records.clear();
    for (const [id, r] of work) records.set(id, r);
    return envelope(res, 200, done);
  };

  const fake = await startFake(
    (req, res) => {
      const failure = failures.shift();
      if (failure) {
        return send(res, failure.status, JSON.stringify({ success: false, errors: failure.errors, messages: [], result: null }), {
          'content-type': 'application/json',
          ...failure.headers,
        });
      }
      const path = req.url.pathname.replace(/^\/client\/v4/, '');
      if (!/^Bearer [A-Za-z0-9\-._~+/]+=*$/.test(req.headers.authorization ?? '')) {
        return send(
          res,
          400,
          JSON.stringify({
            success: false,
            errors: [{ code: 6003, message: 'Invalid request headers', error_chain: [{ code: 6111, message: 'Invalid format for Authorization header' }] }],
            messages: [],
            result: null,
          }),
          { 'content-type': 'application/json' },
        );
      }
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const allowed = token === undefined ? undefined : options.tokens[token];
      if (!allowed) return envelope(res, 401, null, [{ code: 9109, message: 'Invalid access token' }]);

      if (req.method === 'GET' && (path === '/zones' || path === '/zones/')) {
        const name = req.url.searchParams.get('name');
        const found = [...zones].filter(([n]) => allowed.includes(n) && (name === null || n === name)).map(([n, id]) => ({ id, name: n, status: 'active' }));
        // Zones come 20 a page by default, at most 50 (Cloudflare's limits for this list).
        const page = Math.max(1, Number(req.url.searchParams.get('page') ?? 1) || 1);
        const perPage = Math.min(50, Math.max(5, Number(req.url.searchParams.get('per_page') ?? 20) || 20));
        const slice = found.slice((page - 1) * perPage, page * perPage);
        const info = { page, per_page: perPage, count: slice.length, total_count: found.length, total_pages: Math.max(1, Math.ceil(found.length / perPage)) };
        return envelope(res, 200, slice, [], { result_info: info });
      }
      const m = /^\/zones\/([^/]+)\/dns_records(?:\/([^/]+))?$/.exec(path);
      if (!m) return envelope(res, 404, null, [{ code: 7003, message: 'Could not route to this path' }]);
      const [, zoneId = '', recordId] = m;
      const zone = zoneName(zoneId);
      if (!zone) return envelope(res, 404, null, [{ code: 7003, message: 'Could not route to /zones, perhaps your object identifier is invalid?' }]);
      if (!allowed.includes(zone)) return envelope(res, 403, null, [{ code: 10000, message: 'Authentication error' }]);

      if (recordId === undefined && req.method === 'GET') {
        const type = req.url.searchParams.get('type');
        const name = req.url.searchParams.get('name');
        const found = [...records.values()].filter((r) => r.zone_id === zoneId && (type === null || r.type === type) && (name === null || r.name === name));
        const page = Math.max(1, Number(req.url.searchParams.get('page') ?? 1) || 1);
        const perPage = Math.min(maxPerPage, Math.max(5, Number(req.url.searchParams.get('per_page') ?? 100) || 100));
        const slice = found.slice((page - 1) * perPage, page * perPage);
        const info = { page, per_page: perPage, count: slice.length, total_count: found.length, total_pages: Math.max(1, Math.ceil(found.length / perPage)) };
        return envelope(res, 200, slice, [], { result_info: info });
      }
      if (recordId === 'batch' && req.method === 'POST') return batch(res, zoneId, zone, req.body);
      const body = req.body ? (JSON.parse(req.body) as Partial<FakeRecord>) : {};
      const invalid = (r: Partial<FakeRecord>): string | undefined => invalidIn(zone, r);
      if (recordId === undefined && req.method === 'POST') {
        const record: FakeRecord = whole(newId(), zoneId, body);
        const problem = invalid(record);
        if (problem) return envelope(res, 400, null, [{ code: codeOf(problem), message: problem }]);
        records.set(record.id, record);
        return envelope(res, 200, record);
      }
      const existing = recordId === undefined ? undefined : records.get(recordId);
      if (!existing || existing.zone_id !== zoneId) return envelope(res, 404, null, [{ code: 81044, message: 'Record does not exist.' }]);
      if (req.method === 'PATCH') {
        const updated = kept({ ...existing, ...body, id: existing.id, zone_id: zoneId });
        const problem = invalid(updated);
        if (problem) return envelope(res, 400, null, [{ code: 9005, message: problem }]);
        records.set(existing.id, updated);
        return envelope(res, 200, updated);
      }
      if (req.method === 'DELETE') {
        records.delete(existing.id);
        return envelope(res, 200, { id: existing.id });
      }
      return envelope(res, 405, null, [{ code: 10405, message: 'Method not allowed' }]);
    },
    '127.0.0.1',
    { latencyMs: options.latencyMs ?? 0 },
  );

  return Object.assign(fake, {
    endpoint: `${fake.url}/client/v4`,
    zones,
    records,
    refused,
    addRecord(record: Omit<FakeRecord, 'id' | 'zone_id'> & { zone: string }) {
      const { zone, ...rest } = record;
      const id = newId();
      records.set(id, kept({ ...rest, id, zone_id: zones.get(zone) ?? '' }));
      return id;
    },
    find: (name: string, type: string) => [...records.values()].filter((r) => r.name === name && r.type === type),
    zoneLookups: () => fake.requests.filter((r) => r.method === 'GET' && /\/zones\/?$/.test(r.url.pathname)),
    listings: () => fake.requests.filter((r) => r.method === 'GET' && r.url.pathname.endsWith('/dns_records')),
    writes: () => fake.requests.filter((r) => r.method !== 'GET'),
    batches: () => fake.requests.filter((r) => r.method === 'POST' && r.url.pathname.endsWith('/dns_records/batch')),
    failNext(count: number, status: number, errors: { code: number; message: string }[] = [], headers: Record<string, string> = {}) {
      for (let i = 0; i < count; i++) failures.push({ status, errors, headers });
    },
  });
}

const CF_TOKEN = 'conformance-cf-token-2b8e';

export const conformance: ConformanceTable = {
  cloudflare: {
    async start() {
      const fake = await startCloudflare({ tokens: { [CF_TOKEN]: ['example.org'] }, zones: { 'example.org': '0c2f0a5e4f6b4d1a9e8c7b6a5d4c3b2a' } });
      return {
        ...httpFake(fake),
        hosts: ['conform.example.org'],
        entry: (credentials) => ({ type: 'cloudflare', endpoint: fake.url, token: credentials === 'right' ? CF_TOKEN : 'wrong-cf-token-0000', hosts: ['conform.example.org'] }),
        secrets: [CF_TOKEN],
      };
    },
  },
};
