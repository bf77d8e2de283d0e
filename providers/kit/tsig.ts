/**
 * TSIG (RFC 8945): signing a DNS message with a shared HMAC key and
 * checking the signature of one, for requests and for the responses to them
 * (a response's MAC covers the request's MAC). Works on encoded messages, so
 * any DNS message ddnsd sends or a test server answers can be signed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { encodeName } from '../../src/base/dns.js';

/** The algorithms a key may use, as named in named.conf, with their wire names and digests. */
export const TSIG_ALGORITHMS = {
  'hmac-sha256': { wire: 'hmac-sha256', digest: 'sha256' },
  'hmac-sha512': { wire: 'hmac-sha512', digest: 'sha512' },
  'hmac-sha384': { wire: 'hmac-sha384', digest: 'sha384' },
  'hmac-sha224': { wire: 'hmac-sha224', digest: 'sha224' },
  'hmac-sha1': { wire: 'hmac-sha1', digest: 'sha1' },
  'hmac-md5': { wire: 'hmac-md5.sig-alg.reg.int', digest: 'md5' },
} as const;

export type TsigAlgorithm = keyof typeof TSIG_ALGORITHMS;

export interface TsigKey {
  /** The key's name, as in `key "<name>" { … }` of named.conf. */
  name: string;
  algorithm: TsigAlgorithm;
  secret: Buffer;
}

/** TSIG error codes (the RR's error field; the header then says NOTAUTH). */
export const TSIG_ERROR = { BADSIG: 16, BADKEY: 17, BADTIME: 18, BADTRUNC: 22 } as const;

/** The time window RFC 8945 recommends: a signature is good for 300 s either side. */
export const DEFAULT_FUDGE = 300;

const TYPE_TSIG = 250;
const CLASS_ANY = 255;

/** The TSIG record of a message, as read from the wire. */
export interface TsigRecord {
  keyName: string;
  /** The algorithm's wire name, lowercase (`hmac-sha256`). */
  algorithm: string;
  /** Seconds since the epoch. */
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  otherData: Buffer;
}

export interface SignOptions {
  /** Milliseconds since the epoch (an injected clock's now()). */
  now: number;
  fudge?: number;
  /** For a response: the MAC of the request it answers. */
  requestMac?: Buffer;
  error?: number;
  otherData?: Buffer;
}

/** `secret` as tsig-keygen prints it, decoded; undefined when it is not base64. */
export function decodeTsigSecret(secret: string): Buffer | undefined {
  const text = secret.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length > 0 ? bytes : undefined;
}

const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const u48 = (n: number): Buffer => {
  const b = Buffer.alloc(6);
  b.writeUIntBE(n, 0, 6);
  return b;
};

/** The TSIG variables the MAC covers after the message (RFC 8945, 4.3.3). */
function variables(key: TsigKey, t: Pick<TsigRecord, 'timeSigned' | 'fudge' | 'error' | 'otherData'>): Buffer {
  const classTtl = Buffer.alloc(6);
  classTtl.writeUInt16BE(CLASS_ANY);
  return Buffer.concat([
    encodeName(key.name),
    classTtl,
    encodeName(TSIG_ALGORITHMS[key.algorithm].wire),
    u48(t.timeSigned),
    u16(t.fudge),
    u16(t.error),
    u16(t.otherData.length),
    t.otherData,
  ]);
}

function computeMac(key: TsigKey, unsigned: Uint8Array, t: Pick<TsigRecord, 'timeSigned' | 'fudge' | 'error' | 'otherData'>, requestMac?: Buffer): Buffer {
  const hmac = createHmac(TSIG_ALGORITHMS[key.algorithm].digest, key.secret);
  if (requestMac) hmac.update(Buffer.concat([u16(requestMac.length), requestMac]));
  hmac.update(unsigned);
  hmac.update(variables(key, t));
  return hmac.digest();
}

/** `message` with a TSIG record appended (ARCOUNT raised), and the MAC that a response to it will cover. */
export function signMessage(message: Uint8Array, key: TsigKey, options: SignOptions): { message: Buffer; mac: Buffer } {
  const t = {
    timeSigned: Math.floor(options.now / 1000),
    fudge: options.fudge ?? DEFAULT_FUDGE,
    error: options.error ?? 0,
    otherData: options.otherData ?? Buffer.alloc(0),
  };
  const mac = computeMac(key, message, t, options.requestMac);
  return { message: appendTsig(message, key, { ...t, mac }), mac };
}

/**
 * `message` with a TSIG record of these fields appended. `signMessage` is
 * what senders want; a server answering a request whose signature failed
 * (BADSIG, BADKEY) sends such a record with an empty MAC.
 */
export function appendTsig(message: Uint8Array, key: Pick<TsigKey, 'name' | 'algorithm'>, t: Pick<TsigRecord, 'timeSigned' | 'fudge' | 'mac' | 'error' | 'otherData'>): Buffer {
  const rdata = Buffer.concat([
    encodeName(TSIG_ALGORITHMS[key.algorithm].wire),
    u48(t.timeSigned),
    u16(t.fudge),
    u16(t.mac.length),
    t.mac,
    u16(Buffer.from(message).readUInt16BE(0)),
    u16(t.error),
    u16(t.otherData.length),
    t.otherData,
  ]);
  const head = Buffer.alloc(10);
  head.writeUInt16BE(TYPE_TSIG, 0);
  head.writeUInt16BE(CLASS_ANY, 2);
  head.writeUInt16BE(rdata.length, 8);
  const signed = Buffer.concat([message, encodeName(key.name), head, rdata]);
  signed.writeUInt16BE(signed.readUInt16BE(10) + 1, 10);
  return signed;
}

/** The offset just past the (possibly compressed) name at `offset`. */
function skipName(buf: Buffer, offset: number): number {
  for (let at = offset; ;) {
    const len = buf.readUInt8(at);
    if (len === 0) return at + 1;
    if ((len & 0xc0) === 0xc0) return at + 2;
    if ((len & 0xc0) !== 0) throw new Error('bad label type');
    at += len + 1;
  }
}

/** A name that is not compressed (TSIG's names never are), lowercase, without the trailing dot. */
function readName(buf: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let at = offset;
  for (let len = buf.readUInt8(at); len !== 0; len = buf.readUInt8(at)) {
    if (len > 63) throw new Error('compressed or bad label in a TSIG record');
    labels.push(buf.toString('latin1', at + 1, at + 1 + len).toLowerCase());
    at += len + 1;
  }
  return { name: labels.join('.'), end: at + 1 };
}

/** The offset where the last additional record starts, when there is one. */
function lastRecordOffset(buf: Buffer): number | undefined {
  const [qd, an, ns, ar] = [4, 6, 8, 10].map((o) => buf.readUInt16BE(o)) as [number, number, number, number];
  if (ar === 0) return undefined;
  let at = 12;
  for (let i = 0; i < qd; i++) at = skipName(buf, at) + 4;
  for (let i = 0; i < an + ns + ar - 1; i++) {
    at = skipName(buf, at) + 8;
    at += 2 + buf.readUInt16BE(at);
  }
  return at;
}

function parseTsigRdata(buf: Buffer, at: number, keyName: string): TsigRecord {
  const alg = readName(buf, at);
  let p = alg.end;
  const timeSigned = buf.readUIntBE(p, 6);
  const fudge = buf.readUInt16BE(p + 6);
  const macSize = buf.readUInt16BE(p + 8);
  p += 10;
  const mac = Buffer.from(buf.subarray(p, p + macSize));
  if (mac.length !== macSize) throw new RangeError('TSIG MAC runs past the message');
  p += macSize;
  const originalId = buf.readUInt16BE(p);
  const error = buf.readUInt16BE(p + 2);
  const otherLen = buf.readUInt16BE(p + 4);
  const otherData = Buffer.from(buf.subarray(p + 6, p + 6 + otherLen));
  if (otherData.length !== otherLen) throw new RangeError('TSIG other data runs past the message');
  return { keyName, algorithm: alg.name, timeSigned, fudge, mac, originalId, error, otherData };
}

/**
 * The TSIG record of `message` and the message as it was before signing
 * (record removed, ARCOUNT lowered, the original id restored); undefined
 * when the message is not signed. Throws on a malformed message.
 */
export function readTsig(message: Uint8Array): { tsig: TsigRecord; unsigned: Buffer } | undefined {
  const buf = Buffer.from(message);
  const start = lastRecordOffset(buf);
  if (start === undefined) return undefined;
  const owner = readName(buf, start);
  if (buf.readUInt16BE(owner.end) !== TYPE_TSIG) return undefined;
  const rdlength = buf.readUInt16BE(owner.end + 8);
  if (owner.end + 10 + rdlength > buf.length) throw new RangeError('TSIG record runs past the message');
  const tsig = parseTsigRdata(buf, owner.end + 10, owner.name);
  const unsigned = Buffer.from(buf.subarray(0, start));
  unsigned.writeUInt16BE(tsig.originalId, 0);
  unsigned.writeUInt16BE(unsigned.readUInt16BE(10) - 1, 10);
  return { tsig, unsigned };
}

/**
 * What checking a message's signature found: `ok`, `unsigned`, `wrong-key`
 * (another key name or algorithm), `bad-signature` or `bad-time` (signed
 * outside the fudge window around `now`).
 */
export type TsigCheck = { verdict: 'ok' | 'bad-time' | 'wrong-key' | 'bad-signature'; tsig: TsigRecord } | { verdict: 'unsigned' };

/** Checks the TSIG of `message` with `key`; for a response, pass the request's MAC. */
export function verifyMessage(message: Uint8Array, key: TsigKey, options: { now: number; requestMac?: Buffer }): TsigCheck {
  const read = readTsig(message);
  if (!read) return { verdict: 'unsigned' };
  const { tsig, unsigned } = read;
  if (tsig.keyName !== key.name.toLowerCase().replace(/\.$/, '') || tsig.algorithm !== TSIG_ALGORITHMS[key.algorithm].wire) {
    return { verdict: 'wrong-key', tsig };
  }
  const expected = computeMac(key, unsigned, tsig, options.requestMac);
  if (tsig.mac.length !== expected.length || !timingSafeEqual(tsig.mac, expected)) return { verdict: 'bad-signature', tsig };
  const drift = Math.abs(Math.floor(options.now / 1000) - tsig.timeSigned);
  return { verdict: drift > tsig.fudge ? 'bad-time' : 'ok', tsig };
}
