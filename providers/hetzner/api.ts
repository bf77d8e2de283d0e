/**
 * The Hetzner Cloud API (`/v1/zones`) calls ddnsd makes, with a Bearer
 * token: a zone by name, one RRSet by name and type, its records replaced
 * (`actions/set_records`), its TTL changed, or a new RRSet. Errors are
 * `{"error":{"code","message"}}`: 401/403 are `auth` (a 401 explains that
 * the old DNS Console API and its tokens are gone), 404 `not_found` means
 * "no such zone or RRSet", 429 is rate-limited, 5xx transient, other
 * refusals (`incorrect_zone_mode`, `invalid_input`, a failed action) `fatal`.
 */
import { DdnsError, rateLimited, requestJson, statusFailure, unexpectedAnswer, type Clock, type HttpClient, type JsonResponse, type RecordType } from '../kit/index.js';

export interface RRSet {
  name: string;
  type: string;
  ttl: number | null;
  values: string[];
}

export interface HetznerApi {
  /** Whether the token's project has a zone called exactly `name`. */
  hasZone(name: string, signal: AbortSignal): Promise<boolean>;
  /** The RRSet of a name (relative, `@` for the apex) and type, or undefined when there is none. */
  getRRSet(zone: string, name: string, type: RecordType, signal: AbortSignal): Promise<RRSet | undefined>;
  setRecords(zone: string, name: string, type: RecordType, values: string[], signal: AbortSignal): Promise<void>;
  changeTtl(zone: string, name: string, type: RecordType, ttl: number, signal: AbortSignal): Promise<void>;
  createRRSet(zone: string, rrset: RRSet, signal: AbortSignal): Promise<void>;
}

/** Tokens of the old DNS Console (dns.hetzner.com) were 32 characters; Cloud API tokens are 64. */
export const OLD_TOKEN_LENGTH = 32;

function authFailure(res: JsonResponse, where: string, detail: string, token: string): DdnsError {
  if (res.status === 403) {
    return new DdnsError('auth', `${where}: the token may not do this (HTTP 403)${detail}; create a token with Read & Write permission in the project that holds the zone`);
  }
  const old = token.length === OLD_TOKEN_LENGTH ? 'this looks like a token of the old DNS Console (32 characters); ' : '';
  return new DdnsError(
    'auth',
    `${where}: the token was rejected (HTTP 401)${detail}; ${old}the old DNS API (dns.hetzner.com) was shut down and its tokens do not work: create an API token with Read & Write permission in the Hetzner Console, in the project that holds the zone (Security → API tokens)`,
  );
}

export function createHetznerApi(deps: { endpoint: string; token: string; http: HttpClient; clock: Clock }): HetznerApi {
  /** The answer's JSON, or undefined on a 404 `not_found`; every failure thrown as its kind. */
  const call = async (method: 'GET' | 'POST', path: string, what: string, signal: AbortSignal, json?: unknown): Promise<Record<string, unknown> | undefined> => {
    const where = `Hetzner (${method} ${path}) while ${what}`;
    const res = await requestJson(deps.http, { url: `${deps.endpoint}${path}`, method, headers: { authorization: `Bearer ${deps.token}` }, ...(json === undefined ? {} : { json }), signal });
    const error = (res.json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const detail = typeof error?.message === 'string' ? `: ${String(error.code)} ${error.message.slice(0, 200)}` : '';
    if (res.status === 429) throw rateLimited(res, where, deps.clock.now());
    if (res.status === 401 || res.status === 403) throw authFailure(res, where, detail, deps.token);
    const failure = statusFailure(res, where, deps.clock.now());
    if (failure) throw failure;
    if (res.status === 404 && error?.code === 'not_found') return undefined;
    if (res.status >= 400 && typeof error?.code === 'string') throw new DdnsError('fatal', `${where}: refused (HTTP ${res.status})${detail}`);
    if (res.status < 200 || res.status > 201 || typeof res.json !== 'object' || res.json === null) throw unexpectedAnswer(where, res);
    return res.json as Record<string, unknown>;
  };
  const enc = encodeURIComponent;
  const rrsetPath = (zone: string, name: string, type: RecordType): string => `/zones/${enc(zone)}/rrsets/${enc(name)}/${type}`;
  /** An action answer: `error` is a refusal; `running` and `success` count as done (the zone is published within moments). */
  const acted = (answer: Record<string, unknown> | undefined, what: string): void => {
    const action = answer?.action as { status?: unknown; error?: { message?: unknown } | null } | undefined;
    if (action === undefined || typeof action.status !== 'string') throw new DdnsError('bad-response', `Hetzner gave no action while ${what}`);
    if (action.status === 'error') throw new DdnsError('fatal', `Hetzner could not finish ${what}: ${String(action.error?.message ?? 'no reason given')}`);
  };

  return {
    async hasZone(name, signal) {
      const answer = await call('GET', `/zones/${enc(name)}`, `looking up the zone ${name}`, signal);
      if (answer === undefined) return false;
      if ((answer.zone as { name?: unknown } | undefined)?.name !== name) throw new DdnsError('bad-response', `Hetzner gave no zone while looking up ${name}`);
      return true;
    },
    async getRRSet(zone, name, type, signal) {
      const what = `reading the ${type} records of ${name} in ${zone}`;
      const answer = await call('GET', rrsetPath(zone, name, type), what, signal);
      if (answer === undefined) return undefined;
      const rrset = answer.rrset as { ttl?: unknown; records?: unknown } | undefined;
      if (!Array.isArray(rrset?.records)) throw new DdnsError('bad-response', `Hetzner gave no rrset while ${what}`);
      const values = rrset.records.map((r: { value?: unknown }) => {
        if (typeof r?.value !== 'string') throw new DdnsError('bad-response', `Hetzner gave a record without value while ${what}`);
        return r.value;
      });
      return { name, type, ttl: typeof rrset.ttl === 'number' ? rrset.ttl : null, values };
    },
    async setRecords(zone, name, type, values, signal) {
      const what = `setting the ${type} records of ${name} in ${zone}`;
      acted(await call('POST', `${rrsetPath(zone, name, type)}/actions/set_records`, what, signal, { records: values.map((value) => ({ value })) }), what);
    },
    async changeTtl(zone, name, type, ttl, signal) {
      const what = `changing the TTL of ${name} ${type} in ${zone}`;
      acted(await call('POST', `${rrsetPath(zone, name, type)}/actions/change_ttl`, what, signal, { ttl }), what);
    },
    async createRRSet(zone, rrset, signal) {
      const what = `creating the ${rrset.type} records of ${rrset.name} in ${zone}`;
      const body = { name: rrset.name, type: rrset.type, ...(rrset.ttl === null ? {} : { ttl: rrset.ttl }), records: rrset.values.map((value) => ({ value })) };
      acted(await call('POST', `/zones/${enc(zone)}/rrsets`, what, signal, body), what);
    },
  };
}
