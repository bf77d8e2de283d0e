/**
 * The DNS part of the Hetzner Cloud API (under /v1) following the documented
 * shapes: Bearer tokens of 64 characters (each with read or read-write
 * permission, per project), `GET /zones/{id_or_name}`,
 * `GET /zones/{z}/rrsets/{name}/{type}`, `POST /zones/{z}/rrsets`,
 * `POST …/actions/set_records` and `…/actions/change_ttl` answering an
 * action. Errors are `{"error":{"code","message","details"}}`; 429 carries
 * the RateLimit-* headers and, when told, Retry-After.
 */
import type { ServerResponse } from 'node:http';
import { httpFake, type ConformanceTable } from '../helpers/conformance.js';
import { send, startFake, type FakeServer } from './server.js';

export interface FakeRRSet {
  zone: string;
  name: string;
  type: string;
  ttl: number | null;
  records: { value: string; comment: string }[];
}

export interface FakeHetzner extends FakeServer {
  /** The endpoint to configure: `${url}/v1`. */
  endpoint: string;
  rrsets: FakeRRSet[];
  find(zone: string, name: string, type: string): FakeRRSet | undefined;
  /** `METHOD path` of each request, after /v1. */
  calls(): string[];
  failNext(count: number, status: number, headers?: Record<string, string>): void;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, JSON.stringify(body), { 'content-type': 'application/json' });
}

const MESSAGES: Record<string, string> = {
  unauthorized: 'unable to authenticate',
  forbidden: 'insufficient permissions for this request',
  not_found: 'resource not found',
  invalid_input: 'invalid input in field "records"',
  rate_limit_exceeded: 'limit of 3600 requests per hour reached',
  uniqueness_error: 'rrset already exists',
};
const STATUS: Record<string, number> = { unauthorized: 401, forbidden: 403, not_found: 404, invalid_input: 400, rate_limit_exceeded: 429, uniqueness_error: 409 };

function fail(res: ServerResponse, code: string): void {
  json(res, STATUS[code] ?? 500, { error: { code, message: MESSAGES[code] ?? code, details: {} } });
}

export async function startHetzner(options: { tokens: Record<string, 'read' | 'read_write'>; zones: string[] }): Promise<FakeHetzner> {
  const rrsets: FakeRRSet[] = [];
  let actionId = 1;
  const find = (zone: string, name: string, type: string): FakeRRSet | undefined => rrsets.find((r) => r.zone === zone && r.name === name && r.type === type);
  const action = (res: ServerResponse, command: string, extra: Record<string, unknown> = {}): void =>
    json(res, 201, { action: { id: actionId++, command, status: 'running', progress: 0, started: new Date(0).toISOString(), finished: null, resources: [], error: null }, ...extra });
  const validValues = (type: string, records: unknown): records is { value: string }[] =>
    Array.isArray(records) && records.length > 0 && records.every((r: { value?: unknown }) => typeof r?.value === 'string' && (type === 'A' ? /^\d+(\.\d+){3}$/.test(r.value) : /^[0-9a-f:]+$/i.test(r.value)));

  const fake = await startFake((req, res) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const scope = options.tokens[token];
    if (token.length !== 64 || !scope) return fail(res, 'unauthorized');
    const m = /^\/v1\/zones\/([^/]+)(?:\/rrsets(?:\/([^/]+)\/([A-Z]+)(?:\/actions\/([a-z_]+))?)?)?$/.exec(req.url.pathname);
    const zone = decodeURIComponent(m?.[1] ?? '');
    if (!m || !options.zones.includes(zone)) return fail(res, 'not_found');
    if (req.method === 'GET' && req.url.pathname === `/v1/zones/${m[1]}`) return json(res, 200, { zone: { id: options.zones.indexOf(zone) + 1, name: zone, mode: 'primary', ttl: 3600 } });
    if (req.method !== 'GET' && scope !== 'read_write') return fail(res, 'forbidden');
    const body = req.body ? (JSON.parse(req.body) as { name?: string; type?: string; ttl?: number; records?: unknown }) : {};
    const [name, type, verb] = [m[2] === undefined ? undefined : decodeURIComponent(m[2]), m[3], m[4]];
    if (name === undefined && req.method === 'POST') {
      const [n, t] = [String(body.name), String(body.type)];
      if (find(zone, n, t)) return fail(res, 'uniqueness_error');
      if (!validValues(t, body.records)) return fail(res, 'invalid_input');
      const rrset: FakeRRSet = { zone, name: n, type: t, ttl: body.ttl ?? null, records: body.records.map((r) => ({ value: r.value, comment: '' })) };
      rrsets.push(rrset);
      return action(res, 'create_rrset', { rrset: { id: `${n}/${t}`, ...rrset } });
    }
    const rrset = name === undefined || type === undefined ? undefined : find(zone, name, type);
    if (!rrset) return fail(res, 'not_found');
    if (req.method === 'GET' && verb === undefined) return json(res, 200, { rrset: { id: `${rrset.name}/${rrset.type}`, ...rrset, zone: options.zones.indexOf(zone) + 1, labels: {}, protection: { change: false } } });
    if (req.method === 'POST' && verb === 'set_records') {
      if (!validValues(rrset.type, body.records)) return fail(res, 'invalid_input');
      rrset.records = body.records.map((r) => ({ value: r.value, comment: '' }));
      return action(res, 'set_rrset_records');
    }
    if (req.method === 'POST' && verb === 'change_ttl') {
      rrset.ttl = body.ttl ?? null;
      return action(res, 'change_rrset_ttl');
    }
    return fail(res, 'not_found');
  });

  return Object.assign(fake, {
    endpoint: `${fake.url}/v1`,
    rrsets,
    find,
    calls: () => fake.requests.map((r) => `${r.method} ${r.url.pathname.replace(/^\/v1/, '')}`),
    failNext(count: number, status: number, headers: Record<string, string> = {}) {
      const code = Object.keys(STATUS).find((c) => STATUS[c] === status) ?? 'server_error';
      const body = JSON.stringify({ error: { code, message: MESSAGES[code] ?? 'server error', details: {} } });
      fake.misbehaveNext(count, { kind: 'answer', status, headers: { 'content-type': 'application/json', ...headers }, body });
    },
  });
}

const TOKEN = 'conformanceHetznerCloudToken0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, 64);

export const conformance: ConformanceTable = {
  hetzner: {
    async start() {
      const fake = await startHetzner({ tokens: { [TOKEN]: 'read_write' }, zones: ['example.org'] });
      return {
        ...httpFake(fake),
        hosts: ['conform.example.org'],
        entry: (credentials) => ({ type: 'hetzner', endpoint: fake.endpoint, token: credentials === 'right' ? TOKEN : 'w'.repeat(64), hosts: ['conform.example.org'] }),
        secrets: [TOKEN],
      };
    },
  },
};
