/**
 * The Porkbun API v3 calls ddnsd makes. Every call is a POST whose JSON body
 * carries `apikey` and `secretapikey`; every answer is
 * `{"status":"SUCCESS",…}` or `{"status":"ERROR","message":…}`. A rejected
 * key pair, and a domain whose API access is off (it is off until turned on
 * per domain), are `auth`; Porkbun documents no other refusal as final, so
 * the rest are `bad-response`, tried again after a growing pause; 429 is
 * rate-limited with Retry-After, 5xx transient.
 */
import { DdnsError, readPages, requestJson, statusFailure, unexpectedAnswer, type Clock, type HttpClient, type RecordType } from '../kit/index.js';

export interface PorkbunRecord {
  id: string;
  name: string;
  type: string;
  content: string;
  ttl: string;
  notes: string;
}

/** What an edit sets: the address, and the TTL and notes to keep (editByNameType resets what it is not sent). */
export interface EditFields {
  content: string;
  ttl: number;
  notes: string;
}

export interface PorkbunApi {
  /** Every domain of the account (1,000 an answer). */
  listDomains(signal: AbortSignal): Promise<string[]>;
  /** The records of one subdomain ('' for the domain itself) and type. */
  retrieve(domain: string, type: RecordType | 'ALIAS' | 'CNAME', subdomain: string, signal: AbortSignal): Promise<PorkbunRecord[]>;
  /** Sets every record of one subdomain and type to `fields`. */
  edit(domain: string, type: RecordType, subdomain: string, fields: EditFields, signal: AbortSignal): Promise<void>;
  /** Sets one record, by id, to `fields` at `subdomain` (an edit by id moves the record to the name it is sent, the apex when none). */
  editById(domain: string, id: string, type: RecordType, subdomain: string, fields: EditFields, signal: AbortSignal): Promise<void>;
  create(domain: string, type: RecordType, subdomain: string, fields: EditFields, signal: AbortSignal): Promise<void>;
  /** Deletes one record by id. */
  deleteById(domain: string, id: string, signal: AbortSignal): Promise<void>;
  /** Deletes every record of one subdomain and type. */
  deleteByNameType(domain: string, type: 'ALIAS' | 'CNAME', subdomain: string, signal: AbortSignal): Promise<void>;
}

interface Answer {
  status?: unknown;
  message?: unknown;
  records?: unknown;
  domains?: unknown;
}

const DOMAINS_PER_ANSWER = 1000;

/** Why Porkbun refused, for a person: the key pair, the domain's API access, or something else. */
function refusal(message: string, where: string, domain: string | undefined): DdnsError {
  if (/api key|apikey|authenticat/i.test(message)) {
    return new DdnsError('auth', `${where}: Porkbun rejected the API key pair (${message}); create a key pair at porkbun.com/account/api and set api_key and secret_api_key`);
  }
  if (/opted in|api access/i.test(message)) {
    return new DdnsError(
      'auth',
      `${where}: API access is off for ${domain ?? 'this domain'} (${message}); Porkbun turns it on per domain: Domain Management → the domain's Details → API Access`,
    );
  }
  return new DdnsError('bad-response', `${where}: Porkbun refused: ${message}`);
}

export function createPorkbunApi(deps: { endpoint: string; apiKey: string; secretApiKey: string; http: HttpClient; clock: Clock }): PorkbunApi {
  const call = async (path: string, what: string, signal: AbortSignal, domain?: string, fields: Record<string, unknown> = {}): Promise<Answer> => {
    const where = `Porkbun (${path.split('/').slice(0, 3).join('/')}) while ${what}`;
    const res = await requestJson(deps.http, {
      url: `${deps.endpoint}${path}`,
      method: 'POST',
      json: { apikey: deps.apiKey, secretapikey: deps.secretApiKey, ...fields },
      signal,
    });
    const answer = typeof res.json === 'object' && res.json !== null ? (res.json as Answer) : undefined;
    if (answer?.status === 'ERROR') {
      if (res.status === 429 || res.status >= 500) throw statusFailure(res, where, deps.clock.now()) as DdnsError;
      throw refusal(String(answer.message ?? 'no reason given').slice(0, 200), where, domain);
    }
    const failure = statusFailure(res, where, deps.clock.now());
    if (failure) throw failure;
    if (answer?.status !== 'SUCCESS' || res.status !== 200) throw unexpectedAnswer(where, res);
    return answer;
  };
  const enc = encodeURIComponent;
  const sub = (subdomain: string): string => (subdomain === '' ? '' : `/${enc(subdomain)}`);

  return {
    async listDomains(signal) {
      const what = 'listing the domains of the account';
      const domains = await readPages(
        async (page) => {
          const answer = await call('/domain/listAll', what, signal, undefined, { start: String((page - 1) * DOMAINS_PER_ANSWER) });
          if (!Array.isArray(answer.domains)) throw new DdnsError('bad-response', `Porkbun gave no domain list while ${what}`);
          return { items: answer.domains as { domain?: unknown }[] };
        },
        { pageSize: DOMAINS_PER_ANSWER, maxPages: 20 },
      );
      return domains.map((d) => String(d.domain ?? '').toLowerCase());
    },
    async retrieve(domain, type, subdomain, signal) {
      const what = `reading the ${type} records of ${subdomain === '' ? domain : `${subdomain}.${domain}`}`;
      const answer = await call(`/dns/retrieveByNameType/${enc(domain)}/${type}${sub(subdomain)}`, what, signal, domain);
      if (!Array.isArray(answer.records)) throw new DdnsError('bad-response', `Porkbun gave no record list while ${what}`);
      return answer.records.map((r: Partial<Record<keyof PorkbunRecord, unknown>>) => {
        if (typeof r?.content !== 'string') throw new DdnsError('bad-response', `Porkbun gave a record without content while ${what}`);
        return { id: String(r.id), name: String(r.name), type: String(r.type), content: r.content, ttl: String(r.ttl), notes: typeof r.notes === 'string' ? r.notes : '' };
      });
    },
    async edit(domain, type, subdomain, fields, signal) {
      const what = `changing the ${type} record of ${subdomain === '' ? domain : `${subdomain}.${domain}`}`;
      await call(`/dns/editByNameType/${enc(domain)}/${type}${sub(subdomain)}`, what, signal, domain, { content: fields.content, ttl: String(fields.ttl), notes: fields.notes });
    },
    async deleteByNameType(domain, type, subdomain, signal) {
      const what = `deleting the ${type} record of ${subdomain === '' ? domain : `${subdomain}.${domain}`}`;
      await call(`/dns/deleteByNameType/${enc(domain)}/${type}${sub(subdomain)}`, what, signal, domain);
    },
    async editById(domain, id, type, subdomain, fields, signal) {
      const what = `changing the ${type} record ${id} of ${subdomain === '' ? domain : `${subdomain}.${domain}`}`;
      await call(`/dns/edit/${enc(domain)}/${enc(id)}`, what, signal, domain, { name: subdomain, type, content: fields.content, ttl: String(fields.ttl), notes: fields.notes });
    },
    async create(domain, type, subdomain, fields, signal) {
      const what = `creating the ${type} record of ${subdomain === '' ? domain : `${subdomain}.${domain}`}`;
      const notes = fields.notes === '' ? {} : { notes: fields.notes };
      await call(`/dns/create/${enc(domain)}`, what, signal, domain, { name: subdomain, type, content: fields.content, ttl: String(fields.ttl), ...notes });
    },
    async deleteById(domain, id, signal) {
      await call(`/dns/delete/${enc(domain)}/${enc(id)}`, `deleting the record ${id} of ${domain}`, signal, domain);
    },
  };
}
