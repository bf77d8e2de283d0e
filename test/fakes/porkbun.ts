/**
 * A Porkbun API v3 server (under /api/json/v3), rule by rule with its source.
 * - Every call a POST with `apikey` and `secretapikey` in the JSON body; answers
 *   `{"status":"SUCCESS",…}` or HTTP 400 `{"status":"ERROR","message":…}`:
 *   https://porkbun.com/api/json/v3/documentation; qdm12/ddns-updater
 *   `internal/provider/providers/porkbun/api.go` sends and reads the same.
 * - /domain/listAll, 1,000 domains an answer from `start`: the documentation page (Domain List All).
 * - /dns/retrieveByNameType, /dns/editByNameType, /dns/deleteByNameType, /dns/create, records with
 *   `id, name, type, content, ttl, prio, notes` as strings: the documentation page; ddclient
 *   `ddclient.in` (nic_porkbun_update) reads `ttl` and `notes` from retrieveByNameType.
 * - editByNameType resets a field it is not sent (TTL to 600, notes to empty): guess, the reason
 *   ddclient sends the record's own `ttl` and `notes` back with every edit.
 * - /dns/create takes `notes` beside name, type, content, ttl and prio, and retrieve answers them;
 *   /dns/edit/{domain}/{id} sets one record from `name` (blank: the apex), type, content, ttl, prio
 *   and notes; /dns/delete/{domain}/{id} deletes one record: the documentation page (DNS Create
 *   Record, DNS Edit Record by Domain and ID, DNS Delete Record by Domain and ID); hexdocs.pm/porkbun
 *   `Porkbun.DNS` lists `notes` for create and edit; libdns/porkbun `models.go` reads `notes`.
 * - An edit or delete by an id the domain does not hold: "Edit error" / "Delete error", guess (the
 *   wording of the other errors; the documentation quotes none).
 * - API access is off per domain until turned on; then every DNS call is refused:
 *   https://kb.porkbun.com/article/190-getting-started-with-the-porkbun-dns-api; ddns-updater `docs/porkbun.md`.
 * - TTLs below 600 become 600: guess; 600 is the lowest TTL Porkbun offers (its DNS panel and
 *   libdns/porkbun, which raises lower TTLs to 600 before sending), whether the API raises or refuses is unverified.
 * - A new domain (`parked`) holds ALIAS @ and CNAME * records pointing at pixie.porkbun.com:
 *   ddns-updater `docs/porkbun.md` (Record creation) and `porkbun/provider.go`
 *   (deleteDefaultConflictingRecordsIfNeeded); qdm12/ddns-updater pull request 774.
 * - A record at a name that holds an ALIAS or CNAME is refused with HTTP 400
 *   "Create error: We were unable to create the DNS record." (the answer quoted in
 *   qdm12/ddns-updater issue 546; that the conflict is the reason: ddns-updater `docs/porkbun.md`).
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
  notes: string;
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
  /** New domains that still hold Porkbun's parking records (ALIAS @ and CNAME * → pixie.porkbun.com). */
  parked?: string[];
}): Promise<FakePorkbun> {
  const records: FakePorkbunRecord[] = [];
  let nextId = 106926650;
  for (const domain of options.parked ?? []) {
    records.push({ id: String(nextId++), domain, name: '', type: 'ALIAS', content: 'pixie.porkbun.com', ttl: 600, notes: '' });
    records.push({ id: String(nextId++), domain, name: '*', type: 'CNAME', content: 'pixie.porkbun.com', ttl: 600, notes: '' });
  }
  /** Whether a record of `type` at `name` conflicts with one already there (an ALIAS or CNAME shares its name with nothing). */
  const conflicts = (domain: string, name: string, type: string): boolean =>
    records.some((r) => r.domain === domain && r.name === name && (['ALIAS', 'CNAME'].includes(r.type) || ['ALIAS', 'CNAME'].includes(type)));
  const dns = (req: Recorded, res: ServerResponse, body: Record<string, unknown>): void => {
    const [, , verb = '', domain = '', type = '', sub = ''] = req.url.pathname
      .replace(/^\/api\/json\/v3/, '')
      .split('/')
      .map(decodeURIComponent);
    if (!(domain in options.domains)) return error(res, 'Invalid domain.');
    if (!options.domains[domain]) return error(res, 'Domain is not opted in to API access.');
    const ttl = Math.max(600, Number(body.ttl ?? 600));
    if (verb === 'retrieveByNameType') {
      const found = records.filter((r) => r.domain === domain && r.type === type && r.name === sub);
      return answer(res, 200, {
        status: 'SUCCESS',
        records: found.map((r) => ({
          id: r.id,
          name: r.name === '' ? domain : `${r.name}.${domain}`,
          type: r.type,
          content: r.content,
          ttl: String(r.ttl),
          prio: '0',
          notes: r.notes,
        })),
      });
    }
    if (verb === 'editByNameType') {
      const found = records.filter((r) => r.domain === domain && r.type === type && r.name === sub);
      if (found.length === 0) return error(res, 'Edit error: We were unable to edit the DNS record.');
      for (const r of found) Object.assign(r, { content: String(body.content), ttl, notes: typeof body.notes === 'string' ? body.notes : '' });
      return answer(res, 200, { status: 'SUCCESS' });
    }
    if (verb === 'edit' || verb === 'delete') {
      // `type` is the record id in these paths: /dns/edit/{domain}/{id}.
      const record = records.find((r) => r.domain === domain && r.id === type);
      if (!record) return error(res, `${verb === 'edit' ? 'Edit' : 'Delete'} error: We were unable to ${verb} the DNS record.`);
      if (verb === 'delete') records.splice(records.indexOf(record), 1);
      else
        Object.assign(record, {
          name: String(body.name ?? ''),
          type: String(body.type),
          content: String(body.content),
          ttl,
          notes: typeof body.notes === 'string' ? body.notes : '',
        });
      return answer(res, 200, { status: 'SUCCESS' });
    }
    if (verb === 'deleteByNameType') {
      for (const r of records.filter((x) => x.domain === domain && x.type === type && x.name === sub)) records.splice(records.indexOf(r), 1);
      return answer(res, 200, { status: 'SUCCESS' });
    }
    if (verb === 'create') {
      if (conflicts(domain, String(body.name ?? ''), String(body.type))) return error(res, 'Create error: We were unable to create the DNS record.');
      const record = {
        id: String(nextId++),
        domain,
        name: String(body.name ?? ''),
        type: String(body.type),
        content: String(body.content),
        ttl,
        notes: typeof body.notes === 'string' ? body.notes : '',
      };
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
