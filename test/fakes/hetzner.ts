/**
 * The DNS part of the Hetzner Cloud API (under /v1), rule by rule with its source.
 * - Bearer tokens of 64 characters, each read or read-write, per project:
 *   https://docs.hetzner.cloud/reference/cloud#authentication.
 * - `GET /zones/{id_or_name}`, `GET /zones/{z}/rrsets/{name}/{type}`, `POST /zones/{z}/rrsets`,
 *   `POST …/actions/set_records`, `…/actions/change_ttl`: https://docs.hetzner.cloud/reference/cloud#zones
 *   and #zone-rrset-actions; qdm12/ddns-updater `internal/provider/providers/hetznercloud/getrrset.go`,
 *   `setrrset.go`, `createrrset.go` send the same paths and bodies.
 * - An RRSet holds several records, each `{value, comment}`; the value identifies the record, the
 *   records' values are distinct and never empty; the RRSet has `labels` of its own:
 *   https://docs.hetzner.cloud/reference/cloud#zone-rrsets (ResourceRecord, "must only contain
 *   distinct record values"); hcloud-go `hcloud/schema/zone_rrset.go` (`comment,omitempty` in
 *   requests, so a record sent without one has the empty comment).
 * - `…/actions/add_records` appends records, creating the RRSet when there is none; its `ttl`, when
 *   sent to an RRSet that has one, must be the same; `…/actions/remove_records` removes the records of
 *   the values sent and deletes the RRSet when none is left: #zone-rrset-actions
 *   ("add-records-to-an-rrset", "remove-records-from-an-rrset"); hcloud-go `hcloud/zone_rrset.go`.
 * - guess: adding a value the RRSet already holds, or removing one it does not hold, is `invalid_input`
 *   (the docs say only that values are distinct and identify records; strict, so an adapter that
 *   sends what it did not read fails here).
 * - Every change answers an action that is `running`, later `success` or `error`, read at
 *   `GET /zones/actions/{id}`: ddns-updater `hetznercloud/waitaction.go` (it observed about
 *   20 s to success and polls that endpoint). Here an action stays `running` for
 *   `actionPolls` reads of it (guess: a count of polls instead of seconds, so tests need no time).
 * - The change applies when its action succeeds, not when an action ends in `error`:
 *   guess (an action that failed changed nothing, as its name says).
 * - While an action of a zone runs, another change to that zone answers `locked` ("Item is
 *   locked (Another action is running)", hcloud-go `hcloud/error.go`); HTTP 423: guess, from
 *   the error table of https://docs.hetzner.cloud/reference/cloud#errors as remembered.
 * - Errors are `{"error":{"code","message","details"}}` with the codes of hcloud-go
 *   `hcloud/error.go`; their HTTP statuses follow the docs' error table (401, 403, 404, 400, 429, 409).
 * - 429 carries the RateLimit-* headers and, when told, Retry-After:
 *   https://docs.hetzner.cloud/reference/cloud#rate-limiting.
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
  labels?: Record<string, string>;
}

export interface FakeHetzner extends FakeServer {
  /** The endpoint to configure: `${url}/v1`. */
  endpoint: string;
  rrsets: FakeRRSet[];
  find(zone: string, name: string, type: string): FakeRRSet | undefined;
  /** `METHOD path` of each request, after /v1. */
  calls(): string[];
  failNext(count: number, status: number, headers?: Record<string, string>): void;
  /** The next change's action ends in `error` with this code and message. */
  failNextAction(code: string, message: string): void;
}

interface FakeAction {
  id: number;
  command: string;
  zone: string;
  /** Reads left that answer `running`. */
  polls: number;
  /** What happens when it ends: the change is applied, or the action fails. */
  apply: () => void;
  error: { code: string; message: string } | undefined;
  status: 'running' | 'success' | 'error';
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
  locked: 'Item is locked (Another action is running)',
};
const STATUS: Record<string, number> = { unauthorized: 401, forbidden: 403, not_found: 404, invalid_input: 400, rate_limit_exceeded: 429, uniqueness_error: 409, locked: 423 };

function fail(res: ServerResponse, code: string): void {
  json(res, STATUS[code] ?? 500, { error: { code, message: MESSAGES[code] ?? code, details: {} } });
}

function actionJson(a: FakeAction): Record<string, unknown> {
  const finished = a.status === 'running' ? null : new Date(0).toISOString();
  return {
    id: a.id,
    command: a.command,
    status: a.status,
    progress: a.status === 'running' ? 50 : 100,
    started: new Date(0).toISOString(),
    finished,
    resources: [],
    error: a.error ?? null,
  };
}

export async function startHetzner(options: {
  tokens: Record<string, 'read' | 'read_write'>;
  zones: string[];
  /** Reads of an action that answer `running` before it ends (default 1). */
  actionPolls?: number;
}): Promise<FakeHetzner> {
  const rrsets: FakeRRSet[] = [];
  const actions: FakeAction[] = [];
  const actionFailures: { code: string; message: string }[] = [];
  let actionId = 1;
  const find = (zone: string, name: string, type: string): FakeRRSet | undefined => rrsets.find((r) => r.zone === zone && r.name === name && r.type === type);
  const finish = (a: FakeAction): void => {
    a.error = actionFailures.shift();
    a.status = a.error ? 'error' : 'success';
    if (!a.error) a.apply();
  };
  /** Starts an action that applies `apply` when it succeeds; answered `running` (or at once done with actionPolls 0). */
  const action = (res: ServerResponse, zone: string, command: string, apply: () => void, extra: Record<string, unknown> = {}): void => {
    const a: FakeAction = { id: actionId++, command, zone, polls: options.actionPolls ?? 1, apply, error: undefined, status: 'running' };
    actions.push(a);
    if (a.polls === 0) finish(a);
    json(res, 201, { action: actionJson(a), ...extra });
  };
  const readAction = (res: ServerResponse, id: number): void => {
    const a = actions.find((x) => x.id === id);
    if (!a) return fail(res, 'not_found');
    if (a.status === 'running' && a.polls-- <= 1) finish(a);
    json(res, 200, { action: actionJson(a) });
  };
  const busy = (zone: string): boolean => actions.some((a) => a.zone === zone && a.status === 'running');
  const validValues = (type: string, records: unknown): records is { value: string; comment?: string }[] =>
    Array.isArray(records) &&
    records.length > 0 &&
    new Set(records.map((r: { value?: unknown }) => r?.value)).size === records.length &&
    records.every(
      (r: { value?: unknown; comment?: unknown }) =>
        typeof r?.value === 'string' &&
        (r.comment === undefined || typeof r.comment === 'string') &&
        (type === 'A' ? /^\d+(\.\d+){3}$/.test(r.value) : /^[0-9a-f:]+$/i.test(r.value)),
    );
  const stored = (records: { value: string; comment?: string }[]) => records.map((r) => ({ value: r.value, comment: r.comment ?? '' }));

  /** add_records: appended to the RRSet, which is created when there is none. */
  const addRecords = (res: ServerResponse, zone: string, name: string, type: string, body: { ttl?: number; records?: unknown }): void => {
    const existing = find(zone, name, type);
    if (!validValues(type, body.records)) return fail(res, 'invalid_input');
    const records = stored(body.records);
    if (existing && (records.some((r) => existing.records.some((x) => x.value === r.value)) || (body.ttl !== undefined && existing.ttl !== null && existing.ttl !== body.ttl))) {
      return fail(res, 'invalid_input');
    }
    return action(res, zone, 'add_rrset_records', () => {
      const now = find(zone, name, type);
      if (now) now.records.push(...records);
      else rrsets.push({ zone, name, type, ttl: body.ttl ?? null, records });
    });
  };

  const fake = await startFake((req, res) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const scope = options.tokens[token];
    if (token.length !== 64 || !scope) return fail(res, 'unauthorized');
    const actionPath = /^\/v1\/zones\/actions\/(\d+)$/.exec(req.url.pathname);
    if (req.method === 'GET' && actionPath) return readAction(res, Number(actionPath[1]));
    const m = /^\/v1\/zones\/([^/]+)(?:\/rrsets(?:\/([^/]+)\/([A-Z]+)(?:\/actions\/([a-z_]+))?)?)?$/.exec(req.url.pathname);
    const zone = decodeURIComponent(m?.[1] ?? '');
    if (!m || !options.zones.includes(zone)) return fail(res, 'not_found');
    if (req.method === 'GET' && req.url.pathname === `/v1/zones/${m[1]}`)
      return json(res, 200, { zone: { id: options.zones.indexOf(zone) + 1, name: zone, mode: 'primary', ttl: 3600 } });
    if (req.method !== 'GET' && scope !== 'read_write') return fail(res, 'forbidden');
    const body = req.body ? (JSON.parse(req.body) as { name?: string; type?: string; ttl?: number; records?: unknown }) : {};
    const [name, type, verb] = [m[2] === undefined ? undefined : decodeURIComponent(m[2]), m[3], m[4]];
    if (req.method === 'POST' && busy(zone)) return fail(res, 'locked');
    if (name === undefined && req.method === 'POST') {
      const [n, t] = [String(body.name), String(body.type)];
      if (find(zone, n, t)) return fail(res, 'uniqueness_error');
      if (!validValues(t, body.records)) return fail(res, 'invalid_input');
      const rrset: FakeRRSet = { zone, name: n, type: t, ttl: body.ttl ?? null, records: stored(body.records) };
      return action(res, zone, 'create_rrset', () => rrsets.push(rrset), { rrset: { id: `${n}/${t}`, ...rrset } });
    }
    if (req.method === 'POST' && verb === 'add_records' && name !== undefined && type !== undefined) return addRecords(res, zone, name, type, body);
    const rrset = name === undefined || type === undefined ? undefined : find(zone, name, type);
    if (!rrset) return fail(res, 'not_found');
    if (req.method === 'GET' && verb === undefined)
      return json(res, 200, {
        rrset: { id: `${rrset.name}/${rrset.type}`, ...rrset, zone: options.zones.indexOf(zone) + 1, labels: rrset.labels ?? {}, protection: { change: false } },
      });
    if (req.method === 'POST' && verb === 'set_records') {
      if (!validValues(rrset.type, body.records)) return fail(res, 'invalid_input');
      const records = stored(body.records);
      return action(res, zone, 'set_rrset_records', () => (rrset.records = records));
    }
    if (req.method === 'POST' && verb === 'remove_records') {
      if (!validValues(rrset.type, body.records) || body.records.some((r) => !rrset.records.some((x) => x.value === r.value))) return fail(res, 'invalid_input');
      const gone = new Set(body.records.map((r) => r.value));
      return action(res, zone, 'remove_rrset_records', () => {
        rrset.records = rrset.records.filter((r) => !gone.has(r.value));
        if (rrset.records.length === 0) rrsets.splice(rrsets.indexOf(rrset), 1);
      });
    }
    if (req.method === 'POST' && verb === 'change_ttl') {
      const ttl = body.ttl ?? null;
      return action(res, zone, 'change_rrset_ttl', () => (rrset.ttl = ttl));
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
    failNextAction(code: string, message: string) {
      actionFailures.push({ code, message });
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
