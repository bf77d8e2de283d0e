/**
 * The DNS transport adapters, detection and checks share: one encoded
 * message out, one answer back, over UDP (falling back to TCP when the
 * answer is truncated) or over TCP, with a deadline and a size cap, network
 * trouble as DdnsError kinds. Messages are encoded and decoded with
 * dns-packet; `queryDns` asks one question.
 */
import { randomInt } from 'node:crypto';
import { connect, isIP, isIPv6, type Socket } from 'node:net';
import dnsPacket, { type DecodedPacket, type Packet } from 'dns-packet';
import { formatDuration } from './duration.js';
import { DdnsError } from './errors.js';
import { deadline } from './deadline.js';

export interface DnsServer {
  /** An IP address (DNS servers are named by address: looking them up would need DNS). */
  host: string;
  port: number;
}

export interface DnsExchange {
  signal?: AbortSignal;
  /** Send over TCP from the start (large messages, zone transfers). */
  tcp?: boolean;
  /** Overrides the client's deadline for this exchange. */
  timeoutMs?: number;
}

export interface DnsClient {
  /** Sends one DNS message and resolves with the answer whose id matches. */
  exchange(server: DnsServer, message: Uint8Array, options?: DnsExchange): Promise<Buffer>;
}

export interface DnsClientOptions {
  timeoutMs: number;
  /** Largest answer accepted over TCP; UDP answers are at most 64 KiB anyway. */
  maxBytes?: number;
  /** The local address questions leave from (a link's `bind`); the system's choice by default. */
  localAddress?: string;
}

/** Messages larger than this go over TCP: the classic UDP limit without EDNS. */
export const UDP_MAX = 512;
const DEFAULT_MAX_BYTES = 64 * 1024;

/** `1.2.3.4:53`, `[2001:db8::1]:5353` for messages. */
export function describeServer(server: DnsServer): string {
  return isIPv6(server.host) ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}

export function createDnsClient(options: DnsClientOptions): DnsClient {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  return {
    async exchange(server, message, exchange = {}) {
      const timeoutMs = exchange.timeoutMs ?? options.timeoutMs;
      const limit = deadline(timeoutMs, exchange.signal);
      const signal = limit.signal;
      const where = `DNS server ${describeServer(server)}`;
      try {
        if (!exchange.tcp && message.length <= UDP_MAX) {
          const answer = await overUdp(server, message, signal, options.localAddress);
          // TC: the answer did not fit in a datagram; ask again over TCP.
          if (((answer[2] ?? 0) & 0x02) === 0) return answer;
        }
        return await overTcp(server, message, signal, maxBytes, options.localAddress);
      } catch (error) {
        if (error instanceof DdnsError) throw error;
        if (exchange.signal?.aborted) throw exchange.signal.reason ?? error;
        if (limit.expired) throw new DdnsError('transient', `${where}: no answer within ${formatDuration(timeoutMs)}`, { cause: error });
        const code = (error as { code?: string }).code;
        throw new DdnsError('transient', `${where}: ${(error as Error).message}${code ? ` (${code})` : ''}`, { cause: error });
      } finally {
        limit.dispose();
      }
    },
  };
}

const idOf = (buf: Uint8Array): number => ((buf[0] ?? 0) << 8) | (buf[1] ?? 0);

/**
 * A promise that settles once: on `done`, or with the signal's reason when
 * it aborts. `setup` gets `done` and returns how to release its socket.
 * Every one-socket exchange uses it (DNS, NAT-PMP, SSDP), so none closes its
 * socket twice or leaves a listener on the signal.
 */
export function exchangeOnce<T = Buffer>(signal: AbortSignal, setup: (done: (error: unknown, answer?: T) => void) => () => void): Promise<T> {
  return new Promise((resolve, reject) => {
    let release = (): void => {};
    let settled = false;
    const done = (error: unknown, answer?: T): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      release();
      if (answer !== undefined) resolve(answer);
      else reject(error);
    };
    const onAbort = (): void => done(signal.reason);
    if (signal.aborted) return done(signal.reason);
    signal.addEventListener('abort', onAbort);
    release = setup(done);
  });
}

async function overUdp(server: DnsServer, message: Uint8Array, signal: AbortSignal, localAddress?: string): Promise<Buffer> {
  // node:dgram loads at the first query, not with every start (most configs ask no DNS source).
  const { createSocket } = await import('node:dgram');
  return exchangeOnce(signal, (done) => {
    const socket = createSocket(isIPv6(server.host) ? 'udp6' : 'udp4');
    socket.on('error', (error) => done(error));
    // Datagrams with another id (late answers, spoofing attempts) are ignored.
    socket.on('message', (answer) => {
      if (answer.length >= 12 && idOf(answer) === idOf(message)) done(undefined, answer);
    });
    const sendIt = (): void =>
      socket.send(message, server.port, server.host, (error) => {
        if (error) done(error);
      });
    if (localAddress) socket.bind({ address: localAddress, port: 0 }, sendIt);
    else sendIt();
    return () => socket.close();
  });
}

function overTcp(server: DnsServer, message: Uint8Array, signal: AbortSignal, maxBytes: number, localAddress?: string): Promise<Buffer> {
  return exchangeOnce(signal, (done) => {
    const socket: Socket = connect({ host: server.host, port: server.port, ...(localAddress ? { localAddress } : {}) });
    let received = Buffer.alloc(0);
    socket.on('error', (error) => done(error));
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(message.length);
      socket.write(Buffer.concat([length, message]));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2) return;
      const size = received.readUInt16BE(0);
      if (size > maxBytes) return done(new DdnsError('bad-response', `DNS server ${describeServer(server)}: answer is larger than ${maxBytes} bytes`));
      if (received.length >= size + 2) done(undefined, received.subarray(2, size + 2));
    });
    socket.on('end', () => done(new Error('the connection closed before the answer was complete')));
    return () => socket.destroy();
  });
}

/**
 * `192.0.2.53`, `192.0.2.53:5353`, `2001:db8::53`, `[2001:db8::53]:5353` or a
 * name (`ns1.example.net[:port]`, for callers that resolve it) as a server;
 * an error message for anything else.
 */
export function parseDnsServer(text: string, defaultPort = 53): DnsServer | string {
  const hint = 'write it as an address or name with an optional port: 192.0.2.53, ns1.example.net:5353 or [2001:db8::53]:53';
  const m = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(text) ?? /^([^:[\]\s]+)(?::(\d+))?$/.exec(text);
  const host = m?.[1] ?? (isIPv6(text) ? text : undefined);
  const port = m?.[2] === undefined ? defaultPort : Number(m[2]);
  if (host === undefined || (text.startsWith('[') && !isIPv6(host))) return `"${text}" is not a DNS server; ${hint}`;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `port ${m?.[2]} of "${text}" is out of range (1-65535)`;
  return { host, port };
}

export interface Question {
  name: string;
  type: 'A' | 'AAAA' | 'TXT' | 'NS' | 'SOA';
  class?: 'IN' | 'CH';
  /** false: ask an authoritative server about its own zone only (no recursion desired). */
  recursion?: boolean;
}

/** A decoded answer, with the header fields dns-packet decodes but does not declare. */
export type DnsAnswer = DecodedPacket & {
  /** `NOERROR`, `NXDOMAIN`, `REFUSED`, `NOTAUTH`, … */
  rcode: string;
  opcode: string;
};

/** One query, recursion desired unless `question.recursion` is false, answered as a decoded message (the caller judges its rcode). */
export async function queryDns(client: DnsClient, server: DnsServer, question: Question, options: DnsExchange = {}): Promise<DnsAnswer> {
  const id = randomInt(0, 0x10000);
  const message = dnsPacket.encode({
    type: 'query',
    id,
    flags: question.recursion === false ? 0 : dnsPacket.RECURSION_DESIRED,
    questions: [{ name: question.name, type: question.type, class: question.class ?? 'IN' }],
  });
  const answer = await client.exchange(server, message, options);
  return decodeAnswer(answer, server);
}

/** A DNS answer decoded, or `bad-response` when it is not a DNS message. */
export function decodeAnswer(answer: Buffer, server: DnsServer): DnsAnswer {
  try {
    return dnsPacket.decode(answer) as DnsAnswer;
  } catch (error) {
    throw new DdnsError('bad-response', `DNS server ${describeServer(server)} answered something that is not a DNS message`, { cause: error });
  }
}

export type { Packet };

/** A domain name in wire form, lowercase and uncompressed (the canonical form TSIG signs). */
export function encodeName(name: string): Buffer {
  const labels = name.toLowerCase().replace(/\.$/, '').split('.').filter(Boolean);
  return Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([Buffer.byteLength(l)]), Buffer.from(l)])), Buffer.from([0])]);
}

/** DNS classes by number, for records dns-packet cannot spell (NONE) or messages built by hand. */
export const DNS_CLASS = { IN: 1, NONE: 254, ANY: 255 } as const;

export interface RawRecord {
  name: string;
  /** The record type's number (A = 1, AAAA = 28). */
  type: number;
  class: number;
  ttl: number;
  /** The record data as bytes; empty for the "delete" records of DNS UPDATE. */
  data: Uint8Array;
}

/** One resource record in wire form, for sections dns-packet cannot express (empty rdata, class ANY/NONE). */
export function encodeRecord(record: RawRecord): Buffer {
  const head = Buffer.alloc(10);
  head.writeUInt16BE(record.type, 0);
  head.writeUInt16BE(record.class, 2);
  head.writeUInt32BE(record.ttl, 4);
  head.writeUInt16BE(record.data.length, 8);
  return Buffer.concat([encodeName(record.name), head, record.data]);
}

/**
 * A server given by name (`ns1.example.net`) looked up with the system
 * resolver; an address is returned as it is. Failing to look it up is
 * `transient`: the resolver may be back on the next cycle.
 */
export async function resolveDnsServer(server: DnsServer): Promise<DnsServer> {
  if (isIP(server.host)) return server;
  try {
    const { lookup } = await import('node:dns/promises');
    const { address } = await lookup(server.host);
    return { host: address, port: server.port };
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new DdnsError('transient', `could not look up the DNS server ${server.host}${code ? ` (${code})` : ''}`, { cause: error });
  }
}

/** A DNS message encoded by dns-packet, for adapters that build their own (a signed query, an UPDATE's header). */
export function encodeMessage(packet: Packet): Buffer {
  return dnsPacket.encode(packet);
}
