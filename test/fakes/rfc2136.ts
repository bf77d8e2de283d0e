/**
 * An authoritative DNS server for one zone that accepts RFC 2136 UPDATE
 * signed with one TSIG key and answers plain A/AAAA queries, on loopback UDP
 * and TCP. Counts what it received. Rule by rule:
 * - UPDATE with a zone section, prerequisites and an update section (adds, RRset and RR deletes, in
 *   order: RFC 2136 sections 2.5 and 3.4.2); RCODEs NOERROR, FORMERR,
 *   SERVFAIL, NOTIMP, REFUSED, NOTAUTH, NOTZONE: RFC 2136 sections 2 and 3 (rfc-editor.org/rfc/rfc2136).
 * - TSIG: a wrong key is answered NOTAUTH with TSIG error BADKEY, a wrong signature BADSIG, a time
 *   outside the fudge BADTIME with the server's time in "other data"; answers are signed with the
 *   same key: RFC 8945 sections 5.2 and 5.3 (rfc-editor.org/rfc/rfc8945).
 * - Those answers are what BIND's named sends: ddclient `ddclient.in` (nic_nsupdate_update) hands the
 *   update to nsupdate against BIND; as BIND logs and answers them: guess from BIND's manual
 *   (bind9.readthedocs.io, "Dynamic Update"), not from a captured exchange.
 * - An UPDATE for a zone the server is not authoritative for: NOTAUTH (RFC 2136 section 3.1.1).
 * - An unsigned UPDATE is REFUSED: guess, what BIND does when allow-update names only a key.
 * - A query for a name that is a CNAME answers the CNAME (RFC 1034 section 3.6.2); queries for
 *   names outside the zone are REFUSED (RFC 1035 section 4.1.1).
 */
import dnsPacket, { type Packet } from 'dns-packet';
import { appendTsig, decodeTsigSecret, signMessage, TSIG_ERROR, verifyMessage, type TsigKey } from '../../providers/kit/index.js';
import type { ConformanceTable } from '../helpers/conformance.js';
import { garbageFor, startRawDnsFake } from './dns.js';

type RType = 'A' | 'AAAA';
const TYPE_OF: Record<number, RType> = { 1: 'A', 28: 'AAAA' };

export interface ZoneRecord {
  data: string;
  ttl: number;
}

export interface Received {
  transport: 'udp' | 'tcp';
  opcode: 'QUERY' | 'UPDATE';
}

export interface FakeRfc2136 {
  host: string;
  port: number;
  /** `host` or `[::1]` with the port, as the entry's `server` takes it. */
  server: string;
  zone: string;
  key: { name: string; algorithm: TsigKey['algorithm']; secret: string };
  /** `name/TYPE` → records. */
  records: Map<string, ZoneRecord[]>;
  /** Names that are aliases: name → target. */
  cnames: Map<string, string>;
  received: Received[];
  updates(): number;
  /** From now on: garbage or silence for every message; unsigned answers to queries; for updates, this RCODE or an unsigned or forged NOERROR. */
  misbehave(how: 'garbage' | 'drop' | 'unsigned-queries' | 'unsigned' | 'forged' | 'SERVFAIL' | 'REFUSED' | 'NOTZONE' | undefined): void;
  close(): Promise<void>;
}

export interface FakeOptions {
  zone: string;
  keyName?: string;
  algorithm?: TsigKey['algorithm'];
  secret?: string;
  /** The server's clock; without it, request times are not checked. */
  now?: () => number;
  host?: string;
}

function readName(buf: Buffer, start: number): { name: string; end: number } {
  const labels: string[] = [];
  let at = start;
  let end: number | undefined;
  for (let hops = 0; hops < 64; hops++) {
    const len = buf.readUInt8(at);
    if ((len & 0xc0) === 0xc0) {
      end ??= at + 2;
      at = buf.readUInt16BE(at) & 0x3fff;
      continue;
    }
    if (len === 0) return { name: labels.join('.').toLowerCase(), end: end ?? at + 1 };
    labels.push(buf.toString('latin1', at + 1, at + 1 + len));
    at += len + 1;
  }
  throw new Error('name compression loop');
}

interface UpdateRR {
  name: string;
  type: number;
  klass: number;
  ttl: number;
  data: Buffer;
}

/** The zone and the update section of an UPDATE message, read by hand (dns-packet cannot read empty A data). */
function parseUpdate(msg: Buffer): { zone: string; rrs: UpdateRR[] } {
  const zone = readName(msg, 12);
  let at = zone.end + 4;
  const rrs: UpdateRR[] = [];
  const prereqs = msg.readUInt16BE(6);
  const count = msg.readUInt16BE(8);
  for (let i = 0; i < prereqs + count; i++) {
    const owner = readName(msg, at);
    const len = msg.readUInt16BE(owner.end + 8);
    const rr = {
      name: owner.name,
      type: msg.readUInt16BE(owner.end),
      klass: msg.readUInt16BE(owner.end + 2),
      ttl: msg.readUInt32BE(owner.end + 4),
      data: msg.subarray(owner.end + 10, owner.end + 10 + len),
    };
    if (i >= prereqs) rrs.push(rr);
    at = owner.end + 10 + len;
  }
  return { zone: zone.name, rrs };
}

/**
 * The update section applied in order (RFC 2136 section 3.4.2): class ANY
 * with a type deletes that RRset, with type ANY every RRset of the name
 * (section 2.5.2, 2.5.3; here the A and AAAA ones); class NONE deletes the
 * one RR with that data (section 2.5.4); the zone's class adds it, an RR
 * with the same data replacing the one there (section 3.4.2.2).
 */
function applyUpdate(records: Map<string, ZoneRecord[]>, rrs: UpdateRR[]): void {
  for (const rr of rrs) {
    if (rr.klass === 255 && rr.type === 255) {
      for (const type of Object.values(TYPE_OF)) records.delete(`${rr.name}/${type}`);
      continue;
    }
    const type = TYPE_OF[rr.type];
    if (!type) continue;
    const key = `${rr.name}/${type}`;
    if (rr.klass === 255) records.delete(key);
    else if (rr.klass === 1 || rr.klass === 254) {
      const data = type === 'A' ? [...rr.data].join('.') : (dnsPacket.decode(answerWith(rr)).answers?.[0] as { data: string }).data;
      const others = (records.get(key) ?? []).filter((r) => r.data !== data);
      const kept = rr.klass === 1 ? [...others, { data, ttl: rr.ttl }] : others;
      if (kept.length > 0) records.set(key, kept);
      else records.delete(key);
    }
  }
}

/** A one-record message holding `rr`, so dns-packet can spell its AAAA data. */
function answerWith(rr: UpdateRR): Buffer {
  const head = Buffer.from([0, 0, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, rr.type, 0, 1, 0, 0, 0, 0, 0, rr.data.length]);
  return Buffer.concat([head, rr.data]);
}

const RCODE = { NOERROR: 0, SERVFAIL: 2, REFUSED: 5, NOTAUTH: 9, NOTZONE: 10 } as const;

export async function startRfc2136(options: FakeOptions): Promise<FakeRfc2136> {
  const key: TsigKey = { name: options.keyName ?? 'ddnsd-key', algorithm: options.algorithm ?? 'hmac-sha256', secret: Buffer.alloc(0) };
  const secret = options.secret ?? 'c2VjcmV0LWZvci10aGUtZmFrZS1ybmMyMTM2LXNlcnZlcg==';
  key.secret = decodeTsigSecret(secret) ?? Buffer.alloc(0);
  const records = new Map<string, ZoneRecord[]>();
  const cnames = new Map<string, string>();
  const received: Received[] = [];
  let misbehaving: Parameters<FakeRfc2136['misbehave']>[0];

  const response = (msg: Buffer, rcode: number): Buffer =>
    dnsPacket.encode({
      type: 'response',
      id: msg.readUInt16BE(0),
      flags: (5 << 11) | dnsPacket.AUTHORITATIVE_ANSWER | rcode,
      questions: [{ name: options.zone, type: 'SOA', class: 'IN' }],
    });

  const query = (msg: Buffer): Buffer => {
    const q = dnsPacket.decode(msg);
    const question = q.questions?.[0];
    const name = question?.name.toLowerCase() ?? '';
    const inZone = name === options.zone || name.endsWith(`.${options.zone}`);
    const alias = cnames.get(name);
    const answers: Packet['answers'] = alias
      ? [{ name, type: 'CNAME', ttl: 300, data: alias }]
      : (records.get(`${name}/${question?.type}`) ?? []).map((r) => ({ name, type: question?.type as RType, ttl: r.ttl, data: r.data }));
    return dnsPacket.encode({ type: 'response', id: q.id ?? 0, flags: dnsPacket.AUTHORITATIVE_ANSWER | (inZone ? 0 : RCODE.REFUSED), questions: q.questions ?? [], answers });
  };

  /** Checks the request's signature, then answers a query or applies an update, signing the answer. */
  const answer = (msg: Buffer, opcode: number): Buffer => {
    const check = verifyMessage(msg, key, { now: options.now?.() ?? Date.now() });
    if (check.verdict === 'unsigned') return opcode === 5 ? response(msg, RCODE.REFUSED) : query(msg);
    const requestMac = check.tsig.mac;
    const now = options.now ? options.now() : check.tsig.timeSigned * 1000;
    // Failed signatures are answered as BIND does: NOTAUTH, the TSIG error, no MAC.
    const unsignedError = (error: number): Buffer =>
      appendTsig(
        response(msg, RCODE.NOTAUTH),
        { name: check.tsig.keyName, algorithm: key.algorithm },
        { timeSigned: Math.floor(now / 1000), fudge: 300, mac: Buffer.alloc(0), error, otherData: Buffer.alloc(0) },
      );
    if (check.verdict === 'wrong-key') return unsignedError(TSIG_ERROR.BADKEY);
    if (check.verdict === 'bad-signature') return unsignedError(TSIG_ERROR.BADSIG);
    if (check.verdict === 'bad-time' && options.now) {
      const other = Buffer.alloc(6);
      other.writeUIntBE(Math.floor(now / 1000), 0, 6);
      return signMessage(response(msg, RCODE.NOTAUTH), key, { now, requestMac, error: TSIG_ERROR.BADTIME, otherData: other }).message;
    }
    if (opcode !== 5) return misbehaving === 'unsigned-queries' ? query(msg) : signMessage(query(msg), key, { now, requestMac }).message;
    const { zone, rrs } = parseUpdate(msg);
    const rcode = misbehaving === 'SERVFAIL' || misbehaving === 'REFUSED' || misbehaving === 'NOTZONE' ? RCODE[misbehaving] : zone !== options.zone ? RCODE.NOTAUTH : RCODE.NOERROR;
    if (rcode === RCODE.NOERROR) applyUpdate(records, rrs);
    if (misbehaving === 'unsigned') return response(msg, rcode);
    const answer = signMessage(response(msg, rcode), key, { now, requestMac }).message;
    if (misbehaving === 'forged') answer[answer.length - 10] = (answer[answer.length - 10] ?? 0) ^ 0xff;
    return answer;
  };

  const fake = await startRawDnsFake(async (msg, transport) => {
    const opcode = ((msg[2] ?? 0) >> 3) & 0x0f;
    received.push({ transport, opcode: opcode === 5 ? 'UPDATE' : 'QUERY' });
    if (misbehaving === 'drop') return undefined;
    if (misbehaving === 'garbage') return garbageFor(msg);
    return answer(msg, opcode);
  }, options.host ?? '127.0.0.1');
  return {
    ...fake,
    server: fake.host.includes(':') ? `[${fake.host}]:${fake.port}` : `${fake.host}:${fake.port}`,
    zone: options.zone,
    key: { name: key.name, algorithm: key.algorithm, secret },
    records,
    cnames,
    received,
    updates: () => received.filter((r) => r.opcode === 'UPDATE').length,
    misbehave: (how) => {
      misbehaving = how;
    },
  };
}

const ZONE = 'conform.test';
const SECRET = 'Y29uZm9ybWFuY2UtdHNpZy1zZWNyZXQtOWE0Yg==';

export const conformance: ConformanceTable = {
  rfc2136: {
    async start() {
      const fake = await startRfc2136({ zone: ZONE, secret: SECRET });
      return {
        hosts: [`office.${ZONE}`],
        entry: (credentials) => ({
          type: 'rfc2136',
          server: fake.server,
          zone: ZONE,
          key_name: 'ddnsd-key',
          key_secret: credentials === 'right' ? SECRET : 'd3JvbmctdHNpZy1zZWNyZXQtMDAwMA==',
          hosts: [`office.${ZONE}`],
        }),
        secrets: [SECRET],
        requests: () => fake.received.length,
        answerGarbage: () => fake.misbehave('garbage'),
        close: () => fake.close(),
      };
    },
  },
};
