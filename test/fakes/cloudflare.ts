/**
 * A Cloudflare API v4 server (under /client/v4) following the documented
 * shapes: Bearer token auth, `{success, errors[{code,message}], messages,
 * result, result_info}` envelopes, zones looked up by name, DNS records
 * listed by type and name, created (POST), changed (PATCH, only the fields
 * sent) and deleted. Unknown tokens get 401 with error 9109, tokens without
 * permission on a zone 403 with error 10000, unknown ids 404.
 */
import type { ServerResponse } from 'node:http';
import { send, startFake, type FakeServer, type Recorded } from './server.js';

export interface FakeRecord {
  id: string;
  zone_id: string;
  type: string;
  name: string;
  content: string;
  ttl: number;
  proxied: boolean;
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
  zoneLookups(): Recorded[];
  /** POST, PATCH and DELETE requests. */
  writes(): Recorded[];
  /** Names whose records Cloudflare refuses to create or change (400, error 1004). */
  refused: Set<string>;
  /** Answer the next N requests with this status, errors and headers instead of the protocol. */
  failNext(count: number, status: number, errors?: { code: number; message: string }[], headers?: Record<string, string>): void;
}

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
}): Promise<FakeCloudflare> {
  const zones = new Map(Object.entries(options.zones));
  const records = new Map<string, FakeRecord>();
  const refused = new Set<string>();
  const failures: { status: number; errors: { code: number; message: string }[]; headers: Record<string, string> }[] = [];
  let nextId = 1;
  const newId = (): string => (nextId++).toString(16).padStart(32, 'r');
  const zoneName = (id: string): string | undefined => [...zones].find(([, zid]) => zid === id)?.[0];

  const fake = await startFake((req, res) => {
    const failure = failures.shift();
    if (failure) {
      return send(res, failure.status, JSON.stringify({ success: false, errors: failure.errors, messages: [], result: null }), {
        'content-type': 'application/json',
        ...failure.headers,
      });
    }
    const path = req.url.pathname.replace(/^\/client\/v4/, '');
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const allowed = token === undefined ? undefined : options.tokens[token];
    if (!allowed) return envelope(res, 401, null, [{ code: 9109, message: 'Invalid access token' }]);

    if (req.method === 'GET' && path === '/zones') {
      const name = req.url.searchParams.get('name');
      const found = [...zones].filter(([n]) => allowed.includes(n) && (name === null || n === name)).map(([n, id]) => ({ id, name: n, status: 'active' }));
      return envelope(res, 200, found, [], { result_info: { page: 1, per_page: 20, count: found.length, total_count: found.length, total_pages: 1 } });
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
      return envelope(res, 200, found, [], { result_info: { page: 1, per_page: 100, count: found.length, total_count: found.length, total_pages: 1 } });
    }
    const body = req.body ? (JSON.parse(req.body) as Partial<FakeRecord>) : {};
    const invalid = (r: Partial<FakeRecord>): string | undefined => {
      if (r.type === 'A' && !IPV4.test(r.content ?? '')) return 'Content for A record is invalid.';
      if (r.type === 'AAAA' && !IPV6.test(r.content ?? '')) return 'Content for AAAA record is invalid.';
      if (r.name !== undefined && refused.has(r.name)) return 'DNS Validation Error';
      if (r.name !== undefined && r.name !== zone && !r.name.endsWith(`.${zone}`)) return 'Name is not in the zone.';
      return undefined;
    };
    if (recordId === undefined && req.method === 'POST') {
      const record: FakeRecord = {
        id: newId(),
        zone_id: zoneId,
        type: String(body.type),
        name: String(body.name),
        content: String(body.content),
        ttl: body.ttl ?? 1,
        proxied: body.proxied ?? false,
      };
      const problem = invalid(record);
      if (problem) return envelope(res, 400, null, [{ code: problem.startsWith('DNS') ? 1004 : 9005, message: problem }]);
      records.set(record.id, record);
      return envelope(res, 200, record);
    }
    const existing = recordId === undefined ? undefined : records.get(recordId);
    if (!existing || existing.zone_id !== zoneId) return envelope(res, 404, null, [{ code: 81044, message: 'Record does not exist.' }]);
    if (req.method === 'PATCH') {
      const updated = { ...existing, ...body, id: existing.id, zone_id: zoneId };
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
  });

  return Object.assign(fake, {
    endpoint: `${fake.url}/client/v4`,
    zones,
    records,
    refused,
    addRecord(record: Omit<FakeRecord, 'id' | 'zone_id'> & { zone: string }) {
      const { zone, ...rest } = record;
      const id = newId();
      records.set(id, { ...rest, id, zone_id: zones.get(zone) ?? '' });
      return id;
    },
    find: (name: string, type: string) => [...records.values()].filter((r) => r.name === name && r.type === type),
    zoneLookups: () => fake.requests.filter((r) => r.method === 'GET' && r.url.pathname.endsWith('/zones')),
    writes: () => fake.requests.filter((r) => r.method !== 'GET'),
    failNext(count: number, status: number, errors: { code: number; message: string }[] = [], headers: Record<string, string> = {}) {
      for (let i = 0; i < count; i++) failures.push({ status, errors, headers });
    },
  });
}
