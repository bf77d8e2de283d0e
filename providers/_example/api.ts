/**
 * The calls this adapter makes, each with its failures mapped to a kind
 * once. Example DNS is made up; a real adapter cites the provider's API
 * documentation here, call by call:
 *
 *   GET  {endpoint}/zones/{zone}                                 → 200 {"zone": {"name"}} or 404 {"error"}
 *   GET  {endpoint}/zones/{zone}/records?name={relative}&type=A  → {"records": [{"id", "content"}]}
 *   POST {endpoint}/zones/{zone}/records {"name", "type", "content"} → 201 {"record": {...}}
 *   PUT  {endpoint}/zones/{zone}/records/{id} {"content"}        → 200 {"record": {...}}
 *   Authorization: Bearer <token>. Errors: {"error": "..."} with 401 (bad token),
 *   403 (a read-only token writing), 404, 429 (Retry-After), 5xx.
 */
import { DdnsError, rateLimited, requestBearerJson, statusFailure, unexpectedAnswer, type Clock, type HttpClient, type JsonResponse, type RecordType } from '../kit/index.js';

export interface ExampleRecord {
  id: string;
  content: string;
}

export interface ExampleApi {
  /** Whether the token sees a zone called exactly `name` (zoneByName asks this for each parent of a host). */
  hasZone(name: string, signal: AbortSignal): Promise<boolean>;
  /** The records of one name (relative to the zone, `@` for the apex) and one type. */
  findRecords(zone: string, name: string, type: RecordType, signal: AbortSignal): Promise<ExampleRecord[]>;
  createRecord(zone: string, fields: { name: string; type: RecordType; content: string }, signal: AbortSignal): Promise<void>;
  updateRecord(zone: string, id: string, content: string, signal: AbortSignal): Promise<void>;
}

/**
 * The failure an answer means, or undefined when it is not one. The kit knows
 * 401/403, 429 and 5xx in general; what this service's answers mean in words
 * a person can act on is said here. Only what the provider DOCUMENTS as
 * "stop sending" is `auth` or `fatal`; an answer ddnsd cannot place is
 * `bad-response` (unexpectedAnswer), which is tried again later.
 */
function refusal(res: JsonResponse, where: string, now: number): DdnsError | undefined {
  if (res.status === 429) return rateLimited(res, where, now);
  if (res.status === 401) return new DdnsError('auth', `${where}: the token was refused (HTTP 401); create a token at Example DNS and put it in the config`);
  if (res.status === 403) return new DdnsError('auth', `${where}: the token may not change records (HTTP 403); give it DNS write access`);
  return statusFailure(res, where, now);
}

export function createExampleApi(deps: { endpoint: string; token: string; http: HttpClient; clock: Clock }): ExampleApi {
  /** The answer's JSON, or undefined on 404; every failure thrown as its kind. */
  const call = async (method: 'GET' | 'POST' | 'PUT', path: string, what: string, signal: AbortSignal, json?: unknown): Promise<Record<string, unknown> | undefined> => {
    const where = `Example DNS (${method} ${path.replace(/\?.*$/, '')}) while ${what}`;
    const res = await requestBearerJson(deps, { method, path, json, signal });
    const failure = refusal(res, where, deps.clock.now());
    if (failure) throw failure;
    if (res.status === 404) return undefined;
    if (res.status < 200 || res.status > 201 || typeof res.json !== 'object' || res.json === null) throw unexpectedAnswer(where, res);
    return res.json as Record<string, unknown>;
  };
  const enc = encodeURIComponent;
  return {
    async hasZone(name, signal) {
      return (await call('GET', `/zones/${enc(name)}`, `looking up the zone ${name}`, signal)) !== undefined;
    },
    async findRecords(zone, name, type, signal) {
      const query = new URLSearchParams({ name, type });
      const answer = await call('GET', `/zones/${enc(zone)}/records?${query}`, `reading the ${type} record of ${name} in ${zone}`, signal);
      const records = answer?.records;
      if (!Array.isArray(records)) throw new DdnsError('bad-response', `Example DNS gave no records list while reading ${name} in ${zone}`);
      return records as ExampleRecord[];
    },
    async createRecord(zone, fields, signal) {
      const answer = await call('POST', `/zones/${enc(zone)}/records`, `creating the ${fields.type} record of ${fields.name} in ${zone}`, signal, fields);
      // A 404 here: the zone went away since it was found. The host fails alone (`fatal` is what Example DNS documents for it).
      if (answer === undefined) throw new DdnsError('fatal', `Example DNS has no zone ${zone} any more; check hosts and the account`);
    },
    async updateRecord(zone, id, content, signal) {
      const answer = await call('PUT', `/zones/${enc(zone)}/records/${enc(id)}`, `changing the record ${id} in ${zone}`, signal, { content });
      if (answer === undefined) throw new DdnsError('bad-response', `Example DNS no longer has the record ${id} in ${zone}; it is read again next cycle`);
    },
  };
}
