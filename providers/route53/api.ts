/**
 * The Amazon Route 53 API (2013-04-01, XML, SigV4 for route53 in us-east-1)
 * calls ddnsd makes: ListHostedZonesByName, ListResourceRecordSets for one
 * name and type, and ChangeResourceRecordSets with one UPSERT (or, when
 * ddnsd stops with delete_on_stop, one DELETE naming the set exactly as it
 * was read: Route 53 deletes a set only when TTL and values match). Errors are
 * `<ErrorResponse><Error><Code>…`: Throttling and PriorRequestNotComplete
 * are `transient` (retried with backoff), rejected or under-privileged keys
 * `auth`, the errors these calls document as the request's own fault
 * (NoSuchHostedZone, InvalidInput, InvalidDomainName) `fatal`, any other
 * code `bad-response`, 429 rate-limited, 5xx transient. A refused change
 * batch comes as its own document, `<InvalidChangeBatch><Messages><Message>`
 * (API_ChangeResourceRecordSets, aws-sdk-go `service/route53/unmarshal_error.go`):
 * `fatal`, with Route 53's messages.
 */
import { DdnsError, parseXml, quoteAnswer, signAws, statusFailure, xmlList, xmlText, type AwsCredentials, type Clock, type HttpClient, type RecordType } from '../kit/index.js';

export interface RecordSet {
  ttl: number;
  values: string[];
}

export interface Route53Api {
  /** The id (`Z…`) of the public hosted zone called exactly `name`, if the keys see one. */
  findZone(name: string, signal: AbortSignal): Promise<string | undefined>;
  /** The record set of a fully qualified name and type, or undefined when there is none. */
  getRecords(zoneId: string, host: string, type: RecordType, signal: AbortSignal): Promise<RecordSet | undefined>;
  /** Creates the record set or replaces its TTL and values. */
  upsert(zoneId: string, host: string, type: RecordType, set: RecordSet, signal: AbortSignal): Promise<void>;
  /** Deletes the record set; `set` must be exactly the current one (its TTL and values). */
  deleteSet(zoneId: string, host: string, type: RecordType, set: RecordSet, signal: AbortSignal): Promise<void>;
}

const XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';
const SLOW_DOWN = new Set(['Throttling', 'ThrottlingException', 'PriorRequestNotComplete']);
/** Errors ChangeResourceRecordSets, ListResourceRecordSets and ListHostedZonesByName document as the request's own fault. */
const REFUSED = new Set(['NoSuchHostedZone', 'InvalidInput', 'InvalidDomainName', 'InvalidChangeBatch']);
const AUTH = new Set([
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'AccessDeniedException',
  'ExpiredToken',
  'UnrecognizedClientException',
  'IncompleteSignature',
]);

type Xml = Record<string, unknown>;

/** `<Root><a><b>` as `path(doc, 'Root', 'a', 'b')`. */
function path(doc: unknown, ...names: string[]): unknown {
  return names.reduce<unknown>((node, name) => (typeof node === 'object' && node !== null ? (node as Xml)[name] : undefined), doc);
}

/** A refused change batch: Route 53's messages, each naming the record set and why. */
function invalidBatch(doc: Xml | undefined, where: string): DdnsError | undefined {
  const batch = path(doc, 'InvalidChangeBatch');
  if (batch === undefined) return undefined;
  const messages = xmlList(path(batch, 'Messages', 'Message')).map((m) => String(m).slice(0, 300));
  const said = messages.length > 0 ? messages.join('; ') : 'no message given';
  return new DdnsError('fatal', `${where}: Route 53 refused the change (InvalidChangeBatch): ${said}`);
}

function failure(status: number, doc: Xml | undefined, where: string): DdnsError | undefined {
  const refusedBatch = invalidBatch(doc, where);
  if (refusedBatch) return refusedBatch;
  const code = String(path(doc, 'ErrorResponse', 'Error', 'Code') ?? '');
  if (code === '') return undefined;
  const detail = `${code}: ${String(path(doc, 'ErrorResponse', 'Error', 'Message') ?? '').slice(0, 200)}`;
  if (SLOW_DOWN.has(code)) return new DdnsError('transient', `${where}: Route 53 asks to slow down (${detail}); retrying with backoff`);
  if (AUTH.has(code) || status === 403) {
    return new DdnsError(
      'auth',
      `${where}: the access key was refused (HTTP ${status}, ${detail}); use an IAM access key whose policy allows route53:ListHostedZonesByName, route53:ListResourceRecordSets and route53:ChangeResourceRecordSets on the hosted zone`,
    );
  }
  if (status >= 500) return new DdnsError('transient', `${where}: server error (HTTP ${status}, ${detail})`);
  return new DdnsError(REFUSED.has(code) ? 'fatal' : 'bad-response', `${where}: refused (HTTP ${status}, ${detail})`);
}

export function createRoute53Api(deps: { endpoint: string; credentials: AwsCredentials; http: HttpClient; clock: Clock }): Route53Api {
  const call = async (method: 'GET' | 'POST', pathAndQuery: string, what: string, signal: AbortSignal, body?: string): Promise<Xml> => {
    const where = `Route 53 (${method} ${pathAndQuery.replace(/\?.*$/, '')}) while ${what}`;
    const url = `${deps.endpoint}${pathAndQuery}`;
    const headers = body === undefined ? {} : { 'content-type': 'text/xml' };
    const signed = await signAws({ method, url, headers, ...(body === undefined ? {} : { body }) }, deps.credentials, {
      service: 'route53',
      region: 'us-east-1',
      nowMs: deps.clock.now(),
    });
    const res = await deps.http.request({ url, method, headers: { ...headers, ...signed, accept: 'text/xml' }, ...(body === undefined ? {} : { body }), signal });
    const doc = await parseXml(res.text);
    if (res.status !== 200) {
      const refused = res.status === 429 ? undefined : failure(res.status, doc, where);
      const fallback = statusFailure(res, where, deps.clock.now());
      throw refused ?? fallback ?? new DdnsError('bad-response', `${where}: unexpected answer (HTTP ${res.status}): ${quoteAnswer(res.text)}`);
    }
    if (!doc) throw new DdnsError('bad-response', `${where}: the answer is not XML (HTTP 200): ${quoteAnswer(res.text)}`);
    return doc;
  };
  const zonePath = (zoneId: string): string => `/2013-04-01/hostedzone/${encodeURIComponent(zoneId)}`;
  const shape = (what: string): DdnsError => new DdnsError('bad-response', `Route 53 gave an answer without the expected elements while ${what}`);
  /** ChangeResourceRecordSets with one change of one set. */
  const change = async (action: 'UPSERT' | 'DELETE', zoneId: string, host: string, type: RecordType, set: RecordSet, signal: AbortSignal): Promise<void> => {
    const what = `${action === 'UPSERT' ? 'setting' : 'deleting'} the ${type} record of ${host}`;
    const records = set.values.map((v) => `<ResourceRecord><Value>${xmlText(v)}</Value></ResourceRecord>`).join('');
    const body =
      `<?xml version="1.0" encoding="UTF-8"?><ChangeResourceRecordSetsRequest xmlns="${XMLNS}"><ChangeBatch><Comment>ddnsd</Comment><Changes><Change><Action>${action}</Action>` +
      `<ResourceRecordSet><Name>${xmlText(host)}.</Name><Type>${type}</Type><TTL>${set.ttl}</TTL><ResourceRecords>${records}</ResourceRecords></ResourceRecordSet>` +
      `</Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`;
    const doc = await call('POST', `${zonePath(zoneId)}/rrset/`, what, signal, body);
    if (path(doc, 'ChangeResourceRecordSetsResponse', 'ChangeInfo', 'Id') === undefined) throw shape(what);
  };

  return {
    async findZone(name, signal) {
      const what = `looking up the hosted zone ${name}`;
      const doc = await call('GET', `/2013-04-01/hostedzonesbyname?${new URLSearchParams({ dnsname: name, maxitems: '10' })}`, what, signal);
      const zones = path(doc, 'ListHostedZonesByNameResponse', 'HostedZones');
      if (zones === undefined) throw shape(what);
      const zone = xmlList(path(zones, 'HostedZone')).find((z) => path(z, 'Name') === `${name}.` && path(z, 'Config', 'PrivateZone') !== 'true');
      return zone === undefined ? undefined : String(path(zone, 'Id')).replace(/^\/hostedzone\//, '');
    },
    async getRecords(zoneId, host, type, signal) {
      const what = `reading the ${type} records of ${host}`;
      const query = new URLSearchParams({ name: `${host}.`, type, maxitems: '1' });
      const doc = await call('GET', `${zonePath(zoneId)}/rrset?${query}`, what, signal);
      const sets = path(doc, 'ListResourceRecordSetsResponse', 'ResourceRecordSets');
      if (sets === undefined) throw shape(what);
      // The listing starts at the name and type asked for: the first set is another one when there is none of them.
      const set = xmlList(path(sets, 'ResourceRecordSet'))[0];
      if (set === undefined || path(set, 'Name') !== `${host}.` || path(set, 'Type') !== type) return undefined;
      return { ttl: Number(path(set, 'TTL') ?? 0), values: xmlList(path(set, 'ResourceRecords', 'ResourceRecord')).map((r) => String(path(r, 'Value'))) };
    },
    upsert: (zoneId, host, type, set, signal) => change('UPSERT', zoneId, host, type, set, signal),
    deleteSet: (zoneId, host, type, set, signal) => change('DELETE', zoneId, host, type, set, signal),
  };
}
