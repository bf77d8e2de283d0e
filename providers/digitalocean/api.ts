/**
 * The DigitalOcean API v2 calls ddnsd makes, with a Bearer token: a domain by
 * name, its records of one name and type (paged: `links.pages.next` names the
 * next page), and a record created, changed or deleted. Errors are
 * `{"id":…,"message":…}`: 401/403 are `auth`, 404 means "no such domain or
 * record", 429 is rate-limited (Retry-After, else the `ratelimit-reset` time),
 * 5xx transient; DigitalOcean documents no other refusal as final (a 422
 * names what it did not accept), so the rest are `bad-response`.
 */
import {
  DdnsError,
  rateLimited,
  readPages,
  requestBearerJson,
  statusFailure,
  unexpectedAnswer,
  type Clock,
  type HttpClient,
  type JsonResponse,
  type RecordType,
} from '../kit/index.js';

export interface DoRecord {
  id: number;
  type: string;
  /** Relative to the domain, `@` for the domain itself. */
  name: string;
  data: string;
  ttl: number;
}

export interface DigitalOceanApi {
  /** Whether the token sees a domain called exactly `name`. */
  hasDomain(name: string, signal: AbortSignal): Promise<boolean>;
  /** The records of a fully qualified name and one type. */
  findRecords(domain: string, type: RecordType, fqdn: string, signal: AbortSignal): Promise<DoRecord[]>;
  createRecord(domain: string, fields: Omit<DoRecord, 'id'>, signal: AbortSignal): Promise<void>;
  patchRecord(domain: string, id: number, fields: Partial<Omit<DoRecord, 'id'>>, signal: AbortSignal): Promise<void>;
  deleteRecord(domain: string, id: number, signal: AbortSignal): Promise<void>;
}

/** Records per page: DigitalOcean's most. */
export const PAGE_SIZE = 200;

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

function refusal(res: JsonResponse, where: string, now: number): DdnsError | undefined {
  const body = res.json as { id?: unknown; message?: unknown } | undefined;
  const detail = typeof body?.message === 'string' ? `: ${body.message.slice(0, 200)}` : '';
  if (res.status === 429) return rateLimited(res, where, now);
  if (res.status === 401 || res.status === 403) {
    return new DdnsError(
      'auth',
      `${where}: the token was rejected (HTTP ${res.status})${detail}; create a personal access token with read and write scope for domains (Custom scopes: domain read, create, update, delete) at cloud.digitalocean.com/account/api/tokens`,
    );
  }
  const failure = statusFailure(res, where, now);
  if (failure) return failure;
  if (res.status >= 400 && res.status !== 404 && typeof body?.id === 'string') return new DdnsError('bad-response', `${where}: refused (HTTP ${res.status})${detail}`);
  return undefined;
}

export function createDigitalOceanApi(deps: { endpoint: string; token: string; http: HttpClient; clock: Clock }): DigitalOceanApi {
  /** The answer's JSON, or undefined on 404; every failure thrown as its kind. */
  const call = async (method: Method, path: string, what: string, signal: AbortSignal, json?: unknown): Promise<Record<string, unknown> | undefined> => {
    const where = `DigitalOcean (${method} ${path.replace(/\?.*$/, '')}) while ${what}`;
    const res = await requestBearerJson(deps, { method, path, json, signal });
    const failure = refusal(res, where, deps.clock.now());
    if (failure) throw failure;
    if (res.status === 404 && (res.json as { id?: unknown } | undefined)?.id === 'not_found') return undefined;
    if (method === 'DELETE' && res.status === 204) return {};
    if (res.status < 200 || res.status > 201 || typeof res.json !== 'object' || res.json === null) throw unexpectedAnswer(where, res);
    return res.json as Record<string, unknown>;
  };
  const enc = encodeURIComponent;
  const expectRecord = (answer: Record<string, unknown> | undefined, what: string): void => {
    const r = answer?.domain_record as { id?: unknown } | undefined;
    if (typeof r?.id !== 'number') throw new DdnsError('bad-response', `DigitalOcean gave no domain_record while ${what}`);
  };

  return {
    async hasDomain(name, signal) {
      const answer = await call('GET', `/domains/${enc(name)}`, `looking up the domain ${name}`, signal);
      if (answer === undefined) return false;
      if ((answer.domain as { name?: unknown } | undefined)?.name !== name) throw new DdnsError('bad-response', `DigitalOcean gave no domain while looking up ${name}`);
      return true;
    },
    async findRecords(domain, type, fqdn, signal) {
      const what = `listing the ${type} records of ${fqdn}`;
      const records = await readPages(
        async (page) => {
          const query = new URLSearchParams({ type, name: fqdn, per_page: String(PAGE_SIZE), page: String(page) });
          const answer = await call('GET', `/domains/${enc(domain)}/records?${query}`, what, signal);
          if (answer === undefined) throw new DdnsError('fatal', `DigitalOcean has no domain ${domain} that this token can see (while ${what})`);
          if (!Array.isArray(answer.domain_records)) throw new DdnsError('bad-response', `DigitalOcean gave no domain_records while ${what}`);
          // The server may hold fewer records a page than asked for: `links.pages.next` says whether there is more.
          const next = (answer.links as { pages?: { next?: unknown } } | undefined)?.pages?.next;
          return { items: answer.domain_records as Partial<DoRecord>[], totalPages: typeof next === 'string' ? page + 1 : page };
        },
        { pageSize: PAGE_SIZE, maxPages: 50 },
      );
      return records
        .map((r) => {
          if (typeof r.id !== 'number' || typeof r.data !== 'string') throw new DdnsError('bad-response', `DigitalOcean gave a record without id or data while ${what}`);
          return { id: r.id, type: String(r.type), name: String(r.name), data: r.data, ttl: Number(r.ttl) };
        })
        .filter((r) => r.type === type);
    },
    async createRecord(domain, fields, signal) {
      const what = `creating the ${fields.type} record ${fields.name} in ${domain}`;
      expectRecord(await call('POST', `/domains/${enc(domain)}/records`, what, signal, fields), what);
    },
    async patchRecord(domain, id, fields, signal) {
      const what = `changing the ${fields.type ?? ''} record ${id} in ${domain}`;
      const answer = await call('PATCH', `/domains/${enc(domain)}/records/${id}`, what, signal, fields);
      if (answer === undefined) throw new DdnsError('transient', `DigitalOcean: the record ${id} in ${domain} is gone (HTTP 404); ddnsd looks it up again`);
      expectRecord(answer, what);
    },
    async deleteRecord(domain, id, signal) {
      await call('DELETE', `/domains/${enc(domain)}/records/${id}`, `deleting the record ${id} in ${domain}`, signal);
    },
  };
}
