/**
 * The Gandi LiveDNS API v5 calls ddnsd makes, with a personal access token
 * (Bearer): a domain by name, one record set by name and type, and that set
 * replaced or created (PUT) or deleted (DELETE, 204). Errors are `{"code","message","object","cause"}`:
 * 401 is `auth`, said to be an expired token when Gandi says so (tokens live
 * at most a year), 403 a token without the DNS permission, 404 "no such
 * domain or record", 429 rate-limited, 5xx transient; Gandi documents no other
 * refusal as final, so the rest are `bad-response`, tried again after a growing pause.
 */
import { DdnsError, requestBearerJson, statusFailure, unexpectedAnswer, type Clock, type HttpClient, type JsonResponse, type RecordType } from '../kit/index.js';

export interface RecordSet {
  ttl: number;
  values: string[];
}

export interface GandiApi {
  /** Whether LiveDNS holds a domain called exactly `fqdn` that the token may see. */
  hasDomain(fqdn: string, signal: AbortSignal): Promise<boolean>;
  /** The record set of a name (relative, `@` for the apex) and type, or undefined when there is none. */
  getRecords(domain: string, name: string, type: RecordType, signal: AbortSignal): Promise<RecordSet | undefined>;
  /** Creates or replaces the record set. */
  putRecords(domain: string, name: string, type: RecordType, set: RecordSet, signal: AbortSignal): Promise<void>;
  /** Deletes the record set, every value of it; false when there was none. */
  deleteRecords(domain: string, name: string, type: RecordType, signal: AbortSignal): Promise<boolean>;
}

const NEW_TOKEN =
  'create a personal access token in the Gandi Admin (Account settings → Authorizations → Personal Access Tokens) for the organization that owns the domain, with "Manage domain name technical configurations", and put it in the config';

function authFailure(res: JsonResponse, where: string, message: string): DdnsError {
  if (res.status === 403) return new DdnsError('auth', `${where}: the token may not change this domain's DNS (HTTP 403: ${message}); ${NEW_TOKEN}`);
  if (/expire/i.test(message)) {
    return new DdnsError('auth', `${where}: the personal access token expired (HTTP 401: ${message}); Gandi tokens live at most a year: ${NEW_TOKEN}`);
  }
  return new DdnsError(
    'auth',
    `${where}: the token was rejected (HTTP 401: ${message}); it is wrong, revoked or expired (Gandi tokens live at most a year, and API keys are no longer accepted): ${NEW_TOKEN}`,
  );
}

export function createGandiApi(deps: { endpoint: string; token: string; http: HttpClient; clock: Clock }): GandiApi {
  /** The answer's JSON, or undefined on 404; every failure thrown as its kind. */
  const call = async (method: 'GET' | 'PUT' | 'DELETE', path: string, what: string, signal: AbortSignal, json?: unknown): Promise<Record<string, unknown> | undefined> => {
    const where = `Gandi LiveDNS (${method} ${path}) while ${what}`;
    const res = await requestBearerJson(deps, { method, path, json, signal });
    const body = typeof res.json === 'object' && res.json !== null ? (res.json as { message?: unknown; code?: unknown }) : undefined;
    const message = typeof body?.message === 'string' ? body.message.slice(0, 200) : 'no reason given';
    if (res.status === 401 || res.status === 403) throw authFailure(res, where, message);
    const failure = statusFailure(res, where, deps.clock.now());
    if (failure) throw failure;
    if (res.status === 404 && body?.code === 404) return undefined;
    if (res.status >= 400 && body?.code === res.status) throw new DdnsError('bad-response', `${where}: refused (HTTP ${res.status}): ${message}`);
    if (method === 'DELETE' && res.status === 204) return {};
    if (res.status < 200 || res.status > 201 || body === undefined) throw unexpectedAnswer(where, res);
    return body as Record<string, unknown>;
  };
  const enc = encodeURIComponent;
  const recordsPath = (domain: string, name: string, type: RecordType): string => `/domains/${enc(domain)}/records/${enc(name)}/${type}`;

  return {
    async hasDomain(fqdn, signal) {
      const answer = await call('GET', `/domains/${enc(fqdn)}`, `looking up the domain ${fqdn}`, signal);
      if (answer === undefined) return false;
      if (answer.fqdn !== fqdn) throw new DdnsError('bad-response', `Gandi gave no domain while looking up ${fqdn}`);
      return true;
    },
    async getRecords(domain, name, type, signal) {
      const what = `reading the ${type} records of ${name} in ${domain}`;
      const answer = await call('GET', recordsPath(domain, name, type), what, signal);
      if (answer === undefined) return undefined;
      const values = answer.rrset_values;
      if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) throw new DdnsError('bad-response', `Gandi gave no rrset_values while ${what}`);
      return { ttl: Number(answer.rrset_ttl), values };
    },
    async putRecords(domain, name, type, set, signal) {
      const what = `setting the ${type} records of ${name} in ${domain}`;
      await call('PUT', recordsPath(domain, name, type), what, signal, { rrset_values: set.values, rrset_ttl: set.ttl });
    },
    async deleteRecords(domain, name, type, signal) {
      return (await call('DELETE', recordsPath(domain, name, type), `deleting the ${type} records of ${name} in ${domain}`, signal)) !== undefined;
    },
  };
}
