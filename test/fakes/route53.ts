/**
 * An Amazon Route 53 API (2013-04-01) server, rule by rule with its source.
 * - Every request signed with SigV4 for route53 in us-east-1; the signature is checked by signing
 *   the request again with the known secret: https://docs.aws.amazon.com/general/latest/gr/sigv4_signing.html
 *   and https://docs.aws.amazon.com/general/latest/gr/r53.html (route53 signs in us-east-1);
 *   qdm12/ddns-updater `internal/provider/providers/route53/signer.go` signs the same way.
 * - `GET /2013-04-01/hostedzonesbyname?dnsname=&maxitems=`, zones in Route 53's order (labels
 *   reversed): https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListHostedZonesByName.html.
 * - `GET /2013-04-01/hostedzone/{id}/rrset?name=&type=&maxitems=`: the listing starts at that name
 *   and type, in the same order: https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListResourceRecordSets.html.
 * - `POST /2013-04-01/hostedzone/{id}/rrset/` with a ChangeBatch of UPSERTs, answered with a PENDING
 *   ChangeInfo: https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html;
 *   ddns-updater `route53/api.go` sends the same UPSERT.
 * - One ResourceRecordSet per name and type holds every value (one ResourceRecord each); an UPSERT
 *   replaces TTL and values: https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html
 *   and API_Change.html ("UPSERT: ... updates it with the values in the request").
 * - A DELETE must name the set with all the same values, TTL included, in any order, else the batch is
 *   refused: https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html
 *   ("To delete a resource record set, you must specify all the same values"). The messages ("Tried to
 *   delete resource record set [name='…', type='A'] but it was not found" / "… but the values provided do
 *   not match the current values") are as Route 53 clients quote them; the exact form is a guess.
 * - Errors are `<ErrorResponse><Error><Type/><Code/><Message/></Error>`; InvalidClientTokenId and
 *   SignatureDoesNotMatch are 403: https://docs.aws.amazon.com/Route53/latest/APIReference/CommonErrors.html.
 * - A refused change batch is its own document, `<InvalidChangeBatch><Messages><Message>`
 *   (API_ChangeResourceRecordSets, Errors; aws-sdk-go `service/route53/unmarshal_error.go`).
 * - A CNAME at the name refuses an A/AAAA there (RFC 1034 section 3.6.2); the message's wording is
 *   a guess of the form Route 53 uses.
 * - A key whose IAM policy lacks route53:ChangeResourceRecordSets gets 403 AccessDenied on the change
 *   ("… is not authorized to perform: route53:ChangeResourceRecordSets …"): guess of the message's form,
 *   https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/access-control-overview.html for the permission.
 */
import type { ServerResponse } from 'node:http';
import aws4 from 'aws4';
import { XMLParser } from 'fast-xml-parser';
import { httpFake, type ConformanceTable } from '../helpers/conformance.js';
import { send, startFake, type FakeServer, type Recorded } from './server.js';

export interface FakeRecordSet {
  zoneId: string;
  /** Fully qualified, with the final dot. */
  name: string;
  type: string;
  ttl: number;
  values: string[];
}

export interface FakeRoute53 extends FakeServer {
  sets: FakeRecordSet[];
  find(host: string, type: string): FakeRecordSet | undefined;
  /** `METHOD path` of each request. */
  calls(): string[];
  /** Answer the next N requests with this error (HTTP status and code). */
  failNext(count: number, status: number, code: string, headers?: Record<string, string>): void;
}

const XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';

function xml(res: ServerResponse, status: number, body: string): void {
  send(res, status, `<?xml version="1.0"?>\n${body}`, { 'content-type': 'text/xml', 'x-amzn-requestid': 'a1b2c3d4-0000-0000-0000-000000000000' });
}

/**
 * A refused change batch: its own document, not ErrorResponse
 * (https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html, Errors;
 * aws-sdk-go `service/route53/unmarshal_error.go` reads `InvalidChangeBatch/Messages/Message`).
 */
export function invalidBatchXml(messages: string[]): string {
  const items = messages.map((m) => `<Message>${m}</Message>`).join('');
  return `<?xml version="1.0"?>\n<InvalidChangeBatch xmlns="${XMLNS}"><Messages>${items}</Messages><RequestId>b2c3d4e5</RequestId></InvalidChangeBatch>`;
}

function invalidBatch(res: ServerResponse, messages: string[]): void {
  send(res, 400, invalidBatchXml(messages), { 'content-type': 'text/xml' });
}

export function errorXml(code: string, message: string): string {
  return `<?xml version="1.0"?>\n<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>a1b2c3d4</RequestId></ErrorResponse>`;
}

/** Route 53 lists names with their labels reversed (com.example.office), then by type. */
const order = (name: string, type: string): string => `${name.replace(/\.$/, '').split('.').reverse().join('.')} ${type}`;

/** Whether the request carries a valid SigV4 signature by this key pair for route53 in us-east-1. */
function signedBy(req: Recorded, keys: Record<string, string>): boolean {
  const auth = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/us-east-1\/route53\/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/.exec(
    String(req.headers.authorization ?? ''),
  );
  const secret = auth ? keys[auth[1] ?? ''] : undefined;
  if (!auth || secret === undefined) return false;
  const headers: Record<string, string> = {};
  for (const name of (auth[3] ?? '').split(';')) headers[name] = String(req.headers[name] ?? '');
  if (!headers.host || !headers['x-amz-date']?.startsWith(auth[2] ?? '-')) return false;
  const again = aws4.sign(
    { host: headers.host, path: `${req.url.pathname}${req.url.search}`, method: req.method, service: 'route53', region: 'us-east-1', headers, body: req.body },
    { accessKeyId: auth[1] ?? '', secretAccessKey: secret },
  );
  return again.headers?.Authorization === req.headers.authorization;
}

export async function startRoute53(options: {
  /** Access key id → secret access key. */
  keys: Record<string, string>;
  /** Zone name → id; `private` marks a private zone. */
  zones: Record<string, string | { id: string; private: true }>;
  /** Access key ids whose policy allows reading but not route53:ChangeResourceRecordSets. */
  readOnly?: string[];
}): Promise<FakeRoute53> {
  const sets: FakeRecordSet[] = [];
  const zones = Object.entries(options.zones).map(([name, z]) => (typeof z === 'string' ? { name: `${name}.`, id: z, private: false } : { name: `${name}.`, ...z }));
  const parser = new XMLParser({ parseTagValue: false, ignoreAttributes: true, isArray: (name) => ['Change', 'ResourceRecord'].includes(name) });
  const find = (name: string, type: string): FakeRecordSet | undefined => sets.find((s) => s.name === name && s.type === type);
  const fail = (res: ServerResponse, status: number, code: string, message: string): void => send(res, status, errorXml(code, message), { 'content-type': 'text/xml' });

  const change = (res: ServerResponse, zone: (typeof zones)[number], body: string): void => {
    const changes =
      (
        parser.parse(body) as {
          ChangeResourceRecordSetsRequest?: {
            ChangeBatch?: {
              Changes?: {
                Change?: { Action: string; ResourceRecordSet: { Name: string; Type: string; TTL: string; ResourceRecords?: { ResourceRecord?: { Value: string }[] } } }[];
              };
            };
          };
        }
      ).ChangeResourceRecordSetsRequest?.ChangeBatch?.Changes?.Change ?? [];
    if (changes.length === 0) return fail(res, 400, 'InvalidInput', 'Invalid XML ; no changes');
    for (const c of changes) {
      const s = c.ResourceRecordSet;
      const values = (s.ResourceRecords?.ResourceRecord ?? []).map((r) => r.Value);
      const valid = values.length > 0 && values.every((v) => (s.Type === 'A' ? /^\d+(\.\d+){3}$/.test(v) : /^[0-9a-f:]+$/i.test(v)));
      if (!['UPSERT', 'DELETE'].includes(c.Action) || !valid || !(s.Name === zone.name || s.Name.endsWith(`.${zone.name}`))) {
        return invalidBatch(res, [`Invalid Resource Record: FATAL problem: ${s.Name} ${s.Type} encountered with '${values.join(' ')}'`]);
      }
      if (find(s.Name, 'CNAME') && s.Type !== 'CNAME') {
        return invalidBatch(res, [
          `RRSet of type ${s.Type} with DNS name ${s.Name} is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone ${zone.name}`,
        ]);
      }
      const existing = find(s.Name, s.Type);
      if (c.Action === 'DELETE') {
        const what = `Tried to delete resource record set [name='${s.Name}', type='${s.Type}'] but`;
        if (!existing) return invalidBatch(res, [`${what} it was not found`]);
        const same = existing.ttl === Number(s.TTL) && existing.values.length === values.length && values.every((v) => existing.values.includes(v));
        if (!same) return invalidBatch(res, [`${what} the values provided do not match the current values`]);
        sets.splice(sets.indexOf(existing), 1);
      } else if (existing) Object.assign(existing, { ttl: Number(s.TTL), values });
      else sets.push({ zoneId: zone.id, name: s.Name, type: s.Type, ttl: Number(s.TTL), values });
    }
    return xml(
      res,
      200,
      `<ChangeResourceRecordSetsResponse xmlns="${XMLNS}"><ChangeInfo><Id>/change/C2682N5HXP0BZ4</Id><Status>PENDING</Status><SubmittedAt>2026-11-29T08:00:00.000Z</SubmittedAt><Comment>ddnsd</Comment></ChangeInfo></ChangeResourceRecordSetsResponse>`,
    );
  };

  const fake = await startFake((req, res) => {
    if (!signedBy(req, options.keys)) {
      const known = Object.keys(options.keys).some((id) => String(req.headers.authorization).includes(`Credential=${id}/`));
      return known
        ? fail(res, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.')
        : fail(res, 403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    }
    const q = req.url.searchParams;
    if (req.method === 'GET' && req.url.pathname === '/2013-04-01/hostedzonesbyname') {
      const from = `${(q.get('dnsname') ?? '').replace(/\.$/, '')}.`;
      const listed = [...zones]
        .sort((a, b) => order(a.name, '').localeCompare(order(b.name, '')))
        .filter((z) => order(z.name, '') >= order(from, ''))
        .slice(0, Number(q.get('maxitems') ?? 100));
      const items = listed.map(
        (z) =>
          `<HostedZone><Id>/hostedzone/${z.id}</Id><Name>${z.name}</Name><CallerReference>ref-${z.id}</CallerReference><Config><PrivateZone>${z.private}</PrivateZone></Config><ResourceRecordSetCount>2</ResourceRecordSetCount></HostedZone>`,
      );
      return xml(
        res,
        200,
        `<ListHostedZonesByNameResponse xmlns="${XMLNS}"><HostedZones>${items.join('')}</HostedZones><DNSName>${from}</DNSName><IsTruncated>false</IsTruncated><MaxItems>${q.get('maxitems') ?? 100}</MaxItems></ListHostedZonesByNameResponse>`,
      );
    }
    const m = /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/.exec(req.url.pathname);
    const zone = zones.find((z) => z.id === m?.[1]);
    if (!m) return fail(res, 404, 'UnknownOperationException', 'Unknown operation');
    if (!zone) return fail(res, 404, 'NoSuchHostedZone', `No hosted zone found with ID: ${m[1]}`);
    if (req.method === 'POST' && options.readOnly?.some((id) => String(req.headers.authorization).includes(`Credential=${id}/`))) {
      return fail(
        res,
        403,
        'AccessDenied',
        `User: arn:aws:iam::123456789012:user/ddnsd is not authorized to perform: route53:ChangeResourceRecordSets on resource: arn:aws:route53:::hostedzone/${zone.id}`,
      );
    }
    if (req.method === 'POST') return change(res, zone, req.body);
    const key = order(q.get('name') ?? '', q.get('type') ?? '');
    const listed = sets
      .filter((s) => s.zoneId === zone.id)
      .sort((a, b) => order(a.name, a.type).localeCompare(order(b.name, b.type)))
      .filter((s) => order(s.name, s.type) >= key)
      .slice(0, Number(q.get('maxitems') ?? 100));
    const items = listed.map(
      (s) =>
        `<ResourceRecordSet><Name>${s.name}</Name><Type>${s.type}</Type><TTL>${s.ttl}</TTL><ResourceRecords>${s.values.map((v) => `<ResourceRecord><Value>${v}</Value></ResourceRecord>`).join('')}</ResourceRecords></ResourceRecordSet>`,
    );
    return xml(
      res,
      200,
      `<ListResourceRecordSetsResponse xmlns="${XMLNS}"><ResourceRecordSets>${items.join('')}</ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>${q.get('maxitems') ?? 100}</MaxItems></ListResourceRecordSetsResponse>`,
    );
  });

  return Object.assign(fake, {
    sets,
    find: (host: string, type: string) => find(`${host}.`, type),
    calls: () => fake.requests.map((r) => `${r.method} ${r.url.pathname}`),
    failNext(count: number, status: number, code: string, headers: Record<string, string> = {}) {
      fake.misbehaveNext(count, {
        kind: 'answer',
        status,
        headers: { 'content-type': 'text/xml', ...headers },
        body: errorXml(code, code === 'Throttling' ? 'Rate exceeded' : 'error'),
      });
    },
  });
}

const KEY_ID = 'AKIACONFORMANCE0TEST';
const SECRET = 'conformance/route53/secret+key0123456789abcdef';

export const conformance: ConformanceTable = {
  route53: {
    async start() {
      const fake = await startRoute53({ keys: { [KEY_ID]: SECRET }, zones: { 'example.org': 'Z0CONFORMANCE1' } });
      return {
        ...httpFake(fake),
        hosts: ['conform.example.org'],
        entry: (credentials) => ({
          type: 'route53',
          endpoint: fake.url,
          access_key_id: KEY_ID,
          secret_access_key: credentials === 'right' ? SECRET : 'wrong/secret/key',
          hosts: ['conform.example.org'],
        }),
        secrets: [KEY_ID, SECRET],
      };
    },
  },
};
