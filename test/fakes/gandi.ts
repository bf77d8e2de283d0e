/**
 * A Gandi LiveDNS API v5 server (under /v5/livedns), rule by rule with its source.
 * - Personal access tokens as `Authorization: Bearer`; they expire (at most a year) and carry
 *   permissions ("Manage domain name technical configurations" for DNS):
 *   https://api.gandi.net/docs/authentication/; qdm12/ddns-updater
 *   `internal/provider/providers/gandi/provider.go` sends the same header.
 * - `GET /domains/{fqdn}`, `GET` and `PUT /domains/{fqdn}/records/{name}/{type}` with `rrset_values`
 *   and `rrset_ttl`; PUT creates or replaces and answers 201:
 *   https://api.gandi.net/docs/livedns/#v5-livedns-domains-fqdn-records; ddns-updater's gandi
 *   provider PUTs the same body and expects 201.
 * - One rrset per name and type holds every value of it (`rrset_values`, several A addresses in one set);
 *   a PUT replaces the whole list: https://api.gandi.net/docs/livedns/ (records of the same name and type
 *   are one rrset); libdns/gandi `client.go` reads the list and PUTs it back whole to add a value.
 * - `DELETE /domains/{fqdn}/records/{name}/{type}` deletes the whole rrset and answers 204 without a body:
 *   https://api.gandi.net/docs/livedns/; libdns/gandi `client.go` (deleteRecord, "the api does not return
 *   the json object on 201 or 204"). A DELETE of a set that does not exist: 404 like a GET of it (guess:
 *   the page lists 404 for the path, not what a missing set gets).
 * - TTL from 300 to 2,592,000 seconds, 10,800 when not given: the same LiveDNS page (rrset_ttl).
 * - Errors `{"code","message","object","cause"}`: https://api.gandi.net/docs/reference/ (Errors).
 * - The message of an expired token ("The access token expired."): guess of its wording.
 */
import type { ServerResponse } from 'node:http';
import { httpFake, type ConformanceTable } from '../helpers/conformance.js';
import { send, startFake, type FakeServer } from './server.js';

export interface FakeGandiSet {
  domain: string;
  name: string;
  type: string;
  ttl: number;
  values: string[];
}

export interface FakeGandi extends FakeServer {
  /** The endpoint to configure: `${url}/v5/livedns`. */
  endpoint: string;
  sets: FakeGandiSet[];
  find(domain: string, name: string, type: string): FakeGandiSet | undefined;
  /** `METHOD path` of each request, after /v5/livedns. */
  calls(): string[];
  failNext(count: number, status: number, headers?: Record<string, string>): void;
}

const CAUSES: Record<number, [string, string]> = {
  400: ['HTTPBadRequest', 'Bad Request'],
  401: ['HTTPUnauthorized', 'Unauthorized'],
  403: ['HTTPForbidden', 'Forbidden'],
  404: ['HTTPNotFound', 'Not Found'],
  429: ['HTTPTooManyRequests', 'Too Many Requests'],
  500: ['HTTPInternalServerError', 'Internal Server Error'],
};

function errorBody(status: number, message: string): string {
  const [object, cause] = CAUSES[status] ?? ['HTTPError', 'Error'];
  return JSON.stringify({ code: status, message, object, cause });
}

function fail(res: ServerResponse, status: number, message: string): void {
  send(res, status, errorBody(status, message), { 'content-type': 'application/json' });
}

export async function startGandi(options: {
  /** Token → what it is: usable, expired, or lacking the DNS permission. */
  tokens: Record<string, 'ok' | 'expired' | 'no-dns'>;
  domains: string[];
}): Promise<FakeGandi> {
  const sets: FakeGandiSet[] = [];
  const find = (domain: string, name: string, type: string): FakeGandiSet | undefined => sets.find((r) => r.domain === domain && r.name === name && r.type === type);
  const fake = await startFake((req, res) => {
    const kind = options.tokens[/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? ''];
    if (!kind) return fail(res, 401, 'The server could not verify that you are authorized to access the document you requested.');
    if (kind === 'expired') return fail(res, 401, 'The access token expired.');
    const m = /^\/v5\/livedns\/domains\/([^/]+)(?:\/records\/([^/]+)\/([A-Z]+))?$/.exec(req.url.pathname);
    const domain = decodeURIComponent(m?.[1] ?? '');
    if (!m || !options.domains.includes(domain)) return fail(res, 404, 'The resource could not be found.');
    if (m[2] === undefined)
      return req.method === 'GET'
        ? send(res, 200, JSON.stringify({ fqdn: domain, domain_href: `https://api.gandi.net/v5/livedns/domains/${domain}` }), { 'content-type': 'application/json' })
        : fail(res, 404, 'Not found');
    const [name, type] = [decodeURIComponent(m[2]), m[3] ?? ''];
    const set = find(domain, name, type);
    if (req.method === 'GET') {
      if (!set) return fail(res, 404, 'The resource could not be found.');
      return send(
        res,
        200,
        JSON.stringify({
          rrset_name: name,
          rrset_type: type,
          rrset_ttl: set.ttl,
          rrset_values: set.values,
          rrset_href: `https://api.gandi.net/v5/livedns/domains/${domain}/records/${name}/${type}`,
        }),
        { 'content-type': 'application/json' },
      );
    }
    if (req.method !== 'PUT' && req.method !== 'DELETE') return fail(res, 404, 'Not found');
    if (kind === 'no-dns') return fail(res, 403, 'Access was denied to this resource.');
    if (req.method === 'DELETE') {
      if (!set) return fail(res, 404, 'The resource could not be found.');
      sets.splice(sets.indexOf(set), 1);
      return send(res, 204, '');
    }
    const body = JSON.parse(req.body || '{}') as { rrset_values?: unknown; rrset_ttl?: unknown };
    const values = body.rrset_values;
    const ttl = body.rrset_ttl === undefined ? 10_800 : Number(body.rrset_ttl);
    const ok = Array.isArray(values) && values.length > 0 && values.every((v) => typeof v === 'string' && (type === 'A' ? /^\d+(\.\d+){3}$/.test(v) : /^[0-9a-f:]+$/i.test(v)));
    if (!ok || ttl < 300 || ttl > 2_592_000) return fail(res, 400, 'Validation error: rrset_values or rrset_ttl');
    if (set) Object.assign(set, { values, ttl });
    else sets.push({ domain, name, type, ttl, values: values as string[] });
    return send(res, 201, JSON.stringify({ message: 'DNS Record Created' }), { 'content-type': 'application/json' });
  });

  return Object.assign(fake, {
    endpoint: `${fake.url}/v5/livedns`,
    sets,
    find,
    calls: () => fake.requests.map((r) => `${r.method} ${r.url.pathname.replace(/^\/v5\/livedns/, '')}`),
    failNext(count: number, status: number, headers: Record<string, string> = {}) {
      fake.misbehaveNext(count, {
        kind: 'answer',
        status,
        headers: { 'content-type': 'application/json', ...headers },
        body: errorBody(status, status === 429 ? 'Too many requests, slow down.' : (CAUSES[status]?.[1] ?? 'Error')),
      });
    },
  });
}

const TOKEN = 'conformance-gandi-pat-3f9a1c7e5b2d';

export const conformance: ConformanceTable = {
  gandi: {
    async start() {
      const fake = await startGandi({ tokens: { [TOKEN]: 'ok' }, domains: ['example.org'] });
      return {
        ...httpFake(fake),
        hosts: ['conform.example.org'],
        entry: (credentials) => ({ type: 'gandi', endpoint: fake.endpoint, token: credentials === 'right' ? TOKEN : 'wrong-gandi-pat-0000', hosts: ['conform.example.org'] }),
        secrets: [TOKEN],
      };
    },
  },
};
