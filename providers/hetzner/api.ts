/**
 * The Hetzner Cloud API (`/v1/zones`) calls ddnsd makes, with a Bearer
 * token: a zone by name, one RRSet by name and type with its records (each a
 * value and a comment), its records replaced (`actions/set_records`), added
 * (`actions/add_records`) or removed (`actions/remove_records`), its TTL
 * changed, or a new RRSet. Errors are
 * `{"error":{"code","message"}}`: 401/403 are `auth` (a 401 explains that
 * the old DNS Console API and its tokens are gone), 404 `not_found` means
 * "no such zone or RRSet", 429 is rate-limited, 5xx transient. The codes
 * hcloud-go (`hcloud/error.go`) documents as "try again" (`locked`: another
 * action runs; `conflict`; `timeout`) are transient; those that no retry
 * changes (`protected`, a secondary zone) are `fatal`; any other refusal is
 * `bad-response`, tried again after a growing pause.
 *
 * A change answers an action, usually still `running`: ddnsd asks
 * `GET /zones/actions/{id}` (on the injected clock) until it is `success` or
 * `error`, at most ACTION_WAIT_MS, so the next change to the zone does not
 * meet `locked` and a failed change is not counted as done.
 */
import { DdnsError, rateLimited, requestBearerJson, statusFailure, unexpectedAnswer, type Clock, type HttpClient, type JsonResponse, type RecordType } from '../kit/index.js';

/**
 * One record of an RRSet. Its value identifies it within the RRSet (values
 * are distinct); the comment is free text, empty when none was written
 * (https://docs.hetzner.cloud/reference/cloud#zone-rrsets, ResourceRecord).
 */
export interface RRSetRecord {
  value: string;
  comment: string;
}

export interface RRSet {
  name: string;
  type: string;
  ttl: number | null;
  records: RRSetRecord[];
}

export interface HetznerApi {
  /** Whether the token's project has a zone called exactly `name`. */
  hasZone(name: string, signal: AbortSignal): Promise<boolean>;
  /** The RRSet of a name (relative, `@` for the apex) and type, or undefined when there is none. */
  getRRSet(zone: string, name: string, type: RecordType, signal: AbortSignal): Promise<RRSet | undefined>;
  /** The RRSet holds exactly these records afterwards. */
  setRecords(zone: string, name: string, type: RecordType, records: RRSetRecord[], signal: AbortSignal): Promise<void>;
  /** Adds records beside the RRSet's others (Hetzner creates the RRSet when there is none). */
  addRecords(zone: string, name: string, type: RecordType, records: RRSetRecord[], signal: AbortSignal): Promise<void>;
  /** Removes the records of these values, and the others stay (Hetzner deletes the RRSet when none is left). */
  removeRecords(zone: string, name: string, type: RecordType, values: string[], signal: AbortSignal): Promise<void>;
  changeTtl(zone: string, name: string, type: RecordType, ttl: number, signal: AbortSignal): Promise<void>;
  createRRSet(zone: string, rrset: RRSet, signal: AbortSignal): Promise<void>;
}

/** Error codes that say "the same request may pass in a moment" (hcloud-go `hcloud/error.go`). */
const TRY_AGAIN = new Set(['locked', 'conflict', 'timeout', 'resource_unavailable', 'maintenance', 'service_error', 'server_error', 'unavailable']);
/** Error codes that no retry changes: the user has to act. */
const STOP = new Set(['protected', 'incorrect_zone_mode', 'dns_zone_is_secondary_zone']);
/** How often, and how long at most, a running action is asked about (ddns-updater waits up to 60 s). */
export const ACTION_POLL_MS = 2000;
export const ACTION_WAIT_MS = 60_000;

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

/** A refusal with an error code, by what hcloud-go says the code means. */
function refused(status: number, code: string, where: string, detail: string): DdnsError {
  if (TRY_AGAIN.has(code)) return new DdnsError('transient', `${where}: not done this time (HTTP ${status})${detail}; trying again`);
  if (STOP.has(code)) return new DdnsError('fatal', `${where}: refused (HTTP ${status})${detail}`);
  return new DdnsError('bad-response', `${where}: refused (HTTP ${status})${detail}`);
}

type Call = (method: 'GET' | 'POST', path: string, what: string, signal: AbortSignal, json?: unknown) => Promise<Record<string, unknown> | undefined>;

function createCall(deps: { endpoint: string; token: string; http: HttpClient; clock: Clock }): Call {
  /** The answer's JSON, or undefined on a 404 `not_found`; every failure thrown as its kind. */
  return async (method, path, what, signal, json) => {
    const where = `Hetzner (${method} ${path}) while ${what}`;
    const res = await requestBearerJson(deps, { method, path, json, signal });
    const error = (res.json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const detail = typeof error?.message === 'string' ? `: ${String(error.code)} ${error.message.slice(0, 200)}` : '';
    if (res.status === 429) throw rateLimited(res, where, deps.clock.now());
    if (res.status === 401 || res.status === 403) throw authFailure(res, where, detail, deps.token);
    if (res.status >= 400 && typeof error?.code === 'string' && TRY_AGAIN.has(error.code)) throw refused(res.status, error.code, where, detail);
    const failure = statusFailure(res, where, deps.clock.now());
    if (failure) throw failure;
    if (res.status === 404 && error?.code === 'not_found') return undefined;
    if (res.status >= 400 && typeof error?.code === 'string') throw refused(res.status, error.code, where, detail);
    if (res.status < 200 || res.status > 201 || typeof res.json !== 'object' || res.json === null) throw unexpectedAnswer(where, res);
    return res.json as Record<string, unknown>;
  };
}

interface Action {
  id: number;
  status: string;
  error?: { code?: unknown; message?: unknown } | null;
}

function readAction(answer: Record<string, unknown> | undefined, what: string): Action {
  const action = answer?.action as Partial<Action> | undefined;
  if (typeof action?.id !== 'number' || typeof action.status !== 'string') throw new DdnsError('bad-response', `Hetzner gave no action while ${what}`);
  return action as Action;
}

/**
 * Waits until an action answered by a change ends: `success` is done,
 * `error` is Hetzner's own trouble (a pause, then the record is read again),
 * still `running` after ACTION_WAIT_MS is not confirmed (the change may
 * land later; the next try reads the record first).
 */
async function waitForAction(call: Call, clock: Clock, first: Action, what: string, signal: AbortSignal): Promise<void> {
  const until = clock.now() + ACTION_WAIT_MS;
  let action = first;
  while (action.status === 'running') {
    if (clock.now() >= until) {
      throw new DdnsError('server', `Hetzner had not finished ${what} after ${ACTION_WAIT_MS / 1000} s (action ${action.id}); the record is read again on the next try`);
    }
    await clock.sleep(ACTION_POLL_MS, signal);
    action = readAction(await call('GET', `/zones/actions/${action.id}`, `waiting for action ${action.id} (${what})`, signal), what);
  }
  if (action.status === 'error') {
    const reason = action.error ? `${String(action.error.code ?? '')} ${String(action.error.message ?? '')}`.trim() : 'no reason given';
    throw new DdnsError('server', `Hetzner could not finish ${what} (action ${action.id} ended in error: ${reason.slice(0, 200)})`);
  }
  if (action.status !== 'success')
    throw new DdnsError('bad-response', `Hetzner answered action ${action.id} with the status ${JSON.stringify(action.status.slice(0, 40))} while ${what}`);
}

/** A record as sent: the comment only when there is one, as hcloud-go (`comment,omitempty`) sends it. */
function recordJson(r: RRSetRecord): { value: string; comment?: string } {
  return r.comment === '' ? { value: r.value } : { value: r.value, comment: r.comment };
}

export function createHetznerApi(deps: { endpoint: string; token: string; http: HttpClient; clock: Clock }): HetznerApi {
  const call = createCall(deps);
  const enc = encodeURIComponent;
  const rrsetPath = (zone: string, name: string, type: RecordType): string => `/zones/${enc(zone)}/rrsets/${enc(name)}/${type}`;
  /** A change: its action answer, waited for until it ends. */
  const acted = async (answer: Record<string, unknown> | undefined, what: string, signal: AbortSignal): Promise<void> =>
    waitForAction(call, deps.clock, readAction(answer, what), what, signal);

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
      const records = rrset.records.map((r: { value?: unknown; comment?: unknown }) => {
        if (typeof r?.value !== 'string') throw new DdnsError('bad-response', `Hetzner gave a record without value while ${what}`);
        return { value: r.value, comment: typeof r.comment === 'string' ? r.comment : '' };
      });
      return { name, type, ttl: typeof rrset.ttl === 'number' ? rrset.ttl : null, records };
    },
    async setRecords(zone, name, type, records, signal) {
      const what = `setting the ${type} records of ${name} in ${zone}`;
      await acted(await call('POST', `${rrsetPath(zone, name, type)}/actions/set_records`, what, signal, { records: records.map(recordJson) }), what, signal);
    },
    async addRecords(zone, name, type, records, signal) {
      const what = `adding ${type} records to ${name} in ${zone}`;
      await acted(await call('POST', `${rrsetPath(zone, name, type)}/actions/add_records`, what, signal, { records: records.map(recordJson) }), what, signal);
    },
    async removeRecords(zone, name, type, values, signal) {
      const what = `removing ${type} records of ${name} in ${zone}`;
      await acted(await call('POST', `${rrsetPath(zone, name, type)}/actions/remove_records`, what, signal, { records: values.map((value) => ({ value })) }), what, signal);
    },
    async changeTtl(zone, name, type, ttl, signal) {
      const what = `changing the TTL of ${name} ${type} in ${zone}`;
      await acted(await call('POST', `${rrsetPath(zone, name, type)}/actions/change_ttl`, what, signal, { ttl }), what, signal);
    },
    async createRRSet(zone, rrset, signal) {
      const what = `creating the ${rrset.type} records of ${rrset.name} in ${zone}`;
      const body = { name: rrset.name, type: rrset.type, ...(rrset.ttl === null ? {} : { ttl: rrset.ttl }), records: rrset.records.map(recordJson) };
      await acted(await call('POST', `/zones/${enc(zone)}/rrsets`, what, signal, body), what, signal);
    },
  };
}
