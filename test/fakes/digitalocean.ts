/**
 * A DigitalOcean API v2 server (under /v2), rule by rule with its source.
 * - Bearer tokens; a read-only token gets 403 on writes (tokens have read or write scope):
 *   https://docs.digitalocean.com/reference/api/create-personal-access-token/.
 * - `GET /domains/{name}`; `GET /domains/{d}/records?type=&name=<fqdn>&per_page=&page=` (name is the
 *   fully qualified name), with `links.pages.next` and `meta.total`; POST (201), PATCH, DELETE (204):
 *   https://docs.digitalocean.com/reference/api/digitalocean/#tag/Domain-Records; qdm12/ddns-updater
 *   `internal/provider/providers/digitalocean/provider.go` lists by type and fqdn the same way.
 * - At most 200 records a page: the same reference (`per_page`, max 200).
 * - Errors `{"id":…,"message":…}` (401 Unauthorized "Unable to authenticate you", 404 not_found,
 *   422 unprocessable_entity, 429 too_many_requests): https://docs.digitalocean.com/reference/api/
 *   (Responses, Errors); the 422 message text is a guess of its form.
 * - 429 carries the ratelimit-limit/-remaining/-reset headers and, when told, Retry-After:
 *   https://docs.digitalocean.com/reference/api/ (Rate Limit).
 */
import type { ServerResponse } from 'node:http';
import { httpFake, type ConformanceTable } from '../helpers/conformance.js';
import { send, startFake, type FakeServer } from './server.js';

export interface FakeDoRecord {
  id: number;
  domain: string;
  type: string;
  /** Relative, `@` for the apex. */
  name: string;
  data: string;
  ttl: number;
}

export interface FakeDigitalOcean extends FakeServer {
  /** The endpoint to configure: `${url}/v2`. */
  endpoint: string;
  records: FakeDoRecord[];
  add(record: Omit<FakeDoRecord, 'id'>): number;
  find(fqdn: string, type: string): FakeDoRecord[];
  /** `METHOD path?query` of each request, after /v2. */
  calls(): string[];
  failNext(count: number, status: number, headers?: Record<string, string>): void;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, JSON.stringify(body), { 'content-type': 'application/json' });
}

const ERRORS: Record<number, { id: string; message: string }> = {
  401: { id: 'Unauthorized', message: 'Unable to authenticate you.' },
  403: { id: 'Forbidden', message: 'You are not authorized to perform this operation.' },
  404: { id: 'not_found', message: 'The resource you were accessing could not be found.' },
  422: { id: 'unprocessable_entity', message: 'Data needs to be a valid IP address.' },
  429: { id: 'too_many_requests', message: 'API Rate limit exceeded.' },
  500: { id: 'server_error', message: 'Server was unable to give you a response.' },
};

export async function startDigitalOcean(options: {
  /** Token → whether it may write. */
  tokens: Record<string, 'read' | 'write'>;
  domains: string[];
  /** The most records a page holds (DigitalOcean: 200). */
  maxPerPage?: number;
}): Promise<FakeDigitalOcean> {
  const maxPerPage = options.maxPerPage ?? 200;
  const records: FakeDoRecord[] = [];
  let nextId = 3352892;
  const fqdn = (r: FakeDoRecord): string => (r.name === '@' ? r.domain : `${r.name}.${r.domain}`);
  const fail = (res: ServerResponse, status: number): void => json(res, status, ERRORS[status]);

  const fake = await startFake((req, res) => {
    const scope = options.tokens[/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? ''];
    if (!scope) return fail(res, 401);
    const m = /^\/v2\/domains\/([^/]+)(\/records(?:\/(\d+))?)?$/.exec(req.url.pathname);
    const domain = decodeURIComponent(m?.[1] ?? '');
    if (!m || !options.domains.includes(domain)) return fail(res, 404);
    if (!m[2]) return req.method === 'GET' ? json(res, 200, { domain: { name: domain, ttl: 1800, zone_file: '' } }) : fail(res, 404);
    if (req.method !== 'GET' && scope !== 'write') return fail(res, 403);
    const body = req.body ? (JSON.parse(req.body) as Partial<FakeDoRecord>) : {};
    const valid = (r: Partial<FakeDoRecord>): boolean => (r.type === 'A' ? /^\d+(\.\d+){3}$/.test(r.data ?? '') : r.type !== 'AAAA' || /^[0-9a-f:]+$/i.test(r.data ?? ''));
    const id = m[3] === undefined ? undefined : Number(m[3]);
    if (id === undefined && req.method === 'GET') {
      const q = req.url.searchParams;
      const found = records.filter((r) => r.domain === domain && (!q.get('type') || r.type === q.get('type')) && (!q.get('name') || fqdn(r) === q.get('name')));
      const perPage = Math.min(maxPerPage, Number(q.get('per_page') ?? 20));
      const page = Number(q.get('page') ?? 1);
      const last = Math.max(1, Math.ceil(found.length / perPage));
      const link = (p: number): string => {
        const u = new URL(`https://api.digitalocean.com${req.url.pathname}${req.url.search}`);
        u.searchParams.set('page', String(p));
        return u.toString();
      };
      const pages = page < last ? { next: link(page + 1), last: link(last) } : {};
      return json(res, 200, { domain_records: found.slice((page - 1) * perPage, page * perPage), links: { pages }, meta: { total: found.length } });
    }
    if (id === undefined && req.method === 'POST') {
      const record: FakeDoRecord = { id: nextId++, domain, type: String(body.type), name: String(body.name), data: String(body.data), ttl: body.ttl ?? 1800 };
      if (!valid(record)) return fail(res, 422);
      records.push(record);
      return json(res, 201, { domain_record: record });
    }
    const record = records.find((r) => r.id === id && r.domain === domain);
    if (!record) return fail(res, 404);
    if (req.method === 'PATCH') {
      if (!valid({ ...record, ...body })) return fail(res, 422);
      Object.assign(record, { ...body, id: record.id, domain });
      return json(res, 200, { domain_record: record });
    }
    if (req.method === 'DELETE') {
      records.splice(records.indexOf(record), 1);
      return send(res, 204, '');
    }
    return fail(res, 404);
  });

  return Object.assign(fake, {
    endpoint: `${fake.url}/v2`,
    records,
    add(record: Omit<FakeDoRecord, 'id'>) {
      records.push({ ...record, id: nextId });
      return nextId++;
    },
    find: (name: string, type: string) => records.filter((r) => fqdn(r) === name && r.type === type),
    calls: () => fake.requests.map((r) => `${r.method} ${r.url.pathname.replace(/^\/v2/, '')}`),
    failNext(count: number, status: number, headers: Record<string, string> = {}) {
      const body = JSON.stringify(ERRORS[status] ?? { id: 'error', message: 'error' });
      fake.misbehaveNext(count, { kind: 'answer', status, headers: { 'content-type': 'application/json', ...headers }, body });
    },
  });
}

const TOKEN = 'dop_v1_conformance5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b';

export const conformance: ConformanceTable = {
  digitalocean: {
    async start() {
      const fake = await startDigitalOcean({ tokens: { [TOKEN]: 'write' }, domains: ['example.org'] });
      return {
        ...httpFake(fake),
        hosts: ['conform.example.org'],
        entry: (credentials) => ({ type: 'digitalocean', endpoint: fake.endpoint, token: credentials === 'right' ? TOKEN : 'dop_v1_wrong', hosts: ['conform.example.org'] }),
        secrets: [TOKEN],
      };
    },
  },
};
