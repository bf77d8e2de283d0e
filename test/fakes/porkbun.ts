/**
 * A Porkbun API v3 server (under /api/json/v3) following the documented
 * shapes: every call a POST with `apikey` and `secretapikey` in the JSON
 * body; answers `{"status":"SUCCESS",…}` or HTTP 400
 * `{"status":"ERROR","message":…}`. /domain/listAll (1,000 domains an answer
 * from `start`), /dns/retrieveByNameType, /dns/editByNameType and /dns/create.
 * A domain whose API access is off refuses every DNS call; TTLs below 600
 * become 600.
 */
import type { ServerResponse } from 'node:http';
import { httpFake, type ConformanceTable } from '../helpers/conformance.js';
import { send, startFake, type FakeServer, type Recorded } from './server.js';

export interface FakePorkbunRecord {
  id: string;
  domain: string;
  /** The subdomain, '' for the domain itself. */
  name: string;
  type: string;
  content: string;
  ttl: number;
}

export interface FakePorkbun extends FakeServer {
  /** The endpoint to configure: `${url}/api/json/v3`. */
  endpoint: string;
  records: FakePorkbunRecord[];
  /** Records of one fully qualified name and type. */
  find(host: string, type: string): FakePorkbunRecord[];
  /** The paths of the requests after /api/json/v3, in order. */
  calls(): string[];
  /** Answer the next N requests with this status (an ERROR body) and headers. */
  failNext(count: number, status: number, headers?: Record<string, string>): void;
}

function answer(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  send(res, status, JSON.stringify(body), { 'content-type': 'application/json' });
}

const error = (res: ServerResponse, message: string): void => answer(res, 400, { status: 'ERROR', message });

export async function startPorkbun(options: {
  apikey: string;
  secretapikey: string;
  /** Domain → whether its API access is on. */
  domains: Record<string, boolean>;
}): Promise<FakePorkbun> {
  const records: FakePorkbunRecord[] = [];
  let nextId = 106926650;
  const dns = (req: Recorded, res: ServerResponse, body: Record<string, unknown>): void => {
    const [, , verb = '', domain = '', type = '', sub = ''] = req.url.pathname.replace(/^\/api\/json\/v3/, '').split('/').map(decodeURIComponent);
    if (!(domain in options.domains)) return error(res, 'Invalid domain.');
    if (!options.domains[domain]) return error(res, 'Domain is not opted in to API access.');
    const ttl = Math.max(600, Number(body.ttl ?? 600));
    if (verb === 'retrieveByNameType') {
      const found = records.filter((r) => r.domain === domain && r.type === type && r.name === sub);
      return answer(res, 200, { status: 'SUCCESS', records: found.map((r) => ({ id: r.id, name: r.name === '' ? domain : `${r.name}.${domain}`, type: r.type, content: r.content, ttl: String(r.ttl), prio: '0', notes: '' })) });
    }
    if (verb === 'editByNameType') {
      const found = records.filter((r) => r.domain === domain && r.type === type && r.name === sub);
      if (found.length === 0) return error(res, 'Edit error: We were unable to edit the DNS record.');
      for (const r of found) Object.assign(r, { content: String(body.content), ttl });
      return answer(res, 200, { status: 'SUCCESS' });
    }
    if (verb === 'create') {
      const record = { id: String(nextId++), domain, name: String(body.name ?? ''), type: String(body.type), content: String(body.content), ttl };
      records.push(record);
      return answer(res, 200, { status: 'SUCCESS', id: Number(record.id) });
    }
    return error(res, 'Invalid command.');
  };

  const fake = await startFake((req, res) => {
    if (req.method !== 'POST') return error(res, 'All API calls use POST.');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return error(res, 'Invalid JSON.');
    }
    if (body.apikey !== options.apikey || body.secretapikey !== options.secretapikey) return error(res, 'Invalid API key. (002)');
    const path = req.url.pathname.replace(/^\/api\/json\/v3/, '');
    if (path === '/domain/listAll') {
      const start = Number(body.start ?? 0);
      const all = Object.keys(options.domains).map((domain) => ({ domain, status: 'ACTIVE', tld: domain.split('.').pop() }));
      return answer(res, 200, { status: 'SUCCESS', domains: all.slice(start, start + 1000) });
    }
    if (path.startsWith('/dns/')) return dns(req, res, body);
    return error(res, 'Invalid command.');
  });

  return Object.assign(fake, {
    endpoint: `${fake.url}/api/json/v3`,
    records,
    find: (host: string, type: string) => records.filter((r) => (r.name === '' ? r.domain : `${r.name}.${r.domain}`) === host && r.type === type),
    calls: () => fake.requests.map((r) => r.url.pathname.replace(/^\/api\/json\/v3/, '')),
    failNext(count: number, status: number, headers: Record<string, string> = {}) {
      const body = JSON.stringify({ status: 'ERROR', message: status === 429 ? 'Too many requests.' : 'Internal error.' });
      fake.misbehaveNext(count, { kind: 'answer', status, headers: { 'content-type': 'application/json', ...headers }, body });
    },
  });
}

const KEY = 'pk1_conformance0a1b2c3d4e5f';
const SECRET = 'sk1_conformance9f8e7d6c5b4a';

export const conformance: ConformanceTable = {
  porkbun: {
    async start() {
      const fake = await startPorkbun({ apikey: KEY, secretapikey: SECRET, domains: { 'example.org': true } });
      return {
        ...httpFake(fake),
        hosts: ['conform.example.org'],
        entry: (credentials) => ({
          type: 'porkbun',
          endpoint: fake.endpoint,
          api_key: KEY,
          secret_api_key: credentials === 'right' ? SECRET : 'sk1_wrong000000000000',
          hosts: ['conform.example.org'],
        }),
        secrets: [KEY, SECRET],
      };
    },
  },
};
